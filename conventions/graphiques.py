"""Bar charts drawn as SVG by the server: no script, no CDN, readable when printed.

Each chart is paired with its data table on the page; the SVG carries a title and a description.
"""

from decimal import Decimal

LARGEUR_ETIQUETTE = 170
LONGUEUR_ETIQUETTE = 28  # characters of a category label that fit in the left margin
LARGEUR_BARRES = 480
HAUTEUR_BARRE = 14
ECART_SERIES = 2
ECART_GROUPES = 12
# Print-safe: the two series differ by shade and by outline, not by hue alone.
STYLES = [
    {"fill": "#1f3a5f", "stroke": "#1f3a5f"},
    {"fill": "#ffffff", "stroke": "#1f3a5f"},
    {"fill": "#9aa9bd", "stroke": "#1f3a5f"},
]


def barres(categories: list[str], series: list[tuple[str, list]]) -> dict:
    """Geometry of a horizontal grouped bar chart: one group per category, one bar per serie."""
    valeurs = [v for _nom, vs in series for v in vs if v is not None]
    maximum = max(valeurs, default=0) or 1
    hauteur_groupe = len(series) * (HAUTEUR_BARRE + ECART_SERIES) + ECART_GROUPES
    groupes = []
    for rang, categorie in enumerate(categories):
        y = rang * hauteur_groupe
        rects = []
        for numero, (nom, vs) in enumerate(series):
            valeur = vs[rang]
            largeur = (
                0 if valeur is None else float(Decimal(valeur) / Decimal(maximum)) * LARGEUR_BARRES
            )
            rects.append(
                {
                    "x": LARGEUR_ETIQUETTE,
                    "y": y + numero * (HAUTEUR_BARRE + ECART_SERIES),
                    "largeur": round(largeur, 1),
                    "hauteur": HAUTEUR_BARRE,
                    "serie": nom,
                    "valeur": valeur,
                    **STYLES[numero % len(STYLES)],
                }
            )
        court = (
            categorie
            if len(categorie) <= LONGUEUR_ETIQUETTE
            else categorie[: LONGUEUR_ETIQUETTE - 1] + "…"
        )
        groupes.append(
            {"categorie": court, "titre": categorie, "y": y + HAUTEUR_BARRE, "rects": rects}
        )
    return {
        "groupes": groupes,
        "legende": [
            {"nom": nom, "x": n * 200, **STYLES[n % len(STYLES)]}
            for n, (nom, _v) in enumerate(series)
        ],
        "largeur": LARGEUR_ETIQUETTE + LARGEUR_BARRES + 10,
        "hauteur": max(len(categories) * hauteur_groupe, 1),
    }
