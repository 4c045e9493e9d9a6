"""Reads of bilans for the pages."""

from commun.historique import evolutions, recentes

from .models import Mesure, RapportAction

# The texts of a per-action report, as the history names them.
TEXTES_DU_RAPPORT = {
    "realisation": ("Réalisation", {"formater": lambda v: RapportAction.Realisation(v).label}),
    "operateur": ("Opérateur", {"formater": lambda v: v or "aucun"}),
    "texte": ("Compte rendu", {"texte": True}),
}


def historique_des_mesures(filtre: dict):
    """The readable changes of the indicators' values matching ``filtre`` (newest first)."""
    return evolutions(
        Mesure.historique.filter(**filtre).select_related("indicateur__action"),
        champ="valeur",
        libelle=lambda h: f"{h.indicateur.action.code} {h.indicateur.libelle}",
        montant=False,
    )


def historique_des_rapports(filtre: dict):
    """The readable changes of the reports' texts matching ``filtre`` (réalisation,
    opérateur, compte rendu), newest first: « 1.2 Réalisation : action réalisée → … »."""
    lignes = RapportAction.historique.filter(**filtre).select_related("action")
    changements = []
    for champ, (nom, lecture) in TEXTES_DU_RAPPORT.items():
        changements += evolutions(
            lignes, champ=champ, libelle=lambda h, nom=nom: f"{h.action.code} {nom}", **lecture
        )
    return recentes(changements)


def historique_du_bilan(bilan):
    """What the bilan's page lists: its reports' texts and its indicators' values."""
    return recentes(
        historique_des_rapports({"bilan_id": bilan.pk}),
        historique_des_mesures({"bilan_id": bilan.pk}),
    )
