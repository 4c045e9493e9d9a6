"""The readable changes of a tableau's amounts and printed totals."""

from commun.historique import evolutions
from conventions.models import Engagement, TableauEngagements, TotalImprime


def historique_des_engagements(filtre: dict):
    """The readable changes of the engagements matching ``filtre`` (newest first)."""
    return evolutions(
        Engagement.historique.filter(**filtre).select_related("action", "financeur"),
        champ="montant",
        libelle=lambda h: f"{h.action.code} {h.financeur.nom}",
    )


def historique_du_tableau(tableau: TableauEngagements, limite: int = 50):
    """The changes of a tableau's amounts and of the totals its document prints, newest
    first: « Total imprimé État : 347 000 € → 347 500 €, par finances, le … »."""
    lignes = historique_des_engagements({"tableau_id": tableau.pk}) + evolutions(
        TotalImprime.historique.filter(tableau_id=tableau.pk).select_related("financeur"),
        champ="montant",
        libelle=lambda h: f"Total imprimé {h.financeur.nom}",
    )
    lignes.sort(key=lambda e: e.quand, reverse=True)
    return lignes[:limite]
