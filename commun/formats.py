"""French display of amounts: « 347 000 € », « 50 200,02 € ».

Thousands are separated by a narrow no-break space (U+202F) and the euro sign follows a no-break
space (U+00A0), so that an amount never wraps across two lines.
"""

import calendar
from decimal import ROUND_HALF_UP, Decimal

ESPACE_FINE = "\u202f"
ESPACE_INSECABLE = "\u00a0"
CENTIME = Decimal("0.01")
PLAFOND = Decimal(10) ** 12  # amounts are stored with 12 digits before the decimal point


def arrondi(montant: Decimal) -> Decimal:
    """Round to the cent, half up as accountants do (not Python's default banker's rounding)."""
    return Decimal(montant).quantize(CENTIME, rounding=ROUND_HALF_UP)


def nombre(valeur: Decimal | int) -> str:
    """« 5 072 », « 0,50 »: a number in French, with cents only when there are some."""
    valeur = arrondi(valeur)
    if not valeur:
        valeur = abs(valeur)  # « 0 », never « -0 »
    # Python groups the thousands (``,``); a page of a hundred amounts calls this often.
    entiers, _, centimes = f"{valeur:,.2f}".partition(".")
    entiers = entiers.replace(",", ESPACE_FINE)
    return entiers if centimes == "00" else f"{entiers},{centimes}"


def euros(montant: Decimal | int | None) -> str:
    """« 347 000 € »; « — » when there is no amount."""
    if montant is None:
        return "—"
    return f"{nombre(montant)}{ESPACE_INSECABLE}€"


MOINS = "\u2212"


def ecart_euros(montant: Decimal | None) -> str:
    """« +7 700 € », « −7 200 € »: a signed difference."""
    if montant is None:
        return "—"
    if montant == 0:
        return euros(montant)
    return ("+" if montant > 0 else MOINS) + euros(abs(montant))


def pourcentage(taux: Decimal) -> str:
    """1,00 → « 100 % »."""
    return f"{nombre(Decimal(taux) * 100)}{ESPACE_INSECABLE}%"


MOIS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def date_longue(jour) -> str:
    """« 31 mars 2024 », « 1er juin 2020 », whatever the active locale."""
    if jour is None:
        return "—"
    numero = "1er" if jour.day == 1 else str(jour.day)
    return f"{numero} {MOIS[jour.month - 1]} {jour.year}"


def date_et_heure(moment) -> str:
    """« 5 décembre 2026 à 14 h 03 », in the site's time zone."""
    from django.utils import timezone

    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{date_longue(local)} à {local.hour} h {local.minute:02d}"


def duree(debut, fin) -> str:
    """« 2 ans, 7 mois et 29 jours » from one date to a later one, as a reader counts it."""
    mois = (fin.year - debut.year) * 12 + fin.month - debut.month
    if fin.day < debut.day:
        mois -= 1
    annee, rang = divmod(debut.month - 1 + mois, 12)
    jour = min(debut.day, calendar.monthrange(debut.year + annee, rang + 1)[1])
    ancre = debut.replace(year=debut.year + annee, month=rang + 1, day=jour)
    jours = (fin - ancre).days
    morceaux = []
    if mois // 12:
        morceaux.append(f"{mois // 12} an{'s' if mois // 12 > 1 else ''}")
    if mois % 12:
        morceaux.append(f"{mois % 12} mois")
    if jours or not morceaux:
        morceaux.append(f"{jours} jour{'s' if jours > 1 else ''}")
    if len(morceaux) == 1:
        return morceaux[0]
    return ", ".join(morceaux[:-1]) + " et " + morceaux[-1]


def couper_aux_mots(texte: str, longueur: int) -> str:
    """``texte`` in at most ``longueur`` characters, cut after a whole word and marked « … »
    when it had to be cut (a sheet name is 31 characters: « Budget prévisionnel 2023… », not
    « Budget prévisionnel 2023 par »)."""
    texte = " ".join(texte.split())
    if len(texte) <= longueur:
        return texte
    mots = texte[: longueur - 1].split(" ")
    if len(mots) > 1 and not texte[longueur - 1].isspace():
        mots.pop()  # a word cut in two
    # Nor a word that announces the next one (« … 2023 par », « … sur le »).
    while len(mots) > 1 and mots[-1].lower() in MOTS_DE_LIAISON:
        mots.pop()
    return " ".join(mots).rstrip(" ,;:-–—(") + "…"


# Words that announce the next one: a cut text does not end on them.
MOTS_DE_LIAISON = frozenset(
    ["à", "au", "aux", "avec", "d'", "dans", "de", "des", "du", "en", "et", "l'", "la", "le"]
    + ["les", "ou", "par", "pour", "sans", "sur", "un", "une"]
)
