"""An xlsx of one sheet sent while it is written: the first bytes leave at once, the rows follow
as the database yields them, and memory stays flat whatever the number of rows.

openpyxl's ``write_only`` mode writes the sheet to a temporary file and zips it when the
workbook is saved, so nothing can be sent before the last row; and it builds an object and an
lxml element per cell, which is most of a national export's time. Here openpyxl still writes
everything around the rows (the sheet's columns and frozen header, styles, workbook, content
types: ``_EcrivainDuReste``), but the rows, whose shape is known (texts, numbers, one format
per column), are written as XML text straight into the zip entry, and the zip goes to a pipe
emptied between rows. A zip written to a stream that cannot seek carries each entry's sizes
after its data (a « data descriptor », as Java's and most streaming zip writers do), which Excel
and LibreOffice read. Texts are inline strings (``t="inlineStr"``, as openpyxl writes them
too): never formulas, so a text starting with « = » needs no quote.

Nothing may fail once the first bytes have left (the user would get a cut file). So the first
``RANGEES_PAR_MORCEAU`` rows are read, and each of their values checked against its column's
declared kind (``commun.cellules.verifier``: a number in a number column, a date in a date
column, nothing a cell cannot hold, no number that is not finite), before the first byte is
sent: a download declared wrong fails in the view, with the server's error page, rather than
as a truncated file. The first bytes therefore leave once the first thousand rows are read (a
fraction of a second), not before the database has answered. The later rows are written
without a check, and every value is writable by construction: a text is cleaned
(``commun.cellules.texte_propre``: characters XML cannot hold dropped, cut at 32 767
characters, a literal ``_xHHHH_`` escaped), a date is Excel's serial number with a date format,
a percent a fraction with a percent format, any other object its text. A number that is not
finite (NaN, infinity), which no cell can hold, becomes an empty cell and is logged; none comes
from the database, whose amount columns refuse « NaN » (``conventions.models.communs``).

This leans on two openpyxl internals (``WorksheetWriter(ws, out=…)`` and
``ExcelWriter.write_worksheet``): openpyxl is pinned, and ``tests/commun/test_flux_xlsx.py``
reads the result back with openpyxl and with LibreOffice when it is installed.
"""

import logging
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from itertools import chain, islice
from xml.sax.saxutils import escape
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

from commun.cellules import (
    Genre,
    ValeurRefusee,
    echappe_xml,
    nombre_xlsx,
    texte_propre,
    verifier,
)

journal = logging.getLogger(__name__)

TYPE_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows between two hand-overs to the server: about 100 kB of XML, a few tens once compressed.
RANGEES_PAR_MORCEAU = 1000
_DONNEES_VIDES = re.compile(rb"<sheetData\s*/>|<sheetData>\s*</sheetData>")


@dataclass(frozen=True)
class Colonne:
    titre: str
    largeur: float | None = None
    genre: Genre = Genre.TEXTE  # its numbers' format; a text column keeps Excel's « Standard »


class _Tuyau:
    """Where the zip writes: pieces of bytes taken away each time the response asks. Neither
    ``seek`` nor ``tell``: zipfile then streams (data descriptors) instead of going back."""

    def __init__(self):
        self._morceaux: list[bytes] = []

    def write(self, octets) -> int:
        self._morceaux.append(bytes(octets))
        return len(octets)

    def flush(self):
        pass

    def vider(self) -> bytes:
        octets = b"".join(self._morceaux)
        self._morceaux.clear()
        return octets


class _EcrivainDuReste(ExcelWriter):
    """openpyxl's package writer, except that the sheet is already in the archive."""

    def write_worksheet(self, ws):
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        ws._rels = ws._writer._rels
        self.manifest.append(ws)


@lru_cache(maxsize=4096)
def _texte(valeur: str) -> str:
    """A text cell's content, cleaned as every download's (``commun.cellules``), the edge
    spaces kept. The same territoires, actions and financeurs come back on every line: each
    is escaped once."""
    valeur = escape(echappe_xml(texte_propre(valeur)))
    if valeur != valeur.strip():
        return f'<is><t xml:space="preserve">{valeur}</t></is>'
    return f"<is><t>{valeur}</t></is>"


def _cellule(reference: str, valeur, genre: Genre, style: str, style_date: str) -> str:
    """A cell's XML, whatever ``valeur`` is (see the module's docstring): never an exception."""
    if isinstance(valeur, str):
        return f'<c r="{reference}" t="inlineStr">{_texte(valeur)}</c>'
    if isinstance(valeur, bool):
        return f'<c r="{reference}"{style} t="b"><v>{int(valeur)}</v></c>'
    if isinstance(valeur, date):
        style = style if genre is Genre.DATE else style_date
        return f'<c r="{reference}"{style} t="n"><v>{nombre_xlsx(valeur, genre)}</v></c>'
    if isinstance(valeur, int | Decimal | float):
        fini = valeur.is_finite() if isinstance(valeur, Decimal) else math.isfinite(valeur)
        if not fini:
            journal.warning("Cellule %s : nombre non fini (%s) laissé vide.", reference, valeur)
            return ""
        return f'<c r="{reference}"{style} t="n"><v>{nombre_xlsx(valeur, genre)}</v></c>'
    return f'<c r="{reference}" t="inlineStr">{_texte(str(valeur))}</c>'


