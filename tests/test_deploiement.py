"""Deployment: the production-like server, and a backup that restores the same data."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from controles.services import controler
from conventions.models import Engagement

RACINE = Path(__file__).resolve().parent.parent


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


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PasDeRedirection(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_le_serveur_de_production_gunicorn_et_whitenoise(tmp_path):
    port = _port_libre()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DEBUG="0",
        SECRET_KEY="cle-de-test-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        HTTPS="0",
        DATABASE_URL=f"sqlite:///{tmp_path / 'base.sqlite3'}",
        # Not the project's staticfiles/: other tests, on the other core, read it meanwhile.
        STATIC_ROOT=str(tmp_path / "statiques"),
    )
    gerer = [sys.executable, "manage.py"]
    subprocess.run([*gerer, "migrate", "-v0"], cwd=RACINE, env=env, check=True, timeout=120)
    subprocess.run(
        [*gerer, "collectstatic", "--noinput", "-v0"], cwd=RACINE, env=env, check=True, timeout=120
    )
    serveur = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "pauvrete.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=RACINE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        ouvreur = urllib.request.build_opener(PasDeRedirection)
        for _ in range(100):
            try:
                feuille = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/css/pauvrete.css")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        assert feuille.status == 200
        assert b"--accent" in feuille.read()
        try:
            ouvreur.open(f"http://127.0.0.1:{port}/")
        except urllib.error.HTTPError as redirection:
            assert redirection.code == 302
            assert redirection.headers["Location"] == "/compte/connexion/?next=/"
    finally:
        serveur.terminate()
        serveur.wait(timeout=10)
