"""Download a page's table as CSV (for a French Excel) or xlsx."""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

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


def _cellule_xlsx(feuille, valeur):
    if isinstance(valeur, Decimal):
        cellule = WriteOnlyCell(feuille, value=valeur)
        cellule.number_format = FORMAT_EUROS
        return cellule
    return texte_xlsx(feuille, valeur)


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


FORMAT_EUROS = '#,##0.00\\ "€";-#,##0.00\\ "€"'
GRAS = Font(bold=True)


def reponse_xlsx(nom: str, entetes: list[str], lignes: list[list]) -> HttpResponse:
    """A sheet a finance officer can work with: bold frozen header, columns as wide as their
    content, amounts as numbers in euros, years and counts as numbers."""
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet(nom[:31])
    largeurs = [len(str(e)) for e in entetes]
    for ligne in lignes:
        for rang, valeur in enumerate(ligne[: len(largeurs)]):
            texte = f"{valeur:,.2f} €" if isinstance(valeur, Decimal) else str(valeur or "")
            largeurs[rang] = max(largeurs[rang], min(len(texte), 60))
    for rang, largeur in enumerate(largeurs, start=1):
        feuille.column_dimensions[get_column_letter(rang)].width = largeur + 2
    feuille.freeze_panes = "A2"
    entete = []
    for titre in entetes:
        cellule = WriteOnlyCell(feuille, value=ILLEGAL_CHARACTERS_RE.sub("", str(titre)))
        cellule.data_type = "s"
        cellule.font = GRAS
        entete.append(cellule)
    feuille.append(entete)
    for ligne in lignes:
        feuille.append([_cellule_xlsx(feuille, v) for v in ligne])
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
