"""Write docs/charge.md from locust's CSV statistics (``--csv`` of ``locust --headless``).

    python -m outils.charge.rapport --csv DIR/charge --contexte DIR/contexte.json \
        [--saturation DIR/saturation] [--sortie docs/charge.md]

Reads ``<prefix>_stats.csv`` (one row per request name and type, then « Aggregated »),
``<prefix>_failures.csv`` and ``<prefix>_exceptions.csv``; the context (date, machine, dataset,
server settings, users, duration) is the JSON file written by lancer.sh. Standard library only:
CI runs its test without locust.
"""

import argparse
import csv
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: python outils/charge/rapport.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from outils.charge import noms

# The goal of issue 18, for every page (the downloads are measured apart, without it).
P99_MAX_MS = 1000
# Below this many requests, a page's p99 is its slowest request or nearly.
PEU_DE_REQUETES = 100
# How many pages « Pages de la traîne » names.
TRAINE = 3

# What was found and done about a page when it was in the tail; filled in after each run that
# names it (the report quotes it). A page not here is « à examiner ».
SUITES: dict[str, str] = {
    noms.TABLEAU_DE_BORD: (
        "La plus lourde seule (126 ms à l'échelle nationale, voir performance.md) : le "
        "calendrier de toutes les conventions lu en lignes, les cellules du tableau rendues une "
        "fois par colonne, la liste des territoires écrite sans un gabarit par option (30 % de "
        "moins). Reste les contrôles des 25 conventions de la page (60 % de son temps), qui "
        "demanderaient des résumés de contrôle tenus à jour : non fait."
    ),
    noms.CONVENTION: (
        "54 ms seule (performance.md) : sa traîne est sans doute de l'attente, quand elle tombe "
        "derrière une page lourde dans le même processus (3 processus de 4 fils, 2 cœurs "
        "partagés avec PostgreSQL et locust ; non vérifié requête par requête) ; rien de propre "
        "à la page n'a été trouvé à corriger."
    ),
    noms.BILAN: (
        "61 ms seul (performance.md) : sans doute la même attente que la convention ; rien de "
        "propre à la page n'a été trouvé à corriger."
    ),
    noms.RECHERCHE: (
        "Candidate au premier essai (0,5 à 0,6 s seule) : la saisie devient une expression "
        "régulière où chaque lettre accepte ses accents, au lieu de replier chaque ligne de la "
        "base (568 ms → 85 ms à l'échelle nationale)."
    ),
}

HISTORIQUE = (
    "Avec wrk, qui ne donnait que des percentiles globaux (mêmes pages, mêmes 50 utilisateurs, "
    "pause de 1 à 5 s, 120 s) : le 22 novembre 2026 (processus sans fils, pages non optimisées) "
    "p95 5,1 s ; le 23 au matin (4 fils, `keep-alive` de 2 s) p95 462 ms, mais 606 connexions "
    "fermées pendant les pauses ; le 23 novembre (3 processus de 4 fils, `keep-alive` de 10 s) "
    "1\u00a0908 requêtes (15,9 par seconde), aucune erreur, p50 48 ms, p95 195 ms, "
    "**p99 2\u00a0259 ms** sans que l'on sache quelles pages le faisaient : d'où ce test par page. "
    "Sans pause (saturation) : 50,7 requêtes par seconde, p99 2\u00a0277 ms. Ce qui avait changé "
    "entre-temps : le coût des pages à l'échelle nationale (voir [`performance.md`]"
    "(performance.md)) et gunicorn (des fils ; une durée de connexion plus longue que la pause)."
)


@dataclass
class Ligne:
    """One row of ``*_stats.csv``; durations in ms, None where locust wrote N/A."""

    type: str
    nom: str
    requetes: int
    echecs: int
    moyenne: float
    max: float
    par_seconde: float
    p50: float | None
    p95: float | None
    p99: float | None

    @property
    def atteint(self) -> bool:
        return self.p99 is not None and self.p99 < P99_MAX_MS

    @property
    def verdict(self) -> str:
        return "**non mesuré**" if not self.requetes else verdict(self.atteint)


