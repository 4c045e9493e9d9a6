"""Bar charts drawn as SVG by the server: no script, no CDN, readable when printed.

Each bar carries its figure in French (« 62 300 € »), bars start on a drawn zero line and a
graduated scale runs under them, so that 62 300 € and 70 000 € can be told apart without the
data table, which the page still shows for screen readers and exact values.

The drawing is as wide as a phone's page (``LARGEUR``) and shown at its own size, never scaled
down: its text is 13 px (the scale 12 px) on a phone as on a desktop. Texts are placed from
their estimated width (``largeur_du_texte``, generous: a wide font's figures) so that none
overlaps another: the value after a bar has its room kept at the right, the scale shows fewer
or shorter graduations (« 375 k€ ») when they would touch, a long label is cut with « … » (its
full text in its tooltip and in the data table).
"""

from decimal import Decimal

from commun.formats import euros, nombre

LARGEUR = 360  # a 390 px phone's page, less its margins, shows it at 100 %
TAILLE_TEXTE = 13
TAILLE_AXE = 12
HAUTEUR_BARRE = 14
PAS_BARRE = HAUTEUR_BARRE + 4  # a bar's figure does not touch the next one's
ECART_ETIQUETTE = 6  # between a category's label and its first bar
ECART_GROUPES = 10
ECART_TEXTES = 8  # at least this much between two graduations of the scale
GRADUATIONS = (4, 2, 1)  # as many as fit, the fewest being « 0 » and the end
LEGENDE_CARRE = 18  # the legend's square and the space after it
# Print-safe: the series differ by shade and by outline, not by hue alone.
STYLES = [
    {"fill": "#1f3a5f", "stroke": "#1f3a5f"},
    {"fill": "#ffffff", "stroke": "#1f3a5f"},
    {"fill": "#9aa9bd", "stroke": "#1f3a5f"},
]
ESPACES = {" ", "\u00a0", "\u202f"}


def largeur_du_texte(texte: str, taille: float, gras: bool = False) -> float:
    """An upper estimate of ``texte``'s width in px: 0.64 em a character (DejaVu Sans, the
    widest of the usual fonts, draws its figures in 0.636 em), half that for a space."""
    largeur = sum(0.32 if c in ESPACES else 0.64 for c in texte) * taille
    return largeur * (1.1 if gras else 1)


def couper(texte: str, largeur: float, taille: float, gras: bool = False) -> str:
    """``texte`` cut with « … » so that it fits in ``largeur``."""
    if largeur_du_texte(texte, taille, gras) <= largeur:
        return texte
    while texte and largeur_du_texte(texte + "…", taille, gras) > largeur:
        texte = texte[:-1]
    return texte.rstrip() + "…"


def _plafond_rond(valeur: Decimal) -> Decimal:
    """The scale's end: 1, 2, 2.5 or 5 times a power of ten, just above the largest bar."""
    if valeur <= 0:
        return Decimal(1)
    puissance = Decimal(10) ** (len(str(int(valeur))) - 1)
    for facteur in (1, 2, Decimal("2.5"), 5, 10):
        if valeur <= facteur * puissance:
            return facteur * puissance
    return 10 * puissance  # pragma: no cover - the loop ends at 10


def _court(valeur: Decimal, unite: str) -> str:
    """« 375 k€ », « 1,5 M€ »: a graduation in few characters."""
    for diviseur, suffixe in ((Decimal(1_000_000), "M"), (Decimal(1_000), "k")):
        if valeur >= diviseur:
            return f"{nombre(valeur / diviseur)}\u00a0{suffixe}{unite}"
    return nombre(valeur) + (f"\u00a0{unite}" if unite else "")


def _sans_chevauchement(etiquettes: list[dict]) -> bool:
    bornes = []
    for e in etiquettes:
        largeur = largeur_du_texte(e["texte"], TAILLE_AXE)
        debut = {"start": e["x"], "middle": e["x"] - largeur / 2, "end": e["x"] - largeur}
        bornes.append((debut[e["ancre"]], debut[e["ancre"]] + largeur))
    return all(a[1] + ECART_TEXTES <= b[0] for a, b in zip(bornes, bornes[1:], strict=False))


def graduations(plafond: Decimal, longueur: float, unite: str = "€") -> list[dict]:
    """The scale's graduations, ``[{x, texte, ancre}]``: four in full (« 125 000 € ») when
    they fit, else four, two, then one short ones (« 125 k€ »), never touching each other."""
    formater = euros if unite == "€" else nombre
    essais = [(GRADUATIONS[0], formater)] + [(n, lambda v: _court(v, unite)) for n in GRADUATIONS]
    for nombre_de_pas, ecrire in essais:
        etiquettes = [
            {
                "x": round(longueur * rang / nombre_de_pas, 1),
                "texte": ecrire(plafond * rang / nombre_de_pas),
                "ancre": "start" if rang == 0 else ("end" if rang == nombre_de_pas else "middle"),
            }
            for rang in range(nombre_de_pas + 1)
        ]
        if _sans_chevauchement(etiquettes):
            break
    return etiquettes


def barres(categories: list[str], series: list[tuple[str, list]], unite: str = "€") -> dict:
    """Geometry of a horizontal grouped bar chart: one group per category (its label on its own
    line), one bar per serie with its value written after it, a zero line and a scale."""
    formater = euros if unite == "€" else nombre
    valeurs = [Decimal(v) for _nom, vs in series for v in vs if v is not None]
    plafond = _plafond_rond(max(valeurs, default=Decimal(0)))
    textes = [formater(v) for v in valeurs] or ["—"]
    marge = max(largeur_du_texte(t, TAILLE_TEXTE) for t in textes) + 6
    longueur = round(LARGEUR - min(marge, LARGEUR / 2), 1)
    groupes, y = [], 0
    for rang, categorie in enumerate(categories):
        y += TAILLE_TEXTE + 2
        etiquette_y = y
        y += ECART_ETIQUETTE
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
            y += PAS_BARRE
        y += ECART_GROUPES
        court = couper(categorie, LARGEUR, TAILLE_TEXTE, gras=True)
        groupes.append({"categorie": court, "titre": categorie, "y": etiquette_y, "rects": rects})
    axe_y = max(y, 1)
    legende_y = axe_y + 2 * TAILLE_TEXTE + 10
    return {
        "groupes": groupes,
        "graduations": graduations(plafond, longueur, unite),
        "echelle": formater(plafond),
        "axe_y": axe_y,
        "texte_axe_y": axe_y + TAILLE_TEXTE + 3,
        "legende": [
            {
                "nom": nom,
                "court": couper(nom, LARGEUR - LEGENDE_CARRE, TAILLE_TEXTE),
                "y": legende_y + n * (TAILLE_TEXTE + 6),
                **STYLES[n % len(STYLES)],
            }
            for n, (nom, _v) in enumerate(series)
        ],
        "largeur": LARGEUR,
        "longueur": longueur,
        "hauteur": legende_y + len(series) * (TAILLE_TEXTE + 6),
        "taille_texte": TAILLE_TEXTE,
        "taille_axe": TAILLE_AXE,
    }
