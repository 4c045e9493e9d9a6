"""The « Synthèse » on a phone (390 px) and a desktop (1280 px): the year's totals inside the
screen, without sideways scrolling; screenshots in the captures' temporary folder."""

from pathlib import Path

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


@pytest.mark.parametrize("largeur", [390, 1280])
def test_la_carte_des_departements_dans_l_ecran(instance, navigateur, largeur):
    """Dijon (Côte-d'Or) and a second territoire in the Haute-Saône: the map is drawn, whole
    inside the screen, its legend and the table of the same figures beside or under it."""
    from decimal import Decimal

    from comptes import roles
    from conventions.models import Territoire
    from tests.conventions.factories import convention_complete

    autre = convention_complete(3, montant=Decimal("50000.00"))
    autre.territoire.departement_id = "70"
    autre.territoire.save()
    roles.creer_compte(
        "carte",
        mot_de_passe="demo-carte-2026",
        role=roles.FINANCES,
        territoires=Territoire.objects.all(),
    )
    page = navigateur
    page.set_viewport_size({"width": largeur, "height": 900})
    connecter(page, instance, "carte", "demo-carte-2026")
    page.goto(f"{instance}/synthese/?annee=2023")
    carte = page.locator("figure.carte")
    carte.scroll_into_view_if_needed()
    largeur_page, _droite, element = debordement(page)
    assert largeur_page <= largeur, f"la page déborde ({largeur_page} px) : {element}"
    boite = page.locator("figure.carte > svg").bounding_box()
    assert boite["x"] >= 0 and boite["x"] + boite["width"] <= largeur and boite["width"] >= 300
    legende = carte.locator(".carte-legende").inner_text()
    assert "département" in legende and "aucune convention : 94 départements" in legende
    assert "Haute-Saône (70)" in page.locator("#table-departements").inner_text()
    capture(page, f"synthese-carte-{largeur}")
    page.locator("#titre-departements").scroll_into_view_if_needed()
    Path("/tmp/geo-captures").mkdir(exist_ok=True)
    page.screenshot(path=f"/tmp/geo-captures/synthese-carte-{largeur}.png")
