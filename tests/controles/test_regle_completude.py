"""Rule 9, complétude: engagements for every action, a report for every action.

On small factories: a passing case, a failing case, the boundary (exactly equal)."""

import pytest

from bilans.models import RapportAction
from controles.constats import Regle
from conventions.models import Action
from tests.bilans.factories import BilanFactory
from tests.controles.outils import (
    constats,
    resume,
)
from tests.conventions.factories import convention_complete

pytestmark = pytest.mark.django_db


class TestCompletude:
    def test_toutes_les_actions_ont_leurs_engagements_et_leurs_rapports(self):
        convention = convention_complete(2)
        bilan = BilanFactory(convention=convention)
        for action in convention.actions.all():
            RapportAction.objects.create(bilan=bilan, action=action)
        assert resume(Regle.COMPLETUDE) == []

    def test_une_action_sans_engagement_et_un_rapport_manquant(self):
        convention = convention_complete(2)
        Action.objects.create(convention=convention, code="9.9", intitule="Sans montant")
        bilan = BilanFactory(convention=convention)
        RapportAction.objects.create(bilan=bilan, action=convention.actions.get(code="1.1"))
        messages = [c.message for c in constats(Regle.COMPLETUDE)]
        assert len(messages) == 2
        assert messages[0].startswith("Action 1.2 : le bilan 2023 n'en rend pas compte")
        assert messages[1].startswith("Action 9.9 « Sans montant » : aucun montant")
