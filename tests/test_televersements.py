"""Cheap uploads stay cheap (issue 23): the worst file under each cap costs a worker less than
5 s and 200 Mio, measured in a fresh process (``outils.banc.televersements``, which ``make
bench`` reports too); one step over a cap is refused in French, naming where."""

import io
import subprocess
import sys
import zipfile

import pytest
import yaml

from fichiers.annuel import fichier
from fichiers.annuel.fichier import FichierInvalide
from fichiers.classeurs import formats_des_listes, ouverture
from fichiers.classeurs.ouverture import ClasseurInvalide
from outils.banc import televersements
from outils.banc.televersements import HAUSSE_MAX, RACINE, SECONDES_MAX, en_sous_processus


def _verifier(mesure: dict, attendu: str):
    assert mesure["processeur"] < SECONDES_MAX, mesure
    assert mesure["hausse"] < HAUSSE_MAX, mesure
    assert attendu in mesure["reponse"], mesure


@pytest.mark.parametrize("cas", ["textes", "cellules", "styles"])
def test_le_pire_classeur_sous_les_plafonds_coute_peu(cas):
    # Read in full: the worst file sits under every cap, it is not refused.
    _verifier(en_sous_processus(cas), "lu : 1 feuille(s)")


@pytest.fixture(scope="module")
def base_migree(tmp_path_factory):
    """An empty SQLite database, migrated once for the cases that load into one."""
    chemin = tmp_path_factory.mktemp("televersements") / "base.sqlite3"
    url = f"sqlite:///{chemin}"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=RACINE,
        env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        check=True,
    )
    return {"DATABASE_URL": url}


@pytest.mark.xdist_group("televersements")
@pytest.mark.parametrize(
    "cas, attendu",
    [
        ("yaml", "897 problème(s) : Objet n° 302"),
        ("json", "897 problème(s) : Objet n° 302"),
        ("liste", "statut 200, 501 lignes modifiées"),
    ],
)
def test_le_pire_fichier_charge_coute_peu(base_migree, cas, attendu):
    _verifier(en_sous_processus(cas, base_migree), attendu)


# --- one step over each cap -----------------------------------------------------------------


def _avec_une_construction_de_plus(contenu: bytes, partie: str, element: bytes) -> bytes:
    """The workbook with ``element`` repeated until its part passes its count."""
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        xml = archive.read(partie)
    debut, fin = xml.rsplit(b"</", 1)
    xml = debut + element * 2_000 + b"</" + fin
    return televersements.reecrire(contenu, {partie: xml})


def test_une_construction_de_trop_dans_les_feuilles_est_refusee():
    contenu = televersements.classeur_cellules()
    feuille = "xl/worksheets/sheet1.xml"
    contenu = televersements.reecrire(
        contenu,
        {
            feuille: televersements._lire(contenu, feuille).replace(
                b"</sheetData>", b"<row>" + b"<c/>\n" * 6_000 + b"</row></sheetData>"
            )
        },
    )
    with pytest.raises(ClasseurInvalide) as refus:
        ouverture.feuilles(contenu)
    assert str(refus.value) == (
        f"{ouverture.ILLISIBLE} : les feuilles et leurs textes comptent plus de 500\u202f000 "
        "balises et attributs XML (dépassé dans l'élément « xl/worksheets/sheet1.xml ») : "
        "découpez le classeur, ou copiez ses cellules dans un classeur neuf."
    )


def test_des_styles_demesures_sont_refuses():
    contenu = _avec_une_construction_de_plus(
        televersements.classeur_styles(), "xl/styles.xml", b'<numFmt numFmtId="1"/>'
    )
    with pytest.raises(ClasseurInvalide, match="les styles et autres parties comptent plus de 50"):
        ouverture.feuilles(contenu)


@pytest.mark.parametrize(
    "element",
    [
        b'<c t="inlineStr"><is><t>' + b"a" * 300_000 + b"</t></is></c>",
        b"<c " + b"".join(b'x%d="" ' % rang for rang in range(40_000)) + b"/>",
    ],
    ids=["texte", "attributs"],
)
def test_un_texte_ou_une_balise_demesures_sont_refuses(element):
    contenu = televersements.classeur_vide()
    feuille = "xl/worksheets/sheet1.xml"
    xml = televersements._lire(contenu, feuille).replace(
        b"</sheetData>", b"<row>" + element + b"</row></sheetData>"
    )
    with pytest.raises(ClasseurInvalide) as refus:
        ouverture.feuilles(televersements.reecrire(contenu, {feuille: xml}))
    assert "l'élément « xl/worksheets/sheet1.xml » contient un texte ou une balise de plus de " in (
        str(refus.value)
    )


def test_un_fichier_annuel_d_un_objet_de_trop_est_refuse_avant_d_etre_charge():
    objets = [
        {"model": "conventions.territoire", "fields": {}} for _ in range(fichier.OBJETS_MAX + 1)
    ]
    with pytest.raises(FichierInvalide) as refus:
        fichier.lire(yaml.safe_dump(objets).encode(), "f.yaml")
    assert refus.value.erreurs == [
        "Le fichier décrit 601 objets : 600 au plus par fichier. Découpez-le (une convention "
        "par fichier)."
    ]


def test_une_liste_d_une_ligne_de_trop_est_refusee():
    lignes = [["convention", "montant"]] + [["x", "1"]] * (formats_des_listes.LIGNES_MAX + 1)
    with pytest.raises(formats_des_listes.FichierRefuse) as refus:
        formats_des_listes.Csv().create_dataset(televersements.liste_csv(lignes))
    assert refus.value.erreurs == [
        "Plus de 500 lignes sous l'en-tête : découpez le fichier (un territoire ou une année à "
        "la fois)."
    ]
    lignes = [["convention", "montant"]] + [["x", "1"]] * formats_des_listes.LIGNES_MAX
    assert len(formats_des_listes.Csv().create_dataset(televersements.liste_csv(lignes))) == 500


def test_le_chargeur_yaml_passe_par_libyaml():
    """The speed of the yearly loader depends on it: PyYAML's wheels ship it."""
    assert yaml.__with_libyaml__
    assert fichier._ChargeurSur.__mro__[-2].__name__ == "CParser"


@pytest.mark.parametrize(
    "texte, ou",
    [
        (b"- &a Dijon\n- *a\n", "ligne 1, colonne 3"),
        (b"- &a {nom: Dijon}\n", "ligne 1, colonne 3"),
        (b"- &a [Dijon]\n", "ligne 1, colonne 3"),
        (b"- {nom: Dijon, autre: *a}\n", "ligne 1, colonne 23"),
    ],
    ids=["texte", "objet", "liste", "alias-seul"],
)
def test_libyaml_garde_le_refus_des_ancres_et_des_alias(texte, ou):
    with pytest.raises(FichierInvalide) as refus:
        fichier.lire(texte, "f.yaml")
    assert refus.value.erreurs == [
        f"YAML mal formé, {ou} : ancres et alias (« & », « * ») non acceptés : écrivez chaque "
        "valeur."
    ]
