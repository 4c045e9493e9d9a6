"""Rule 5, bilan et engagements: the bilan's budget, the État's funding, the spending.

On small factories: a passing case, a failing case, the boundary (exactly equal)."""

from decimal import Decimal

import pytest

from controles.constats import Regle
from tests.bilans.factories import BilanFactory
from tests.controles.outils import (
    collectivite,
    etat,
    resume,
)
from tests.conventions.factories import (
    EngagementFactory,
    TableauFactory,
    convention_complete,
)

pytestmark = pytest.mark.django_db


class TestBilan:
    def bilan(self, previsionnel_11="1000", recu="2000", depenses="2000"):
        convention = convention_complete(2)
        previsionnel = TableauFactory(
            convention=convention, en_vigueur=False, nature="previsionnel_bilan"
        )
        for action in convention.actions.all():
            for financeur in (etat(), collectivite()):
                montant = previsionnel_11 if action.code == "1.1" else "1000"
                EngagementFactory(
                    tableau=previsionnel,
                    action=action,
                    financeur=financeur,
                    montant=Decimal(montant),
                )
        return BilanFactory(
            convention=convention,
            tableau_previsionnel=previsionnel,
            financement_etat_recu=Decimal(recu),
            depenses_collectivite=Decimal(depenses),
        )

    def test_un_bilan_conforme_ne_leve_rien(self):
        self.bilan()
        assert resume(Regle.BILAN) == []

    def test_un_budget_par_action_different_du_tableau_en_vigueur(self):
        self.bilan(previsionnel_11="1250", recu="2250", depenses="5000")
        assert sorted(resume(Regle.BILAN), key=repr) == sorted(
            [
                ("avertissement", Decimal("1000.00"), Decimal("1250.00"), Decimal("250.00")),
                ("avertissement", Decimal("1000.00"), Decimal("1250.00"), Decimal("250.00")),
                # the État paid 2 250 € when the tableau en vigueur said 2 000 €
                ("avertissement", Decimal("2000.00"), Decimal("2250.00"), Decimal("250.00")),
            ],
            key=repr,
        )

    def test_le_financement_recu_differe_du_budget_du_bilan(self):
        self.bilan(recu="1999.99", depenses="5000")
        assert ("erreur", Decimal("1999.99"), Decimal("2000.00"), Decimal("0.01")) in resume(
            Regle.BILAN
        )

    @pytest.mark.parametrize(
        "depenses, erreurs",
        [pytest.param("2000", 0, id="egal"), pytest.param("1999.99", 1, id="un-centime-de-moins")],
    )
    def test_les_depenses_couvrent_le_financement_recu(self, depenses, erreurs):
        self.bilan(depenses=depenses)
        assert [c[0] for c in resume(Regle.BILAN)].count("erreur") == erreurs
