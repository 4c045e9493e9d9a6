"""``{{ constat|valeur_constat:"ecart" }}``: an expected, found or difference value, in French."""

from datetime import date
from decimal import Decimal

from django import template

from commun.formats import date_longue, ecart_euros, euros, nombre

register = template.Library()


@register.filter
def valeur_constat(constat, champ: str) -> str:
    valeur = getattr(constat, champ)
    if valeur is None:
        return "—"
    if isinstance(valeur, str):
        try:
            return date_longue(date.fromisoformat(valeur))
        except ValueError:
            return valeur
    if constat.unite == "€":
        return ecart_euros(valeur) if champ == "ecart" else euros(valeur)
    signe = "+" if champ == "ecart" and valeur > 0 else ""
    if champ == "ecart" and valeur < 0:
        signe, valeur = "\u2212", abs(valeur)
    return f"{signe}{nombre(Decimal(valeur))} {constat.unite}".strip()