def _cadre(feuille, colonnes: Sequence[Colonne]) -> tuple[bytes, bytes]:
    """What openpyxl writes before and after the rows of ``feuille`` (columns, frozen
    header, page set-up), split where the rows go."""
    for rang, colonne in enumerate(colonnes, 1):
        if colonne.largeur:
            feuille.column_dimensions[get_column_letter(rang)].width = colonne.largeur
    feuille.freeze_panes = "A2"
    tampon = BytesIO()
    ecrivain = WorksheetWriter(feuille, out=tampon)
    ecrivain.write_top()
    ecrivain.write_rows()  # none: an empty <sheetData>
    ecrivain.write_tail()
    ecrivain.close()
    feuille._writer = ecrivain
    avant, apres = _DONNEES_VIDES.split(tampon.getvalue())
    return avant + b"<sheetData>", b"</sheetData>" + apres


def feuille_en_flux(
    titre: str,
    colonnes: Sequence[Colonne],
    rangees: Iterable[Sequence],
    *,
    par_morceau: int = RANGEES_PAR_MORCEAU,
) -> Iterator[bytes]:
    """The bytes of an xlsx holding one sheet ``titre``: a bold frozen header of ``colonnes``,
    then ``rangees`` (texts, numbers, dates, booleans, ``None`` for an empty cell), produced as they
    are written. The first ``par_morceau`` rows are read and checked now, when this is called
    (``ValeurRefusee`` before any byte, see the module's docstring); the rest as they are sent."""
    source = iter(rangees)
    premieres = list(islice(source, par_morceau))
    try:
        for rang, rangee in enumerate(premieres, 2):
            if len(rangee) > len(colonnes):
                raise ValeurRefusee(
                    f"La ligne {rang} a {len(rangee)} valeurs pour {len(colonnes)} colonnes."
                )
            for colonne, valeur in zip(colonnes, rangee, strict=False):
                verifier(valeur, colonne.genre, colonne.titre)
    except ValeurRefusee:
        if hasattr(rangees, "close"):
            rangees.close()
        raise
    return _flux(titre, colonnes, chain(premieres, source), rangees, par_morceau)


def _flux(titre, colonnes, rangees, source, par_morceau) -> Iterator[bytes]:
    tuyau = _Tuyau()
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet(titre[:31])
    feuille._id = 1  # its part name, xl/worksheets/sheet1.xml, is needed before the save
    lettres = [get_column_letter(rang) for rang in range(1, len(colonnes) + 1)]
    entete = WriteOnlyCell(feuille)
    entete.font = Font(bold=True)
    style_entete = f' s="{entete.style_id}"'
    styles = []
    for colonne in colonnes:
        style = ""
        if colonne.genre.format_xlsx:
            cellule = WriteOnlyCell(feuille)
            cellule.number_format = colonne.genre.format_xlsx
            style = f' s="{cellule.style_id}"'
        styles.append(style)
    date_seule = WriteOnlyCell(feuille)
    date_seule.number_format = Genre.DATE.format_xlsx
    style_date = f' s="{date_seule.style_id}"'
    genres = [colonne.genre for colonne in colonnes]
    avant, apres = _cadre(feuille, colonnes)
    with ZipFile(tuyau, "w", ZIP_DEFLATED) as archive:
        with archive.open(feuille.path[1:], "w") as entree:
            entree.write(avant)
            cellules = "".join(
                f'<c r="{lettre}1"{style_entete} t="inlineStr">{_texte(colonne.titre)}</c>'
                for lettre, colonne in zip(lettres, colonnes, strict=True)
            )
            entree.write(f'<row r="1">{cellules}</row>'.encode())
            yield tuyau.vider()  # the zip's first bytes and the header row
            morceau = []
            numero = 1
            try:
                for rangee in rangees:
                    numero += 1
                    cellules = "".join(
                        _cellule(f"{lettre}{numero}", valeur, genre, style, style_date)
                        for lettre, valeur, genre, style in zip(
                            lettres, rangee, genres, styles, strict=False
                        )
                        if valeur is not None
                    )
                    morceau.append(f'<row r="{numero}">{cellules}</row>')
                    if len(morceau) == par_morceau:
                        entree.write("".join(morceau).encode())
                        morceau.clear()
                        octets = tuyau.vider()
                        if octets:  # deflate keeps some back; an empty piece ends a chunked body
                            yield octets
            finally:
                # Abandoned by the browser (Django closes this generator): the rows' source
                # (a database cursor) is closed now rather than when collected.
                if hasattr(source, "close"):
                    source.close()
            entree.write("".join(morceau).encode())
            entree.write(apres)
        _EcrivainDuReste(classeur, archive).write_data()
    yield tuyau.vider()
