"""The one reader of amounts typed by people or read from files: « 1 234,50 », « 1234.5 »,
« 347 000 € », or a spreadsheet's own number. Every door (forms, admin, the annex workbook, the
yearly loader, django-import-export) reads through ``lire_montant``, so that the same text gives
the same amount, or the same French refusal, wherever it is typed.

The policy: positive or nil, under 1 000 milliards, at most two decimals (nothing is rounded
behind the user's back); « 1.234 » and « 1,234 » are refused as ambiguous rather than guessed.
"""

import math
import re
from decimal import Decimal, InvalidOperation

from commun.formats import CENTIME, ESPACE_FINE, ESPACE_INSECABLE, PLAFOND

EXEMPLE = "« 1\u00a0234,50 »"
ESPACES = (" ", ESPACE_INSECABLE, ESPACE_FINE, "\t")
AMBIGU = re.compile(r"([1-9]\d{0,2})[.,](\d{3})")
CHIFFRES = re.compile(r"-?\d{1,30}(\.\d+)?")


# The words of the messages, by kind of value (an indicator's value is not always euros); the
# rule itself does not change with the kind.
MOTS = {
    "montant": {"Nom": "Montant", "negatif": "négatif", "grand": "trop grand", "ambigu": "ambigu"},
    "valeur": {"Nom": "Valeur", "negatif": "négative", "grand": "trop grande", "ambigu": "ambiguë"},
}


class MontantRefuse(ValueError):
    """A value that is not an amount; ``str()`` is the French message shown to the user."""


def lire_montant(valeur, *, nature: str = "montant") -> Decimal:
    """The Decimal typed in ``valeur`` (text, int, float or Decimal), or ``MontantRefuse``.

    ``nature`` (« montant » or « valeur » for an indicator) only changes the words of the
    messages: the policy is that of every number the application stores (``DecimalField(14, 2)``).
    """
    mots = MOTS[nature]
    nom = mots["Nom"]
    vu = _vu(valeur)
    if isinstance(valeur, bool):
        raise MontantRefuse(f"{nom} « {vu} » illisible : attendu par exemple {EXEMPLE}.")
    if isinstance(valeur, float):
        if not math.isfinite(valeur):
            raise MontantRefuse(f"{nom} « {vu} » illisible : attendu par exemple {EXEMPLE}.")
        lu = Decimal(repr(valeur))  # openpyxl and YAML give 100000.5 as a float: its text is exact
    elif isinstance(valeur, int | Decimal):
        lu = Decimal(valeur)
        if not lu.is_finite():
            raise MontantRefuse(f"{nom} « {vu} » illisible : attendu par exemple {EXEMPLE}.")
    else:
        lu = _lire_texte(str(valeur), mots)
    if lu < 0:
        raise MontantRefuse(f"{nom} « {vu} » {mots['negatif']} : positif ou nul attendu.")
    if lu >= PLAFOND:
        raise MontantRefuse(f"{nom} « {vu} » {mots['grand']} : moins de 1 000 milliards attendu.")
    if lu != lu.quantize(CENTIME):
        raise MontantRefuse(
            f"{nom} « {vu} » au-delà du centime : deux décimales au plus (rien n'est arrondi "
            "sans vous)."
        )
    return lu.quantize(CENTIME)


def _vu(valeur) -> str:
    """The value as the user wrote it, for the message."""
    if isinstance(valeur, float) and math.isfinite(valeur):
        return repr(valeur)
    return str(valeur).strip()


def _lire_texte(texte: str, mots: dict) -> Decimal:
    nom = mots["Nom"]
    nettoye = texte.strip().removesuffix("€").strip()
    ambigu = AMBIGU.fullmatch(nettoye)
    if ambigu:
        milliers, unites = ambigu.groups()
        raise MontantRefuse(
            f"{nom} « {texte.strip()} » {mots['ambigu']} : {milliers}{ESPACE_FINE}{unites} "
            f"(séparateur de milliers) ou {milliers},{unites} (virgule décimale) ? "
            f"Écrivez {milliers}{unites} s'il s'agit de milliers."
        )
    for espace in ESPACES:
        nettoye = nettoye.replace(espace, "")
    if nettoye.count(",") == 1 and "." not in nettoye:
        nettoye = nettoye.replace(",", ".")
    # Digits only: no exponent, no « NaN », no formula.
    if not CHIFFRES.fullmatch(nettoye):
        raise MontantRefuse(f"{nom} « {texte.strip()} » illisible : attendu par exemple {EXEMPLE}.")
    try:
        return Decimal(nettoye)
    except InvalidOperation:  # pragma: no cover — the pattern admits only decimals
        raise MontantRefuse(
            f"{nom} « {texte.strip()} » illisible : attendu par exemple {EXEMPLE}."
        ) from None
