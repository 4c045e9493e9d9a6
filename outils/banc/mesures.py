"""What ``make bench`` measures, and its report.

Each measurement runs once to warm up (and count the queries), then ``repetitions`` times for
the median and the range. Writes (fixtures, imports) run in a transaction rolled back after
each repetition, so that every repetition starts from the same state. The raw references
(openpyxl ``write_only`` with and without lxml and XlsxWriter from a ``values_list``, openpyxl
``read_only`` plus ``bulk_create``) run on the same rows in the same run, alternating with the
application's own code. Memory is the RSS of a fresh process per run (``outils.banc.isole``).
"""

import contextlib
import cProfile
import gc
import io
import os
import platform
import pstats
import statistics
import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import django
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from openpyxl import load_workbook

RACINE = Path(__file__).resolve().parents[2]
FIXTURES = sorted(str(p) for p in (RACINE / "fixtures").glob("*.json"))
DIJON, NATIONAL = "Dijon", "national"
PAGES = {
    "Tableau de bord": "/",
    "Tableau des engagements (convention)": "/conventions/calpa-dijon-2023/",
    "Comparaison d'une année à l'autre": "/conventions/calpa-dijon-2023/comparaison/annees/"
    "?annee=2023",
    "Bilan": "/conventions/calpa-dijon-2023/bilans/2023/",
    "Synthèse": "/synthese/?annee=2023",
}
# Goals of issue 7, tightened by issue 18 (the dashboard, the export, the import).
PAGE_MAX_S = 0.300
PAGE_RAPPORT_MAX = 2.0
# Issue 29: the dashboard and the synthesis at national size cost what they cost at Dijon's.
RAPPORT_MAX_PAR_PAGE = {"Tableau de bord": 1.5, "Synthèse": 1.5}
# The pages' timings at both sizes, in turn: a ratio of medians needs more than five runs on a
# shared machine (a page takes 20 to 100 ms: five times the repetitions, a few seconds).
FOIS_EN_ALTERNANCE = 5
CONTROLES_MAX_S = 5.0
DOCUMENT_MAX_S = 2.0  # the rapport d'exécution of one bilan, as a PDF
EXPORT_RAPPORT_MAX = 1.0
PREMIER_OCTET_MAX_S = 1.0
IMPORT_RAPPORT_MAX = 2.0
# Flat memory: the export keeps bounded buffers (2 000 rows read at a time, 1 000 written, 4 096
# texts cached), whatever the number of rows.
HAUSSE_MAX = 16 * 1024 * 1024
# The export's variants, each in its own process (``outils.banc.isole``): (variant, label,
# environment). The first two are the application; the others are the references.
EXPORTS = [
    ("http", "application, par HTTP (`/engagements.xlsx`)", {}),
    ("fichier", "application, dans un fichier (`exporter_engagements`)", {}),
    ("openpyxl", "openpyxl `write_only` brut, avec lxml", {}),
    ("openpyxl", "openpyxl `write_only` brut, sans lxml", {"OPENPYXL_LXML": "False"}),
    ("xlsxwriter", "XlsxWriter `constant_memory`", {}),
]
APPLICATION, FICHIER, OPENPYXL, SANS_LXML, XLSXWRITER = (libelle for _v, libelle, _e in EXPORTS)


@dataclass
class Mesure:
    temps: list[float]
    requetes: int | None = None
    memoire: int | None = None  # peak RSS above the process's RSS when the work began
    pic: int | None = None  # peak RSS of the process
    croissance: int | None = None  # RSS growth after the first quarter of the work
    premier_octet: list[float] | None = None

    @property
    def mediane(self) -> float:
        return statistics.median(self.temps)

    def duree(self) -> str:
        """« 123 ms (110–140) », or seconds above 10 s."""
        if self.mediane >= 10:
            return f"{self.mediane:.1f} s ({min(self.temps):.1f}–{max(self.temps):.1f})"
        return (
            f"{self.mediane * 1000:.0f} ms "
            f"({min(self.temps) * 1000:.0f}–{max(self.temps) * 1000:.0f})"
        )


def mo(octets: int) -> str:
    return f"{octets / 1024 / 1024:.1f} Mio".replace(".", ",")


def fois(a: float, b: float) -> str:
    if not b:
        return "—"
    return f"{a / b:.2f} ×".replace(".", ",")


def isole(variante: str, *arguments: str, environnement: dict | None = None) -> dict:
    """One run of ``outils.banc.isole`` in a fresh process (memory as the system sees it)."""
    from .isole import processus_neuf

    return processus_neuf("outils.banc.isole", variante, *arguments, environnement=environnement)


def verdict(atteint: bool) -> str:
    return "atteint" if atteint else "**non atteint**"


