"""What the dashboard reads faster gives the same answers: the calendar of every convention read
as rows (``services.echeances``) finds what the full check finds."""

from datetime import date

import pytest

from controles.constats import Regle
from controles.services import controler, echeances
from conventions.models import Convention
from tests.bilans.factories import BilanFactory
from tests.conventions.factories import ConventionFactory

pytestmark = pytest.mark.django_db


def _decrits(constats):
    return [(c.severite, c.objet, c.message, c.convention_id, c.annees) for c in constats]


@pytest.mark.parametrize(
    "aujourdhui",
    [date(2023, 6, 1), date(2024, 2, 10), date(2024, 4, 1), date(2026, 11, 22)],
    ids=["avant", "bientot", "lendemain", "bien-apres"],
)
def test_les_echeances_sont_celles_du_controle_complet(aujourdhui):
    a_l_heure = ConventionFactory(annee_debut=2022, annee_fin=2023)
    for annee in (2022, 2023):
        BilanFactory(
            convention=a_l_heure,
            annee=annee,
            date_deliberation=date(annee + 1, 3, 1),
            date_transmission=date(annee + 1, 3, 2),
        )
    en_retard = ConventionFactory(annee_debut=2023, annee_fin=2023)
    BilanFactory(
        convention=en_retard,
        annee=2023,
        date_deliberation=date(2024, 3, 1),
        date_transmission=date(2024, 4, 10),
    )
    BilanFactory(
        convention=ConventionFactory(annee_debut=2023, annee_fin=2024),
        annee=2023,
        date_deliberation=date(2024, 3, 1),
    )
    ConventionFactory(annee_debut=2023, annee_fin=2023)  # no bilan recorded
    ConventionFactory(annee_debut=2023, annee_fin=2023, bilan_echeance_jour=None)  # no rule
    attendus = [c for c in controler(aujourdhui=aujourdhui) if c.code == Regle.CALENDRIER]
    trouves = echeances(Convention.objects.all(), aujourdhui=aujourdhui)
    assert _decrits(trouves) == _decrits(attendus)
    assert all(str(c.objet) and c.lien for c in trouves)  # objects a page can name and link
    if aujourdhui == date(2026, 11, 22):
        assert {c.convention_id for c in trouves} == {
            c.pk for c in Convention.objects.exclude(pk=a_l_heure.pk) if c.echeance_bilan(2023)
        }
