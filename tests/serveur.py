"""The application served as in production (gunicorn, its own SQLite file), for the tests that
need what a test client cannot give: several processes writing one database file at once, the
static files collected and served by whitenoise.

``instance(tmp_path)`` migrates a fresh database file, optionally loads the five documents and
the demo accounts, starts gunicorn on a free port and yields its address; ``Visiteur`` is a
browser without a browser: cookies, CSRF token, no redirect followed."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
FIXTURES = sorted(str(chemin) for chemin in (RACINE / "fixtures").glob("*.json"))


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environnement(tmp_path, **reglages) -> dict:
    """Production settings over plain http, on a database file of this test's own."""
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
    env.update(reglages)
    return env


def gerer(env, *arguments):
    subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=RACINE, env=env, check=True, timeout=120
    )


@contextmanager
def instance(tmp_path, *, documents=False, workers=1, sortie=None, **reglages):
    """``sortie``: an open file that receives the server's output (standard output and error),
    as systemd or a container platform would."""
    env = environnement(tmp_path, **reglages)
    gerer(env, "migrate", "-v0")
    gerer(env, "collectstatic", "--noinput", "-v0")
    if documents:
        gerer(env, "loaddata", *FIXTURES, "-v0")
        gerer({**env, "DEBUG": "1"}, "creer_comptes_demo")  # refused in production, on purpose
    port = port_libre()
    serveur = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "pauvrete.wsgi"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        cwd=RACINE,
        env=env,
        stdout=sortie or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if sortie else subprocess.DEVNULL,
    )
    adresse = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{adresse}/static/css/pauvrete.css", timeout=5).close()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):  # a loaded machine
                time.sleep(0.1)
        yield adresse
    finally:
        serveur.terminate()
        serveur.wait(timeout=10)


class _PasDeRedirection(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _Champs(HTMLParser):
    """Every ``<input>``'s name and value, as the browser would post them."""

    def __init__(self):
        super().__init__()
        self.champs = {}

    def handle_starttag(self, balise, attributs):
        attributs = dict(attributs)
        if balise == "input" and attributs.get("name"):
            self.champs[attributs["name"]] = attributs.get("value") or ""


class Visiteur:
    def __init__(self, adresse: str):
        self.adresse = adresse
        self.cookies = CookieJar()
        self.ouvreur = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _PasDeRedirection
        )
        self.redirection = None
        self.entetes = None  # the last response's headers

    def ouvrir(self, chemin: str, donnees: dict | None = None) -> tuple[int, str]:
        """GET, or POST ``donnees``: the status and the page; ``self.redirection`` keeps where
        a redirect pointed."""
        corps = urllib.parse.urlencode(donnees).encode() if donnees is not None else None
        try:
            with self.ouvreur.open(f"{self.adresse}{chemin}", corps, timeout=60) as reponse:
                self.redirection, self.entetes = None, reponse.headers
                return reponse.status, reponse.read().decode()
        except urllib.error.HTTPError as erreur:
            self.redirection, self.entetes = erreur.headers.get("Location"), erreur.headers
            return erreur.code, erreur.read().decode()

    @staticmethod
    def champs(html: str) -> dict:
        lecteur = _Champs()
        lecteur.feed(html)
        return lecteur.champs

    def connecter(self, identifiant: str, mot_de_passe: str):
        _statut, page = self.ouvrir("/compte/connexion/")
        jeton = self.champs(page)["csrfmiddlewaretoken"]
        statut, _page = self.ouvrir(
            "/compte/connexion/",
            {"csrfmiddlewaretoken": jeton, "username": identifiant, "password": mot_de_passe},
        )
        assert statut == 302, f"connexion de {identifiant} refusée ({statut})"


def texte(html: str) -> str:
    """The page's text, tags removed, HTML entities of apostrophes read back."""
    return re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'")
