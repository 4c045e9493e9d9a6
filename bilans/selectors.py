"""Reads of bilans for the pages."""

from commun.historique import evolutions

from .models import Mesure


def historique_des_mesures(filtre: dict):
    """The readable changes of the indicators' values matching ``filtre`` (newest first)."""
    return evolutions(
        Mesure.historique.filter(**filtre).select_related("indicateur__action"),
        champ="valeur",
        libelle=lambda h: f"{h.indicateur.action.code} {h.indicateur.libelle}",
        montant=False,
    )
