"""An action through the years (``conventions.selectors.lignee``): read in one query whatever
the number of years, oldest first, the branches that continue it after it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conventions.selectors.lignee import lignee
from tests.conventions.factories import ActionFactory, ConventionFactory

pytestmark = pytest.mark.django_db


def chaine(annees: int):
    """One action a year, each continuing the one before; a second branch after the middle."""
    actions, precedente = [], None
    for rang in range(annees):
        convention = ConventionFactory(annee_debut=2015 + rang, annee_fin=2015 + rang)
        precedente = ActionFactory(convention=convention, code="3.1", action_precedente=precedente)
        actions.append(precedente)
    return actions


@pytest.mark.parametrize("annees", [2, 6])
def test_la_lignee_se_lit_en_une_requete_de_la_plus_ancienne_a_la_plus_recente(annees):
    actions = chaine(annees)
    milieu = actions[annees // 2]
    with CaptureQueriesContext(connection) as requetes:
        lues = lignee(milieu)
        [a.convention.annee_debut for a in lues]  # the conventions come with the actions
    assert len(requetes) == 1
    assert [a.pk for a in lues] == [a.pk for a in actions]


def test_une_action_sans_lignee_est_seule_et_une_boucle_finit():
    seule = ActionFactory()
    assert lignee(seule) == [seule]
    premiere, seconde = chaine(2)
    premiere.action_precedente = seconde  # a loop in the data: the walk still ends
    premiere.save()
    assert {a.pk for a in lignee(seconde)} == {premiere.pk, seconde.pk}


def test_deux_periodes_commencant_la_meme_annee_gardent_chacune_leurs_montants(
    documents, client_de
):
    """The CAF's « 2015 » estimate and its « 2015-2017 » projection, both en vigueur: two rows
    on the action's page, each with its own amount (one row « 2015 » showed one of them)."""
    from comptes import roles
    from conventions.models import Action, Territoire
    from conventions.selectors.lignee import montants_par_annee

    action = Action.objects.get(
        convention__slug="contrat-de-ville-grand-dijon-2015-2020", code="CAF-02"
    )
    lignes = [(a.annee, a.code, a.montants) for a in montants_par_annee([action]).annees]
    assert lignes == [("2015", "CAF-02", [7500]), ("2015-2017", "CAF-02", [22500])]
    client = client_de(roles.AGENT, territoires=Territoire.objects.all())
    html = client.get(f"/conventions/{action.convention.slug}/actions/CAF-02/").content.decode()
    assert (
        '<tr><th scope="row">2015</th><td>CAF-02</td><td class="montant">7\u202f500\xa0€</td></tr>'
        '<tr><th scope="row">2015-2017</th><td>CAF-02</td><td class="montant">22\u202f500\xa0€</td>'
    ) in html
