"""The project's set-up: root URL, demo accounts, production settings."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from comptes import roles

RACINE = Path(__file__).resolve().parent.parent


def test_la_racine_mene_a_la_connexion(client, db):
    reponse = client.get("/")
    assert reponse.status_code == 302
    assert reponse["Location"] == "/compte/connexion/?next=/"
    page = client.get(reponse["Location"])
    assert page.status_code == 200
    assert 'lang="fr"' in page.content.decode()
    assert '<label for="id_username">Identifiant</label>' in page.content.decode()


def test_une_fois_connecte_la_racine_est_le_tableau_de_bord(client_admin):
    reponse = client_admin.get("/")
    assert reponse.status_code == 200
    assert "<h1>Tableau de bord</h1>" in reponse.content.decode()


def test_comptes_de_demonstration_un_par_role_et_sans_doublon(db, settings):
    settings.DEBUG = True
    sortie = StringIO()
    call_command("creer_comptes_demo", stdout=sortie)
    call_command("creer_comptes_demo", stdout=StringIO())
    assert "demo-finances-2026" in sortie.getvalue()
    utilisateurs = get_user_model().objects.order_by("username")
    assert [(u.username, u.groups.get().name, u.is_superuser) for u in utilisateurs] == [
        ("admin", roles.ADMINISTRATEUR, True),
        ("agent", roles.AGENT, False),
        ("etat", roles.AGENT, False),
        ("finances", roles.FINANCES, False),
    ]
    assert [u.profil.cote for u in utilisateurs] == [
        "collectivite",
        "collectivite",
        "etat",
        "collectivite",
    ]
    agent = utilisateurs.get(username="agent")
    assert agent.has_perm("bilans.change_mesure")
    assert agent.has_perm("conventions.view_engagement")
    assert not agent.has_perm("conventions.change_engagement")
    finances = utilisateurs.get(username="finances")
    assert finances.has_perm("conventions.change_engagement")
    assert not finances.has_perm("bilans.change_mesure")


def test_pas_de_comptes_de_demonstration_en_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("creer_comptes_demo")


def test_un_agent_ne_peut_pas_modifier_un_engagement(documents, client):
    from conventions.models import Engagement, Territoire

    roles.creer_compte(
        "agent-test",
        mot_de_passe="mot-de-passe-test",
        role=roles.AGENT,
        territoires=Territoire.objects.all(),
    )
    client.force_login(get_user_model().objects.get(username="agent-test"))

    engagement = Engagement.objects.order_by("pk").first()
    url = reverse("admin:conventions_engagement_change", args=[engagement.pk])
    # By default an agent works in the pages: the admin is closed to them.
    assert client.get(url).status_code == 403
    assert "Administration" not in client.get("/").content.decode()
    # Granted by an administrator, it is read-only.
    roles.creer_compte(
        "agent-test",
        mot_de_passe="mot-de-passe-test",
        role=roles.AGENT,
        territoires=Territoire.objects.all(),
        administration=True,
    )
    client.force_login(get_user_model().objects.get(username="agent-test"))
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="montant"' not in page.content.decode()  # read-only view
    reponse = client.post(url, {"montant": "1"})
    assert reponse.status_code == 403


def _manage(*arguments: str, **environnement: str) -> subprocess.CompletedProcess:
    ignorees = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in ignorees}
    env.update(environnement)
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=RACINE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_la_production_refuse_de_demarrer_sans_cle_secrete():
    resultat = _manage("check", DEBUG="0", ALLOWED_HOSTS="pauvrete.example.org")
    assert resultat.returncode != 0
    assert "SECRET_KEY doit être défini" in resultat.stderr


def test_la_liste_de_controle_de_deploiement_passe_en_production():
    resultat = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="une-cle-de-production-longue-et-aleatoire-" + "x" * 40,
        ALLOWED_HOSTS="pauvrete.example.org",
    )
    assert resultat.returncode == 0, resultat.stderr + resultat.stdout


# --- make run: the application as its users see it --------------------------------------------


def _cible(nom: str) -> list[str]:
    """The commands ``make <nom>`` runs, as make prints them (``-n``: nothing runs)."""
    resultat = subprocess.run(
        ["make", "-n", "--no-print-directory", nom],
        cwd=RACINE,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [ligne for ligne in resultat.stdout.splitlines() if "manage.py" in ligne]


def _environnement_de(commande: str) -> dict[str, str]:
    """The ``NOM=valeur`` words in front of a command line."""
    import shlex

    env = {}
    for mot in shlex.split(commande):
        if "=" not in mot or mot.startswith("-"):
            break
        nom, _, valeur = mot.partition("=")
        env[nom] = valeur
    return env


def _reglages(monkeypatch, env: dict[str, str]) -> dict:
    """pauvrete/settings.py read afresh with only ``env`` set (the developer's own variables
    removed), as the command's process reads it."""
    import runpy

    for nom in ("DEBUG", "LOCAL", "SECRET_KEY", "ALLOWED_HOSTS", "HTTPS", "EMAIL_BACKEND"):
        monkeypatch.delenv(nom, raising=False)
    for nom, valeur in env.items():
        monkeypatch.setenv(nom, valeur)
    return runpy.run_path(str(RACINE / "pauvrete" / "settings.py"))


