"""Rule 3, fiche action: the budget estimé equals the action's engagements.

On small factories: a passing case, a failing case, the boundary (exactly equal)."""

from decimal import Decimal

import pytest

from controles.constats import Regle
from conventions.models import Action
from tests.controles.outils import resume
from tests.conventions.factories import convention_complete

pytestmark = pytest.mark.django_db


class TestFicheAction:
    @pytest.mark.parametrize(
        "budget, attendu",
        [
            pytest.param("2000", [], id="egal"),
            pytest.param(
                "2000.50",
                [("avertissement", Decimal("2000.50"), Decimal("2000.00"), Decimal("-0.50"))],
                id="fiche-superieure",
            ),
            pytest.param(None, [], id="sans-budget"),
        ],
    )
    def test_le_budget_estime_egale_les_engagements(self, budget, attendu):
        convention = convention_complete(1)
        Action.objects.filter(convention=convention).update(
            budget_estime=None if budget is None else Decimal(budget)
        )
        assert resume(Regle.FICHE_ACTION) == attendu
