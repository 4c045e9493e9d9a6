"""Deployment: the production-like server, and a backup that restores the same data."""

import urllib.request
from io import StringIO

import pytest
from django.core.management import call_command

from controles.services import controler
from conventions.models import Engagement
from tests.serveur import Visiteur, instance


def photo():
    """Every engagement and every constat, as plain values."""
    engagements = sorted(
        Engagement.objects.values_list(
            "tableau__convention__slug",
            "tableau__libelle",
            "action__code",
            "financeur__slug",
            "montant",
        )
    )
    constats = sorted((str(c.code), str(c.severite), c.message) for c in controler())
    return engagements, constats


@pytest.mark.django_db(transaction=True)  # flush cannot run inside a test's transaction
def test_une_sauvegarde_se_restaure_a_l_identique(documents, tmp_path):
    avant = photo()
    sortie = StringIO()
    call_command("sauvegarder", str(tmp_path), stdout=sortie)
    fichier = next(tmp_path.glob("pauvrete-*.json"))
    assert fichier.name in sortie.getvalue()
    call_command("flush", interactive=False, verbosity=0)
    assert Engagement.objects.count() == 0
    call_command("loaddata", str(fichier), verbosity=0)
    assert photo() == avant
    assert len(avant[0]) == 128 and len(avant[1]) == 14


def test_le_serveur_de_production_gunicorn_et_whitenoise(tmp_path):
    with instance(tmp_path) as adresse:
        feuille = urllib.request.urlopen(f"{adresse}/static/css/pauvrete.css")
        assert feuille.status == 200
        assert b"--accent" in feuille.read()
        visiteur = Visiteur(adresse)
        statut, _page = visiteur.ouvrir("/")
        assert statut == 302
        assert visiteur.redirection == "/compte/connexion/?next=/"
