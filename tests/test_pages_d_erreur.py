"""Production error pages: French, in the site's layout, with the view's message."""

import pytest
from django.test import Client, override_settings
from django.urls import include, path

import pauvrete.urls
from comptes import roles
from conventions.models import Territoire


def plante(request):
    raise RuntimeError("panne simulée")


# The real URL configuration plus a failing page; its handler is the one pauvrete.urls declares.
urlpatterns = [path("panne/", plante), path("", include("pauvrete.urls"))]
handler500 = pauvrete.urls.handler500


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]


def test_une_annee_illisible_donne_un_404_francais_avec_le_message_de_la_vue(
    documents, client_de, production
):
    client = client_de(roles.FINANCES, territoires=Territoire.objects.all())
    reponse = client.get("/conventions/calpa-dijon-2023/comparaison/annees/", {"annee": "abc"})
    page = reponse.content.decode()
    assert reponse.status_code == 404
    assert '<html lang="fr">' in page and "Pauvreté — suivi des conventions" in page
    assert "Page introuvable" in page
    assert "Année « abc » illisible : attendu par exemple « 2023 »." in page


def test_une_convention_inconnue_donne_un_404_sans_anglais(documents, client_de, production):
    client = client_de(roles.FINANCES, territoires=Territoire.objects.all())
    page = client.get("/conventions/nulle-part/").content.decode()
    assert "Page introuvable" in page and "matches the given query" not in page


def test_un_acces_refuse_en_francais(documents, client_de, production):
    client = client_de(roles.AGENT, territoires=Territoire.objects.all())
    reponse = client.get("/conventions/calpa-dijon-2023/classeur/")
    assert reponse.status_code == 403
    page = reponse.content.decode()
    assert "Accès refusé" in page and "Votre rôle ne permet pas cette action." in page


@override_settings(ROOT_URLCONF="tests.test_pages_d_erreur")
def test_une_erreur_serveur_en_francais(production, db):
    client = Client(raise_request_exception=False)
    reponse = client.get("/panne/")
    assert reponse.status_code == 500
    page = reponse.content.decode()
    assert "Erreur du serveur" in page and "panne simulée" not in page
    assert '<html lang="fr">' in page
