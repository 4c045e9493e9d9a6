"""Reads for the browser pages: the annex layout of a tableau and the comparisons.

Every amount is summed by the database; Python only arranges the rows.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from commun.historique import evolutions

from .models import Action, Axe, Engagement, Financeur, TableauEngagements, TotalImprime, somme

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

    lignes: list[Ligne] = []

    def ligne_action(action):
        return Ligne(
            "action",
            action.code,
            action.intitule,
            [montants.get((action.pk, f.pk)) for f in financeurs],
            action=action,
        )

    def parcourir(parent_id, niveau):
        for axe in (a for a in axes if a.parent_id == parent_id and a.pk in axes_utiles):
            lignes.append(Ligne("axe", axe.code, axe.intitule, niveau=niveau))
            lignes.extend(ligne_action(a) for a in actions if a.axe_id == axe.pk)
            parcourir(axe.pk, niveau + 1)
            lignes.append(
                Ligne(
                    "sous_total",
                    axe.code,
                    f"Sous-total {axe.intitule}",
                    [sous_totaux.get((axe.pk, f.pk), ZERO) for f in financeurs],
                    niveau=niveau,
                )
            )

    parcourir(None, 1)
    lignes.extend(ligne_action(a) for a in actions if a.axe_id is None)
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
    lignes: list[Ligne] = []

    def parcourir(parent_id, niveau):
        for axe in (a for a in axes if a.parent_id == parent_id and a.pk in utiles):
            lignes.append(Ligne("axe", axe.code, axe.intitule, niveau=niveau))
            lignes.extend(
                Ligne("action", a.code, a.intitule, list(vides), action=a)
                for a in actions
                if a.axe_id == axe.pk
            )
            parcourir(axe.pk, niveau + 1)
            lignes.append(
                Ligne("sous_total", axe.code, f"Sous-total {axe.intitule}", [ZERO] * len(vides))
            )

    parcourir(None, 1)
    lignes.extend(
        Ligne("action", a.code, a.intitule, list(vides), action=a)
        for a in actions
        if a.axe_id is None
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


def periodes_sans_version_en_vigueur(conventions) -> list[dict]:
    """Periods whose tableau has versions but none en vigueur: the checks cannot say which
    amounts hold. One query."""
    from django.db.models import Count

    return list(
        TableauEngagements.objects.filter(convention__in=conventions)
        .exclude(nature=TableauEngagements.Nature.PREVISIONNEL_BILAN)
        .values("convention__slug", "convention__intitule", "annee_debut", "annee_fin")
        .annotate(versions=Count("pk"), en_vigueur=Count("pk", filter=Q(en_vigueur=True)))
        .filter(en_vigueur=0)
        .order_by("-annee_debut", "convention__intitule")
    )


def conventions_sans_tableau_en_vigueur(conventions) -> list:
    """Conventions the yearly table cannot show (a multi-year commitment paid by tranches,
    like the Territoire zéro non recours), with their commitments and tranches."""
    from django.db.models import Prefetch

    from .models import EngagementPluriannuel

    return list(
        conventions.exclude(tableaux__en_vigueur=True)
        .select_related("territoire")
        .prefetch_related(
            Prefetch(
                "engagements_pluriannuels",
                queryset=EngagementPluriannuel.objects.select_related("financeur")
                .prefetch_related("tranches")
                .avec_total_tranches(),
            )
        )
        .order_by("-annee_debut", "intitule")
    )


# --- Comparisons ----------------------------------------------------------------------------


@dataclass
class Comparaison:
    """One action compared between two sources (versions, years, bilan…), per financeur."""

    code: str
    intitule: str
    avant: Decimal | None
    apres: Decimal | None
    statut: str  # "ajoutée", "retirée", "modifiée", "identique"
    action: Action | None = None

    @property
    def ecart(self) -> Decimal:
        return (self.apres or ZERO) - (self.avant or ZERO)

    @property
    def ecart_pourcent(self) -> Decimal | None:
        if not self.avant:
            return None
        return (self.ecart * 100 / self.avant).quantize(Decimal("0.1"))


def total_comparaison(lignes: list[Comparaison]) -> Comparaison:
    """The totals row of a comparison: what each side sums to, and the overall écart."""
    avant = sum((ligne.avant or ZERO for ligne in lignes), ZERO)
    apres = sum((ligne.apres or ZERO for ligne in lignes), ZERO)
    return Comparaison("", "Total", avant, apres, _statut(avant, apres))


def resume_statuts(lignes: list[Comparaison]) -> str:
    """« 1 ajoutée, 1 modifiée, 5 identiques »."""
    comptes: dict[str, int] = {}
    for ligne in lignes:
        comptes[ligne.statut] = comptes.get(ligne.statut, 0) + 1
    return ", ".join(f"{n} {statut}{'s' if n > 1 else ''}" for statut, n in sorted(comptes.items()))


def _statut(avant, apres) -> str:
    if avant is None:
        return "ajoutée"
    if apres is None:
        return "retirée"
    return "identique" if avant == apres else "modifiée"


def _totaux_par_action(tableau, categories=("etat", "collectivite")) -> dict[int, Decimal]:
    """``{action id: total}`` of a tableau for the given financeur categories."""
    if tableau is None:
        return {}
    lignes = (
        Engagement.objects.filter(tableau=tableau, financeur__categorie__in=categories)
        .values("action")
        .annotate(total=somme("montant"))
        .order_by()
    )
    return {ligne["action"]: ligne["total"] for ligne in lignes}


def comparer_versions(avant: TableauEngagements, apres: TableauEngagements):
    """Actions added, removed and changed between two versions of the same period (all
    financeurs together)."""
    montants_avant = _totaux_par_action(avant, categories=_toutes_categories())
    montants_apres = _totaux_par_action(apres, categories=_toutes_categories())
    actions = Action.objects.filter(pk__in=set(montants_avant) | set(montants_apres)).order_by(
        "ordre", "code"
    )
    return [
        Comparaison(
            a.code,
            a.intitule,
            montants_avant.get(a.pk),
            montants_apres.get(a.pk),
            _statut(montants_avant.get(a.pk), montants_apres.get(a.pk)),
            a,
        )
        for a in actions
    ]


def _toutes_categories():
    return [choix for choix, _ in Financeur.Categorie.choices]


def comparer_annees(convention, annee: int):
    """Each action of a convention's year against the action it continues (its lineage), in
    the tableau en vigueur of its own convention and year."""
    actuel = (
        TableauEngagements.objects.en_vigueur().pour_annee(annee).filter(convention=convention)
    ).first()
    montants = _totaux_par_action(actuel, categories=_toutes_categories())
    actions = list(
        Action.objects.filter(pk__in=montants)
        .select_related("action_precedente__convention")
        .order_by("ordre", "code")
    )
    precedentes = {a.action_precedente for a in actions if a.action_precedente}
    conventions = {p.convention for p in precedentes}
    anciens = TableauEngagements.objects.en_vigueur().filter(convention__in=conventions)
    montants_anciens = {
        ligne["action"]: ligne["total"]
        for ligne in Engagement.objects.filter(tableau__in=anciens, action__in=precedentes)
        .values("action")
        .annotate(total=somme("montant"))
        .order_by()
    }
    lignes = []
    for action in actions:
        precedente = action.action_precedente
        avant = montants_anciens.get(precedente.pk) if precedente else None
        lignes.append(
            Comparaison(
                action.code,
                action.intitule,
                avant,
                montants[action.pk],
                "nouvelle" if precedente is None else _statut(avant, montants[action.pk]),
                action,
            )
        )
    return actuel, lignes


def comparer_bilan(bilan):
    """Per action: the tableau en vigueur of the bilan's year against the bilan's budget
    prévisionnel (and the réalisé, when a tableau of that nature exists)."""
    tableaux = TableauEngagements.objects.filter(convention=bilan.convention_id).pour_annee(
        bilan.annee
    )
    en_vigueur = tableaux.filter(en_vigueur=True).first()
    realise = tableaux.filter(nature=TableauEngagements.Nature.REALISE).first()
    categories = _toutes_categories()
    vigueur = _totaux_par_action(en_vigueur, categories)
    prevu = _totaux_par_action(bilan.tableau_previsionnel, categories)
    fait = _totaux_par_action(realise, categories)
    actions = Action.objects.filter(pk__in=set(vigueur) | set(prevu) | set(fait)).order_by(
        "ordre", "code"
    )
    return (
        en_vigueur,
        realise,
        [
            {
                "comparaison": Comparaison(
                    a.code,
                    a.intitule,
                    vigueur.get(a.pk),
                    prevu.get(a.pk),
                    _statut(vigueur.get(a.pk), prevu.get(a.pk)),
                    a,
                ),
                "realise": fait.get(a.pk),
            }
            for a in actions
        ],
    )


@dataclass
class AvantApres:
    """One amount before and after a version is put en vigueur."""

    avant: Decimal
    apres: Decimal

    @property
    def ecart(self) -> Decimal:
        return self.apres - self.avant

    @property
    def change(self) -> bool:
        return self.avant != self.apres


@dataclass
class ActionQuiChange:
    action: Action
    etat: AvantApres
    collectivite: AvantApres
    autres: AvantApres
    avec_autres: bool = False  # whether the period has other financeurs (a column)

    @property
    def montants(self) -> list[AvantApres]:
        """The columns of the page: État, collectivité (and the others when there are)."""
        return [self.etat, self.collectivite] + ([self.autres] if self.avec_autres else [])


@dataclass
class Bascule:
    """What « mettre en vigueur » changes in a period's amounts: the version en vigueur today
    (None: none) and the candidate, their totals per side, and the actions whose amounts
    differ (État, collectivité, other financeurs)."""

    actuelle: TableauEngagements | None
    candidate: TableauEngagements
    etat: AvantApres
    collectivite: AvantApres
    autres: AvantApres
    total: AvantApres
    actions: list[ActionQuiChange]
    actions_identiques: int

    @property
    def avec_autres(self) -> bool:
        return bool(self.autres.avant or self.autres.apres)


def _par_action_et_cote(tableau) -> dict[tuple[int, str], Decimal]:
    """``{(action id, « etat » | « collectivite » | « autres »): total}`` of a tableau."""
    if tableau is None:
        return {}
    sommes: dict[tuple[int, str], Decimal] = {}
    for ligne in (
        Engagement.objects.filter(tableau=tableau)
        .values("action", "financeur__categorie")
        .annotate(total=somme("montant"))
        .order_by()
    ):
        categorie = ligne["financeur__categorie"]
        cote = categorie if categorie in ("etat", "collectivite") else "autres"
        cle = (ligne["action"], cote)
        sommes[cle] = sommes.get(cle, ZERO) + ligne["total"]
    return sommes


def montants_par_action_et_cote(tableau) -> dict[tuple[int, str], Decimal]:
    """``{(action id, « etat » | « collectivite » | « autres »): total}`` of a tableau (empty
    without one): the columns of the rapport d'exécution's financial table."""
    return _par_action_et_cote(tableau)


def bascule(candidate: TableauEngagements, actuelle: TableauEngagements | None) -> Bascule:
    """The confirmation of « mettre en vigueur »: ``actuelle`` replaced by ``candidate``."""
    totaux = {
        t.pk: t
        for t in TableauEngagements.objects.filter(
            pk__in=[candidate.pk] + ([actuelle.pk] if actuelle else [])
        ).avec_totaux()
    }

    def cote(champ: str) -> AvantApres:
        avant = getattr(totaux[actuelle.pk], champ) if actuelle else ZERO
        return AvantApres(avant, getattr(totaux[candidate.pk], champ))

    autres = cote("total_autres")
    avant, apres = _par_action_et_cote(actuelle), _par_action_et_cote(candidate)
    ids = {a for a, _cote in avant} | {a for a, _cote in apres}
    lignes = []
    for action in Action.objects.filter(pk__in=ids).order_by("ordre", "code"):
        montants = [
            AvantApres(avant.get((action.pk, c), ZERO), apres.get((action.pk, c), ZERO))
            for c in ("etat", "collectivite", "autres")
        ]
        lignes.append(ActionQuiChange(action, *montants, bool(autres.avant or autres.apres)))
    qui_changent = [
        ligne
        for ligne in lignes
        if any(m.change for m in (ligne.etat, ligne.collectivite, ligne.autres))
    ]
    return Bascule(
        actuelle,
        candidate,
        cote("total_etat"),
        cote("total_collectivite"),
        autres,
        cote("total_general"),
        qui_changent,
        len(lignes) - len(qui_changent),
    )


def lignee(action: Action) -> list[Action]:
    """The action and those it continues or that continue it, oldest first."""
    chaine = [action]
    courant = action
    while courant.action_precedente_id:
        courant = Action.objects.select_related("convention").get(pk=courant.action_precedente_id)
        chaine.insert(0, courant)
    suivantes = list(action.actions_suivantes.select_related("convention"))
    while suivantes:
        chaine.extend(suivantes)
        suivantes = list(
            Action.objects.filter(action_precedente__in=suivantes).select_related("convention")
        )
    return chaine


def montants_par_annee(actions: list[Action]):
    """Rows ``{annee, convention, code, financeur, total}`` of the tableaux en vigueur."""
    return list(
        Engagement.objects.filter(action__in=actions, tableau__en_vigueur=True)
        .values(
            "tableau__annee_debut",
            "tableau__annee_fin",
            "action__code",
            "action__convention__intitule",
            "financeur__nom",
            "financeur__ordre",
        )
        .annotate(total=somme("montant"))
        .order_by("tableau__annee_debut", "financeur__ordre")
    )


def recherche(conventions, texte: str):
    """Conventions, actions, operators and indicators whose words contain ``texte``, whatever
    its accents and case (« acces » finds « accès », « tznr » the Territoire zéro non recours)."""
    from bilans.models import Indicateur, RapportAction
    from commun.recherche import motif_sans_accents

    motif = motif_sans_accents(texte)

    def contient(*champs) -> Q:
        filtre = Q()
        for champ in champs:
            filtre |= Q(**{f"{champ}__iregex": motif})
        return filtre

    trouvees = (
        conventions.filter(contient("intitule", "slug", "objet"))
        .select_related("territoire")
        .order_by("-annee_debut", "intitule")[:50]
    )
    champs_action = ("intitule", "intitule_fiche", "descriptif")
    actions = (
        Action.objects.filter(convention__in=conventions)
        .filter(contient(*champs_action) | Q(code__iexact=texte))
        .select_related("convention")
        .order_by("-convention__annee_debut", "ordre")[:50]
    )
    operateurs = (
        RapportAction.objects.filter(bilan__convention__in=conventions)
        .filter(contient("operateur"))
        .select_related("action__convention", "bilan")
        .order_by("-bilan__annee", "action__ordre")[:50]
    )
    indicateurs = (
        Indicateur.objects.filter(action__convention__in=conventions)
        .filter(contient("libelle"))
        .select_related("action__convention")
        .order_by("action__ordre", "ordre")[:50]
    )
    return list(actions), list(operateurs), list(indicateurs), list(trouvees)


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
