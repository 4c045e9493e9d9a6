"""The load test's users, for locust (``outils/charge/lancer.sh`` runs it headless).

Each simulated user is a logged-in administrator (he sees everything: the session cookie made by
lancer.sh, in ``CHARGE_COOKIE``) who reads a page 1 to 5 s before the next one
(``CHARGE_SANS_PAUSE=1``: no pause, the saturation pass). The mix is the one of the former wrk
script: the dashboard (3 variants) and the search, then for 40 generated conventions (listed by
lancer.sh in the JSON file ``CHARGE_PARCOURS``) the convention, the year comparison, the versions
comparison and the bilan; plus, now and then, a download. Every request is named by the kind of
page, not its URL, so that locust's statistics are per page; the downloads are a task set of
their own with their own names, so that they are measured apart. Any status but 200 is a failure
(redirections are not followed: an expired session, sent to the login page, fails).
It imports ``outils.charge.noms``: run it from the repository's root with ``PYTHONPATH=.``.

The engagement-lines workbook is read as a stream: its row is the time of the whole download
(what the user waits), and a row of type ``TTFB`` gives the time to the response's headers (the
server's work before the first byte).
"""

import json
import os
import random
import time
from pathlib import Path

import gevent
from locust import HttpUser, TaskSet, between, constant, events, task
from locust.stats import CSV_STATS_INTERVAL_SEC
from requests.exceptions import RequestException

from outils.charge import noms

PARCOURS = json.loads(Path(os.environ["CHARGE_PARCOURS"]).read_text(encoding="utf-8"))
COOKIE = os.environ["CHARGE_COOKIE"]  # « sessionid=… »

TABLEAU_DE_BORD = ["/", "/?page=3", "/?annee=2023"]
RECHERCHE = "/recherche/?q=logement"
# The downloads of the former wrk mix: the real document of Dijon, one generated territoire.
EXPORT_CSV = "/conventions/calpa-dijon-2023/?export=csv"
CLASSEUR = "/conventions/calpa-dijon-2023/classeur/?periode=2023"
LIGNES = f"/engagements.xlsx?annee=2023&territoire={PARCOURS['territoire']}"


def obtenir(client, chemin: str, nom: str):
    """GET, named by page kind; anything but a 200 is a failure."""
    with client.get(chemin, name=nom, catch_response=True, allow_redirects=False) as reponse:
        if reponse.status_code != 200:
            reponse.failure(f"statut {reponse.status_code}")


class Pages(TaskSet):
    """One page, then back to the user, who pauses before the next pick."""

    def convention(self):
        return random.choice(PARCOURS["conventions"])  # [slug, first year]

    def page(self, chemin: str, nom: str):
        obtenir(self.client, chemin, nom)
        self.interrupt(reschedule=False)

    @task(3)
    def tableau_de_bord(self):
        self.page(random.choice(TABLEAU_DE_BORD), noms.TABLEAU_DE_BORD)

    @task(1)
    def recherche(self):
        self.page(RECHERCHE, noms.RECHERCHE)

    @task(40)
    def detail(self):
        slug, _annee = self.convention()
        self.page(f"/conventions/{slug}/", noms.CONVENTION)

    @task(40)
    def comparaison_annees(self):
        slug, annee = self.convention()
        self.page(
            f"/conventions/{slug}/comparaison/annees/?annee={annee}",
            noms.COMPARAISON_ANNEES,
        )

    @task(40)
    def comparaison_versions(self):
        slug, _annee = self.convention()
        self.page(f"/conventions/{slug}/comparaison/versions/", noms.COMPARAISON_VERSIONS)

    @task(40)
    def bilan(self):
        slug, annee = self.convention()
        self.page(f"/conventions/{slug}/bilans/{annee}/", noms.BILAN)


class Telechargements(TaskSet):
    """The heavy downloads, measured apart."""

    @task
    def export_csv(self):
        obtenir(self.client, EXPORT_CSV, noms.EXPORT_CSV)
        self.interrupt(reschedule=False)

    @task
    def classeur(self):
        obtenir(self.client, CLASSEUR, noms.CLASSEUR)
        self.interrupt(reschedule=False)

    @task
    def lignes(self):
        debut = time.perf_counter()
        with self.client.get(
            LIGNES, name=noms.LIGNES, stream=True, catch_response=True, allow_redirects=False
        ) as reponse:
            # With stream=True, locust's time stops at the headers: the first byte.
            premier_octet = reponse.request_meta["response_time"]
            if reponse.status_code != 200:
                reponse.failure(f"statut {reponse.status_code}")
                reponse.close()
                self.interrupt(reschedule=False)
            try:
                taille = sum(len(bloc) for bloc in reponse.iter_content(64 * 1024))
            except RequestException as erreur:  # cut in the middle of the body
                reponse.failure(f"téléchargement interrompu : {erreur}")
                self.interrupt(reschedule=False)
            reponse.request_meta["response_time"] = (time.perf_counter() - debut) * 1000
            reponse.request_meta["response_length"] = taille
        self.user.environment.events.request.fire(
            request_type=noms.PREMIER_OCTET,
            name=noms.LIGNES,
            response_time=premier_octet,
            response_length=0,
            exception=None,
            context={},
        )
        self.interrupt(reschedule=False)


@events.test_stop.add_listener
def attendre_le_dernier_csv(environment, **_kwargs):
    """locust rewrites its CSV every second, and not once more at the end: without this wait,
    the requests that finish while the users stop (``--stop-timeout``) are missing from it."""
    gevent.sleep(CSV_STATS_INTERVAL_SEC + 0.5)


class Administrateur(HttpUser):
    # The former wrk mix, in requests: 164 pages for 3 downloads.
    tasks = {Pages: 164, Telechargements: 3}
    wait_time = constant(0) if os.environ.get("CHARGE_SANS_PAUSE") == "1" else between(1, 5)

    def on_start(self):
        self.client.headers["Cookie"] = COOKIE
