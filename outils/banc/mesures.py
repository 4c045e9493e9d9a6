"""What ``make bench`` measures, and its report.

Each measurement runs once to warm up (and count the queries), then ``repetitions`` times for
the median and the range. Writes (fixtures, imports) run in a transaction rolled back after
each repetition, so that every repetition starts from the same state. The raw references (
openpyxl ``write_only`` from a ``values_list``, openpyxl ``read_only`` plus ``bulk_create``) run
in the same process, on the same rows, just before or after the application's own code.
"""

import cProfile
import gc
import io
import os
import platform
import pstats
import statistics
import time
import tracemalloc
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import django
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from openpyxl import Workbook, load_workbook

RACINE = Path(__file__).resolve().parents[2]
FIXTURES = sorted(str(p) for p in (RACINE / "fixtures").glob("*.json"))
DIJON, NATIONAL = "Dijon", "national"
PAGES = {
    "Tableau de bord": "/",
    "Tableau des engagements (convention)": "/conventions/calpa-dijon-2023/",
    "Comparaison d'une année à l'autre": "/conventions/calpa-dijon-2023/comparaison/annees/"
    "?annee=2023",
    "Bilan": "/conventions/calpa-dijon-2023/bilans/2023/",
}
# Goals of issue 7.
PAGE_MAX_S = 0.300
PAGE_RAPPORT_MAX = 2.0
CONTROLES_MAX_S = 5.0
EXPORT_RAPPORT_MAX = 1.5
IMPORT_RAPPORT_MAX = 3.0


@dataclass
class Mesure:
    temps: list[float]
    requetes: int | None = None
    memoire: int | None = None

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
    return f"{a / b:.2f} ×".replace(".", ",")


def verdict(atteint: bool) -> str:
    return "atteint" if atteint else "**non atteint**"


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


