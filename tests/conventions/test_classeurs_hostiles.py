"""Workbooks built to hurt: declared dimensions, inflating sheets, broken zip, zlib and XML,
entity tricks, and real workbooks mutated at random. Each is refused in French, quickly, in
little memory, by the CLI and the admin alike, and nothing is written."""

import io
import json
import re
import subprocess
import sys
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptes import roles
from conventions.models import Convention, Engagement, TableauEngagements, Territoire
from fichiers.classeurs.chargement import importer
from fichiers.classeurs.export import classeur_des_tableaux, tableaux_de
from fichiers.classeurs.lecture import ClasseurInvalide
from fichiers.classeurs.ouverture import ILLISIBLE
from outils.banc.televersements import classeur_vide, reecrire
from tests.proprietes import exemples

RACINE = Path(__file__).resolve().parents[2]
FEUILLE = "xl/worksheets/sheet1.xml"


def petit_classeur() -> bytes:
    return classeur_vide()


def feuille_de(contenu: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        return archive.read(FEUILLE)


def dimension_geante() -> bytes:
    """A few kio declaring a sheet of 1 048 576 rows by 16 384 columns."""
    contenu = petit_classeur()
    xml = feuille_de(contenu).replace(b'<dimension ref="A1:A1"', b'<dimension ref="A1:XFD1048576"')
    return reecrire(contenu, {FEUILLE: xml})


def feuille_qui_gonfle(mio: int = 60) -> bytes:
    """A sheet of ``mio`` Mio of identical rows, compressed to a few hundred kio."""
    contenu = petit_classeur()
    debut, _, fin = feuille_de(contenu).partition(b"</sheetData>")
    sortie = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(contenu)) as source,
        zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as cible,
    ):
        for entree in source.infolist():
            if entree.filename != FEUILLE:
                cible.writestr(entree, source.read(entree.filename))
        with cible.open(FEUILLE, "w", force_zip64=True) as flux:
            flux.write(debut)
            ligne = b'<row><c t="inlineStr"><is><t>gonflement</t></is></c></row>' * 1000
            for _ in range(mio * 1024 * 1024 // len(ligne)):
                flux.write(ligne)
            flux.write(b"</sheetData>" + fin)
    return sortie.getvalue()


def mesurer_en_sous_processus(contenu: bytes, tmp_path) -> dict:
    """Read the workbook in a fresh Python: seconds, extra peak memory (RSS), the message."""
    chemin = tmp_path / "classeur.xlsx"
    chemin.write_bytes(contenu)
    script = f"""
import json, os, resource, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pauvrete.settings")
import django
django.setup()
from fichiers.classeurs.ouverture import ClasseurInvalide, feuilles
contenu = open({str(chemin)!r}, "rb").read()
avant = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
debut = time.perf_counter()
try:
    feuilles(contenu)
    message = None
except ClasseurInvalide as refus:
    message = str(refus)
duree = time.perf_counter() - debut
apres = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"secondes": duree, "mio": (apres - avant) / 1024, "message": message}}))
"""
    resultat = subprocess.run(
        [sys.executable, "-c", script], cwd=RACINE, capture_output=True, text=True, check=True
    )
    return json.loads(resultat.stdout.strip().splitlines()[-1])


def test_une_dimension_declaree_geante_ne_coute_rien(tmp_path):
    contenu = dimension_geante()
    assert len(contenu) < 10_000
    mesure = mesurer_en_sous_processus(contenu, tmp_path)
    assert mesure["secondes"] < 1
    assert mesure["mio"] < 100
    # Read as the one row it has, not padded: the sheet is simply not an annex.
    assert mesure["message"] is None


@pytest.mark.django_db
def test_une_dimension_geante_est_refusee_comme_une_autre_feuille_sans_annexe():
    with pytest.raises(ClasseurInvalide, match="« Convention » attendu"):
        importer(dimension_geante(), essai=True)


def test_une_feuille_qui_gonfle_est_refusee_avant_d_etre_lue(tmp_path):
    contenu = feuille_qui_gonfle()
    assert len(contenu) < 1024 * 1024
    mesure = mesurer_en_sous_processus(contenu, tmp_path)
    assert mesure["secondes"] < 1
    assert mesure["mio"] < 100
    assert mesure["message"].startswith(f"{ILLISIBLE} : une fois décompressé il ferait 5")
    assert "fois sa taille) ; 50 Mio au plus." in mesure["message"]


def test_un_element_qui_se_decompresse_trop_est_refuse(tmp_path):
    mesure = mesurer_en_sous_processus(feuille_qui_gonfle(mio=5), tmp_path)
    assert "l'élément « xl/worksheets/sheet1.xml » se décompresse" in mesure["message"]
    assert mesure["secondes"] < 1


def _entites(xml: bytes, dtd: bytes) -> bytes:
    """The sheet with a DTD in place of its XML declaration and the entity used in a cell."""
    xml = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)
    xml = xml.replace(b"<worksheet", dtd + b"<worksheet", 1)
    return re.sub(rb"<v>[^<]*</v>", b"<v>&x;</v>", xml, count=1)


