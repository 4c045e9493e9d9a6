"""``{{ constat|valeur_constat:"ecart" }}``: an expected, found or difference value, in French;
``badge``: the summary of constats in words, for the tables and the admin."""

from datetime import date
from decimal import Decimal

from django import template
from django.utils.html import format_html

from commun.formats import date_longue, ecart_euros, euros, nombre
from controles.constats import Resume

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


def badge(constats) -> str:
    """The summary of constats, in words (never by colour alone)."""
    resume = Resume.de(constats)
    niveau = (
        "erreur"
        if resume.erreurs
        else "avertissement"
        if resume.avertissements
        else "information"
        if resume.informations
        else "aucun"
    )
    return format_html('<span class="constats-badge constats-{}">{}</span>', niveau, resume)