def absente(nom: str) -> Ligne:
    """A page of the route that got no request in the run."""
    return Ligne("GET", nom, 0, 0, 0.0, 0.0, 0.0, None, None, None)


def _percentile(valeur: str, plafond: float) -> float | None:
    return None if valeur in ("", "N/A") else min(float(valeur), plafond)


def lire_stats(chemin: Path) -> tuple[list[Ligne], Ligne | None]:
    """(rows, the « Aggregated » row). locust takes its percentiles from durations rounded to
    two significant digits (5 855 ms counts as 5 900): a percentile above the exact max is
    brought down to it."""
    lignes, total = [], None
    with open(chemin, newline="", encoding="utf-8") as fichier:
        for rangee in csv.DictReader(fichier):
            plafond = float(rangee["Max Response Time"])
            ligne = Ligne(
                type=rangee["Type"],
                nom=rangee["Name"],
                requetes=int(rangee["Request Count"]),
                echecs=int(rangee["Failure Count"]),
                moyenne=float(rangee["Average Response Time"]),
                max=float(rangee["Max Response Time"]),
                par_seconde=float(rangee["Requests/s"]),
                p50=_percentile(rangee["50%"], plafond),
                p95=_percentile(rangee["95%"], plafond),
                p99=_percentile(rangee["99%"], plafond),
            )
            if ligne.nom == "Aggregated":
                total = ligne
            else:
                lignes.append(ligne)
    return lignes, total


def lire_echecs(chemin: Path) -> list[tuple[str, str, int]]:
    """(name, error, occurrences) of ``*_failures.csv``; nothing if the file is missing."""
    if not chemin.exists():
        return []
    with open(chemin, newline="", encoding="utf-8") as fichier:
        return [(r["Name"], r["Error"], int(r["Occurrences"])) for r in csv.DictReader(fichier)]


def lire_exceptions(chemin: Path) -> list[tuple[int, str]]:
    """(count, message) of ``*_exceptions.csv``: errors of the locustfile itself."""
    if not chemin.exists():
        return []
    with open(chemin, newline="", encoding="utf-8") as fichier:
        return [(int(r["Count"]), r["Message"]) for r in csv.DictReader(fichier)]


def nombre(valeur: float, decimales: int = 0) -> str:
    """French formatting: « 1 908 », « 15,9 » (a no-break space between thousands)."""
    texte = f"{valeur:,.{decimales}f}"
    return texte.replace(",", "\u00a0").replace(".", ",")


def ms(valeur: float | None) -> str:
    return "–" if valeur is None else f"{nombre(valeur)} ms"


def _max(ligne: Ligne) -> str:
    return ms(ligne.max if ligne.requetes else None)


def verdict(atteint: bool) -> str:
    return "atteint" if atteint else "**non atteint**"


def _ordre(lignes: list[Ligne], noms_connus: tuple[str, ...], completer=True) -> list[Ligne]:
    """In the order of ``noms_connus``, each of them there (with no request if need be)."""
    presents = {ligne.nom for ligne in lignes}
    if completer:
        lignes = lignes + [absente(nom) for nom in noms_connus if nom not in presents]
    rang = {nom: i for i, nom in enumerate(noms_connus)}
    return sorted(lignes, key=lambda ligne: (rang.get(ligne.nom, len(rang)), ligne.nom))


def classer(lignes: list[Ligne]) -> tuple[list[Ligne], list[Ligne], list[Ligne]]:
    """(pages, downloads, first-byte rows), each in the order of ``noms``."""
    premiers = [ligne for ligne in lignes if ligne.type == noms.PREMIER_OCTET]
    requetes = [ligne for ligne in lignes if ligne.type != noms.PREMIER_OCTET]
    telechargements = [ligne for ligne in requetes if ligne.nom in noms.TELECHARGEMENTS]
    pages = [ligne for ligne in requetes if ligne.nom not in noms.TELECHARGEMENTS]
    return (
        _ordre(pages, noms.PAGES),
        _ordre(telechargements, noms.TELECHARGEMENTS),
        _ordre(premiers, noms.TELECHARGEMENTS, completer=False),
    )