def reposer_la_base() -> None:
    """``VACUUM ANALYZE`` and ``CHECKPOINT`` on PostgreSQL (``ANALYZE`` on SQLite)."""
    from django.db import connection

    with connection.cursor() as curseur:
        if connection.vendor != "postgresql":
            curseur.execute("ANALYZE")
            return
        curseur.execute("VACUUM ANALYZE")
        # A superuser's right (the bench's own server); without it the pages are measured anyway.
        with contextlib.suppress(DatabaseError):
            curseur.execute("CHECKPOINT")


def _connexions(copie: str) -> dict:
    """Two connections for the ``default`` alias, one per database (the current one and
    ``copie``), each kept open between requests as ``CONN_MAX_AGE`` keeps them in production:
    switching never reopens one (a new connection has cold caches and no prepared
    statements)."""
    from django.db import connections

    actuelle = connections["default"]
    reglages = {**actuelle.settings_dict, "NAME": copie}
    return {"actuelle": actuelle, "copie": type(actuelle)(reglages, "default")}


def _sur(connexion) -> None:
    """``connexion`` becomes the ``default`` alias's (``django.db.connection`` follows)."""
    from django.db import connections

    connections["default"] = connexion


def _administration() -> str:
    """The PostgreSQL server's ``postgres`` database, as the bench's connection reaches it."""
    reglages = connection.settings_dict
    return (
        f"host={reglages['HOST'] or '127.0.0.1'} port={reglages['PORT'] or 5432} "
        f"user={reglages['USER']} dbname=postgres"
        + (f" password={reglages['PASSWORD']}" if reglages["PASSWORD"] else "")
    )


