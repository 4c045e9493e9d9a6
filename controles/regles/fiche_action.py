"""3. Fiche action: a fiche's « budget estimé » equals the sum of the action's engagements.

Each fiche action of the Annexe 2 of the Pacte de solidarité 2020 (« Précisions autour des
actions ») ends on its budget, for instance « Budget estimé 152 000 € » for the action 1.1,
while the Annexe 1 (tableau des engagements) gives the same action its amounts per financeur.
The domain guide (docs/DESIGN.md, « Rules the application checks ») asks that « the "budget estimé"
of a fiche equals the sum of the action's engagements »: the engagements en vigueur, all
financeurs together. A fiche without a budget is not checked; a difference is an avertissement.
"""

from commun.formats import ecart_euros, euros

from ..constats import Constat, Regle, Severite
from ..donnees import Donnees
from ._outils import ZERO, annees_de
from ._registre import regle

SEVERITE = Severite.AVERTISSEMENT


@regle(Regle.FICHE_ACTION)
def budget_des_fiches(donnees: Donnees):
    """A fiche's budget estimé equals the sum of the action's engagements en vigueur."""
    for action in donnees.actions.values():
        if action.budget_estime is None:
            continue
        engage = donnees.action_en_vigueur.get(action.pk, ZERO)
        if engage != action.budget_estime:
            convention = action.convention
            yield Constat(
                Regle.FICHE_ACTION,
                SEVERITE,
                action,
                action.budget_estime,
                engage,
                engage - action.budget_estime,
                "€",
                f"Action {action.code} : la fiche action estime le budget à "
                f"{euros(action.budget_estime)}, les engagements en vigueur totalisent "
                f"{euros(engage)} (écart {ecart_euros(engage - action.budget_estime)}).",
                action.convention_id,
                annees_de(convention),
            )
