"""The xlsx sent while it is written (``commun.flux_xlsx``): what a finance officer opens is a
normal workbook (openpyxl and LibreOffice read it), its first bytes leave before the first row
is read, and a download abandoned half-way stops cleanly."""

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

from commun.cellules import Genre
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


def test_les_premiers_octets_partent_avant_la_premiere_rangee():
    lues = []

    def rangees():
        for numero in range(2500):
            lues.append(numero)
            yield ("Territoire", numero, True, Decimal(numero))

    flux = feuille_en_flux("Engagements", COLONNES, rangees(), par_morceau=1000)
    premier = next(flux)
    assert premier.startswith(b"PK\x03\x04") and lues == []
    morceaux = [premier, *flux]
    assert len(morceaux) >= 3 and all(morceaux)
    assert len(lues) == 2500
    feuille = load_workbook(io.BytesIO(b"".join(morceaux)), read_only=True).worksheets[0]
    assert sum(1 for _ in feuille.iter_rows()) == 2501


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
    (TEXTE_PIEGE, date(2023, 12, 31), Decimal("-20.0"), float("nan")),
    ("=1+1", datetime(2024, 1, 2, 12), None, Decimal("Infinity")),
]


def _classeur_piege() -> bytes:
    return b"".join(feuille_en_flux("Pièges", COLONNES_PIEGES, iter(RANGEES_PIEGES)))


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
    assert feuille["D2"].value is None and feuille["D3"].value is None
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
    assert reste == ",31/12/2023,-20.00%,"  # the date format is the column's
    assert lignes[2].startswith("=1+1,")
