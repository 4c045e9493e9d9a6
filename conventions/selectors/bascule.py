"""What « mettre en vigueur » would change: the amounts before and after, action by action,
shown on the confirmation page before anything is written."""

from dataclasses import dataclass
from decimal import Decimal

from conventions.models import Action, Engagement, TableauEngagements, somme
from conventions.selectors.annexes import ZERO


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


def montants_par_action_et_cote(tableau) -> dict[tuple[int, str], Decimal]:
    """``{(action id, « etat » | « collectivite » | « autres »): total}`` of a tableau (empty
    without one): the confirmation's lines and the rapport d'exécution's financial table."""
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
    avant, apres = montants_par_action_et_cote(actuelle), montants_par_action_et_cote(candidate)
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
