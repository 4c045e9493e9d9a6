"""The worst upload under each cap (issue 23), built and measured in a fresh process.

``python -m outils.banc.televersements CAS`` builds the file of ``CAS``, hands it to the code a
worker runs (the annex reader, the yearly loader in a dry run, the admin's list import preview),
and prints one JSON line: seconds, RSS rise and peak (``isole.Releve``), and the answer (read, or
the French refusal). The cases needing a database expect ``DATABASE_URL`` to name a migrated
one; they add what they need and leave it as it was. ``make bench`` and the tests run them.

Each file sits just under every cap, in the shape that costs the most for its size: the
cheapest XML elements to write and the dearest to read, objects whose keys are all mistyped.
"""

import io
import json
import os
import random
import sys
import time
import zipfile
from pathlib import Path

RACINE = Path(__file__).resolve().parents[2]
SECONDES_MAX = 5.0
HAUSSE_MAX = 200 * 1024 * 1024
ESPACES = (b"", b" ", b"  ", b"\t", b"\n")  # entropy: a plain repetition would inflate too much


def classeur_vide() -> bytes:
    from openpyxl import Workbook

    classeur = Workbook()
    classeur.active["A1"] = "Convention"
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def reecrire(contenu: bytes, changements: dict) -> bytes:
    """The same zip with some entries replaced or added (bytes) or removed (None)."""
    sortie = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(contenu)) as source,
        zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as cible,
    ):
        for entree in source.infolist():
            if entree.filename not in changements:
                cible.writestr(entree, source.read(entree.filename))
            elif changements[entree.filename] is not None:
                cible.writestr(entree.filename, changements[entree.filename])
        for nom, octets in changements.items():
            if octets is not None and nom not in source.namelist():
                cible.writestr(nom, octets)
    return sortie.getvalue()


