"""The registry of rules (one module per rule, each quoting the sentence it checks), and the whole
run of them: what the service, the command, the pages and the admin read."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from controles import regles
from controles.constats import Regle
from controles.regles import REGLES, regle, regle_de
from controles.services import controler
from tests.bilans.factories import BilanFactory
from tests.controles.outils import AUJOURDHUI
from tests.conventions.factories import ConventionFactory, convention_complete


def test_le_registre_liste_les_neuf_regles_dans_l_ordre_de_design():
    assert [r.code for r in REGLES] == list(Regle)
    assert [r.code for r in REGLES] == [
        "cofinancement",
        "totaux",
        "fiche_action",
        "pluriannuel",
        "bilan",
        "indicateurs",
        "deliberation",
        "calendrier",
        "completude",
    ]
    assert len({r.fonction for r in REGLES}) == 9


@pytest.mark.parametrize("entree", REGLES, ids=lambda r: str(r.code))
def test_chaque_regle_a_son_module_qui_cite_la_phrase_qu_elle_controle(entree):
    module = entree.module
    assert Path(module.__file__).name == f"{entree.code}.py"
    assert Path(module.__file__).parent == Path(regles.__file__).parent
    # The docstring opens on the rule's number in docs/DESIGN.md and quotes a sentence in « … ».
    numero = list(Regle).index(entree.code) + 1
    assert entree.documentation.startswith(f"{numero}. ")
    assert entree.citations, f"{module.__name__} ne cite aucune phrase en « … »"
    assert max(len(c.split()) for c in entree.citations) >= 8
    # Its parameters are module constants, not numbers buried in the function.
    assert [nom for nom in vars(module) if nom.isupper() and not nom.startswith("_")]


def test_la_regle_du_calendrier_cite_l_article_2_4_et_nomme_son_delai():
    calendrier = regle_de("calendrier")
    assert any(
        "au plus tard le 31 mars de l'exercice suivant" in citation
        for citation in calendrier.citations
    )
    assert calendrier.datee and calendrier.module.DELAI_ALERTE_BILAN.days == 60
    assert not any(r.datee for r in REGLES if r is not calendrier)


def test_une_regle_ne_s_enregistre_qu_une_fois():
    with pytest.raises(ValueError, match="déjà enregistrée"):
        regle(Regle.CALENDRIER)(lambda donnees: [])
    assert regle_de(Regle.CALENDRIER).fonction.__module__ == "controles.regles.calendrier"


@pytest.mark.django_db
def test_le_service_et_la_commande_lisent_le_registre():
    ConventionFactory(annee_debut=2023, annee_fin=2023)  # its bilan 2023 was never recorded
    assert [c.code for c in controler(aujourdhui=AUJOURDHUI)] == [Regle.CALENDRIER]
    assert controler(aujourdhui=AUJOURDHUI, regles=[Regle.COFINANCEMENT]) == []
    sortie = StringIO()
    call_command("controles", "--regle", "completude", stdout=sortie)
    assert sortie.getvalue().endswith("Total : aucun constat\n")
    sortie = StringIO()
    call_command("controles", "--regle", "calendrier", stdout=sortie)
    assert "ERREUR · calendrier des bilans · Bilan 2023" in sortie.getvalue()


@pytest.mark.django_db
def test_le_nombre_de_requetes_ne_depend_pas_de_la_taille_des_donnees():
    def requetes():
        with CaptureQueriesContext(connection) as capture:
            controler(aujourdhui=AUJOURDHUI)
        return len(capture)

    convention = convention_complete(2)
    BilanFactory(convention=convention)
    petite = requetes()
    for _ in range(3):
        convention = convention_complete(12)
        BilanFactory(convention=convention)
    assert requetes() == petite