def _requetes(ligne: Ligne) -> str:
    return nombre(ligne.requetes) + ("¹" if ligne.requetes < PEU_DE_REQUETES else "")


def tableau_des_pages(pages: list[Ligne], objectif: bool = True) -> list[str]:
    entete = "| page | requêtes | échecs | p50 | p95 | p99 | max |"
    separation = "|---|---|---|---|---|---|---|"
    if objectif:
        entete += " objectif p99 < 1 s |"
        separation += "---|"
    texte = [entete, separation]
    for ligne in pages:
        rangee = (
            f"| {ligne.nom} | {_requetes(ligne)} | {nombre(ligne.echecs)} | {ms(ligne.p50)} "
            f"| {ms(ligne.p95)} | {ms(ligne.p99)} | {_max(ligne)} |"
        )
        if objectif:
            rangee += f" {ligne.verdict} |"
        texte.append(rangee)
    return texte


def tableau_des_telechargements(telechargements: list[Ligne], premiers: list[Ligne]) -> list[str]:
    premier = {ligne.nom: ligne for ligne in premiers}
    texte = [
        "| téléchargement | requêtes | échecs | p50 | p95 | p99 | max | premier octet p50 / p99 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for ligne in telechargements:
        octet = premier.get(ligne.nom)
        texte.append(
            f"| {ligne.nom} | {_requetes(ligne)} | {nombre(ligne.echecs)} | {ms(ligne.p50)} "
            f"| {ms(ligne.p95)} | {ms(ligne.p99)} | {_max(ligne)} "
            f"| {f'{ms(octet.p50)} / {ms(octet.p99)}' if octet else 'non mesuré'} |"
        )
    return texte


def traine(pages: list[Ligne]) -> list[Ligne]:
    """The pages whose p99 is highest: the TRAINE slowest, and every page over the goal."""
    mesurees = [ligne for ligne in pages if ligne.p99 is not None]
    classees = sorted(mesurees, key=lambda ligne: -ligne.p99)
    return [ligne for rang, ligne in enumerate(classees) if rang < TRAINE or not ligne.atteint]


def _contexte(contexte: dict) -> list[str]:
    charge = contexte.get("charge")
    charge_fin = contexte.get("charge_fin")
    machine = f"{contexte['coeurs']} cœurs"
    if charge:
        machine += f", charge moyenne au départ {nombre(charge[0], 2)}"
    if charge_fin:
        machine += f", à la fin {nombre(charge_fin[0], 2)}"
    machine += " (serveur, PostgreSQL et locust sur la même machine)"
    texte = [
        f"- Date : {contexte['date']} ; machine : {machine}.",
        f"- Données : les cinq documents plus `generer_donnees --territoires "
        f"{contexte['territoires']} --annees {contexte['annees']}` : "
        f"{nombre(contexte['conventions'])} conventions, {nombre(contexte['actions'])} actions, "
        f"{nombre(contexte['engagements'])} engagements, {nombre(contexte['mesures'])} mesures "
        f"(base PostgreSQL jetable `{contexte['base']}`).",
        f"- Serveur : gunicorn, réglages de `make serve` ({contexte['gunicorn']}), `DEBUG=0`, "
        f"`CONN_MAX_AGE=60`.",
        f"- Charge : locust {contexte['locust']} sans interface, {contexte['utilisateurs']} "
        f"utilisateurs (lancés à {contexte['montee']} par seconde) pendant "
        f"{contexte['duree']} s ; chacun est un administrateur connecté (il voit tout) qui lit "
        f"sa page 1 à 5 s avant la suivante.",
    ]
    if int(contexte["duree"]) < 120:
        texte.append(
            f"- **Passage court ({contexte['duree']} s)** : il prouve que la chaîne marche de bout "
            "en bout ; la mesure de l'objectif est le passage de 120 s (`DUREE=120`, par défaut), "
            "sur une machine au repos."
        )
    return texte


def markdown(
    lignes: list[Ligne],
    total: Ligne | None,
    echecs: list[tuple[str, str, int]],
    contexte: dict,
    exceptions: list[tuple[int, str]] = (),
    saturation: tuple[list[Ligne], Ligne | None] | None = None,
) -> str:
    pages, telechargements, premiers = classer(lignes)
    requetes = pages + telechargements
    nb_requetes = sum(ligne.requetes for ligne in requetes)
    nb_echecs = sum(ligne.echecs for ligne in requetes)
    duree = float(contexte["duree"])
    pages_atteintes = all(ligne.atteint for ligne in pages)
    non_mesurees = [ligne.nom for ligne in pages if not ligne.requetes]
    sans_requete = f" (sans requête : {', '.join(non_mesurees)})" if non_mesurees else ""
    texte = [
        "# Test de charge",
        "",
        "Écrit par `bash outils/charge/lancer.sh` (locust, puis `outils/charge/rapport.py` qui lit "
        "ses statistiques CSV) : ne pas modifier à la main.",
        "",
        *_contexte(contexte),
        "",
        "Le parcours : tableau de bord (3 variantes : `/`, `/?page=3`, `/?annee=2023`), recherche, "
        "et pour 40 conventions générées la convention, la comparaison d'une année à l'autre, la "
        "comparaison des versions et le bilan ; de temps en temps (3 fois pour 164 pages) un "
        "téléchargement. Chaque requête porte le nom de sa sorte de page (pas son adresse) : les "
        "percentiles sont par page. Tout statut autre que 200 est un échec (les redirections ne "
        "sont pas suivies : une session perdue échoue).",
        "",
        "## Objectifs",
        "",
        "| objectif | mesure | résultat |",
        "|---|---|---|",
        f"| aucune erreur | {nombre(nb_echecs)} échec(s) sur {nombre(nb_requetes)} requêtes"
        f"{f', {sum(n for n, _m in exceptions)} erreur(s) du script' if exceptions else ''} "
        f"| {verdict(nb_echecs == 0 and not exceptions)} |",
        f"| p99 sous 1 s pour chaque page | "
        f"{sum(ligne.atteint for ligne in pages)} page(s) sur {len(pages)}"
        f"{sans_requete} "
        f"| {verdict(pages_atteintes)} |",
        "",
        f"{nombre(nb_requetes)} requêtes en {nombre(duree)} s "
        f"({nombre(nb_requetes / duree if duree else 0, 1)} par seconde).",
    ]
    if total is not None:
        texte[-1] += (
            f" Toutes requêtes confondues (chiffres de locust) : p50 {ms(total.p50)}, "
            f"p95 {ms(total.p95)}, p99 {ms(total.p99)}, max {ms(total.max)}."
        )
    texte += [
        "",
        "## Pages",
        "",
        *tableau_des_pages(pages),
        "",
        "## Téléchargements (mesurés à part, sans l'objectif des pages)",
        "",
        "L'export CSV et le classeur de l'annexe de la convention de Dijon (2023), les lignes "
        f"d'engagement en xlsx d'un territoire généré pour 2023 "
        f"({nombre(contexte.get('lignes_xlsx', 0))} lignes). La durée est celle du "
        "téléchargement complet ; pour les lignes d'engagement, lues en flux, le premier octet "
        "(les en-têtes de la réponse) est mesuré aussi : le travail du serveur avant d'envoyer.",
        "",
        *tableau_des_telechargements(telechargements, premiers),
        "",
        f"¹ Moins de {PEU_DE_REQUETES} requêtes : le p99 est la plus lente ou presque. locust "
        "arrondit chaque durée à deux chiffres significatifs au-delà de 100 ms (147 ms compte "
        "pour 150) avant d'en tirer les percentiles ; le max est exact (un percentile arrondi "
        "au-dessus du max est ramené au max).",
        "",
        "## Pages de la traîne",
        "",
        "Les pages dont le p99 est le plus haut (et toute page au-dessus de l'objectif) :",
        "",
    ]
    for ligne in traine(pages):
        suite = SUITES.get(ligne.nom, "À examiner : rien n'a encore été fait pour elle.")
        texte.append(
            f"- **{ligne.nom}** : p99 {ms(ligne.p99)}, max {ms(ligne.max)}, p50 {ms(ligne.p50)} "
            f"({nombre(ligne.requetes)} requêtes ; {ligne.verdict}). {suite}"
        )
    if echecs or exceptions:
        texte += ["", "## Échecs", "", "| requête | erreur | nombre |", "|---|---|---|"]
        texte += [f"| {nom} | {erreur} | {nombre(n)} |" for nom, erreur, n in echecs]
        texte += [f"| (script locust) | {message} | {nombre(n)} |" for n, message in exceptions]
    if saturation is not None:
        lignes_s, total_s = saturation
        pages_s, telechargements_s, _premiers = classer(lignes_s)
        n_s = sum(ligne.requetes for ligne in pages_s + telechargements_s)
        e_s = sum(ligne.echecs for ligne in pages_s + telechargements_s)
        texte += [
            "",
            "## Saturation (les mêmes utilisateurs, sans pause)",
            "",
            f"{nombre(n_s)} requêtes en {nombre(duree)} s "
            f"({nombre(n_s / duree if duree else 0, 1)} par seconde), {nombre(e_s)} échec(s)"
            + (f", p99 toutes requêtes {ms(total_s.p99)}" if total_s else "")
            + " : la capacité de la machine ; la latence y est surtout de l'attente.",
            "",
            *tableau_des_pages(pages_s + telechargements_s, objectif=False),
        ]
    texte += [
        "",
        "## Relancer",
        "",
        "`bash outils/charge/lancer.sh` (installe `.[charge]`, c'est-à-dire locust, dans `.venv`). "
        "Variables : `DUREE` (120 s par défaut), `UTILISATEURS` (50), `TERRITOIRES` (120), "
        "`ANNEES` (6), `PORT` (8765) ; `SATURATION=1` ajoute un passage sans pause. Les CSV de "
        "locust restent dans le dossier que le script affiche.",
        "",
        "## Passages précédents",
        "",
        HISTORIQUE,
        "",
    ]
    return "\n".join(texte)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", required=True, help="préfixe des CSV de locust (--csv)")
    parser.add_argument("--contexte", required=True, help="fichier JSON écrit par lancer.sh")
    parser.add_argument("--saturation", help="préfixe des CSV du passage sans pause")
    parser.add_argument("--sortie", help="fichier à écrire (sinon la sortie standard)")
    args = parser.parse_args(argv)
    contexte = json.loads(Path(args.contexte).read_text(encoding="utf-8"))
    contexte.setdefault("charge_fin", list(os.getloadavg()))
    lignes, total = lire_stats(Path(f"{args.csv}_stats.csv"))
    saturation = lire_stats(Path(f"{args.saturation}_stats.csv")) if args.saturation else None
    texte = markdown(
        lignes,
        total,
        lire_echecs(Path(f"{args.csv}_failures.csv")),
        contexte,
        exceptions=lire_exceptions(Path(f"{args.csv}_exceptions.csv")),
        saturation=saturation,
    )
    if args.sortie:
        Path(args.sortie).write_text(texte, encoding="utf-8")
    sys.stdout.write(texte)
    return 0


if __name__ == "__main__":
    sys.exit(main())
