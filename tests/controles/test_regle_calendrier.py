"""Rule 8, calendrier: the bilan deliberated and sent by its due date.

On small factories: a passing case, a failing case, the boundary (exactly equal)."""

from datetime import date
from decimal import Decimal

import pytest

from controles.constats import Regle
from controles.services import controler
from conventions.models import Convention
from tests.bilans.factories import BilanFactory
from tests.controles.outils import resume
from tests.conventions.factories import (
    ConventionFactory,
    convention_complete,
)

pytestmark = pytest.mark.django_db


class TestCalendrier:
    @pytest.mark.parametrize(
        "aujourdhui, attendu",
        [
            pytest.param(date(2024, 1, 30), [], id="61-jours-avant"),
            pytest.param(date(2024, 1, 31), [("information", Decimal(60))], id="60-jours-avant"),
            pytest.param(date(2024, 3, 31), [("information", Decimal(0))], id="jour-d-echeance"),
            pytest.param(date(2024, 4, 1), [("erreur", Decimal(1))], id="lendemain"),
        ],
    )
    def test_un_bilan_non_transmis(self, aujourdhui, attendu):
        BilanFactory(convention=ConventionFactory(annee_debut=2023, annee_fin=2023))
        found = [
            (str(c.severite), c.ecart)
            for c in controler(aujourdhui=aujourdhui)
            if c.code == Regle.CALENDRIER
        ]
        assert found == attendu

    @pytest.mark.parametrize(
        "transmis, attendu",
        [
            pytest.param(date(2024, 3, 31), [], id="le-jour-meme"),
            pytest.param(date(2024, 4, 10), [("avertissement", Decimal(10))], id="en-retard"),
        ],
    )
    def test_un_bilan_transmis(self, transmis, attendu):
        BilanFactory(
            convention=ConventionFactory(annee_debut=2023, annee_fin=2023),
            date_deliberation=date(2024, 3, 1),
            date_transmission=transmis,
        )
        assert [(c[0], c[3]) for c in resume(Regle.CALENDRIER)] == attendu

    def test_un_bilan_jamais_enregistre(self):
        ConventionFactory(annee_debut=2023, annee_fin=2023)
        assert resume(Regle.CALENDRIER) == [
            ("erreur", "2024-03-31", "non enregistré", Decimal(966))
        ]


@pytest.mark.parametrize(
    "aujourdhui, message",
    [
        (
            date(2026, 11, 29),
            "Bilan 2023 : échéance du 31 mars 2024 dépassée de 2 ans, 7 mois et 29 jours "
            "(973 jours), le bilan n'est pas enregistré.",
        ),
        (
            date(2024, 2, 15),
            "Bilan 2023 : à délibérer et transmettre avant le 31 mars 2024, dans 1 mois et "
            "16 jours.",
        ),
    ],
    ids=["retard", "a-venir"],
)
def test_les_delais_se_lisent_en_annees_mois_et_jours(aujourdhui, message):
    convention = convention_complete(1)
    Convention.objects.filter(pk=convention.pk).update(
        annee_debut=2023, annee_fin=2023, bilan_echeance_jour=31, bilan_echeance_mois=3
    )
    (constat,) = [c for c in controler(aujourdhui=aujourdhui) if c.code == Regle.CALENDRIER]
    assert constat.message == message
