"""Every browser page renders in a number of queries that does not grow with the data."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bilans.models import Bilan, Indicateur, Mesure, RapportAction
from comptes import roles
from conventions.models import Action, Engagement, TableauEngagements
from tests.conventions.factories import FinanceurFactory, TableauFactory, convention_complete

PAGES = [
    "/",
    "/conventions/{slug}/",
    "/conventions/{slug}/actions/1.1/",
    "/conventions/{slug}/comparaison/versions/",
    "/conventions/{slug}/comparaison/annees/?annee=2023",
    "/conventions/{slug}/bilans/2023/",
    "/conventions/{slug}/bilans/2023/comparaison/",
    "/recherche/?q=Action",
    "/conventions/{slug}/tableaux/{tableau}/modifier/",
    "/conventions/{slug}/tableaux/{tableau}/nouvelle-version/",
    "/conventions/{slug}/tableaux/{variante}/mettre-en-vigueur/confirmation/",
]


def convention_avec_bilan(nb_actions: int):
    """A convention of ``nb_actions`` actions, a variante, a bilan with reports, indicators
    (a whole and a part each) and their values, and a predecessor for every action."""
    precedente = convention_complete(nb_actions)
    convention = convention_complete(nb_actions)
    for action in convention.actions.all():
        action.action_precedente = precedente.actions.get(code=action.code)
        action.save()
    variante = TableauFactory(convention=convention, en_vigueur=False, nature="variante")
    previsionnel = TableauFactory(
        convention=convention, en_vigueur=False, nature="previsionnel_bilan"
    )
    bilan = Bilan.objects.create(
        convention=convention, annee=2023, tableau_previsionnel=previsionnel
    )
    etat = FinanceurFactory()
    for action in Action.objects.filter(convention=convention):
        for tableau in (variante, previsionnel):
            Engagement.objects.create(
                tableau=tableau, action=action, financeur=etat, montant=Decimal("900")
            )
        RapportAction.objects.create(bilan=bilan, action=action, operateur="CESAM")
        tout = Indicateur.objects.create(
            action=action, code="tout", libelle="Personnes", unite="personnes"
        )
        partie = Indicateur.objects.create(
            action=action, code="partie", libelle="dont femmes", unite="personnes", parent=tout
        )
        Mesure.objects.create(indicateur=tout, bilan=bilan, valeur=Decimal("48"))
        Mesure.objects.create(indicateur=partie, bilan=bilan, valeur=Decimal("31"))
    return convention


def requetes(client, url) -> int:
    with CaptureQueriesContext(connection) as capture:
        reponse = client.get(url)
    assert reponse.status_code == 200, url
    return len(capture)


@pytest.mark.parametrize("modele", PAGES)
def test_requetes_independantes_de_la_taille(client_de, modele):
    client = client_de(roles.ADMINISTRATEUR)
    petite = convention_avec_bilan(2)

    def url(convention):
        tableau = convention.tableaux.get(en_vigueur=True).pk
        variante = convention.tableaux.get(nature="variante").pk
        return modele.format(slug=convention.slug, tableau=tableau, variante=variante)

    requetes(client, url(petite))  # warms the caches (content types…)
    avant = requetes(client, url(petite))
    grande = convention_avec_bilan(12)
    for _ in range(3):
        convention_avec_bilan(3)
    # The first read after these writes recomputes the stored constats of the conventions
    # written (``controles.enregistres``; its own count is pinned there): then the page's own.
    requetes(client, url(grande))
    apres = requetes(client, url(grande))
    assert TableauEngagements.objects.count() > 10
    assert apres == avant, f"{modele} : {avant} requêtes puis {apres}"
