"""The xlsx sent while it is written (``commun.flux_xlsx``): what a finance officer opens is a
normal workbook (openpyxl and LibreOffice read it), its first bytes leave before the first row
is read, and a download abandoned half-way stops cleanly."""

import io
import os
import shutil
import subprocess
import warnings
from decimal import Decimal
from zipfile import ZipFile

import pytest
from openpyxl import load_workbook

from commun.flux_xlsx import Colonne, feuille_en_flux

COLONNES = [
    Colonne("Territoire", 24),
    Colonne("Année"),
    Colonne("En vigueur"),
    Colonne("Montant (€)", 16, '#,##0.00\\ "€"'),
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
    assert feuille["D2"].number_format == '#,##0.00\\ "€"'
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


def test_une_valeur_imprevue_est_refusee():
    from datetime import date

    with pytest.raises(TypeError, match="date non prévue"):
        _classeur([("x", date(2023, 1, 1), True, 1)])


@pytest.mark.skipif(
    not shutil.which("libreoffice") and not os.environ.get("CI"),
    reason="LibreOffice absent (apt-get install libreoffice-calc-nogui ; .ci/run l'installe)",
)
@pytest.mark.xdist_group("libreoffice")  # one profile: two at once would hand over to each other
def test_libreoffice_ouvre_le_classeur_en_flux(tmp_path):
    chemin = tmp_path / "flux.xlsx"
    chemin.write_bytes(_classeur())
    subprocess.run(
        ["libreoffice", "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76"]
        + ["--outdir", str(tmp_path / "r"), str(chemin)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    texte = (tmp_path / "r" / "flux.csv").read_text(encoding="utf-8")
    lignes = texte.splitlines()
    assert lignes[0] == "Territoire,Année,En vigueur,Montant (€)"
    # A text that looks like a formula is not computed; the amounts are numbers shown in
    # euros (the CSV keeps LibreOffice's display, in its default English locale).
    assert lignes[1:] == [
        'Dijon Métropole,2023,TRUE,"347,000.00 €"',
        "=1+1,2024,FALSE,-12.50 €",
        "  espaces autour  ,,,0.01 €",
        "A & B <c> contrôle,2025,TRUE,7.00 €",
    ]
