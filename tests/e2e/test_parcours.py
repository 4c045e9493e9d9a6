"""End-to-end, in Debian's headless Chromium driven by Playwright, on a served instance with the
five documents loaded. Screenshots of the main pages go to the captures folder (a temporary one;
``docs/captures/`` with ``make captures``).

Skipped, with the reason, when ``/usr/bin/chromium`` is missing (``apt-get install chromium``).
"""

from playwright.sync_api import expect

from tests.e2e.conftest import CAPTURES, capture, connecter


def test_un_agent_renseigne_un_indicateur_et_voit_le_constat_changer(instance, navigateur):
    page = navigateur
    connecter(page, instance, "agent", "demo-agent-2026")
    capture(page, "tableau-de-bord")
    page.goto(f"{instance}/conventions/calpa-dijon-2023/bilans/2023/")
    resume = page.locator("#resume-constats")
    assert resume.inner_text() == "Contrôles : 3 erreurs · 4 avertissements"
    capture(page, "bilan-2023")
    page.get_by_text("Renseigner l'action 3.2").click()
    page.get_by_label("Personnes suivies sur l'année").fill("272")
    page.get_by_role("button", name="Enregistrer l'action 3.2").click()
    page.get_by_text("Action 3.2 enregistrée.").wait_for()
    assert resume.inner_text() == "Contrôles : 2 erreurs · 4 avertissements"
    assert "272" in page.locator("#action-32").inner_text()


def test_les_finances_passent_a_la_version_non_retenue_et_lisent_l_ecart(instance, navigateur):
    page = navigateur
    connecter(page, instance, "finances", "demo-finances-2026")
    intitule = (
        "Convention d'appui à la lutte contre la pauvreté et d'accès à l'emploi (CALPA) "
        "Dijon Métropole 2023"
    )
    page.get_by_role("link", name=intitule, exact=True).click()
    page.get_by_role("heading", name="Tableau des engagements").wait_for()
    capture(page, "convention-2023")
    page.locator(".annexe").screenshot(path=str(CAPTURES / "annexe-2023-retenue.png"))
    page.get_by_role(
        "link", name="Version Dijon Métropole non retenue sur le Territoire Zéro Non Recours"
    ).click()
    # expect() waits for the new page: reading right after a click can catch the old one, or
    # an empty document between the two (the CI of 6 December read "").
    annexe = page.locator(".tableau-annexe")
    expect(annexe.locator("caption")).to_contain_text("(version non en vigueur)")
    expect(annexe).to_contain_text("80\u202f000\u00a0€")
    page.get_by_role("link", name="Comparer les versions de 2023").click()
    expect(page.locator("main")).to_contain_text("7 actions : 1 ajoutée, 5 identiques, 1 modifiée.")
    ligne = page.get_by_role("row", name="1.1")
    assert "\u221240\u202f000\u00a0€" in ligne.inner_text()
    capture(page, "comparaison-versions")
