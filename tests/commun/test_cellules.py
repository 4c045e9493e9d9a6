"""One way to write a cell (``commun.cellules``): the text cleaned as XlsxWriter would, the kind
of the column choosing the format, a value no cell can hold refused with a French message."""

import io
from datetime import date
from decimal import Decimal

import pytest
import xlsxwriter
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from commun.cellules import (
    Genre,
    ValeurRefusee,
    echappe_xml,
    texte_csv,
    texte_propre,
    valeur_csv,
    verifier,
)
from commun.telechargements import reponse_csv, reponse_xlsx


def test_le_texte_perd_ce_que_xml_ne_peut_pas_tenir():
    assert texte_propre("a\x00b\x1fc\ufffed\uffffe\ud800f\tg\nh\ri") == "abcdef\tg\nh\ri"
    coupe = texte_propre("x" * 40_000)
    assert len(coupe) == 32_767 and coupe.endswith("x…")
    assert texte_propre("y" * 32_767) == "y" * 32_767


def test_un_echappement_litteral_est_garde_comme_xlsxwriter_le_garde():
    assert echappe_xml("_x0041_ et _X00e9_ et _x12_") == "_x005F_x0041_ et _X00e9_ et _x12_"
    # XlsxWriter's own writing of the same text, read back by calamine: the same characters.
    tampon = io.BytesIO()
    with xlsxwriter.Workbook(tampon) as classeur:
        classeur.add_worksheet().write_string(0, 0, texte_propre("_x0041_\ufffe"))
    lu = CalamineWorkbook.from_filelike(io.BytesIO(tampon.getvalue())).get_sheet_by_index(0)
    assert lu.to_python()[0][0] == "_x0041_"


def test_le_csv_ne_laisse_passer_aucune_formule():
    for debut in ("=", "+", "-", "@", "\t", "\r"):
        assert texte_csv(f"{debut}1+1") == f"'{debut}1+1"
    assert texte_csv("a=b") == "a=b"


def test_le_genre_choisit_le_rendu_csv():
    assert valeur_csv(Decimal("442932.01"), Genre.EUROS) == "442932,01"
    assert valeur_csv(Decimal("12.5"), Genre.EUROS) == "12,50"
    assert valeur_csv(Decimal("-20.0"), Genre.POURCENT) == "-20,00"
    assert valeur_csv(2023, Genre.ANNEE) == "2023"
    assert valeur_csv(date(2023, 12, 31), Genre.DATE) == "31/12/2023"
    assert valeur_csv(None, Genre.EUROS) == ""


@pytest.mark.parametrize(
    ("valeur", "genre", "message"),
    [
        (float("nan"), Genre.EUROS, r"Le nombre « nan » n'est pas fini \(colonne « Montant »\)"),
        (Decimal("Infinity"), Genre.TEXTE, "n'est pas fini"),
        ("2023", Genre.DATE, None),  # a text is always a text
        (date(2023, 1, 1), Genre.EUROS, "Une valeur de type date n'est pas un nombre"),
        (True, Genre.NOMBRE, "n'est pas un nombre"),
        (object(), Genre.TEXTE, "Une valeur de type object ne peut pas être écrite"),
    ],
)
def test_une_valeur_qu_aucune_cellule_ne_tient_est_refusee(valeur, genre, message):
    if message is None:
        assert verifier(valeur, genre, "Montant") == valeur
        return
    with pytest.raises(ValeurRefusee, match=message):
        verifier(valeur, genre, "Montant")


def test_un_telechargement_refuse_un_nan_avant_d_ecrire():
    for reponse in (reponse_csv, reponse_xlsx):
        with pytest.raises(ValeurRefusee, match="colonne « Écart »"):
            reponse("x", ["Code", "Écart"], [["1.1", Decimal("1")], ["1.2", Decimal("NaN")]])


def test_un_classeur_construit_se_relit_avec_calamine():
    entetes = ["Texte", "Montant", "Écart (%)"]
    lignes = [["_x0041_\ufffe=1", Decimal("12.5"), Decimal("-20.0")]]
    contenu = reponse_xlsx("x", entetes, lignes, [Genre.TEXTE, Genre.EUROS, Genre.POURCENT])
    contenu = contenu.content
    lu = CalamineWorkbook.from_filelike(io.BytesIO(contenu)).get_sheet_by_index(0).to_python()
    assert lu[1] == ["_x0041_=1", 12.5, -0.2]
    feuille = load_workbook(io.BytesIO(contenu)).active
    assert feuille["C2"].number_format == "0.00%" and "€" in feuille["B2"].number_format
