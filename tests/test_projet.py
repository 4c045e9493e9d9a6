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
    assert client.get(url).status_code == 302
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
