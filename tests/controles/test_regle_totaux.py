"""Rule 2, totaux imprimés: a printed total equals the sum of its lines, per financeur.

On small factories: a passing case, a failing case, the boundary (exactly equal)."""

from decimal import Decimal

import pytest

from controles.constats import Regle
from conventions.models import TotalImprime
from tests.controles.outils import (
    changer_montant,
    constats,
    etat,
    resume,
)
from tests.conventions.factories import convention_complete

pytestmark = pytest.mark.django_db


class TestTotauxImprimes:
    @pytest.mark.parametrize(
        "imprime, attendu",
        [
            pytest.param("2000", [], id="egal"),
            pytest.param(
                "2000.01",
                [("erreur", Decimal("2000.01"), Decimal("2000.00"), Decimal("-0.01"))],
                id="imprime-superieur",
            ),
            pytest.param(
                "1500",
                [("erreur", Decimal("1500.00"), Decimal("2000.00"), Decimal("500.00"))],
                id="imprime-inferieur",
            ),
        ],
    )
    def test_le_total_imprime_egale_la_somme_des_lignes(self, imprime, attendu):
        convention = convention_complete(2)
        TotalImprime.objects.create(
            tableau=convention.tableaux.get(), financeur=etat(), montant=Decimal(imprime)
        )
        assert resume(Regle.TOTAUX) == attendu

    @pytest.mark.parametrize(
        "imprime, attendu",
        [
            pytest.param(
                "2000",
                [("information", Decimal("2000.00"), Decimal("2000.45"), Decimal("0.45"))],
                id="arrondi-inferieur",
            ),
            pytest.param(
                "2001",
                [("information", Decimal("2001.00"), Decimal("2000.45"), Decimal("-0.55"))],
                id="arrondi-superieur",
            ),
            pytest.param(
                "1999",
                [("erreur", Decimal("1999.00"), Decimal("2000.45"), Decimal("1.45"))],
                id="plus-d-un-euro",
            ),
            pytest.param(
                "2000.40",
                [("erreur", Decimal("2000.40"), Decimal("2000.45"), Decimal("0.05"))],
                id="imprime-avec-centimes",
            ),
        ],
    )
    def test_un_total_arrondi_a_l_euro_est_une_information(self, imprime, attendu):
        """Documents print whole euros: under one euro of écart, the lines' cents are
        reported to the cent, as an information rather than an erreur."""
        convention = convention_complete(2)
        financeur = (
            convention.tableaux.get()
            .engagements.get(action__code="1.1", financeur__categorie="etat")
            .financeur
        )
        changer_montant(convention, "1.1", financeur, "1000.45")
        TotalImprime.objects.create(
            tableau=convention.tableaux.get(), financeur=financeur, montant=Decimal(imprime)
        )
        assert resume(Regle.TOTAUX) == attendu
        if attendu[0][0] == "information":
            (constat,) = constats(Regle.TOTAUX)
            assert "arrondi à l'euro du document" in constat.message
