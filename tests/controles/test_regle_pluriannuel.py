"""Rule 4, pluriannuel: tranches make the commitment; a deliberated amount its tranche.

On small factories: a passing case, a failing case, the boundary (exactly equal)."""

from datetime import date
from decimal import Decimal

import pytest

from controles.constats import Regle
from conventions.models import (
    Deliberation,
    EngagementPluriannuel,
    MontantDelibere,
    Seance,
    Tranche,
)
from tests.controles.outils import (
    etat,
    resume,
)
from tests.conventions.factories import ConventionFactory

pytestmark = pytest.mark.django_db


class TestPluriannuel:
    def engagement(self, tranches):
        convention = ConventionFactory(annee_debut=2023, annee_fin=2025, taux_cofinancement=None)
        engagement = EngagementPluriannuel.objects.create(
            convention=convention,
            financeur=etat(),
            montant_total=Decimal("515000"),
            annee_debut=2023,
            annee_fin=2025,
        )
        for annee, montant in tranches.items():
            Tranche.objects.create(engagement=engagement, annee=annee, montant=Decimal(montant))
        return convention

    def test_les_tranches_font_le_total(self):
        self.engagement({2023: "171667", 2024: "171667", 2025: "171666"})
        assert resume(Regle.PLURIANNUEL) == []

    def test_des_tranches_completes_qui_ne_font_pas_le_total(self):
        self.engagement({2023: "171667", 2024: "171667", 2025: "171667"})
        assert resume(Regle.PLURIANNUEL) == [
            ("erreur", Decimal("515000.00"), Decimal("515001.00"), Decimal("1.00"))
        ]

    def test_des_tranches_manquantes_sont_une_information(self):
        self.engagement({2023: "171667"})
        assert resume(Regle.PLURIANNUEL) == [
            ("information", Decimal("515000.00"), Decimal("171667.00"), Decimal("-343333.00"))
        ]

    @pytest.mark.parametrize(
        "decide, attendu",
        [
            pytest.param("171667", [], id="egal-a-la-tranche"),
            pytest.param(
                "171668",
                [("erreur", Decimal("171667.00"), Decimal("171668.00"), Decimal("1.00"))],
                id="un-euro-de-plus",
            ),
        ],
    )
    def test_le_montant_delibere_egale_la_tranche(self, decide, attendu):
        convention = self.engagement({2023: "171667", 2024: "171667", 2025: "171666"})
        seance = Seance.objects.create(
            territoire=convention.territoire,
            organe="Conseil",
            date=date(2023, 11, 23),
            membres_en_exercice=86,
            presents=75,
            procurations=9,
        )
        deliberation = Deliberation.objects.create(
            seance=seance,
            reference="d",
            objet="TZNR",
            convention=convention,
            votes_pour=84,
            procurations_votes=9,
        )
        MontantDelibere.objects.create(
            deliberation=deliberation, financeur=etat(), annee=2023, montant=Decimal(decide)
        )
        assert resume(Regle.PLURIANNUEL) == attendu
