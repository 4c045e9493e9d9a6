"""The annex layout of a tableau: axes as group rows, one column per financeur, subtotals,
the total and the cofinancement; the same layout empty, and as the editing grid. Every amount
is summed by the database; Python only arranges the rows."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from conventions.models import (
    Action,
    Axe,
    Engagement,
    Financeur,
    TableauEngagements,
    TotalImprime,
    somme,
)

ZERO = Decimal("0.00")


@dataclass
class Ligne:
    """A row of the annex: an axe heading, an action, a subtotal, the total."""

    nature: str  # "axe", "action", "sous_total", "total"
    code: str
    intitule: str
    montants: list[Decimal | None] = field(default_factory=list)
    niveau: int = 1
    action: Action | None = None

    @property
    def total(self) -> Decimal:
        return sum((m for m in self.montants if m is not None), ZERO)


@dataclass
class Annexe:
    tableau: TableauEngagements
    financeurs: list[Financeur]
    lignes: list[Ligne]
    total: Ligne
    part_collectivite: Decimal | None  # collectivité / État, e.g. 1.00
    cofinancement_respecte: bool | None


def _par(cle: str, lignes) -> dict:
    return {(ligne[cle], ligne["financeur"]): ligne["total"] for ligne in lignes}


# What each line of a flat download is: summing the « action » lines gives the total once
# (the axes' subtotals and the total repeat their actions' amounts).
NATURES_A_PLAT = {"axe": "axe", "action": "action", "sous_total": "sous-total"}


def annexe_a_plat(tableau: TableauEngagements, annexe: Annexe) -> tuple[list, list]:
    """The annex as one table for CSV and xlsx downloads: the version on every line (several
    versions of a year download to several files that say which they are), and what each line
    is (action, sous-total, total)."""
    version = tableau.libelle + (" (en vigueur)" if tableau.en_vigueur else "")
    entetes = ["Version", "Ligne", "Code", "Intitulé", *[f.nom for f in annexe.financeurs]]
    lignes = [
        [version, NATURES_A_PLAT[ligne.nature], ligne.code, ligne.intitule, *ligne.montants]
        for ligne in annexe.lignes
    ]
    lignes.append([version, "total", "", "Total", *annexe.total.montants])
    return entetes, lignes


def arbre(axes, actions, utiles, ligne_action, sous_total) -> list[Ligne]:
    """The annex's rows in the signed document's order: each axe of ``utiles`` as a heading,
    its actions, its sub-axes, then its subtotal (``sous_total(axe, niveau)``); the actions
    without an axe last. The one walk of the axe tree, for the annex, the empty annex and the
    grid."""
    lignes: list[Ligne] = []

    def parcourir(parent_id, niveau):
        for axe in (a for a in axes if a.parent_id == parent_id and a.pk in utiles):
            lignes.append(Ligne("axe", axe.code, axe.intitule, niveau=niveau))
            lignes.extend(ligne_action(a) for a in actions if a.axe_id == axe.pk)
            parcourir(axe.pk, niveau + 1)
            lignes.append(sous_total(axe, niveau))

    parcourir(None, 1)
    lignes.extend(ligne_action(a) for a in actions if a.axe_id is None)
    return lignes


def annexe(tableau: TableauEngagements) -> Annexe:
    """The tableau laid out as the convention's annex: axes as group rows, one column per
    financeur, a subtotal per axe (its sub-axes included), the total and the cofinancement."""
    engagements = Engagement.objects.filter(tableau=tableau)
    financeurs = list(
        Financeur.objects.filter(engagements__tableau=tableau).distinct().order_by("ordre", "nom")
    )
    montants = {
        (e["action"], e["financeur"]): e["montant"]
        for e in engagements.values("action", "financeur", "montant")
    }
    sous_totaux: dict[tuple[int, int], Decimal] = {}
    for chemin in ("action__axe", "action__axe__parent", "action__axe__parent__parent"):
        groupes = (
            engagements.exclude(**{f"{chemin}__isnull": True})
            .values(chemin, "financeur")
            .annotate(total=somme("montant"))
            .order_by()
        )
        for (axe, financeur), total in _par(chemin, groupes).items():
            sous_totaux[(axe, financeur)] = sous_totaux.get((axe, financeur), ZERO) + total
    totaux = {
        ligne["financeur"]: ligne["total"]
        for ligne in engagements.values("financeur").annotate(total=somme("montant")).order_by()
    }
    actions = [
        a
        for a in Action.objects.filter(convention=tableau.convention_id).order_by("ordre", "code")
        if any((a.pk, f.pk) in montants for f in financeurs)
    ]
    axes = list(Axe.objects.filter(convention=tableau.convention_id).order_by("ordre", "code"))
    axes_utiles = {axe for (axe, _f) in sous_totaux}

    lignes = arbre(
        axes,
        actions,
        axes_utiles,
        lambda action: Ligne(
            "action",
            action.code,
            action.intitule,
            [montants.get((action.pk, f.pk)) for f in financeurs],
            action=action,
        ),
        lambda axe, niveau: Ligne(
            "sous_total",
            axe.code,
            f"Sous-total {axe.intitule}",
            [sous_totaux.get((axe.pk, f.pk), ZERO) for f in financeurs],
            niveau=niveau,
        ),
    )
    total = Ligne("total", "", "Total", [totaux.get(f.pk, ZERO) for f in financeurs])

    etat = sum((totaux.get(f.pk, ZERO) for f in financeurs if f.categorie == "etat"), ZERO)
    collectivite = sum(
        (totaux.get(f.pk, ZERO) for f in financeurs if f.categorie == "collectivite"), ZERO
    )
    taux = tableau.convention.taux_cofinancement
    part = (collectivite / etat).quantize(Decimal("0.0001")) if etat else None
    respecte = None if taux is None or part is None else collectivite >= taux * etat
    return Annexe(tableau, financeurs, lignes, total, part, respecte)


def annexe_vierge(tableau: TableauEngagements) -> Annexe:
    """The annex of a tableau not written yet: every action under its axes, one column per
    financeur the convention already uses (or l'État and the territoire's own), no amount."""
    convention = tableau.convention
    financeurs = list(
        Financeur.objects.filter(
            Q(engagements__tableau__convention=convention)
            | Q(categorie=Financeur.Categorie.ETAT)
            | Q(territoire=convention.territoire_id)
        )
        .distinct()
        .order_by("ordre", "nom")
    )
    actions = list(Action.objects.filter(convention=convention).order_by("ordre", "code"))
    axes = list(Axe.objects.filter(convention=convention).order_by("ordre", "code"))
    parents = {axe.pk: axe.parent_id for axe in axes}
    utiles = set()
    for action in actions:
        axe = action.axe_id
        while axe is not None and axe not in utiles:
            utiles.add(axe)
            axe = parents.get(axe)
    vides = [None] * len(financeurs)
    lignes = arbre(
        axes,
        actions,
        utiles,
        lambda a: Ligne("action", a.code, a.intitule, list(vides), action=a),
        lambda axe, _niveau: Ligne(
            "sous_total", axe.code, f"Sous-total {axe.intitule}", [ZERO] * len(vides)
        ),
    )
    total = Ligne("total", "", "Total", [ZERO] * len(financeurs))
    return Annexe(tableau, financeurs, lignes, total, None, None)


@dataclass
class Grille:
    """The annex of a tableau as an editing grid: every action of the convention (so that one
    can be added), the convention's financeurs, each cell's amount, the totals of the lines and
    the totals printed in the signed document."""

    tableau: TableauEngagements
    financeurs: list[Financeur]
    lignes: list[Ligne]
    # (action id, financeur id) → montant of the lines the tableau has
    cellules: dict[tuple[int, int], Decimal]
    totaux: list[Decimal]
    # financeur id → the total printed in the document (none: the document prints none)
    imprimes: dict[int, Decimal] = field(default_factory=dict)

    @property
    def totaux_imprimes(self) -> list[Decimal | None]:
        return [self.imprimes.get(f.pk) for f in self.financeurs]

    @property
    def ecarts(self) -> list[Decimal | None]:
        """Per financeur, the lines' total minus the printed one (None: no printed total)."""
        return [
            None if imprime is None else total - imprime
            for total, imprime in zip(self.totaux, self.totaux_imprimes, strict=True)
        ]