RIRES = (
    b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "rire"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY x "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)
EXTERNE = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


def _zlib_abime(contenu: bytes) -> bytes:
    """The sheet's compressed bytes damaged in the middle (the directory left intact)."""
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        entree = archive.getinfo(FEUILLE)
    debut = entree.header_offset + 30 + len(entree.filename.encode()) + len(entree.extra)
    abime = bytearray(contenu)
    for decalage in range(entree.compress_size // 3, entree.compress_size // 3 + 8):
        abime[debut + decalage] ^= 0xFF
    return bytes(abime)


CASSES = {
    "xml-tronque": (lambda c: reecrire(c, {FEUILLE: feuille_de(c)[:300]}), "XML mal formé"),
    "xml-invalide": (
        lambda c: reecrire(c, {FEUILLE: feuille_de(c).replace(b"</row>", b"</rang>", 1)}),
        "XML mal formé",
    ),
    "zlib-abime": (_zlib_abime, ILLISIBLE),
    "milliard-de-rires": (
        lambda c: reecrire(c, {FEUILLE: _entites(feuille_de(c), RIRES)}),
        "entités XML",
    ),
    "entite-externe": (
        lambda c: reecrire(c, {FEUILLE: _entites(feuille_de(c), EXTERNE)}),
        "entités XML",
    ),
    "classeur-sans-workbook": (lambda c: reecrire(c, {"xl/workbook.xml": None}), ILLISIBLE),
    "feuille-manquante": (lambda c: reecrire(c, {FEUILLE: None}), ILLISIBLE),
}


def annexe() -> bytes:
    convention = Convention.objects.get(slug="calpa-dijon-2023")
    return classeur_des_tableaux(tableaux_de(convention, 2023, 2023))


def etat():
    return (
        sorted(Engagement.objects.values_list("pk", "montant", "version")),
        TableauEngagements.objects.count(),
    )


@pytest.mark.parametrize("cas", list(CASSES), ids=list(CASSES))
def test_chaque_casse_est_refusee_en_francais_par_la_commande(documents, tmp_path, cas):
    casser, message = CASSES[cas]
    chemin = tmp_path / "casse.xlsx"
    chemin.write_bytes(casser(annexe()))
    avant = etat()
    with pytest.raises(CommandError) as refus:
        call_command("importer", str(chemin), stdout=StringIO(), stderr=StringIO())
    assert "Import refusé, rien n'a été écrit" in str(refus.value)
    assert message in str(refus.value)
    assert etat() == avant


@pytest.mark.parametrize("cas", list(CASSES), ids=list(CASSES))
def test_chaque_casse_est_refusee_en_francais_dans_l_administration(documents, client_de, cas):
    casser, message = CASSES[cas]
    client = client_de(roles.FINANCES, territoires=Territoire.objects.all())
    reponse = client.post(
        "/admin/conventions/tableauengagements/importer/",
        {"fichier": SimpleUploadedFile("casse.xlsx", casser(annexe()))},
    )
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "Import refusé, rien n&#x27;a été écrit" in page or "Import refusé, rien n'a été" in page
    assert message.replace("'", "&#x27;") in page


@settings(
    max_examples=exemples(120),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(donnees=st.data())
def test_un_classeur_reel_abime_au_hasard_est_refuse_proprement(documents, donnees):
    """Bytes flipped, entries removed or truncated: a French refusal (or, when the damage is
    harmless, an import like any other), never another exception; nothing half-written."""
    contenu = annexe()
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        noms = archive.namelist()
    facon = donnees.draw(st.sampled_from(["octets", "retrait", "troncature"]))
    if facon == "octets":
        abime = bytearray(contenu)
        # Positions drawn independently of the file's length (the export's zip varies by a
        # few bytes from one run to the next, e.g. its timestamps).
        for position in donnees.draw(st.lists(st.integers(0, 10**6), min_size=1, max_size=20)):
            abime[position % len(abime)] = donnees.draw(st.integers(0, 255))
        contenu = bytes(abime)
    else:
        nom = donnees.draw(st.sampled_from(sorted(noms)))
        if facon == "retrait":
            contenu = reecrire(contenu, {nom: None})
        else:
            with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
                xml = archive.read(nom)
            coupe = donnees.draw(st.floats(0, 1))
            contenu = reecrire(contenu, {nom: xml[: int(len(xml) * coupe)]})
    avant = etat()
    try:
        importer(contenu, essai=True)
    except ClasseurInvalide as refus:
        assert refus.erreurs and all(isinstance(e, str) for e in refus.erreurs)
        assert not any("Traceback" in e for e in refus.erreurs)
    assert etat() == avant


@pytest.mark.django_db
def test_une_version_de_zip_inconnue_est_refusee_en_francais():
    """Found by the property test: a byte of the directory naming zip version 22.0."""
    contenu = bytearray(petit_classeur())
    repertoire = contenu.rfind(b"PK\x01\x02")  # the last central directory entry
    contenu[repertoire + 6] = 220  # « version needed to extract »
    with pytest.raises(ClasseurInvalide, match=ILLISIBLE):
        importer(bytes(contenu), essai=True)
