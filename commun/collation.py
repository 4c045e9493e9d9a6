"""French alphabetical order in the database: « Département » before « Dijon », « École »
among the E, capitals with the small letters.

Byte order put « Dijon » before « Département » (« i » < « é ») and every capital before every
small letter. One collation named ``fr`` does it on both databases, so that one expression,
``en_francais("convention__territoire__nom")``, sorts the same everywhere:

- on PostgreSQL, an ICU collation created by the migration ``conventions/0007`` (accents and
  case count only when the letters are the same);
- on SQLite, a Python comparison registered on each new connection (``enregistrer``, called
  from ``commun.apps``) that compares the texts without accents nor case first, then with.
"""

import unicodedata

from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Collate

FRANCAIS = "fr"
# Letters that the decomposition does not split but that French sorts as two.
LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})


def cle_francaise(texte: str) -> tuple[str, str, str]:
    """The sort key: the letters without accents nor case, then without case, then the text."""
    decompose = unicodedata.normalize("NFKD", texte.translate(LIGATURES))
    lettres = "".join(c for c in decompose if not unicodedata.combining(c))
    return (lettres.casefold(), decompose.casefold(), texte)


def comparer(a: str, b: str) -> int:
    """SQLite's collation callback: negative, zero or positive, as ``a`` sorts before ``b``."""
    cle_a, cle_b = cle_francaise(a), cle_francaise(b)
    return (cle_a > cle_b) - (cle_a < cle_b)


def enregistrer(sender, connection, **kwargs):
    """``connection_created`` receiver: SQLite learns the ``fr`` collation."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(FRANCAIS, comparer)


def en_francais(expression) -> Collate:
    """``expression`` (a field path or an expression) compared in French order."""
    return Collate(F(expression) if isinstance(expression, str) else expression, FRANCAIS)


def libelle_en_francais(champ: str, choix) -> Collate:
    """A choices field sorted by what the page shows (« contrat de ville »), not by its stored
    code (« contrat_de_ville »)."""
    return en_francais(
        Case(
            *(When(**{champ: code}, then=Value(str(libelle))) for code, libelle in choix),
            default=F(champ),
            output_field=CharField(),
        )
    )
