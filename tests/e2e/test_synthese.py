"""The « Synthèse » on a phone (390 px) and a desktop (1280 px): the year's totals inside the
screen, without sideways scrolling; screenshots in the captures' temporary folder."""

import pytest

from tests.e2e.conftest import capture, connecter, debordement


@pytest.mark.parametrize("largeur", [390, 1280])
def test_synthese_dans_l_ecran(instance, navigateur, largeur):
    page = navigateur
    page.set_viewport_size({"width": largeur, "height": 900})
    connecter(page, instance, "finances", "demo-finances-2026")
    page.goto(f"{instance}/synthese/")
    page.get_by_role("heading", name="Synthèse 2023").wait_for()
    largeur_page, droite, element = debordement(page)
    assert largeur_page <= largeur, f"la page déborde ({largeur_page} px) : {element}"
    total = page.locator("#table-engagements tfoot tr")
    texte = total.inner_text()
    assert "347" in texte and "879" in texte
    boite = total.bounding_box()
    assert boite["x"] >= 0 and boite["x"] + boite["width"] <= largeur
    capture(page, f"synthese-{largeur}")
    page.screenshot(path=f"/tmp/s29/synthese-{largeur}-pleine.png", full_page=True)