def _lire(contenu: bytes, nom: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        return archive.read(nom)


def classeur_textes_partages() -> bytes:
    """As many one-character shared strings as the count allows (openpyxl builds an object for
    each: 3.5 µs a tag), each cell of the sheet pointing at one."""
    from fichiers.classeurs.ouverture import CONSTRUCTIONS_MAX

    hasard = random.Random(23)
    contenu = classeur_vide()
    nombre = CONSTRUCTIONS_MAX // 4 - 2_000
    textes = b"".join(
        b"<si><t>%s</t></si>" % hasard.choice("abcdefghijklmnopqrstuvwxyz0123456789").encode()
        for _ in range(nombre)
    )
    table = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main">' + textes + b"</sst>"
    )
    types = _lire(contenu, "[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    liens = _lire(contenu, "xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rIdTextes" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    feuille = _lire(contenu, "xl/worksheets/sheet1.xml")
    debut, _, fin = feuille.partition(b"<sheetData>")
    fin = fin.partition(b"</sheetData>")[2]
    lignes = b"".join(
        b'<row><c t="s"><v>%d</v></c></row>' % hasard.randrange(nombre) for _ in range(200)
    )
    return reecrire(
        contenu,
        {
            "xl/sharedStrings.xml": table,
            "[Content_Types].xml": types,
            "xl/_rels/workbook.xml.rels": liens,
            "xl/worksheets/sheet1.xml": debut + b"<sheetData>" + lignes + b"</sheetData>" + fin,
        },
    )


def classeur_cellules() -> bytes:
    """Empty cells, the cheapest element to write and, per tag, the dearest sheet content for
    openpyxl to read, as many as the count allows, in the most rows allowed."""
    from fichiers.classeurs.ouverture import CONSTRUCTIONS_MAX, LIGNES_MAX

    hasard = random.Random(23)
    contenu = classeur_vide()
    feuille = _lire(contenu, "xl/worksheets/sheet1.xml")
    debut, _, fin = feuille.partition(b"<sheetData>")
    fin = fin.partition(b"</sheetData>")[2]
    vides = (CONSTRUCTIONS_MAX - 5_000) // LIGNES_MAX - 6  # a row: 2 tags, its last cell 4
    lignes = b"".join(
        b"<row>"
        + b"".join(b"<c%s/>" % hasard.choice(ESPACES) for _ in range(vides))
        + b"<c><v>%d</v></c></row>" % hasard.randrange(10)
        for _ in range(LIGNES_MAX)
    )
    return reecrire(
        contenu,
        {"xl/worksheets/sheet1.xml": debut + b"<sheetData>" + lignes + b"</sheetData>" + fin},
    )


def classeur_styles() -> bytes:
    """Cell formats, each an openpyxl object (25 µs, 1.7 kio), as many as the count of the
    parts other than the sheets allows."""
    from fichiers.classeurs.ouverture import AUTRES_MAX

    hasard = random.Random(23)
    contenu = classeur_vide()
    styles = _lire(contenu, "xl/styles.xml")
    debut, _, reste = styles.partition(b"<cellXfs")
    fin = reste.partition(b"</cellXfs>")[2]
    nombre = (AUTRES_MAX - 3_000) // 2
    formats = b"".join(
        b'<xf numFmtId="%d"%s/>' % (hasard.randrange(50), hasard.choice(ESPACES))
        for _ in range(nombre)
    )
    return reecrire(
        contenu,
        {"xl/styles.xml": debut + b'<cellXfs count="%d">' % nombre + formats + b"</cellXfs>" + fin},
    )


def objets_yaml() -> list[dict]:
    """As many objects as allowed: a convention, then tableaux and as many engagements whose
    keys are all mistyped (each a lookup, a refusal and, for the first ones, a suggestion)."""
    from fichiers.annuel.fichier import OBJETS_MAX

    slug = "banc-televersements"
    objets = [
        {
            "model": "conventions.territoire",
            "fields": {"slug": slug, "nom": "Banc", "nature": "departement"},
        },
        {
            "model": "conventions.convention",
            "fields": {
                "slug": slug,
                "intitule": "Banc",
                "dispositif": "calpa",
                "territoire": [slug],
                "statut": "projet",
                "annee_debut": 2030,
                "annee_fin": 2030,
            },
        },
    ]
    paires = (OBJETS_MAX - len(objets)) // 2
    for rang in range(paires):
        objets.append(
            {
                "model": "conventions.tableauengagements",
                "fields": {
                    "convention": [slug],
                    "annee_debut": 2030,
                    "annee_fin": 2030,
                    "nature": "initial",
                    "libelle": f"Version {rang}",
                    "en_vigueur": False,
                },
            }
        )
    for rang in range(paires):
        objets.append(
            {
                "model": "conventions.engagement",
                "fields": {
                    "tableau": [slug, 2030, 2030, f"Versoin {rang}"],
                    "action": [slug, "1.1"],
                    "financeur": [f"etta{rang}"],
                    "montant": "1.00",
                },
            }
        )
    return objets


def fichier_yaml() -> bytes:
    import yaml

    return yaml.dump(objets_yaml(), Dumper=yaml.CSafeDumper, allow_unicode=True).encode()


def fichier_json() -> bytes:
    return json.dumps(objets_yaml(), ensure_ascii=False, indent=1).encode()


def _preparer_la_liste():
    """A convention of 250 actions with a tableau and two financeurs, and a superuser: each line
    of the list changes an amount that exists."""
    from django.contrib.auth import get_user_model

    from conventions.models import (
        Action,
        Convention,
        Engagement,
        Financeur,
        TableauEngagements,
        Territoire,
    )

    territoire = Territoire.objects.create(slug="banc-liste", nom="Banc", nature="departement")
    convention = Convention.objects.create(
        slug="banc-liste", intitule="Banc", territoire=territoire, annee_debut=2030, annee_fin=2030
    )
    tableau = TableauEngagements.objects.create(
        convention=convention, annee_debut=2030, annee_fin=2030, libelle="Initial"
    )
    financeurs = [
        Financeur.objects.create(slug=f"banc-liste-{rang}", nom=f"Banc {rang}", ordre=rang + 1)
        for rang in range(2)
    ]
    actions = Action.objects.bulk_create(
        Action(convention=convention, code=f"1.{rang}", intitule=f"Action {rang}", ordre=rang)
        for rang in range(250)
    )
    Engagement.objects.bulk_create(
        Engagement(tableau=tableau, action=action, financeur=financeur, montant=1000)
        for action in actions
        for financeur in financeurs
    )
    compte = get_user_model().objects.create_superuser("banc-liste", "banc@example.org", "x")
    lignes = [["convention", "période", "version", "action", "financeur", "montant"]]
    for action in actions:
        for financeur in financeurs:
            ligne = ["banc-liste", "2030", "Initial", action.code, financeur.slug, "1 234,50"]
            lignes.append(ligne)
    return compte, lignes


def liste_csv(lignes) -> bytes:
    import csv

    tampon = io.StringIO()
    csv.writer(tampon, delimiter=";").writerows(lignes)
    return tampon.getvalue().encode()


def _apercu_de_la_liste(contenu: bytes, compte) -> str:
    """The admin's preview of the engagements list, as a worker serves it."""
    from django.contrib import admin
    from django.test import Client
    from django.urls import reverse

    from conventions.models import Engagement

    formats = admin.site._registry[Engagement].get_import_formats()
    rang = next(i for i, f in enumerate(formats) if f().get_extension() == "csv")
    client = Client()
    client.force_login(compte)
    fichier = io.BytesIO(contenu)
    fichier.name = "engagements.csv"
    reponse = client.post(
        reverse("admin:conventions_engagement_import"),
        {"import_file": fichier, "format": str(rang), "resource": "0"},
    )
    lignes = reponse.content.decode().count("modifiée")
    return f"statut {reponse.status_code}, {lignes} lignes modifiées à l'aperçu"


def _lire_le_classeur(contenu: bytes) -> str:
    from fichiers.classeurs.ouverture import ClasseurInvalide, feuilles

    try:
        lues = feuilles(contenu)
    except ClasseurInvalide as refus:
        return str(refus)
    return f"lu : {len(lues)} feuille(s), {sum(len(lignes) for _, lignes in lues)} lignes"


def _charger(contenu: bytes, nom: str) -> str:
    from fichiers.annuel.chargement import charger
    from fichiers.annuel.fichier import FichierInvalide

    try:
        charger(contenu, nom_fichier=nom, essai=True)
    except FichierInvalide as refus:
        return f"{len(refus.erreurs)} problème(s) : {refus.erreurs[0]}"
    return "chargé"


# Case → (label for the report, builder, what a worker does with the file, needs a database).
CAS = {
    "textes": ("classeur : textes partagés", classeur_textes_partages, _lire_le_classeur, False),
    "cellules": ("classeur : cellules vides", classeur_cellules, _lire_le_classeur, False),
    "styles": ("classeur : formats de cellule", classeur_styles, _lire_le_classeur, False),
    "yaml": ("fichier annuel YAML", fichier_yaml, lambda c: _charger(c, "banc.yaml"), True),
    "json": ("fichier annuel JSON", fichier_json, lambda c: _charger(c, "banc.json"), True),
    "liste": ("liste des engagements, CSV", None, None, True),
}


def mesurer(cas: str) -> dict:
    """Build the file of ``cas`` and measure what a worker spends on it (run in a fresh
    process: ``main``)."""
    from django.db import transaction

    from .isole import Releve

    _libelle, fabriquer, traiter, _base = CAS[cas]
    with transaction.atomic():
        if cas == "liste":
            compte, lignes = _preparer_la_liste()
            contenu = liste_csv(lignes)

            def traiter(octets):
                return _apercu_de_la_liste(octets, compte)

        else:
            contenu = fabriquer()
        releve = Releve()
        debut, processeur = time.perf_counter(), time.process_time()
        with releve:
            reponse = traiter(contenu)
        secondes = time.perf_counter() - debut
        # The processor's time too: what the work costs whatever else the machine runs (the
        # tests check it, a loaded machine stretches the wall-clock time).
        processeur = time.process_time() - processeur
        transaction.set_rollback(True)
    return {
        "cas": cas,
        "octets": len(contenu),
        "secondes": secondes,
        "processeur": processeur,
        "hausse": releve.pic - releve.debut,
        "pic": releve.pic,
        "reponse": reponse,
    }


def en_sous_processus(cas: str, environnement: dict | None = None) -> dict:
    """``mesurer(cas)`` in a fresh Python, as the tests and ``make bench`` run it."""
    from .isole import processus_neuf

    return processus_neuf("outils.banc.televersements", cas, environnement=environnement)


def main(argv: list[str]) -> int:
    import warnings

    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pauvrete.settings")
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    print(json.dumps(mesurer(argv[0]), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
