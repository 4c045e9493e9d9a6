"""Shared pytest fixtures: the five source documents, and clients logged in with each role.

Also the suite's speed settings (README, « Tests ») : a fast password hasher, the documents
loaded once per session, the hypothesis profiles, and ``--avec-base-seulement`` for the
PostgreSQL pass of the CI."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from hypothesis import settings as hypothesis

from commun.historique import poser_le_socle
from comptes import roles
from tests import socle
from tests.proprietes import PROFILS

FIXTURES = sorted(
    str(chemin) for chemin in (Path(__file__).resolve().parent.parent / "fixtures").glob("*.json")
)

# Fixtures through which a test reaches the database (pytest-django's; ours all ask for one).
FIXTURES_DE_BASE = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}
FIXTURES_DE_BASE |= {"django_db_serialized_rollback"}

for _nom, _reglages in PROFILS.items():
    hypothesis.register_profile(_nom, **_reglages)
hypothesis.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser):
    parser.addoption(
        "--avec-base-seulement",
        action="store_true",
        help="ne lancer que les tests qui touchent la base (la passe PostgreSQL de la CI)",
    )


def pytest_configure(config):
    # Hashing a password the production way (PBKDF2, a million rounds) was 0,2 s of each
    # account a test creates; the hasher itself is Django's and tested there.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def touche_la_base(item) -> bool:
    marque = item.get_closest_marker("django_db")
    return marque is not None or bool(FIXTURES_DE_BASE & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--avec-base-seulement"):
        return
    gardes = [item for item in items if touche_la_base(item)]
    ecartes = [item for item in items if not touche_la_base(item)]
    if ecartes:
        config.hook.pytest_deselected(items=ecartes)
        items[:] = gardes


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, migrated, with the five documents set aside once (tests/socle.py)."""
    with django_db_blocker.unblock():
        socle.photographier(charger_les_documents)


def charger_les_documents():
    """What ``make run`` loads: the five documents, then each object's first history line."""
    call_command("loaddata", *FIXTURES, verbosity=0)
    poser_le_socle()


@pytest.fixture
def documents(db):
    """The five documents of ``shared/seeds`` as loaded by ``make run``."""
    socle.restaurer()


@pytest.fixture
def client_admin(db, client):
    """A client logged in as an administrateur."""
    roles.creer_compte("admin-test", mot_de_passe="mot-de-passe-test", role=roles.ADMINISTRATEUR)
    client.force_login(get_user_model().objects.get(username="admin-test"))
    return client


@pytest.fixture
def client_de(db, client):
    """``client_de(role, territoires=…, cote=…)``: a client logged in with that role, on the
    collectivité's side unless ``cote="etat"``."""
    numero = iter(range(1000))

    def connecter(role, territoires=(), cote="collectivite"):
        identifiant = f"{role}-{next(numero)}"
        roles.creer_compte(
            identifiant,
            mot_de_passe="mot-de-passe-test",
            role=role,
            territoires=territoires,
            cote=cote,
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
