"""The figure each page exists for, on a phone (390 px) and a desktop (1280 px): the dashboard's
amounts and cofinancement, the annex's collectivité column and cofinancement verdict, the
comparisons' écart and totals, inside the screen without sideways scrolling; the three
comparison charts' texts never overlap and are at least 11 px high; at 1280 px the dashboard
fits its frame with a territoire's long name, its constats column whole."""

from decimal import Decimal

import pytest

from comptes.models import Profil
from tests.conventions.factories import (
    ConventionFactory,
    EngagementFactory,
    FinanceurFactory,
    TableauFactory,
    TerritoireFactory,
)
from tests.e2e.conftest import connecter

LONG = "Communauté d'agglomération du Grand Sénonais et de la vallée de l'Yonne"
COMPARAISONS = {
    "comparaison-versions": "/conventions/calpa-dijon-2023/comparaison/versions/",
    "comparaison-annees": "/conventions/calpa-dijon-2023/comparaison/annees/?annee=2023",
    "comparaison-bilan": "/conventions/calpa-dijon-2023/bilans/2023/comparaison/",
}

# The cells under the headers that start with one of ``entetes``, found by the header's
# position (as a reader finds them), with their box and the frame they sit in.
CELLULES = """([selecteur, entetes]) => {
    const table = document.querySelector(selecteur);
    const colonnes = [...table.querySelectorAll('thead th')]
        .filter(th => entetes.some(e => th.textContent.trim().startsWith(e)))
        .map(th => th.cellIndex);
    const cadre = table.closest('.table-conteneur').getBoundingClientRect();
    return [...table.querySelectorAll('tbody tr, tfoot tr')]
        .filter(tr => tr.cells.length === table.querySelectorAll('thead th').length)
        .flatMap(tr => colonnes.map(i => tr.cells[i]))
        .map(td => ({texte: td.innerText.trim(), droite: td.getBoundingClientRect().right,
                     cadre: cadre.right}));
}"""
TEXTES_DU_GRAPHIQUE = """() => [...document.querySelectorAll('figure.graphique svg text')]
    .map(t => { const r = t.getBoundingClientRect(), texte = t.firstChild.textContent;
        return {texte, g: r.left, d: r.right, h: r.top, b: r.bottom}; })"""


def chevauchements(textes) -> list[str]:
    return [
        f"« {a['texte']} » et « {b['texte']} »"
        for n, a in enumerate(textes)
        for b in textes[n + 1 :]
        if a["g"] < b["d"] and b["g"] < a["d"] and a["h"] < b["b"] and b["h"] < a["b"]
    ]


def hors_de(page, largeur, selecteur, entetes) -> list[str]:
    """The cells of those columns that end beyond the screen or their table's frame."""
    cellules = page.evaluate(CELLULES, [selecteur, entetes])
    assert cellules, (page.url, entetes)
    return [
        f"{page.url} {c['texte']!r} finit à {c['droite']:.0f} px"
        for c in cellules
        if c["droite"] > min(largeur, c["cadre"]) + 0.5
    ]


def trop_large(page) -> list[str]:
    """The page itself scrolls sideways."""
    document, fenetre = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    return [f"{page.url} : {document} px de large pour {fenetre}"] if document > fenetre else []


def territoire_au_long_nom():
    convention = ConventionFactory(
        territoire=TerritoireFactory(slug="grand-senonais", nom=LONG),
        intitule=f"Convention d'appui à la lutte contre la pauvreté — {LONG} 2024",
        annee_debut=2024,
        annee_fin=2024,
    )
    tableau = TableauFactory(convention=convention)
    for financeur, montant in ((FinanceurFactory(), "1250000"), (None, "1100000")):
        EngagementFactory(
            tableau=tableau,
            financeur=financeur or FinanceurFactory(collectivite=True),
            montant=Decimal(montant),
        )
    for profil in Profil.objects.filter(utilisateur__username="finances"):
        profil.territoires.add(convention.territoire)


@pytest.mark.parametrize("largeur", [390, 1280], ids=["telephone", "bureau"])
def test_les_chiffres_de_chaque_page_dans_l_ecran(instance, navigateur, largeur):
    territoire_au_long_nom()
    page = navigateur
    page.set_viewport_size({"width": largeur, "height": 900})
    connecter(page, instance, "finances", "demo-finances-2026")
    ecran = f"{largeur}px"
    problemes = []

    page.goto(f"{instance}/")
    assert LONG in page.locator("main table").inner_text()
    problemes += hors_de(
        page,
        largeur,
        "main table",
        ["État", "Collectivité", "Autres financeurs", "Cofinancement", "Constats"],
    )
    table, cadre = page.evaluate(
        """() => { const t = document.querySelector('main table');
            return [t.getBoundingClientRect().right,
                    t.closest('.table-conteneur').getBoundingClientRect().right]; }"""
    )
    if table > min(cadre, largeur) + 0.5:
        problemes.append(f"tableau de bord : {table:.0f} px pour un cadre de {cadre:.0f} px")
    problemes += trop_large(page)

    page.goto(f"{instance}/conventions/calpa-dijon-2023/")
    problemes += hors_de(page, largeur, "table.tableau-annexe", ["Dijon Métropole", "État"])
    verdict = page.locator("table.tableau-annexe tr.ligne-cofinancement td").last
    assert "respectée" in verdict.inner_text()
    if verdict.bounding_box()["x"] + verdict.bounding_box()["width"] > largeur:
        problemes.append(f"verdict de cofinancement hors de l'écran à {ecran}")
    problemes += trop_large(page)

    for nom, url in COMPARAISONS.items():
        page.goto(f"{instance}{url}")
        problemes += hors_de(page, largeur, "main table", ["Écart", "En vigueur", "Tableau"])
        # Still a table for screen readers, whatever its display.
        assert page.get_by_role("columnheader").count() == 7
        textes = page.evaluate(TEXTES_DU_GRAPHIQUE)
        assert len(textes) > 10, nom
        problemes += [f"{nom} à {ecran} : {c}" for c in chevauchements(textes)]
        problemes += [
            f"{nom} à {ecran} : « {t['texte']} » haut de {t['b'] - t['h']:.1f} px"
            for t in textes
            if t["b"] - t["h"] < 11
        ]
        problemes += trop_large(page)
    assert problemes == []
