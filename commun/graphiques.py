"""Bar charts drawn as SVG by the server: no script, no CDN, readable when printed.

Each bar carries its figure in French (« 62 300 € »), bars start on a drawn zero line and a
graduated scale runs under them, so that 62 300 € and 70 000 € can be told apart without the
data table, which the page still shows for screen readers and exact values.
"""

from decimal import Decimal

from commun.formats import euros, nombre

LARGEUR = 440  # the drawing's width: at a phone's 360 px its 13-unit text stays readable
MARGE_VALEUR = 112  # room after the longest bar for « 140 000 € »
TAILLE_TEXTE = 13
HAUTEUR_BARRE = 14
ECART_SERIES = 3
ECART_GROUPES = 10
GRADUATIONS = 4
LONGUEUR_ETIQUETTE = 60  # characters of a category label, the full text in its tooltip
# Print-safe: the series differ by shade and by outline, not by hue alone.
STYLES = [
    {"fill": "#1f3a5f", "stroke": "#1f3a5f"},
    {"fill": "#ffffff", "stroke": "#1f3a5f"},
    {"fill": "#9aa9bd", "stroke": "#1f3a5f"},
]


def _plafond_rond(valeur: Decimal) -> Decimal:
    """The scale's end: 1, 2, 2.5 or 5 times a power of ten, just above the largest bar."""
    if valeur <= 0:
        return Decimal(1)
    puissance = Decimal(10) ** (len(str(int(valeur))) - 1)
    for facteur in (1, 2, Decimal("2.5"), 5, 10):
        if valeur <= facteur * puissance:
            return facteur * puissance
    return 10 * puissance  # pragma: no cover - the loop ends at 10


def barres(categories: list[str], series: list[tuple[str, list]], unite: str = "€") -> dict:
    """Geometry of a horizontal grouped bar chart: one group per category (its label on its own
    line), one bar per serie with its value written after it, a zero line and a scale."""
    formater = euros if unite == "€" else nombre
    valeurs = [Decimal(v) for _nom, vs in series for v in vs if v is not None]
    plafond = _plafond_rond(max(valeurs, default=Decimal(0)))
    longueur = LARGEUR - MARGE_VALEUR
    groupes, y = [], 0
    for rang, categorie in enumerate(categories):
        y += TAILLE_TEXTE + 2
        etiquette_y = y
        y += 4
        rects = []
        for numero, (nom, vs) in enumerate(series):
            valeur = vs[rang]
            largeur = 0.0 if valeur is None else float(Decimal(valeur) / plafond) * longueur
            rects.append(
                {
                    "x": 0,
                    "y": y,
                    "largeur": round(largeur, 1),
                    "hauteur": HAUTEUR_BARRE,
                    "serie": nom,
                    "valeur": valeur,
                    "texte": "—" if valeur is None else formater(valeur),
                    "texte_x": round(largeur + 4, 1),
                    "texte_y": y + HAUTEUR_BARRE - 3,
                    **STYLES[numero % len(STYLES)],
                }
            )
            y += HAUTEUR_BARRE + ECART_SERIES
        y += ECART_GROUPES
        court = (
            categorie
            if len(categorie) <= LONGUEUR_ETIQUETTE
            else categorie[: LONGUEUR_ETIQUETTE - 1] + "…"
        )
        groupes.append({"categorie": court, "titre": categorie, "y": etiquette_y, "rects": rects})
    axe_y = max(y, 1)
    graduations = [
        {
            "x": round(longueur * rang / GRADUATIONS, 1),
            "texte": formater(plafond * rang / GRADUATIONS),
            "ancre": "start" if rang == 0 else ("end" if rang == GRADUATIONS else "middle"),
        }
        for rang in range(GRADUATIONS + 1)
    ]
    legende_y = axe_y + 2 * TAILLE_TEXTE + 10
    return {
        "groupes": groupes,
        "graduations": graduations,
        "axe_y": axe_y,
        "texte_axe_y": axe_y + TAILLE_TEXTE + 3,
        "legende": [
            {"nom": nom, "y": legende_y + n * (TAILLE_TEXTE + 6), **STYLES[n % len(STYLES)]}
            for n, (nom, _v) in enumerate(series)
        ],
        "largeur": LARGEUR,
        "longueur": longueur,
        "hauteur": legende_y + len(series) * (TAILLE_TEXTE + 6),
        "taille_texte": TAILLE_TEXTE,
    }
