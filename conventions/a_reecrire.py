"""The mark a renewed draft puts on last year's wording: « [à réécrire pour 2024] Année 2023. ».

``reconduire`` carries the structure of a convention into next year's draft (axes, actions,
codes, financeurs, order) but not, as if still true, a text that speaks of the previous period:
one that names one of its years (« Année 2023. », « bilan 2023 ») or an amount (« 347 000 € »).
Such a text keeps its old wording, as a reference for whoever rewrites it, behind the mark.
Until the mark is removed the text is still to be written: the complétude check says so
(« texte à réécrire ») on the convention's page, in the loader's preview and in the admin.
"""

import re

from django.db import models

MARQUE = "[à réécrire pour {periode}]"
MARQUEE = re.compile(r"^\s*\[à réécrire pour (\d{4}(?:-\d{4})?)\]")
MONTANT = re.compile(r"€|\beuros?\b", re.IGNORECASE)


def parle_de(texte: str, annees: range) -> bool:
    """Whether ``texte`` names one of ``annees`` or an amount: wording of that period."""
    if MONTANT.search(texte):
        return True
    return any(re.search(rf"(?<!\d){annee}(?!\d)", texte) for annee in annees)


def marquer(texte: str, periode: str) -> str:
    """« [à réécrire pour 2024] Année 2023. »: the old wording kept after the mark."""
    if MARQUEE.match(texte):
        texte = MARQUEE.sub("", texte, count=1).lstrip()
    return f"{MARQUE.format(periode=periode)} {texte}"


def est_marque(texte) -> bool:
    return isinstance(texte, str) and MARQUEE.match(texte) is not None


def champs_de_texte(modele) -> list:
    """The free-text fields of a model, where wording is written (not codes nor choices)."""
    return [
        champ
        for champ in modele._meta.concrete_fields
        if isinstance(champ, models.CharField | models.TextField)
        and not champ.choices
        and not isinstance(champ, models.SlugField)
    ]


def textes_a_reecrire(objet) -> dict[str, str]:
    """``objet``'s fields still carrying the mark, by name: {« durée et renouvellement »:
    « [à réécrire pour 2024] »}."""
    marques = {}
    for champ in champs_de_texte(type(objet)):
        trouvee = MARQUEE.match(getattr(objet, champ.attname) or "")
        if trouvee:
            marques[str(champ.verbose_name)] = trouvee.group(0).strip()
    return marques
