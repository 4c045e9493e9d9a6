"""Reads of bilans for the pages."""

from dataclasses import dataclass

from commun.historique import evolutions, recentes
from commun.recherche import contient

from .models import Indicateur, Mesure, RapportAction

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


def recherche(conventions, texte: str) -> tuple[list, list]:
    """The operators of the per-action reports, then the indicators, of ``conventions`` whose
    words contain ``texte`` (the conventions' side: ``conventions.selectors.recherche``)."""
    operateurs = (
        RapportAction.objects.filter(bilan__convention__in=conventions)
        .filter(contient(texte, "operateur"))
        .select_related("action__convention", "bilan")
        .order_by("-bilan__annee", "action__ordre")[:50]
    )
    indicateurs = (
        Indicateur.objects.filter(action__convention__in=conventions)
        .filter(contient(texte, "libelle"))
        .select_related("action__convention")
        .order_by("action__ordre", "ordre")[:50]
    )
    return list(operateurs), list(indicateurs)


@dataclass(frozen=True)
class IndicateurParAnnee:
    indicateur: Indicateur
    par_annee: list  # one value per year of ``IndicateursParAnnee.annees``, None where none


@dataclass(frozen=True)
class IndicateursParAnnee:
    """The indicators of an action through the years (indicators of the same label across the
    action's conventions on one row)."""

    annees: list[int]
    lignes: list[IndicateurParAnnee]

    def par_annee(self) -> list[tuple[str, list]]:
        """A series per year, as the chart draws them."""
        return [
            (str(annee), [ligne.par_annee[rang] for ligne in self.lignes])
            for rang, annee in enumerate(self.annees)
        ]


def indicateurs_par_annee(actions) -> IndicateursParAnnee:
    """The values the bilans give the indicators of ``actions``, one row an indicator."""
    mesures = list(
        Mesure.objects.filter(indicateur__action__in=actions)
        .select_related("indicateur", "bilan")
        .order_by("indicateur__ordre", "bilan__annee")
    )
    valeurs: dict[str, tuple[Indicateur, dict]] = {}
    for mesure in mesures:
        _indicateur, par_annee = valeurs.setdefault(
            mesure.indicateur.libelle, (mesure.indicateur, {})
        )
        par_annee[mesure.bilan.annee] = mesure.valeur
    annees = sorted({m.bilan.annee for m in mesures})
    return IndicateursParAnnee(
        annees,
        [
            IndicateurParAnnee(indicateur, [par_annee.get(a) for a in annees])
            for indicateur, par_annee in valeurs.values()
        ],
    )
