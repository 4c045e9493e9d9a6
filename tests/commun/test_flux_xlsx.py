"""The xlsx sent while it is written (``commun.flux_xlsx``): what a finance officer opens is a
normal workbook (openpyxl, calamine and LibreOffice read it), its first rows are checked against
the columns' kinds before its first byte leaves, and a download abandoned half-way stops
cleanly."""

import io
import os
import shutil
import subprocess
import warnings
from datetime import date, datetime
from decimal import Decimal
from zipfile import ZipFile

import pytest
from openpyxl import load_workbook

from commun.cellules import Genre, ValeurRefusee
from commun.flux_xlsx import Colonne, feuille_en_flux

COLONNES = [
    Colonne("Territoire", 24),
    Colonne("Année"),
    Colonne("En vigueur"),
    Colonne("Montant (€)", 16, Genre.EUROS),
]
RANGEES = [
    ("Dijon Métropole", 2023, True, Decimal("347000.00")),
    ("=1+1", 2024, False, Decimal("-12.5")),
    ("  espaces autour  ", None, None, Decimal("0.01")),
    ("A & B <c> \x01contrôle", 2025, True, 7),
]


def _classeur(rangees=RANGEES, **options) -> bytes:
    return b"".join(feuille_en_flux("Engagements", COLONNES, iter(rangees), **options))


def test_le_classeur_se_relit_comme_il_a_ete_ecrit():
    classeur = load_workbook(io.BytesIO(_classeur()))
    feuille = classeur["Engagements"]
    assert [c.value for c in feuille[1]] == ["Territoire", "Année", "En vigueur", "Montant (€)"]
    assert all(c.font.b for c in feuille[1])
    assert feuille.freeze_panes == "A2"
    assert feuille.column_dimensions["A"].width == 24
    assert feuille.column_dimensions["D"].width == 16
    lignes = [[c.value for c in rangee] for rangee in feuille.iter_rows(min_row=2)]
    assert lignes == [
        ["Dijon Métropole", 2023, True, 347000],
        ["=1+1", 2024, False, -12.5],
        ["  espaces autour  ", None, None, 0.01],
        ["A & B <c> contrôle", 2025, True, 7],
    ]
    # A text that looks like a formula stays a text; the amounts are numbers in euros.
    assert feuille["A3"].data_type == "s"
    assert feuille["D2"].number_format == Genre.EUROS.format_xlsx
    assert feuille["D2"].data_type == "n"


def test_une_feuille_vide_n_a_que_ses_en_tetes():
    feuille = load_workbook(io.BytesIO(_classeur([])), read_only=True).worksheets[0]
    assert list(feuille.iter_rows(values_only=True)) == [
        ("Territoire", "Année", "En vigueur", "Montant (€)")
    ]


def test_les_premiers_octets_partent_apres_le_premier_morceau_verifie():
    """The first thousand rows are read and checked when the download is built, in the view,
    before the response starts; the others as the bytes go."""
    lues = []

    def rangees():
        for numero in range(2500):
            lues.append(numero)
            yield ("Territoire", numero, True, Decimal(numero))

    flux = feuille_en_flux("Engagements", COLONNES, rangees(), par_morceau=1000)
    assert len(lues) == 1000
    premier = next(flux)
    assert premier.startswith(b"PK\x03\x04") and len(lues) == 1000
    morceaux = [premier, *flux]
    assert len(morceaux) >= 3 and all(morceaux)
    assert len(lues) == 2500
    feuille = load_workbook(io.BytesIO(b"".join(morceaux)), read_only=True).worksheets[0]
    assert sum(1 for _ in feuille.iter_rows()) == 2501


@pytest.mark.parametrize(
    ("rangee", "message"),
    [
        (
            ("Dijon", 2023, True, float("nan")),
            "Le nombre « nan » n'est pas fini (colonne « Montant (€) »)",
        ),
        (("Dijon", 2023, True, Decimal("Infinity")), "n'est pas fini (colonne « Montant (€) »)"),
        (
            ("Dijon", 2023, True, date(2023, 1, 1)),
            "Une valeur de type date n'est pas un nombre (colonne « Montant (€) »)",
        ),
        (("Dijon", 2023, True, Decimal(1), "de trop"), "La ligne 3 a 5 valeurs pour 4 colonnes."),
        (
            ("Dijon", 2023, object(), Decimal(1)),
            "Une valeur de type object ne peut pas être écrite (colonne « En vigueur »)",
        ),
    ],
)
def test_un_telechargement_mal_declare_echoue_avant_le_premier_octet(rangee, message):
    """A value its column's declared kind cannot hold, in the first thousand rows, fails when
    the download is built: no byte has left, the rows' source is closed."""
    fermee = []

    def rangees():
        try:
            yield ("Dijon Métropole", 2023, True, Decimal("347000"))
            yield rangee
        finally:
            fermee.append(True)

    source = rangees()
    with pytest.raises(ValeurRefusee) as refus:
        feuille_en_flux("Engagements", COLONNES, source)
    assert message in str(refus.value)
    assert fermee == [True]


