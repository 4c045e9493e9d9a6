"""``python -m outils.banc.isole VARIANTE …``: one export or import in a fresh process, so that
its memory is measured as the operating system sees it (RSS: Python's allocations and C's, such
as lxml's or the database driver's), which ``tracemalloc`` cannot see. Prints one JSON line.

Started by ``outils.banc.mesures`` with the benchmark's environment (``DATABASE_URL`` and the
production settings). The variants:

- ``http``: the application as a browser gets it: ``/engagements.xlsx`` from a real HTTP server
  (``wsgiref``, in a thread of this process) read through a socket; first bytes and whole file;
- ``fichier``: the application's writer to a file (``manage.py exporter_engagements``);
- ``openpyxl``: raw openpyxl ``write_only`` from the same ``values_list`` (run with
  ``OPENPYXL_LXML=False`` for openpyxl without lxml);
- ``xlsxwriter``: XlsxWriter in ``constant_memory`` mode, the same rows;
- ``import`` / ``import-brut``: the import of a workbook file, in a transaction rolled back.
"""

import json
import os
import sys
import threading
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parents[2]
PAGE = os.sysconf("SC_PAGE_SIZE")
IDENTIFIANT = "banc"


def processus_neuf(module: str, *arguments: str, environnement: dict | None = None) -> dict:
    """``python -m module arguments…`` in a fresh Python (memory as the system sees it): the
    JSON of its last line."""
    import subprocess

    resultat = subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=RACINE,
        env={**os.environ, **(environnement or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if resultat.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(arguments)} : {resultat.stderr[-2000:]}")
    return json.loads(resultat.stdout.strip().splitlines()[-1])


def rss() -> int:
    """The process's resident memory now, in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


class Releve:
    """Samples the RSS every 5 ms while the work runs: the peak above where it started, and how
    much it still grew after the first quarter of the work (memory that grows with the rows
    shows there; buffers and caches are full by then). Each variant enters it around its own
    work only, after its set-up (imports, first request)."""

    def __init__(self):
        self.debut = self.pic = 0
        self.releves: list[tuple[float, int]] = []
        self._fin = threading.Event()
        self._fil = threading.Thread(target=self._relever, daemon=True)

    def _relever(self):
        while not self._fin.wait(0.005):
            self.releves.append((time.perf_counter(), rss()))

    def __enter__(self):
        self.debut = rss()
        self.releves.append((time.perf_counter(), self.debut))
        self._fil.start()
        return self

    def __exit__(self, *exc):
        self._fin.set()
        self._fil.join()
        self.releves.append((time.perf_counter(), rss()))
        self.pic = max(octets for _t, octets in self.releves)

    def croissance_apres_le_premier_quart(self) -> int:
        debut, fin = self.releves[0][0], self.releves[-1][0]
        quart = debut + (fin - debut) / 4
        premier = max(octets for t, octets in self.releves if t <= quart)
        return max(0, self.pic - premier)


def _administrateur():
    """The benchmark's account (``Banc._client`` creates it): an administrator sees all."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=IDENTIFIANT)


def _lignes():
    from conventions.models import TableauEngagements
    from fichiers.classeurs.lignes import lignes_d_engagement

    return lignes_d_engagement(TableauEngagements.objects.all())


def _titres():
    from fichiers.classeurs.lignes import COLONNES

    return [colonne.titre for colonne in COLONNES]


def exporter_http(releve: Releve, sortie: str) -> dict:
    """GET /engagements.xlsx through a socket, as an administrator: when the first bytes
    arrive, and when the last. A first request for an empty year loads the code a server
    process has loaded long before a finance officer's download."""
    import http.client
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.core.wsgi import get_wsgi_application
    from django.test import Client

    class Silencieux(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    class Serveur(WSGIServer):
        allow_reuse_address = True

    client = Client()
    client.force_login(_administrateur())
    cookie = client.cookies["sessionid"].value
    serveur = make_server(
        "127.0.0.1", 0, get_wsgi_application(), server_class=Serveur, handler_class=Silencieux
    )

    def telecharger(chemin: str, fichier) -> tuple[float, float]:
        fil = threading.Thread(target=serveur.handle_request, daemon=True)
        fil.start()
        connexion = http.client.HTTPConnection("127.0.0.1", serveur.server_port, timeout=600)
        debut = time.perf_counter()
        connexion.request("GET", chemin, headers={"Cookie": f"sessionid={cookie}"})
        reponse = connexion.getresponse()
        if reponse.status != 200:
            raise RuntimeError(f"{chemin} : statut {reponse.status}")
        fichier.write(reponse.read(1))
        premier = time.perf_counter() - debut
        while morceau := reponse.read(65536):
            fichier.write(morceau)
        total = time.perf_counter() - debut
        connexion.close()
        fil.join()
        return total, premier

    with open(sortie, "wb") as fichier:
        telecharger("/engagements.xlsx?annee=1900", fichier)
    with releve, open(sortie, "wb") as fichier:
        total, premier = telecharger("/engagements.xlsx", fichier)
    serveur.server_close()
    from zipfile import ZipFile

    with ZipFile(sortie) as archive:  # what holding the sheet in memory would take
        feuille = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    return {"temps": total, "premier_octet": premier, "feuille": feuille}


def exporter_fichier(releve: Releve, sortie: str) -> dict:
    from fichiers.classeurs.lignes import ecrire_lignes

    debut = time.perf_counter()
    with releve, open(sortie, "wb") as fichier:
        lignes = ecrire_lignes(_lignes(), fichier)
    return {"temps": time.perf_counter() - debut, "lignes": lignes}


def exporter_openpyxl(releve: Releve, sortie: str) -> dict:
    from openpyxl import Workbook
    from openpyxl.xml import LXML

    debut = time.perf_counter()
    with releve:
        classeur = Workbook(write_only=True)
        feuille = classeur.create_sheet("Engagements")
        feuille.append(_titres())
        for ligne in _lignes().iterator(chunk_size=2000):
            feuille.append(ligne)
        classeur.save(sortie)
    return {"temps": time.perf_counter() - debut, "lxml": LXML}


def exporter_xlsxwriter(releve: Releve, sortie: str) -> dict:
    import xlsxwriter

    debut = time.perf_counter()
    with releve:
        classeur = xlsxwriter.Workbook(sortie, {"constant_memory": True})
        feuille = classeur.add_worksheet("Engagements")
        feuille.write_row(0, 0, _titres())
        for numero, ligne in enumerate(_lignes().iterator(chunk_size=2000), 1):
            feuille.write_row(numero, 0, ligne)
        classeur.close()
    return {"temps": time.perf_counter() - debut}


def importer(releve: Releve, chemin: str, attendu: str, brut: bool = False) -> dict:
    from django.db import transaction

    from fichiers.classeurs.chargement import importer as importer_

    from .mesures import Banc

    contenu = Path(chemin).read_bytes()
    utilisateur = _administrateur()
    debut = time.perf_counter()
    with releve, transaction.atomic():
        if brut:
            Banc._import_brut(contenu, int(attendu))
        else:
            rapport = importer_(
                contenu, utilisateur=utilisateur, nom_fichier=os.path.basename(chemin)
            )
            if rapport.crees != int(attendu):
                raise RuntimeError(f"{rapport.crees} lignes importées sur {attendu}")
        transaction.set_rollback(True)
    return {"temps": time.perf_counter() - debut}


VARIANTES = {
    "http": exporter_http,
    "fichier": exporter_fichier,
    "openpyxl": exporter_openpyxl,
    "xlsxwriter": exporter_xlsxwriter,
    "import": importer,
    "import-brut": lambda releve, chemin, attendu: importer(releve, chemin, attendu, brut=True),
}


def main(argv: list[str]) -> int:
    import warnings

    sys.path.insert(0, str(RACINE))
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.db import connection

    connection.ensure_connection()
    variante, *arguments = argv
    releve = Releve()
    resultat = VARIANTES[variante](releve, *arguments)
    resultat.update(
        rss_debut=releve.debut,
        rss_pic=releve.pic,
        rss_croissance=releve.croissance_apres_le_premier_quart(),
    )
    print(json.dumps(resultat))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