def pic_memoire(fonction) -> int:
    """Peak of Python allocations during one run (tracemalloc: a separate, slower run)."""
    gc.collect()
    tracemalloc.start()
    try:
        fonction()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


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
class Rapport:
    contexte: dict = field(default_factory=dict)
    tailles: dict = field(default_factory=dict)
    fixtures: Mesure | None = None
    pages: dict = field(default_factory=dict)  # (page, taille) → Mesure
    controles: dict = field(default_factory=dict)  # taille → (Mesure, constats)
    export: dict = field(default_factory=dict)
    import_: dict = field(default_factory=dict)
    profils: dict = field(default_factory=dict)  # title → text

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
            resultats.append(
                (
                    f"{page} : au plus 2 × la même page à la taille de Dijon",
                    grand.mediane <= PAGE_RAPPORT_MAX * petit.mediane,
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
        nous, brut = self.export["application"], self.export["brut"]
        resultats.append(
            (
                "Export xlsx : au plus 1,5 × le temps d'openpyxl write_only brut",
                nous.mediane <= EXPORT_RAPPORT_MAX * brut.mediane,
                fois(nous.mediane, brut.mediane),
            )
        )
        resultats.append(
            (
                "Export xlsx : pic de mémoire au plus 1,5 × le brut",
                nous.memoire <= EXPORT_RAPPORT_MAX * brut.memoire,
                f"{mo(nous.memoire)} contre {mo(brut.memoire)}",
            )
        )
        nous, brut = self.import_["import"], self.import_["brut"]
        resultats.append(
            (
                "Import : au plus 3 × la lecture read_only + bulk_create bruts",
                nous.mediane <= IMPORT_RAPPORT_MAX * brut.mediane,
                fois(nous.mediane, brut.mediane),
            )
        )
        return resultats

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
            f"## 3. Export xlsx de {e['lignes']:,} lignes d'engagement".replace(",", "\u202f"),
            "",
            "Application : `conventions.classeurs.lignes` (la page « toutes les lignes "
            "d'engagement » et `manage.py exporter_engagements`), en-têtes en gras, format "
            "monétaire, neutralisation des formules, écrit dans un fichier. Brut : openpyxl "
            "`write_only` qui ajoute les tuples du même `values_list()` (même requête, mêmes "
            "lignes) et enregistre dans un fichier. Mémoire : pic des allocations Python "
            "(tracemalloc), sur un tour à part.",
            "",
            "| | durée | pic de mémoire |",
            "|---|---|---|",
            f"| application | {e['application'].duree()} | {mo(e['application'].memoire)} |",
            f"| openpyxl brut | {e['brut'].duree()} | {mo(e['brut'].memoire)} |",
            f"| rapport | {fois(e['application'].mediane, e['brut'].mediane)} "
            f"| {fois(e['application'].memoire, e['brut'].memoire)} |",
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
            "| | durée | requêtes |",
            "|---|---|---|",
            f"| aperçu (import à blanc) | {i['apercu'].duree()} | {i['apercu'].requetes} |",
            f"| import | {i['import'].duree()} | {i['import'].requetes} |",
            f"| openpyxl `read_only` + `bulk_create` | {i['brut'].duree()} "
            f"| {i['brut'].requetes} |",
            f"| rapport import / brut | {fois(i['import'].mediane, i['brut'].mediane)} | |",
            "",
            "## 5. Chargement des fixtures des cinq documents (base vide)",
            "",
            f"{self.fixtures.duree()}, {self.fixtures.requetes} requêtes "
            f"({c['objets_fixtures']} objets).",
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
        self.rapport = Rapport()
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

    def lancer(self, journal=print) -> Rapport:
        call_command("migrate", verbosity=0)
        journal("Fixtures…")
        self.mesurer_fixtures()
        call_command("loaddata", *FIXTURES, verbosity=0)
        call_command("historiser", stdout=io.StringIO())
        self.client = self._client()
        journal("Taille de Dijon…")
        self.mesurer_taille(DIJON)
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
        journal("Export…")
        self.mesurer_export()
        journal("Import…")
        self.mesurer_import()
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
        from controles.services import controler
        from conventions.models import Action, Convention, Engagement

        self.rapport.tailles[taille] = (
            f"{Convention.objects.count()} conventions, {Action.objects.count()} actions, "
            f"{Engagement.objects.count()} engagements, {MesureDeBilan.objects.count()} mesures"
        )
        for page, url in PAGES.items():
            self.rapport.pages[(page, taille)] = chronometrer(self._page(url), self.repetitions)
        constats = []
        mesure = chronometrer(lambda: constats.append(len(controler())), self.repetitions)
        self.rapport.controles[taille] = (mesure, constats[0])

    def mesurer_export(self):
        import tempfile

        from conventions.classeurs.lignes import COLONNES, ecrire_lignes, lignes_d_engagement
        from conventions.models import TableauEngagements

        lignes = lignes_d_engagement(TableauEngagements.objects.all())
        dossier = tempfile.mkdtemp(prefix="pauvrete-banc-export-")
        compte = []

        def application():
            with open(os.path.join(dossier, "application.xlsx"), "wb") as fichier:
                compte.append(ecrire_lignes(lignes.all(), fichier))

        def brut():
            classeur = Workbook(write_only=True)
            feuille = classeur.create_sheet("Engagements")
            feuille.append(COLONNES)
            for ligne in lignes.all().iterator(chunk_size=2000):
                feuille.append(ligne)
            classeur.save(os.path.join(dossier, "brut.xlsx"))

        resultats = {}
        # Alternate the two so that neither always runs on a warmer cache.
        for nom, fonction in (("brut", brut), ("application", application)):
            resultats[nom] = chronometrer(fonction, self.repetitions)
        for nom, fonction in (("brut", brut), ("application", application)):
            resultats[nom].memoire = pic_memoire(fonction)
        self.rapport.export = {**resultats, "lignes": compte[0]}
        self._fonctions = {"export": application}

    def mesurer_import(self):
        from conventions.classeurs.chargement import importer
        from conventions.classeurs.export import classeur_des_tableaux
        from conventions.models import Engagement, TableauEngagements

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
            else:
                page = objectif.split(" : ")[0]
                fonction = self._page(PAGES[page])
            titre = objectif.split(" : ")[0]
            if titre not in self.rapport.profils:
                self.rapport.profils[titre] = profil(fonction)
