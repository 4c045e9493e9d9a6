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


def rapports_et_indicateurs(bilan) -> list[dict]:
    """What the rapport d'exécution says of each action, in the convention's order: the report
    and its indicators (« dont … » parts marked) with this year's value and last year's — the
    same indicator, or the one of the same code of the action it continues, in the bilan of
    the year before. Four queries, whatever the number of actions."""
    rapports = list(
        RapportAction.objects.filter(bilan=bilan)
        .select_related("action__axe")
        .order_by("action__ordre", "action__code")
    )
    actions = [r.action for r in rapports]
    indicateurs = list(
        Indicateur.objects.filter(action__in=actions).order_by("action_id", "ordre", "code")
    )
    valeurs = dict(Mesure.objects.filter(bilan=bilan).values_list("indicateur_id", "valeur"))
    lignee = {a.pk for a in actions} | {a.action_precedente_id for a in actions}
    anciennes = {
        (action, code): valeur
        for action, code, valeur in Mesure.objects.filter(
            bilan__annee=bilan.annee - 1, indicateur__action__in=lignee - {None}
        ).values_list("indicateur__action_id", "indicateur__code", "valeur")
    }
    sections = []
    for rapport in rapports:
        action = rapport.action
        lignes = []
        for indicateur in (i for i in indicateurs if i.action_id == action.pk):
            avant = anciennes.get((action.pk, indicateur.code))
            if avant is None and action.action_precedente_id:
                avant = anciennes.get((action.action_precedente_id, indicateur.code))
            lignes.append(
                {
                    "indicateur": indicateur,
                    "partie": bool(indicateur.parent_id),
                    "valeur": valeurs.get(indicateur.pk),
                    "annee_precedente": avant,
                }
            )
        sections.append({"rapport": rapport, "action": action, "indicateurs": lignes})
    return sections
