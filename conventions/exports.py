"""Download a page's table as CSV (for a French Excel) or xlsx."""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULE = ("=", "+", "-", "@", "\t", "\r")


def cellule_texte(valeur):
    """For CSV: neutralise a text that a spreadsheet would run as a formula (formula
    injection), with the quote prefix a CSV has no other way to express."""
    if isinstance(valeur, str) and valeur.startswith(FORMULE):
        return "'" + valeur
    return valeur


def texte_xlsx(feuille, valeur):
    """For xlsx: a text is written as a text cell (data type ``s``), never as a formula, and
    without a visible quote, so that importing it back gives the same characters. Characters
    XML cannot hold (controls) are dropped rather than failing the whole download."""
    if not isinstance(valeur, str):
        return valeur
    valeur = ILLEGAL_CHARACTERS_RE.sub("", valeur)
    if not valeur.startswith("="):
        return valeur  # openpyxl writes any other string as text already
    cellule = WriteOnlyCell(feuille, value=valeur)
    cellule.data_type = "s"
    return cellule


def montant_csv(valeur: Decimal) -> str:
    """« 442932,01 »: two decimals, decimal comma, whatever the database returned."""
    return f"{valeur:.2f}".replace(".", ",")


def reponse_csv(nom: str, entetes: list[str], lignes: list[list]) -> HttpResponse:
    """Semicolon-separated, UTF-8 with BOM, decimal comma: opens as is in a French Excel."""
    tampon = io.StringIO()
    tampon.write("\ufeff")
    ecrivain = csv.writer(tampon, delimiter=";")
    ecrivain.writerow([cellule_texte(v) for v in entetes])
    for ligne in lignes:
        ecrivain.writerow(
            [montant_csv(v) if isinstance(v, Decimal) else cellule_texte(v) for v in ligne]
        )
    reponse = HttpResponse(tampon.getvalue(), content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.csv"'
    return reponse


def reponse_xlsx(nom: str, entetes: list[str], lignes: list[list]) -> HttpResponse:
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet(nom[:31])
    feuille.append([texte_xlsx(feuille, v) for v in entetes])
    for ligne in lignes:
        feuille.append([texte_xlsx(feuille, v) for v in ligne])  # Decimal stays Decimal
    tampon = io.BytesIO()
    classeur.save(tampon)
    reponse = HttpResponse(
        tampon.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.xlsx"'
    return reponse


def reponse_export(format_: str, nom: str, entetes: list[str], lignes: list[list]):
    if format_ == "xlsx":
        return reponse_xlsx(nom, entetes, lignes)
    return reponse_csv(nom, entetes, lignes)
