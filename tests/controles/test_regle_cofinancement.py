"""Rule 1, cofinancement: the collectivité funds at least the rate times the État.

On small factories: a passing case, a failing case, the boundary (exactly equal)."""

from decimal import Decimal

import pytest

from controles.constats import Regle
from conventions.models import Convention
from tests.controles.outils import (
    changer_montant,
    collectivite,
    resume,
)
from tests.conventions.factories import convention_complete

pytestmark = pytest.mark.django_db


class TestCofinancement:
    @pytest.mark.parametrize(
        "montant, attendu",
        [
            pytest.param("1000", [], id="egal-limite"),
            pytest.param("1200", [], id="au-dessus"),
            pytest.param(
                "999.99",
                [
                    ("erreur", Decimal("2000.00"), Decimal("1999.99"), Decimal("-0.01")),
                    ("avertissement", Decimal("1000.00"), Decimal("999.99"), Decimal("-0.01")),
                ],
                id="un-centime-de-moins",
            ),
        ],
    )
    def test_collectivite_au_moins_egale_a_l_etat(self, montant, attendu):
        convention = convention_complete(2)
        changer_montant(convention, "1.1", collectivite(), montant)
        assert resume(Regle.COFINANCEMENT) == attendu

    def test_le_taux_de_la_convention_s_applique(self):
        convention = convention_complete(1)
        convention.taux_cofinancement = Decimal("0.50")
        convention.save()
        changer_montant(convention, "1.1", collectivite(), "500")
        assert resume(Regle.COFINANCEMENT) == []
        changer_montant(convention, "1.1", collectivite(), "499")
        assert [c[0] for c in resume(Regle.COFINANCEMENT)] == ["erreur", "avertissement"]

    def test_sans_taux_rien_n_est_controle(self):
        convention = convention_complete(1)
        Convention.objects.filter(pk=convention.pk).update(taux_cofinancement=None)
        changer_montant(convention, "1.1", collectivite(), "0")
        assert resume(Regle.COFINANCEMENT) == []
