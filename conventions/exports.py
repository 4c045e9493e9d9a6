"""Download a page's table as CSV (for a French Excel) or xlsx."""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook

FORMULE = ("=", "+", "-", "@", "\t", "\r")


def cellule_texte(valeur):
    """Neutralise a text that a spreadsheet would run as a formula (formula injection)."""
    if isinstance(valeur, str) and valeur.startswith(FORMULE):
        return "'" + valeur
    return valeur


def reponse_csv(nom: str, entetes: list[str], lignes: list[list]) -> HttpResponse:
    """Semicolon-separated, UTF-8 with BOM, decimal comma: opens as is in a French Excel."""
    tampon = io.StringIO()
    tampon.write("\ufeff")
    ecrivain = csv.writer(tampon, delimiter=";")
    ecrivain.writerow(entetes)
    for ligne in lignes:
        ecrivain.writerow(
            [
                str(v).replace(".", ",") if isinstance(v, Decimal) else cellule_texte(v)
                for v in ligne
            ]
        )
    reponse = HttpResponse(tampon.getvalue(), content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.csv"'
    return reponse


def reponse_xlsx(nom: str, entetes: list[str], lignes: list[list]) -> HttpResponse:
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet(nom[:31])
    feuille.append(entetes)
    for ligne in lignes:
        feuille.append([cellule_texte(v) for v in ligne])  # Decimal stays Decimal
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