def copier_la_base() -> str | None:
    """A copy of the current database, its name (PostgreSQL: ``CREATE DATABASE … TEMPLATE``;
    SQLite: the file); None when it cannot be made (the pages are then measured each size in
    its turn)."""
    import shutil

    from django.db import connections

    nom = connection.settings_dict["NAME"]
    connections.close_all()
    if connection.vendor == "sqlite":
        copie = f"{nom}-dijon"
        shutil.copyfile(nom, copie)
        return copie
    import psycopg

    copie = f"{nom}_dijon"
    adresse = _administration()
    for _essai in range(20):  # the autovacuum may hold the source a moment
        try:
            with psycopg.connect(adresse, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{copie}"')
                admin.execute(f'CREATE DATABASE "{copie}" TEMPLATE "{nom}"')
            return copie
        except psycopg.Error:
            time.sleep(0.5)
    return None


def supprimer_la_copie(copie: str) -> None:
    if connection.vendor == "sqlite":
        Path(copie).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(_administration(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{copie}" WITH (FORCE)')


def chronometrer(fonction, repetitions: int) -> Mesure:
    """Warm up once while counting queries, then time ``repetitions`` runs."""
    requetes = []

    def compter(execute, sql, params, many, context):
        requetes.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(compter):
        fonction()
    temps = []
    for _ in range(repetitions):
        gc.collect()
        debut = time.perf_counter()
        fonction()
        temps.append(time.perf_counter() - debut)
    return Mesure(temps, requetes=len(requetes))


def profil(fonction, lignes: int = 12) -> str:
    """Where one run spends its time: our own functions by cumulative time (which part of the
    work), then every function by its own time (what the machine does)."""
    import re

    profileur = cProfile.Profile()
    profileur.runcall(fonction)
    textes = []
    for tri, filtre in (
        ("cumulative", re.escape(str(RACINE)) + r"/(?!\.venv)"),
        ("tottime", None),
    ):
        sortie = io.StringIO()
        stats = pstats.Stats(profileur, stream=sortie).sort_stats(tri)
        if filtre:
            stats.print_stats(filtre, lignes)
        else:
            stats.print_stats(lignes)
        texte = sortie.getvalue().replace(str(RACINE) + "/", "")
        texte = re.sub(r"\S*site-packages/", "", texte)
        debut = texte.find("   ncalls")
        textes.append(texte[debut:].rstrip() if debut >= 0 else texte.rstrip())
    return "\n\n".join(textes)


def annule(fonction):
    """Run ``fonction`` in a transaction that is rolled back: the next run starts afresh."""

    def enveloppe():
        with transaction.atomic():
            fonction()
            transaction.set_rollback(True)

    return enveloppe


@dataclass
class RapportDuBanc:
    contexte: dict = field(default_factory=dict)
    tailles: dict = field(default_factory=dict)
    fixtures: Mesure | None = None
    pages: dict = field(default_factory=dict)  # (page, taille) → Mesure
    controles: dict = field(default_factory=dict)  # taille → (Mesure, constats)
    constats_enregistres: dict = field(default_factory=dict)  # taille → seconds
    documents: dict = field(default_factory=dict)  # taille → Mesure (rapport d'exécution)
    export: dict = field(default_factory=dict)
    import_: dict = field(default_factory=dict)
    profils: dict = field(default_factory=dict)  # title → text
    televersements: list = field(default_factory=list)  # one measurement per worst case

    def requetes_qui_varient(self) -> list[str]:
        varient = [
            page
            for page in PAGES
            if (page, DIJON) in self.pages
            and (page, NATIONAL) in self.pages
            and self.pages[(page, DIJON)].requetes != self.pages[(page, NATIONAL)].requetes
        ]
        controles = self.controles
        if (
            DIJON in controles
            and NATIONAL in controles
            and controles[DIJON][0].requetes != controles[NATIONAL][0].requetes
        ):
            varient.append("contrôles")
        return varient

    def objectifs(self) -> list[tuple[str, bool, str]]:
        """(goal, reached, figures) for each goal of the issue."""
        resultats = []
        for page in PAGES:
            petit, grand = self.pages[(page, DIJON)], self.pages[(page, NATIONAL)]
            resultats.append(
                (
                    f"{page} : même nombre de requêtes aux deux tailles",
                    petit.requetes == grand.requetes,
                    f"{petit.requetes} et {grand.requetes}",
                )
            )
            resultats.append(
                (
                    f"{page} : médiane nationale sous 300 ms",
                    grand.mediane < PAGE_MAX_S,
                    f"{grand.mediane * 1000:.0f} ms",
                )
            )
            maximum = RAPPORT_MAX_PAR_PAGE.get(page, PAGE_RAPPORT_MAX)
            resultats.append(
                (
                    f"{page} : au plus {fois(maximum, 1)} la même page à la taille de Dijon",
                    grand.mediane <= maximum * petit.mediane,
                    fois(grand.mediane, petit.mediane),
                )
            )
        (petit, _n), (grand, _n) = self.controles[DIJON], self.controles[NATIONAL]
        resultats.append(
            (
                "Contrôles de toutes les conventions : moins de 5 s",
                grand.mediane < CONTROLES_MAX_S,
                f"{grand.mediane:.2f} s".replace(".", ","),
            )
        )
        resultats.append(
            (
                "Contrôles : nombre de requêtes indépendant de la taille",
                petit.requetes == grand.requetes,
                f"{petit.requetes} et {grand.requetes}",
            )
        )
        petit, grand = self.documents[DIJON], self.documents[NATIONAL]
        resultats.append(
            (
                "Rapport d'exécution en PDF : même nombre de requêtes aux deux tailles",
                petit.requetes == grand.requetes,
                f"{petit.requetes} et {grand.requetes}",
            )
        )
        resultats.append(
            (
                f"Rapport d'exécution en PDF : médiane nationale sous {DOCUMENT_MAX_S:.0f} s",
                grand.mediane < DOCUMENT_MAX_S,
                f"{grand.mediane:.2f} s".replace(".", ","),
            )
        )
        e = self.export
        premier = max(e[APPLICATION].premier_octet)
        resultats.append(
            (
                "Export : premiers octets par HTTP en moins de 1 s (le plus lent des tours)",
                premier < PREMIER_OCTET_MAX_S,
                f"{premier * 1000:.0f} ms",
            )
        )
        for libelle in (APPLICATION, FICHIER):
            resultats.append(
                (
                    f"Export ({libelle.split(', ')[1]}) : fichier entier au plus 1,0 × "
                    "openpyxl write_only brut avec lxml",
                    e[libelle].mediane <= EXPORT_RAPPORT_MAX * e[OPENPYXL].mediane,
                    fois(e[libelle].mediane, e[OPENPYXL].mediane),
                )
            )
        resultats.append(
            (
                f"Export par HTTP : mémoire plate (hausse du RSS sous {mo(HAUSSE_MAX)}, "
                f"tampons bornés, quand la feuille décompressée fait {mo(e['feuille'])})",
                e[APPLICATION].memoire < HAUSSE_MAX,
                mo(e[APPLICATION].memoire),
            )
        )
        nous, brut = self.import_["import"], self.import_["brut"]
        resultats.append(
            (
                "Import : au plus 2 × la lecture read_only + bulk_create bruts",
                nous.mediane <= IMPORT_RAPPORT_MAX * brut.mediane,
                fois(nous.mediane, brut.mediane),
            )
        )
        return resultats

    def lignes_televersements(self) -> list[str]:
        from .televersements import CAS, HAUSSE_MAX, SECONDES_MAX

        lignes = []
        for mesure in self.televersements:
            atteint = mesure["secondes"] < SECONDES_MAX and mesure["hausse"] < HAUSSE_MAX
            reponse = mesure["reponse"].replace("|", "/")
            reponse = reponse if len(reponse) <= 90 else reponse[:89] + "…"
            secondes = f"{mesure['secondes']:.2f} s".replace(".", ",")
            lignes.append(
                f"| {CAS[mesure['cas']][0]} | {mesure['octets'] // 1024} kio | {secondes} "
                f"| {mo(mesure['hausse'])} | {mo(mesure['pic'])} | {reponse} | {verdict(atteint)} |"
            )
        return lignes

    def markdown(self) -> str:
        c = self.contexte
        lignes = [
            "# Performance",
            "",
            "Écrit par `make bench` (`python -m outils.banc`) : ne pas modifier à la main.",
            "",
            f"- Date : {c['date']} ; machine : {c['machine']} ; Python {c['python']}, "
            f"Django {c['django']} ; base : {c['base']} ; réglages de production (`DEBUG=0`).",
            f"- Répétitions : {c['repetitions']} par mesure après un tour d'échauffement (qui "
            "compte les requêtes) ; chaque durée est la **médiane (min–max)**.",
            f"- Taille de Dijon : les cinq documents ({self.tailles[DIJON]}).",
            f"- Taille nationale : `generer_donnees --territoires {c['territoires']} --annees "
            f"{c['annees']}` en plus ({self.tailles[NATIONAL]}), généré en "
            f"{c['generation_s']:.1f} s, historique initial et `ANALYZE` compris.",
            "",
            "## 1. Pages (client de test de Django, administrateur connecté : il voit tout)",
            "",
            *(
                [
                    "Les deux tailles sont mesurées en alternance, une requête de chaque à tour de "
                    f"rôle ({c['repetitions'] * FOIS_EN_ALTERNANCE} fois chacune), "
                    "sur deux bases (une copie de celle de Dijon faite avant la génération) "
                    "et après que la base nationale s'est reposée (`VACUUM ANALYZE`, `CHECKPOINT`) "
                    ": la charge de cette machine partagée pèse autant sur les deux, le rapport "
                    "ne dépend pas du moment où chacune est mesurée. Chaque base garde sa "
                    "connexion ouverte d'une requête à l'autre, comme `CONN_MAX_AGE` en "
                    "production.",
                    "",
                ]
                if c.get("alternance")
                else []
            ),
            "| page | Dijon | requêtes | national | requêtes | rapport |",
            "|---|---|---|---|---|---|",
        ]
        for page, url in PAGES.items():
            petit, grand = self.pages[(page, DIJON)], self.pages[(page, NATIONAL)]
            lignes.append(
                f"| {page} (`{url}`) | {petit.duree()} | {petit.requetes} | {grand.duree()} "
                f"| {grand.requetes} | {fois(grand.mediane, petit.mediane)} |"
            )
        (petit, n_petit), (grand, n_grand) = self.controles[DIJON], self.controles[NATIONAL]
        e, i = self.export, self.import_
        lignes += [
            "",
            "## 2. Contrôles de toutes les conventions (`controles.services.controler()`)",
            "",
            "| taille | durée | requêtes | constats |",
            "|---|---|---|---|",
            f"| Dijon | {petit.duree()} | {petit.requetes} | {n_petit} |",
            f"| national | {grand.duree()} | {grand.requetes} | {n_grand} |",
            "",
            "Constats enregistrés (`controles.enregistres`), calculés une fois après l'écriture "
            "des données, avant les mesures des pages : "
            + " ; ".join(
                f"{taille} {secondes:.2f} s".replace(".", ",")
                for taille, secondes in self.constats_enregistres.items()
            )
            + ".",
            "",
            f"## 3. Export xlsx de {e['lignes']:,} lignes d'engagement".replace(",", "\u202f"),
            "",
            "Application : `fichiers.classeurs.lignes` sur `commun.flux_xlsx` (la page « "
            "toutes les lignes d'engagement » et `manage.py exporter_engagements`) : en-têtes "
            "en gras figés, largeurs, format monétaire, textes jamais lus comme formules, "
            "envoyé pendant qu'il s'écrit. Par HTTP : un vrai serveur (`wsgiref`) et une "
            "socket, administrateur connecté ; « premiers octets » est l'attente du premier "
            "octet du corps. Références : les tuples du même `values_list()` (même requête, "
            "mêmes lignes) ajoutés à openpyxl `write_only` (avec lxml, puis sans : "
            "`OPENPYXL_LXML=False`) et à XlsxWriter en mode `constant_memory`, chacun écrit "
            "dans un fichier. Chaque tour de chaque variante dans un processus neuf "
            "(`outils.banc.isole`), les variantes alternées ; mémoire : RSS du processus "
            "relevé toutes les 5 ms (allocations de Python et de C, lxml compris) : hausse "
            "pendant le travail (médiane des tours), croissance après le premier quart du "
            "travail (le plus haut des tours : l'allocateur y fait des marches de quelques Mio, "
            "la simple lecture des lignes aussi) et pic du processus.",
            "",
            "| | durée | rapport à openpyxl avec lxml | premiers octets | hausse du RSS "
            "| croissance après le premier quart | pic du RSS |",
            "|---|---|---|---|---|---|---|",
        ]
        for _variante, libelle, _env in EXPORTS:
            mesure = e[libelle]
            premier = (
                f"{statistics.median(mesure.premier_octet) * 1000:.0f} ms "
                f"({min(mesure.premier_octet) * 1000:.0f}–"
                f"{max(mesure.premier_octet) * 1000:.0f})"
                if mesure.premier_octet
                else "à la fin"
            )
            lignes.append(
                f"| {libelle} | {mesure.duree()} | {fois(mesure.mediane, e[OPENPYXL].mediane)} "
                f"| {premier} | {mo(mesure.memoire)} | {mo(mesure.croissance)} "
                f"| {mo(mesure.pic)} |"
            )
        lignes += [
            "",
            f"## 4. Import d'un classeur de {i['lignes']:,} lignes d'engagement".replace(
                ",", "\u202f"
            ),
            "",
            f"Le classeur : {i['feuilles']} feuilles au format de l'annexe ({i['taille_kio']} "
            "kio), les tableaux en vigueur de conventions nationales dont les engagements ont "
            "été retirés : l'import les recrée. Application : `importer()` (lecture, "
            "validation de chaque cellule, droits, empreinte et verrou, historique avec auteur "
            "et fichier), dans sa transaction. Brut : openpyxl `read_only`, les codes et "
            "financeurs résolus par dictionnaire, un `bulk_create` des mêmes lignes.",
            "",
            "Mémoire : un tour de chacun dans un processus neuf (`outils.banc.isole`), RSS "
            "relevé toutes les 5 ms : hausse pendant l'import et pic du processus.",
            "",
            "| | durée | requêtes | hausse du RSS | pic du RSS |",
            "|---|---|---|---|---|",
            f"| aperçu (import à blanc) | {i['apercu'].duree()} | {i['apercu'].requetes} | | |",
            f"| import | {i['import'].duree()} | {i['import'].requetes} "
            f"| {mo(i['import'].memoire)} | {mo(i['import'].pic)} |",
            f"| openpyxl `read_only` + `bulk_create` | {i['brut'].duree()} "
            f"| {i['brut'].requetes} | {mo(i['brut'].memoire)} | {mo(i['brut'].pic)} |",
            f"| rapport import / brut | {fois(i['import'].mediane, i['brut'].mediane)} | "
            f"| {fois(i['import'].memoire, i['brut'].memoire)} | |",
            "",
            "## 5. Chargement des fixtures des cinq documents (base vide)",
            "",
            f"{self.fixtures.duree()}, {self.fixtures.requetes} requêtes "
            f"({c['objets_fixtures']} objets).",
            "",
            "## 6. Téléversements : le pire fichier sous chaque plafond",
            "",
            "Chaque fichier est construit juste sous les plafonds, dans la forme qui coûte le "
            "plus à lire pour sa taille (`outils/banc/televersements.py`), puis confié, dans un "
            "processus neuf, au code qu'un processus serveur exécute : lecture du classeur, "
            "chargement annuel à blanc, aperçu de l'import d'une liste dans l'administration. "
            "Objectif : moins de 5 s et moins de 200 Mio de hausse du RSS chacun.",
            "",
            "| fichier | taille | durée | hausse du RSS | pic du RSS | réponse | résultat |",
            "|---|---|---|---|---|---|---|",
            *self.lignes_televersements(),
            "",
            "## 7. Documents de l'année : le rapport d'exécution du bilan 2023 de Dijon en PDF",
            "",
            "`fichiers.documents.pdf.rapport_d_execution` : lecture du bilan, contrôles de sa "
            "convention, gabarit, mise en page WeasyPrint et PDF/A-3b (6 pages).",
            "",
            "| taille | durée | requêtes |",
            "|---|---|---|",
            f"| Dijon | {self.documents[DIJON].duree()} | {self.documents[DIJON].requetes} |",
            f"| national | {self.documents[NATIONAL].duree()} "
            f"| {self.documents[NATIONAL].requetes} |",
            "",
            "## Objectifs",
            "",
            "| objectif | mesure | résultat |",
            "|---|---|---|",
        ]
        for objectif, atteint, chiffres in self.objectifs():
            lignes.append(f"| {objectif} | {chiffres} | {verdict(atteint)} |")
        if self.profils:
            lignes += [
                "",
                "## Profils des objectifs non atteints",
                "",
                "Un tour sous `cProfile` : nos fonctions par temps cumulé (quelle partie du "
                "travail), puis toutes par temps propre (ce que fait la machine).",
            ]
            for titre, texte in self.profils.items():
                lignes += ["", f"### {titre}", "", "```", texte, "```"]
        return "\n".join(lignes) + "\n"


class Banc:
    def __init__(self, *, territoires: int, annees: int, repetitions: int, base: str):
        self.territoires, self.annees, self.repetitions = territoires, annees, repetitions
        self.rapport = RapportDuBanc()
        self.rapport.contexte = {
            "date": datetime.now().strftime("%d/%m/%Y %H:%M"),
            "machine": f"{os.cpu_count()} cœurs, {platform.machine()}",
            "python": platform.python_version(),
            "django": django.get_version(),
            "base": "PostgreSQL" if base == "postgresql" else "SQLite",
            "repetitions": repetitions,
            "territoires": territoires,
            "annees": annees,
        }
        self.lignes_import = 200 if territoires < 10 else 10_000

    def lancer(self, journal=print) -> RapportDuBanc:
        call_command("migrate", verbosity=0)
        journal("Fixtures…")
        self.mesurer_fixtures()
        call_command("loaddata", *FIXTURES, verbosity=0)
        call_command("historiser", stdout=io.StringIO())
        self.client = self._client()
        journal("Taille de Dijon…")
        self.mesurer_taille(DIJON)
        # A copy of Dijon's database (the session and the stored summaries included), for the
        # pages timed in turn with the national ones (``mesurer_les_pages_en_alternance``).
        self.base_de_dijon = copier_la_base()
        journal(f"Génération ({self.territoires} × {self.annees})…")
        from commun.historique import poser_le_socle
        from outils.generation import generer, rafraichir_les_statistiques

        debut = time.perf_counter()
        generer(territoires=self.territoires, annees=self.annees)
        poser_le_socle()
        rafraichir_les_statistiques()
        self.rapport.contexte["generation_s"] = time.perf_counter() - debut
        journal("Taille nationale…")
        self.mesurer_taille(NATIONAL)
        if self.base_de_dijon:
            journal("Pages, Dijon et national en alternance…")
            try:
                self.mesurer_les_pages_en_alternance()
            finally:
                supprimer_la_copie(self.base_de_dijon)
        journal("Export…")
        self.mesurer_export()
        journal("Import…")
        self.mesurer_import()
        journal("Téléversements…")
        self.mesurer_televersements()
        self.profiler_les_manques()
        return self.rapport

    # --- measurements ----------------------------------------------------------------------

    def mesurer_fixtures(self):
        import json

        self.rapport.fixtures = chronometrer(
            annule(lambda: call_command("loaddata", *FIXTURES, verbosity=0)), self.repetitions
        )
        self.rapport.contexte["objets_fixtures"] = sum(
            len(json.loads(Path(chemin).read_text())) for chemin in FIXTURES
        )

    def _client(self) -> Client:
        from comptes import roles

        utilisateur = roles.creer_compte(
            "banc", mot_de_passe="banc-d-essai-2026", role=roles.ADMINISTRATEUR
        )
        self.utilisateur = utilisateur
        client = Client()
        client.force_login(utilisateur)
        return client

    def _page(self, url):
        def charger():
            reponse = self.client.get(url)
            if reponse.status_code != 200:
                raise RuntimeError(f"{url} : statut {reponse.status_code}")

        return charger

    def mesurer_taille(self, taille: str):
        from bilans.models import Mesure as MesureDeBilan
        from controles.enregistres import a_jour
        from controles.services import controler
        from conventions.models import Action, Convention, Engagement

        self.rapport.tailles[taille] = (
            f"{Convention.objects.count()} conventions, {Action.objects.count()} actions, "
            f"{Engagement.objects.count()} engagements, {MesureDeBilan.objects.count()} mesures"
        )
        # The stored constats, computed once after the data were written (the first read
        # would do it): the pages are then measured as users meet them.
        debut = time.perf_counter()
        a_jour(Convention.objects.all())
        self.rapport.constats_enregistres[taille] = time.perf_counter() - debut
        # The database settled before the pages are timed, as in production long after a bulk
        # load: the statistics of the stored summaries just written (the planner would take
        # those tables for empty), the tables vacuumed and the written pages flushed, so that
        # neither the autovacuum nor a checkpoint runs during the measures (two cores).
        reposer_la_base()
        for page, url in PAGES.items():
            self.rapport.pages[(page, taille)] = chronometrer(self._page(url), self.repetitions)
        constats = []
        mesure = chronometrer(lambda: constats.append(len(controler())), self.repetitions)
        self.rapport.controles[taille] = (mesure, constats[0])
        self.mesurer_le_rapport_d_execution(taille)

    def mesurer_les_pages_en_alternance(self):
        """Each page at Dijon's size and at the national size, one request of each in turn
        (the first alternating), on their two databases: what the machine's other tenants cost
        weighs on both sizes alike, not on whichever was measured during a busy minute. The
        timings replace those of ``mesurer_taille``, which measured each size in its turn."""
        connexions = _connexions(self.base_de_dijon)
        bases = {DIJON: connexions["copie"], NATIONAL: connexions["actuelle"]}
        try:
            for page, url in PAGES.items():
                charger = self._page(url)
                requetes, temps = {}, {DIJON: [], NATIONAL: []}
                for taille, connexion in bases.items():
                    _sur(connexion)
                    charger()  # the connection opened: its own statements are not the page's
                    requetes[taille] = chronometrer(charger, 0).requetes
                for rang in range(self.repetitions * FOIS_EN_ALTERNANCE):
                    ordre = list(bases.items()) if rang % 2 == 0 else list(bases.items())[::-1]
                    for taille, connexion in ordre:
                        _sur(connexion)
                        gc.collect()
                        debut = time.perf_counter()
                        charger()
                        temps[taille].append(time.perf_counter() - debut)
                for taille in bases:
                    self.rapport.pages[(page, taille)] = Mesure(temps[taille], requetes[taille])
        finally:
            _sur(connexions["actuelle"])
            connexions["copie"].close()
        self.rapport.contexte["alternance"] = True

    def mesurer_le_rapport_d_execution(self, taille: str):
        """The PDF of Dijon's bilan 2023: its queries and time must not grow with the others'."""
        from bilans.models import Bilan
        from fichiers.documents.pdf import rapport_d_execution

        bilan = Bilan.objects.select_related("convention").get(
            convention__slug="calpa-dijon-2023", annee=2023
        )

        def fabriquer():
            return rapport_d_execution(bilan, auteur="banc d'essai")

        self.rapport.documents[taille] = chronometrer(fabriquer, self.repetitions)
        self._fonctions = {**getattr(self, "_fonctions", {}), "rapport": fabriquer}

    def mesurer_export(self):
        """Each variant in a fresh process, one after the other in each round, the order
        turning from round to round so that none always runs on a warmer cache."""
        import tempfile

        from conventions.models import TableauEngagements
        from fichiers.classeurs.lignes import ecrire_lignes, lignes_d_engagement

        dossier = tempfile.mkdtemp(prefix="pauvrete-banc-export-")
        sortie = os.path.join(dossier, "export.xlsx")
        isole("fichier", sortie)  # warm-up: the database's cache
        tours = {libelle: [] for _v, libelle, _e in EXPORTS}
        for tour in range(self.repetitions):
            decalage = tour % len(EXPORTS)
            for variante, libelle, environnement in EXPORTS[decalage:] + EXPORTS[:decalage]:
                tours[libelle].append(isole(variante, sortie, environnement=environnement))
        resultats = {}
        for libelle, releves in tours.items():
            mesure = Mesure([r["temps"] for r in releves])
            mesure.memoire = int(statistics.median(r["rss_pic"] - r["rss_debut"] for r in releves))
            mesure.pic = max(r["rss_pic"] for r in releves)
            mesure.croissance = max(r["rss_croissance"] for r in releves)
            if "premier_octet" in releves[0]:
                mesure.premier_octet = [r["premier_octet"] for r in releves]
            resultats[libelle] = mesure
        if tours[SANS_LXML][0].get("lxml") or not tours[OPENPYXL][0].get("lxml"):
            raise RuntimeError("openpyxl devait tourner avec lxml puis sans.")
        lignes = lignes_d_engagement(TableauEngagements.objects.all())
        self.rapport.export = {
            **resultats,
            "lignes": tours[FICHIER][0]["lignes"],
            "feuille": tours[APPLICATION][0]["feuille"],
        }

        def application():
            with open(sortie, "wb") as fichier:
                ecrire_lignes(lignes.all(), fichier)

        self._fonctions = {**getattr(self, "_fonctions", {}), "export": application}

    def mesurer_import(self):
        from conventions.models import Engagement, TableauEngagements
        from fichiers.classeurs.chargement import importer
        from fichiers.classeurs.export import classeur_des_tableaux

        tableaux, lignes = [], 0
        for tableau in (
            TableauEngagements.objects.filter(
                en_vigueur=True, convention__slug__startswith="calpa-territoire-"
            )
            .select_related("convention")
            .order_by("pk")
        ):
            tableaux.append(tableau)
            lignes += tableau.engagements.count()
            if lignes >= self.lignes_import:
                break
        contenu = classeur_des_tableaux(tableaux)
        # The engagements go; each import writes them back in a transaction rolled back. A raw
        # DELETE (Django's private ``_raw_delete``): ``delete()`` would write 10 000 history
        # lines one by one in this throw-away database, for nothing measured.
        Engagement.objects.filter(tableau__in=tableaux)._raw_delete(connection.alias)

        def application(essai=False):
            def faire():
                rapport = importer(
                    contenu, essai=essai, utilisateur=self.utilisateur, nom_fichier="banc.xlsx"
                )
                if rapport.crees != lignes:
                    raise RuntimeError(f"{rapport.crees} lignes importées sur {lignes}")

            return annule(faire)

        def brut():
            self._import_brut(contenu, lignes)

        self.rapport.import_ = {
            "brut": chronometrer(annule(brut), self.repetitions),
            "apercu": chronometrer(application(essai=True), self.repetitions),
            "import": chronometrer(application(), self.repetitions),
            "lignes": lignes,
            "feuilles": len(tableaux),
            "taille_kio": len(contenu) // 1024,
        }
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".xlsx") as fichier:
            fichier.write(contenu)
            fichier.flush()
            for variante, cle in (("import-brut", "brut"), ("import", "import")):
                releve = isole(variante, fichier.name, str(lignes))
                self.rapport.import_[cle].memoire = releve["rss_pic"] - releve["rss_debut"]
                self.rapport.import_[cle].pic = releve["rss_pic"]
        self._fonctions["import"] = application()

    @staticmethod
    def _import_brut(contenu: bytes, attendu: int):
        """openpyxl read_only and one bulk_create: the floor under any import of this file."""
        from conventions.models import Action, Engagement, Financeur, TableauEngagements

        classeur = load_workbook(io.BytesIO(contenu), read_only=True)
        financeurs = dict(Financeur.objects.values_list("slug", "pk"))
        feuilles = []
        for feuille in classeur.worksheets:
            rangees = list(feuille.iter_rows(values_only=True))
            slug, periode, libelle = rangees[3][1], str(rangees[4][1]), rangees[5][1]
            debut, _, fin = periode.partition("-")
            colonnes = [financeurs[s] for s in rangees[11][2:] if s]
            feuilles.append((slug, int(debut), int(fin or debut), libelle, colonnes, rangees[12:]))
        classeur.close()
        slugs = {f[0] for f in feuilles}
        tableaux = {
            (s, d, f, lib): pk
            for s, d, f, lib, pk in TableauEngagements.objects.filter(
                convention__slug__in=slugs
            ).values_list("convention__slug", "annee_debut", "annee_fin", "libelle", "pk")
        }
        actions = {
            (s, code): pk
            for s, code, pk in Action.objects.filter(convention__slug__in=slugs).values_list(
                "convention__slug", "code", "pk"
            )
        }
        nouveaux = []
        for slug, debut, fin, libelle, colonnes, rangees in feuilles:
            tableau = tableaux[(slug, debut, fin, libelle)]
            for rangee in rangees:
                action = actions.get((slug, rangee[0]))
                if action is None:
                    continue
                for financeur, valeur in zip(colonnes, rangee[2:], strict=False):
                    if valeur is not None:
                        nouveaux.append(
                            Engagement(
                                tableau_id=tableau,
                                action_id=action,
                                financeur_id=financeur,
                                montant=Decimal(str(valeur)),
                            )
                        )
        Engagement.objects.bulk_create(nouveaux, batch_size=2000)
        if len(nouveaux) != attendu:
            raise RuntimeError(f"import brut : {len(nouveaux)} lignes sur {attendu}")

    def mesurer_televersements(self):
        """Each worst upload in a fresh process, against the benchmark's database (national
        size: the loader's lookups and suggestions see every key)."""
        from django.db import connections

        from .televersements import CAS, en_sous_processus

        connections.close_all()  # SQLite: the other process writes (then rolls back)
        self.rapport.televersements = [en_sous_processus(cas) for cas in CAS]

    def profiler_les_manques(self):
        """A profile of each missed goal's work, for the report."""
        for objectif, atteint, _chiffres in self.rapport.objectifs():
            if atteint or "requêtes" in objectif:
                continue
            if objectif.startswith("Export"):
                fonction = self._fonctions["export"]
            elif objectif.startswith("Import"):
                fonction = self._fonctions["import"]
            elif objectif.startswith("Contrôles"):
                from controles.services import controler

                fonction = controler
            elif objectif.startswith("Rapport d'exécution"):
                fonction = self._fonctions["rapport"]
            else:
                page = objectif.split(" : ")[0]
                fonction = self._page(PAGES[page])
            titre = objectif.split(" : ")[0]
            if titre not in self.rapport.profils:
                self.rapport.profils[titre] = profil(fonction)
