"""The line a printed page carries: when it was printed, and by whom (base.html)."""

from django import template
from django.utils import timezone

from commun.formats import date_et_heure

register = template.Library()


@register.simple_tag
def mention_d_impression(utilisateur) -> str:
    """« Imprimé le 5 décembre 2026 à 14 h 03 par Camille Martin (cmartin) »: the time is the
    page's, printed soon after it is shown."""
    texte = f"Imprimé le {date_et_heure(timezone.now())}"
    if not getattr(utilisateur, "is_authenticated", False):  # anonymous, or the 500 page's none
        return texte
    nom, identifiant = utilisateur.get_full_name().strip(), utilisateur.get_username()
    return f"{texte} par {f'{nom} ({identifiant})' if nom else identifiant}"