def test_make_run_sert_l_application_sans_la_page_de_debogage(monkeypatch):
    commandes = _cible("run")
    serveur = next(c for c in commandes if "runserver" in c)
    env = _environnement_de(serveur)
    # Every step of make run (the demo accounts included) runs with the same settings.
    assert all(_environnement_de(c) == env for c in commandes), commandes
    reglages = _reglages(monkeypatch, env)
    assert reglages["DEBUG"] is False
    assert reglages["SECRET_KEY"]  # no key to set on one's own machine
    assert {"127.0.0.1", "localhost"} <= set(reglages["ALLOWED_HOSTS"])
    assert reglages["SECURE_SSL_REDIRECT"] is False  # plain http on 127.0.0.1
    assert reglages["SESSION_COOKIE_SECURE"] is False
    assert reglages["WHITENOISE_USE_FINDERS"] is True  # the style sheets, without collectstatic
    assert "console" in reglages["EMAIL_BACKEND"]
    assert "--insecure" not in serveur


def test_make_dev_garde_la_page_de_debogage(monkeypatch):
    serveur = next(c for c in _cible("dev") if "runserver" in c)
    assert _reglages(monkeypatch, _environnement_de(serveur))["DEBUG"] is True


def test_local_ne_change_pas_la_production(monkeypatch):
    """Without LOCAL, DEBUG off still asks for a key (make serve, check --deploy)."""
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY doit être défini"):
        _reglages(monkeypatch, {"DEBUG": "0", "ALLOWED_HOSTS": "pauvrete.example.org"})
    reglages = _reglages(
        monkeypatch, {"DEBUG": "0", "SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "a.example.org"}
    )
    assert reglages["SECURE_SSL_REDIRECT"] is True and reglages["ALLOWED_HOSTS"] == [
        "a.example.org"
    ]


def test_une_mauvaise_adresse_sous_make_run_donne_la_page_francaise(client, db, settings):
    settings.DEBUG = False
    settings.LOCAL = True
    reponse = client.get("/conventions-inexistantes/")
    page = reponse.content.decode()
    assert reponse.status_code == 404
    assert "Page introuvable" in page and "Cette page n&#x27;existe pas" in page
    assert "Using the URLconf" not in page and "admin/" not in page


def test_make_run_cree_les_comptes_de_demonstration(db, settings):
    settings.DEBUG = False
    settings.LOCAL = True
    call_command("creer_comptes_demo", stdout=StringIO())
    assert get_user_model().objects.filter(username="agent").exists()
