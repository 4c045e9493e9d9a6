"""Download a page's table as CSV (for a French Excel) or xlsx.

Each column's kind (``commun.cellules.Genre``) is declared by the view, or taken from the
first value the column holds: the kind chooses the number format, not the Python type, so a
percent column is not shown in euros. Every value is checked before anything is written."""

import csv
import io

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from commun.cellules import (
    FORMULE,
    Genre,
    echappe_xml,
    genre_de,
    nombre_xlsx,
    texte_csv,
    texte_propre,
    valeur_csv,
    verifier,
)

__all__ = ["FORMULE", "GRAS", "cellule_xlsx", "reponse_csv", "reponse_export", "reponse_xlsx"]

GRAS = Font(bold=True)


def _genres(entetes, lignes, genres) -> list[Genre]:
    """The declared kinds, or each column's first value's."""
    if genres is not None:
        return list(genres)
    deduits = []
    for rang in range(len(entetes)):
        valeurs = (ligne[rang] for ligne in lignes if rang < len(ligne))
        premiere = next((v for v in valeurs if v not in (None, "")), None)
        deduits.append(genre_de(premiere))
    return deduits


def _verifier(entetes, lignes, genres) -> None:
    for ligne in lignes:
        for titre, valeur, genre in zip(entetes, ligne, genres, strict=False):
            verifier(valeur, genre, str(titre))


def cellule_xlsx(feuille, valeur, genre: Genre | None = None):
    """An openpyxl write-only cell: a text is a text cell (data type ``s``), never a formula and
    without a visible quote; a number carries its column's format."""
    if valeur is None:
        return None
    if isinstance(valeur, str):
        # openpyxl writes « _x0041_ » as it is, which Excel reads « A »: escaped here.
        cellule = WriteOnlyCell(feuille, value=echappe_xml(texte_propre(valeur)))
        cellule.data_type = "s"
        return cellule
    genre = genre or genre_de(valeur)
    if isinstance(valeur, bool):
        return valeur
    cellule = WriteOnlyCell(feuille, value=nombre_xlsx(valeur, genre))
    if genre.format_xlsx:
        cellule.number_format = genre.format_xlsx
    return cellule


def reponse_csv(nom: str, entetes: list[str], lignes: list[list], genres=None) -> HttpResponse:
    """Semicolon-separated, UTF-8 with BOM, decimal comma: opens as is in a French Excel."""
    genres = _genres(entetes, lignes, genres)
    _verifier(entetes, lignes, genres)
    tampon = io.StringIO()
    tampon.write("\ufeff")
    ecrivain = csv.writer(tampon, delimiter=";")
    ecrivain.writerow([texte_csv(str(v)) for v in entetes])
    for ligne in lignes:
        ecrivain.writerow([valeur_csv(v, g) for v, g in zip(ligne, genres, strict=False)])
    reponse = HttpResponse(tampon.getvalue(), content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.csv"'
    return reponse


def _largeur(valeur, genre: Genre) -> int:
    if isinstance(valeur, str) or valeur is None:
        return len(valeur or "")
    if genre is Genre.EUROS:
        return len(f"{valeur:,.2f} €")
    return len(valeur_csv(valeur, genre)) + (2 if genre is Genre.POURCENT else 0)


def reponse_xlsx(nom: str, entetes: list[str], lignes: list[list], genres=None) -> HttpResponse:
    """A sheet a finance officer can work with: bold frozen header, columns as wide as their
    content, amounts in euros, percents in percent, years and counts as numbers."""
    genres = _genres(entetes, lignes, genres)
    _verifier(entetes, lignes, genres)
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet(texte_propre(nom)[:31])
    largeurs = [len(str(e)) for e in entetes]
    for ligne in lignes:
        for rang, (valeur, genre) in enumerate(zip(ligne[: len(largeurs)], genres, strict=False)):
            largeurs[rang] = max(largeurs[rang], min(_largeur(valeur, genre), 60))
    for rang, largeur in enumerate(largeurs, start=1):
        feuille.column_dimensions[get_column_letter(rang)].width = largeur + 2
    feuille.freeze_panes = "A2"
    entete = []
    for titre in entetes:
        cellule = cellule_xlsx(feuille, str(titre))
        cellule.font = GRAS
        entete.append(cellule)
    feuille.append(entete)
    for ligne in lignes:
        feuille.append([cellule_xlsx(feuille, v, g) for v, g in zip(ligne, genres, strict=False)])
    tampon = io.BytesIO()
    classeur.save(tampon)
    reponse = HttpResponse(
        tampon.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.xlsx"'
    return reponse


def reponse_export(format_: str, nom: str, entetes: list[str], lignes: list[list], genres=None):
    """``genres``: each column's kind (``commun.cellules.Genre``); by default, its values'."""
    if format_ == "xlsx":
        return reponse_xlsx(nom, entetes, lignes, genres)
    return reponse_csv(nom, entetes, lignes, genres)