def test_un_nombre_non_fini_apres_le_premier_morceau_laisse_une_cellule_vide(caplog):
    """After the first rows, checked, nothing may fail: a NaN (which the database cannot
    hold) is an empty cell, logged."""
    rangees = [("Dijon", 2023, True, Decimal(1)), ("Dijon", 2024, True, float("nan"))]
    contenu = b"".join(feuille_en_flux("Engagements", COLONNES, iter(rangees), par_morceau=1))
    feuille = load_workbook(io.BytesIO(contenu)).active
    assert feuille["D2"].value == 1 and feuille["D3"].value is None
    assert "Cellule D3 : nombre non fini (nan) laissé vide." in caplog.text


def test_un_telechargement_abandonne_s_arrete_proprement():
    fermee = []

    def rangees():
        try:
            for numero in range(5000):
                yield ("Territoire", numero, True, Decimal(numero))
        finally:
            fermee.append(True)  # a database cursor would be closed here

    flux = feuille_en_flux("Engagements", COLONNES, rangees(), par_morceau=100)
    next(flux), next(flux)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        flux.close()  # what Django does when the browser goes away
    assert fermee == [True]


def test_le_zip_est_lisible_sans_retour_en_arriere():
    """Written to a stream that cannot seek: each entry's sizes follow its data, and the
    central directory lists every part of the package."""
    archive = ZipFile(io.BytesIO(_classeur()))
    assert archive.testzip() is None
    assert {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
    } <= set(archive.namelist())


# Each of these once made a file Excel or openpyxl could not open, or broke the download after
# its first bytes had left: U+FFFE, a lone surrogate, a date, a NaN (« <v>nan</v> »); a literal
# « _x0041_ » was shown « A »; 40 000 characters are more than a cell holds.
TEXTE_PIEGE = "a\ufffeb _x0041_ c\ud800d \x01e" + "x" * 40_000
COLONNES_PIEGES = [
    Colonne("Texte"),
    Colonne("Date", genre=Genre.DATE),
    Colonne("Écart (%)", genre=Genre.POURCENT),
    Colonne("Montant (€)", genre=Genre.EUROS),
]
RANGEES_PIEGES = [
    (TEXTE_PIEGE, date(2023, 12, 31), Decimal("-20.0"), Decimal("12.5")),
    ("=1+1", datetime(2024, 1, 2, 12), None, float("nan")),
]


def _classeur_piege() -> bytes:
    """The NaN comes after the first rows, which are checked (``par_morceau=1``)."""
    return b"".join(feuille_en_flux("Pièges", COLONNES_PIEGES, iter(RANGEES_PIEGES), par_morceau=1))


def test_tout_ce_qui_rendait_le_classeur_illisible_est_nettoye():
    feuille = load_workbook(io.BytesIO(_classeur_piege())).active
    texte = feuille["A2"].value
    # openpyxl shows the escape as written; Excel, calamine and LibreOffice read « _x0041_ ».
    assert texte.startswith("ab _x005F_x0041_ cd exxx") and texte.endswith("x…")
    assert feuille["B2"].value == datetime(2023, 12, 31)
    assert feuille["B2"].number_format == "dd/mm/yyyy"
    assert feuille["B3"].value == datetime(2024, 1, 2, 12)
    # A percent is a fraction shown in percent, not « -20,00 € ».
    assert feuille["C2"].value == -0.2 and feuille["C2"].number_format == "0.00%"
    # A number no cell can hold (NaN, infinity) is left empty rather than cutting the file.
    assert feuille["D2"].value == 12.5 and feuille["D3"].value is None
    assert feuille["A3"].value == "=1+1" and feuille["A3"].data_type == "s"


def test_calamine_relit_le_texte_tel_qu_il_a_ete_ecrit():
    from python_calamine import CalamineWorkbook

    lignes = CalamineWorkbook.from_filelike(io.BytesIO(_classeur_piege())).get_sheet_by_index(0)
    lignes = lignes.to_python()
    texte = lignes[1][0]
    assert texte.startswith("ab _x0041_ cd exxx") and texte.endswith("x…")
    assert len(texte) == 32_767  # Excel's limit for a cell
    assert lignes[1][1:3] == [date(2023, 12, 31), -0.2]
    assert lignes[2][0] == "=1+1"


