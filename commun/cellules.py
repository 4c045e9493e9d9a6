"""What a downloaded cell may hold, whoever writes it (CSV, openpyxl, XlsxWriter, the streamed
xlsx): the kind of its column, and one way to clean a text.

A column says its kind once (``Genre``): euros, percent, count, decimal number, year, date or
text. The kind,
not the Python type of the value, chooses the xlsx number format and the CSV rendering, so a
percent stored as a ``Decimal`` is not shown in euros. A percent is given in points (−20 for
−20 %), as the pages compute it.

A text is cleaned as XlsxWriter would have it (``texte_propre``): characters XML 1.0 cannot hold
(C0 controls other than tab, newline and carriage return, U+FFFE, U+FFFF, lone surrogates) are
dropped, and a text longer than Excel's 32 767 characters is cut and ends with « … ». A writer
that writes the sheet's XML itself also escapes a literal ``_xHHHH_`` (``echappe_xml``), which
Excel would otherwise read as one character. Data never becomes a formula: xlsx writers write
texts as text cells, and CSV quotes a text a spreadsheet would run (``texte_csv``).
"""

import math
import re
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

LIMITE_EXCEL = 32767
FORMULE = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAUX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ECHAPPEMENT = re.compile("(_x[0-9a-fA-F]{4}_)")
_ORIGINE_EXCEL = date(1899, 12, 30)


class Genre(Enum):
    """A column's kind, with its xlsx number format (``None``: Excel's « Standard »)."""

    EUROS = '#,##0.00\\ "€";-#,##0.00\\ "€"'
    POURCENT = "0.00%"
    NOMBRE = "#,##0"
    DECIMAL = "#,##0.00"  # a number with its unit elsewhere (an indicator's value)
    ANNEE = "General"
    DATE = "dd/mm/yyyy"
    TEXTE = "@"

    @property
    def format_xlsx(self) -> str | None:
        return None if self in (Genre.TEXTE, Genre.ANNEE) else self.value

    @property
    def numerique(self) -> bool:
        return self in (Genre.EUROS, Genre.POURCENT, Genre.NOMBRE, Genre.DECIMAL, Genre.ANNEE)


def genre_de(valeur) -> Genre:
    """The kind a value gets when its column does not say one: a ``Decimal`` is euros (every
    amount of the application is), an integer a count, a date a date, anything else text."""
    if isinstance(valeur, Decimal):
        return Genre.EUROS
    if isinstance(valeur, int) and not isinstance(valeur, bool):
        return Genre.NOMBRE
    if isinstance(valeur, date):
        return Genre.DATE
    return Genre.TEXTE


class ValeurRefusee(ValueError):
    """A value no cell can hold; the message is French, for the user."""


def verifier(valeur, genre: Genre, colonne: str = ""):
    """``valeur`` if a cell of kind ``genre`` can hold it, else ``ValeurRefusee``: a number that
    is not finite (NaN, infinity), or a type the kind does not know."""
    if valeur is None or isinstance(valeur, str):
        return valeur
    if genre.numerique:
        attendu = isinstance(valeur, int | float | Decimal) and not isinstance(valeur, bool)
        nature = "un nombre"
    elif genre is Genre.DATE:
        attendu, nature = isinstance(valeur, date), "une date"
    else:
        attendu, nature = isinstance(valeur, bool | int | float | Decimal | date), "écrite"
    ou = f" (colonne « {colonne} »)" if colonne else ""
    if not attendu:
        nom = type(valeur).__name__
        if nature == "écrite":
            raise ValeurRefusee(f"Une valeur de type {nom} ne peut pas être écrite{ou}.")
        raise ValeurRefusee(f"Une valeur de type {nom} n'est pas {nature}{ou}.")
    if isinstance(valeur, float | Decimal) and not _fini(valeur):
        raise ValeurRefusee(f"Le nombre « {valeur} » n'est pas fini{ou} : il ne peut être écrit.")
    return valeur


def _fini(nombre) -> bool:
    return nombre.is_finite() if isinstance(nombre, Decimal) else math.isfinite(nombre)


def texte_propre(valeur: str) -> str:
    """``valeur`` without the characters XML cannot hold, cut to what a cell holds."""
    valeur = _ILLEGAUX.sub("", valeur)
    if len(valeur) > LIMITE_EXCEL:
        valeur = valeur[: LIMITE_EXCEL - 1] + "…"
    return valeur


def echappe_xml(valeur: str) -> str:
    """A literal ``_x0041_`` kept as written (``_x005F_x0041_``), as XlsxWriter does."""
    return _ECHAPPEMENT.sub(r"_x005F\1", valeur)


def nombre_xlsx(valeur, genre: Genre):
    """The number an xlsx cell holds: a percent in points becomes a fraction (−20 → −0,2,
    shown « -20,00 % » by the format), a date Excel's serial number of days."""
    if genre is Genre.POURCENT:
        return Decimal(valeur) / 100
    if isinstance(valeur, datetime):
        ecart = valeur.replace(tzinfo=None) - datetime.combine(_ORIGINE_EXCEL, datetime.min.time())
        return ecart.days + Decimal(ecart.seconds) / 86400
    if isinstance(valeur, date):
        return (valeur - _ORIGINE_EXCEL).days
    return valeur


def texte_csv(valeur: str) -> str:
    """For CSV: a text a spreadsheet would run as a formula gets the quote prefix, the only
    way a CSV has to say « this is text »."""
    valeur = texte_propre(valeur)
    return "'" + valeur if valeur.startswith(FORMULE) else valeur


def valeur_csv(valeur, genre: Genre | None = None) -> str:
    """A cell of a CSV for a French Excel: numbers with a decimal comma, euros and percents
    with two decimals (the header says the unit), dates as « 31/12/2023 »."""
    if valeur is None:
        return ""
    if isinstance(valeur, str):
        return texte_csv(valeur)
    genre = genre or genre_de(valeur)
    verifier(valeur, genre)
    if genre in (Genre.EUROS, Genre.POURCENT, Genre.DECIMAL):
        return f"{Decimal(valeur):.2f}".replace(".", ",")
    if isinstance(valeur, date):
        return valeur.strftime("%d/%m/%Y")
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    return str(valeur).replace(".", ",")
