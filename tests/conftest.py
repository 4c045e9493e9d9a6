"""Shared pytest fixtures: the five source documents, and clients logged in with each role."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from commun.historique import poser_le_socle
from comptes import roles

FIXTURES = sorted(
    str(chemin) for chemin in (Path(__file__).resolve().parent.parent / "fixtures").glob("*.json")
)


@pytest.fixture
def documents(db):
    """The five documents of ``shared/seeds`` as loaded by ``make run``."""
    call_command("loaddata", *FIXTURES, verbosity=0)
    poser_le_socle()


@pytest.fixture
def client_admin(db, client):
    """A client logged in as an administrateur."""
    roles.creer_compte("admin-test", mot_de_passe="mot-de-passe-test", role=roles.ADMINISTRATEUR)
    client.force_login(get_user_model().objects.get(username="admin-test"))
    return client


@pytest.fixture
def client_de(db, client):
    """``client_de(role, territoires=…)``: a client logged in with that role."""
    numero = iter(range(1000))

    def connecter(role, territoires=()):
        identifiant = f"{role}-{next(numero)}"
        roles.creer_compte(
            identifiant, mot_de_passe="mot-de-passe-test", role=role, territoires=territoires
        )
        client.logout()
        client.force_login(get_user_model().objects.get(username=identifiant))
        return client

    return connecter


@pytest.fixture
def administrateur_restreint(db, client):
    """``administrateur_restreint(territoires)``: a client logged in as an administrateur who is
    not a superuser (a département's administrator), following those territoires only."""

    def connecter(territoires):
        utilisateur = roles.creer_compte(
            "administrateur-restreint",
            mot_de_passe="mot-de-passe-test",
            role=roles.ADMINISTRATEUR,
            territoires=territoires,
        )
        utilisateur.is_superuser = False
        utilisateur.save()
        client.force_login(utilisateur)
        return client

    return connecter
