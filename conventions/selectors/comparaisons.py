"""One action compared between two sources: two versions of a year, two years, the bilan's
budget prévisionnel and the tableau en vigueur."""

from dataclasses import dataclass
from decimal import Decimal

from conventions.models import Action, Engagement, Financeur, TableauEngagements, somme
from conventions.selectors.annexes import ZERO


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