def grille(tableau: TableauEngagements) -> Grille:
    structure = annexe_vierge(tableau)
    cellules = {
        (action, financeur): montant
        for action, financeur, montant in tableau.engagements.values_list(
            "action", "financeur", "montant"
        )
    }
    imprimes = dict(
        TotalImprime.objects.filter(tableau=tableau).values_list("financeur", "montant")
    )
    financeurs = structure.financeurs
    manquants = ({f for _a, f in cellules} | set(imprimes)) - {f.pk for f in financeurs}
    if manquants:  # a line of a financeur the layout did not expect: show its column too
        financeurs = sorted(
            [*financeurs, *Financeur.objects.filter(pk__in=manquants)],
            key=lambda f: (f.ordre, f.nom),
        )
    lignes = [ligne for ligne in structure.lignes if ligne.nature != "sous_total"]
    for ligne in lignes:
        if ligne.nature == "action":
            ligne.montants = [cellules.get((ligne.action.pk, f.pk)) for f in financeurs]
    totaux = {
        ligne["financeur"]: ligne["total"]
        for ligne in tableau.engagements.values("financeur").annotate(total=somme("montant"))
    }
    return Grille(
        tableau,
        financeurs,
        lignes,
        cellules,
        [totaux.get(f.pk, ZERO) for f in financeurs],
        imprimes,
    )
