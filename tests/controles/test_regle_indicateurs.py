"""Rule 6, indicateurs: a part within its whole; an exhaustive breakdown its whole.

On small factories: a passing case, a failing case, the boundary (exactly equal)."""

from decimal import Decimal

import pytest

from bilans.models import Indicateur, Mesure
from controles.constats import Regle
from tests.bilans.factories import BilanFactory
from tests.controles.outils import resume
from tests.conventions.factories import ActionFactory

pytestmark = pytest.mark.django_db


class TestIndicateurs:
    def mesures(self, tout, parties, exhaustive=True):
        bilan = BilanFactory()
        action = ActionFactory(convention=bilan.convention)
        parent = Indicateur.objects.create(
            action=action, code="tout", libelle="Accompagnements", unite="accompagnements"
        )
        Mesure.objects.create(indicateur=parent, bilan=bilan, valeur=Decimal(tout))
        for numero, valeur in enumerate(parties):
            partie = Indicateur.objects.create(
                action=action,
                code=f"partie-{numero}",
                libelle=f"dont partie {numero}",
                unite="accompagnements",
                parent=parent,
                partie_exhaustive=exhaustive,
            )
            Mesure.objects.create(indicateur=partie, bilan=bilan, valeur=Decimal(valeur))

    def test_une_decomposition_exhaustive_exacte(self):
        self.mesures(104, [73, 31])
        assert resume(Regle.INDICATEURS) == []

    def test_une_decomposition_exhaustive_qui_ne_fait_pas_le_tout(self):
        self.mesures(269, [52, 220])
        assert resume(Regle.INDICATEURS) == [("erreur", Decimal(269), Decimal(272), Decimal(3))]

    @pytest.mark.parametrize(
        "partie, erreurs",
        [pytest.param(48, 0, id="egale-au-tout"), pytest.param(49, 1, id="depasse-le-tout")],
    )
    def test_une_partie_ne_depasse_pas_son_tout(self, partie, erreurs):
        self.mesures(48, [partie], exhaustive=False)
        assert len(resume(Regle.INDICATEURS)) == erreurs
