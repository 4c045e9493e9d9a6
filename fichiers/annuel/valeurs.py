"""A value of a convention file, read for its field: an amount through the one amount reader
(``commun.montants``), a whole number in ASCII digits, a date as AAAA-MM-JJ or JJ/MM/AAAA, a
text; what cannot be read is refused with how to write it."""

import math
import re
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models

from commun.montants import MontantRefuse, lire_montant
from conventions.models import Departement, DepartementInconnu

DATE_FRANCAISE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


class ValeurRefusee(ValueError):
    """One problem with one field's value; the message is French and complete."""


def convertir(champ, brut):
    """The field's value from what the file wrote, or ``ValeurRefusee`` saying how to write it."""
    if brut is None:
        if champ.null:
            return None
        if champ.blank and isinstance(champ, models.CharField | models.TextField):
            return ""
        raise ValeurRefusee("obligatoire : « null » n'est pas accepté")
    if isinstance(champ, models.DecimalField):
        valeur = _decimal(champ, brut)
    elif isinstance(champ, models.BooleanField):
        if not isinstance(brut, bool):
            raise ValeurRefusee(f"« {brut} » : écrivez true ou false")
        valeur = brut
    elif isinstance(champ, models.IntegerField):
        valeur = _entier(brut)
    elif isinstance(champ, models.DateField) and not isinstance(champ, models.DateTimeField):
        valeur = _date(brut)
    elif isinstance(champ, models.CharField | models.TextField):
        valeur = _texte(brut)
    else:
        try:
            valeur = champ.to_python(brut)
        except ValidationError as erreur:
            raise ValeurRefusee(" ".join(erreur.messages).rstrip(".")) from None
    if champ.choices and valeur not in {choix for choix, _ in champ.flatchoices}:
        permis = ", ".join(str(choix) for choix, _ in champ.flatchoices)
        raise ValeurRefusee(
            f"« {valeur} » n'est pas une valeur permise ; valeurs permises : {permis}"
        )
    return valeur


def lire_departement(brut, connus):
    """A territoire's département, by its official code (« 21 », « 2A ») or its name, among
    ``connus`` (the COG's list, read once per file)."""
    if isinstance(brut, list) and len(brut) == 1:
        brut = brut[0]
    if isinstance(brut, bool) or not isinstance(brut, str | int):
        raise ValeurRefusee("un département s'écrit par son code (« 21 ») ou son nom")
    try:
        return Departement.objects.lire(brut, connus)
    except DepartementInconnu as inconnu:
        raise ValeurRefusee(str(inconnu)) from None


def _decimal(champ, brut) -> Decimal:
    """An amount (or a rate) read as every other door reads it: « 1 234,50 » as well as 1234.5."""
    try:
        valeur = lire_montant(brut)
    except MontantRefuse as refus:
        raise ValeurRefusee(str(refus).rstrip(".")) from None
    if valeur >= Decimal(10) ** (champ.max_digits - champ.decimal_places):
        raise ValeurRefusee(f"{brut} est trop grand pour ce champ")
    return valeur


def _entier(brut) -> int:
    if isinstance(brut, bool):
        raise ValeurRefusee(f"« {brut} » n'est pas un nombre entier")
    if isinstance(brut, int):
        return brut
    if isinstance(brut, Decimal | float) and math.isfinite(brut) and brut == int(brut):
        return int(brut)
    # ASCII digits only: « ¹ » or « ٣ » pass str.isdigit() but are no year nor count here.
    if isinstance(brut, str) and re.fullmatch(r"[0-9]+", brut.strip()):
        return int(brut.strip())
    raise ValeurRefusee(f"« {brut} » n'est pas un nombre entier")


def _date(brut) -> date:
    if isinstance(brut, datetime):
        return brut.date()
    if isinstance(brut, date):
        return brut
    if isinstance(brut, str):
        francaise = DATE_FRANCAISE.fullmatch(brut.strip())
        if francaise:
            jour, mois, annee = francaise.groups()
            raise ValeurRefusee(
                f"« {brut} » : écrivez la date AAAA-MM-JJ, ici {annee}-{int(mois):02d}-"
                f"{int(jour):02d}"
            )
        try:
            return date.fromisoformat(brut.strip())
        except ValueError:
            pass
    raise ValeurRefusee(f"« {brut} » n'est pas une date AAAA-MM-JJ")


def _texte(brut) -> str:
    if isinstance(brut, str):
        return brut
    if isinstance(brut, int) and not isinstance(brut, bool):
        return str(brut)
    if isinstance(brut, float | Decimal):
        raise ValeurRefusee(
            f'{brut} est lu comme un nombre : écrivez-le entre guillemets (« "1.10" ») pour '
            "garder le texte tel quel"
        )
    raise ValeurRefusee("un texte est attendu")


def champ_inconnu(classe, nom_champ: str) -> str:
    connus = [
        champ.name
        for champ in classe._meta.concrete_fields
        if champ.editable and not champ.primary_key
    ]
    from difflib import get_close_matches

    proches = get_close_matches(str(nom_champ), connus, n=1)
    conseil = f" ; vouliez-vous écrire « {proches[0]} » ?" if proches else ""
    return f"champ inconnu{conseil} (champs possibles : {', '.join(connus)})"