SANS_LIBREOFFICE = pytest.mark.skipif(
    not shutil.which("libreoffice") and not os.environ.get("CI"),
    reason="LibreOffice absent (apt-get install libreoffice-calc-nogui ; .ci/run l'installe)",
)


def _lu_par_libreoffice(tmp_path, contenu: bytes) -> list[str]:
    """The lines of the CSV LibreOffice makes of ``contenu`` (its display, English locale)."""
    chemin = tmp_path / "flux.xlsx"
    chemin.write_bytes(contenu)
    subprocess.run(
        ["libreoffice", "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76"]
        + ["--outdir", str(tmp_path / "r"), str(chemin)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (tmp_path / "r" / "flux.csv").read_text(encoding="utf-8").splitlines()


@SANS_LIBREOFFICE
@pytest.mark.xdist_group("libreoffice")  # one profile: two at once would hand over to each other
def test_libreoffice_ouvre_le_classeur_en_flux(tmp_path):
    lignes = _lu_par_libreoffice(tmp_path, _classeur())
    assert lignes[0] == "Territoire,Année,En vigueur,Montant (€)"
    # A text that looks like a formula is not computed; the amounts are numbers shown in
    # euros (the CSV keeps LibreOffice's display, in its default English locale).
    assert lignes[1:] == [
        'Dijon Métropole,2023,TRUE,"347,000.00 €"',
        "=1+1,2024,FALSE,-12.50 €",
        "  espaces autour  ,,,0.01 €",
        "A & B <c> contrôle,2025,TRUE,7.00 €",
    ]


@SANS_LIBREOFFICE
@pytest.mark.xdist_group("libreoffice")
def test_libreoffice_ouvre_le_classeur_aux_pieges(tmp_path):
    lignes = _lu_par_libreoffice(tmp_path, _classeur_piege())
    assert lignes[0] == "Texte,Date,Écart (%),Montant (€)"
    texte, reste = lignes[1].rsplit("…", 1)
    assert texte.startswith("ab _x0041_ cd exxx") and len(texte) == 32_766
    assert reste == ",31/12/2023,-20.00%,12.50 €"  # the date format is the column's
    assert lignes[2].startswith("=1+1,") and lignes[2].endswith(",")  # the NaN left empty


# --- No number that is not finite comes from the database ---------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("valeur", ["NaN", "-12", "1000000000000"])
def test_la_base_refuse_un_montant_non_fini(documents, valeur):
    """PostgreSQL's numeric holds « NaN » (which compares above every number, so « >= 0 »
    let it in); every amount column's check refuses it, as a negative or too large one."""
    from django.db import DataError, IntegrityError, connection, transaction

    from bilans.models import Mesure
    from conventions.models import Engagement

    if connection.vendor == "sqlite" and valeur == "NaN":
        pytest.skip("SQLite ne stocke pas de NaN dans une colonne décimale")
    # In SQL: Django's DecimalField refuses a NaN itself, a raw query or another client not.
    for modele, champ in ((Engagement, "montant"), (Mesure, "valeur")):
        table, pk = modele._meta.db_table, modele.objects.first().pk
        with (
            pytest.raises((IntegrityError, DataError)),
            transaction.atomic(),
            connection.cursor() as curseur,
        ):
            curseur.execute(f"UPDATE {table} SET {champ} = %s WHERE id = %s", [valeur, pk])


@pytest.mark.django_db
def test_un_telechargement_de_lignes_mal_declare_est_une_erreur_avant_le_flux(
    documents, monkeypatch
):
    """The engagement lines' download, its amount column declared a date: the view fails (the
    server's error page, logged), instead of sending a workbook cut after its first bytes."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from comptes import roles
    from conventions.models import Territoire
    from fichiers.classeurs import lignes

    roles.creer_compte(
        "finances",
        mot_de_passe="mot-de-passe-test",
        role=roles.FINANCES,
        territoires=Territoire.objects.all(),
    )
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username="finances"))
    url = reverse("conventions:lignes_d_engagement")
    bonne = client.get(url)
    assert bonne.status_code == 200 and bonne.streaming
    feuille = load_workbook(io.BytesIO(b"".join(bonne.streaming_content))).active
    assert feuille.max_row > 100 and feuille["K2"].number_format == Genre.EUROS.value
    faux = [*lignes.COLONNES[:-1], Colonne("Montant (€)", 16, Genre.DATE)]
    monkeypatch.setattr(lignes, "COLONNES", faux)
    reponse = client.get(url)
    assert reponse.status_code == 500 and not reponse.streaming
