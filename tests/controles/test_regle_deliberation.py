"""Rule 7, délibération: votants, quorum, votes and the list of members.

On small factories: a passing case, a failing case, the boundary (exactly equal)."""

from datetime import date
from decimal import Decimal

import pytest

from controles.constats import Regle
from conventions.models import (
    Deliberation,
    MembreSeance,
    Seance,
)
from tests.controles.outils import resume
from tests.conventions.factories import ConventionFactory

pytestmark = pytest.mark.django_db


class TestDeliberation:
    def seance(self, presents=75, procurations=9, en_exercice=86, pour=84, contre=0, listes=True):
        convention = ConventionFactory()
        seance = Seance.objects.create(
            territoire=convention.territoire,
            organe="Conseil",
            date=date(2023, 11, 23),
            membres_en_exercice=en_exercice,
            presents=presents,
            procurations=procurations,
        )
        Deliberation.objects.create(
            seance=seance,
            reference="d",
            objet="TZNR",
            convention=convention,
            votes_pour=pour,
            votes_contre=contre,
            procurations_votes=procurations,
        )
        if listes:
            for numero in range(presents):
                MembreSeance.objects.create(
                    seance=seance, nom=f"Présent {numero}", presence="present"
                )
            for numero in range(procurations):
                MembreSeance.objects.create(
                    seance=seance, nom=f"Représenté {numero}", presence="represente"
                )

    def test_une_seance_conforme(self):
        self.seance()
        assert resume(Regle.DELIBERATION) == []

    def test_tous_presents_limite(self):
        self.seance(presents=80, procurations=6, pour=86)
        assert resume(Regle.DELIBERATION) == []

    def test_plus_de_votants_que_de_membres(self):
        self.seance(presents=80, procurations=7, pour=87)
        assert resume(Regle.DELIBERATION) == [("erreur", 86, 87, Decimal(1))]

    @pytest.mark.parametrize(
        "presents, erreurs",
        [pytest.param(44, 0, id="majorite-juste"), pytest.param(43, 1, id="moitie")],
    )
    def test_quorum(self, presents, erreurs):
        self.seance(presents=presents, procurations=0, pour=presents)
        assert [c[0] for c in resume(Regle.DELIBERATION)].count("erreur") == erreurs

    def test_les_votes_font_les_votants(self):
        self.seance(pour=80, contre=3)
        assert resume(Regle.DELIBERATION) == [("erreur", 84, 83, Decimal(-1))]

    def test_la_liste_des_membres_confirme_le_registre(self):
        self.seance(listes=False)
        seance = Seance.objects.get()
        MembreSeance.objects.create(seance=seance, nom="Seul présent", presence="present")
        assert resume(Regle.DELIBERATION) == [("avertissement", 75, 1, Decimal(-74))]
