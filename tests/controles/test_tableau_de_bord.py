"""What the dashboard reads faster gives the same answers: the calendar of every convention read
from the stored due dates (``enregistres.echeances``) finds what the full check finds."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from controles.constats import Regle
from controles.enregistres import echeances
from controles.services import controler
from conventions.models import Convention
from tests.bilans.factories import BilanFactory
from tests.conventions.factories import ConventionFactory
from tests.proprietes import exemples

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


@pytest.mark.hypothesis
@settings(
    max_examples=exemples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    conventions=st.lists(
        st.tuples(
            st.integers(2019, 2026),  # first year
            st.integers(0, 3),  # years more
            st.sampled_from([(31, 3, 1), (30, 6, 1), (28, 2, 1), (31, 12, 0), (None, None, 1)]),
            # each year's bilan: none, or its two dates as days after 1 January of the next year
            st.lists(
                st.one_of(
                    st.none(),
                    st.tuples(
                        st.one_of(st.none(), st.integers(0, 500)),
                        st.one_of(st.none(), st.integers(0, 500)),
                    ),
                ),
                min_size=4,
                max_size=4,
            ),
        ),
        min_size=1,
        max_size=4,
    ),
    aujourdhui=st.dates(date(2020, 1, 1), date(2028, 12, 31)),
)
def test_les_echeances_lues_par_la_base_sont_celles_du_controle_complet(conventions, aujourdhui):
    """The database's first cut (conventions with a year that may need reporting) never leaves
    out a convention the full calendar rule reports."""
    from datetime import timedelta

    from django.db import transaction

    with transaction.atomic():
        for debut, plus, (jour, mois, apres), bilans in conventions:
            convention = ConventionFactory(
                annee_debut=debut,
                annee_fin=debut + plus,
                bilan_echeance_jour=jour,
                bilan_echeance_mois=mois,
                bilan_echeance_annees_apres=apres,
            )
            for annee, dates in zip(range(debut, debut + plus + 1), bilans, strict=False):
                if dates is None:
                    continue
                base = date(annee + 1, 1, 1)
                deliberation, transmission = (
                    None if jours is None else base + timedelta(days=jours) for jours in dates
                )
                BilanFactory(
                    convention=convention,
                    annee=annee,
                    date_deliberation=deliberation,
                    date_transmission=transmission,
                )
        attendus = [c for c in controler(aujourdhui=aujourdhui) if c.code == Regle.CALENDRIER]
        trouves = echeances(Convention.objects.all(), aujourdhui=aujourdhui)
        assert _decrits(trouves) == _decrits(attendus)
        transaction.set_rollback(True)
