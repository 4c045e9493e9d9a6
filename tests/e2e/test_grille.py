"""End-to-end: a finance officer edits the annex grid in the browser, sees the total and the
constats change; a second tab left open on the old values saves the cells it changed, and one
the first tab changed too is refused with the colleague's value, what was typed kept. Leaving
the grid with unsaved amounts asks first."""

from decimal import Decimal

from conventions.models import Engagement
from tests.e2e.conftest import capture, connecter

CALPA = "/conventions/calpa-dijon-2023/"


def montant_etat(code):
    return Engagement.objects.get(
        tableau__convention__slug="calpa-dijon-2023",
        tableau__en_vigueur=True,
        action__code=code,
        financeur__slug="etat",
    ).montant


def montant_33_etat():
    return montant_etat("3.3")


def test_la_grille_dans_le_navigateur_et_l_onglet_perime(instance, navigateur):
    page = navigateur
    connecter(page, instance, "finances", "demo-finances-2026")
    page.goto(f"{instance}{CALPA}")
    page.get_by_role("link", name="Modifier les montants de cette version").click()
    page.get_by_role("heading", name="Modifier le tableau 2023", exact=False).wait_for()
    # A second tab, opened on the same grid before anything is saved.
    second = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    second.add_cookies(page.context.cookies())  # the same session, as another tab would have
    onglet = second.new_page()
    onglet.goto(page.url)

    page.get_by_label("Action 3.3 — État").fill("3 000")
    capture(page, "grille-tableau")
    page.get_by_role("button", name="Enregistrer le tableau").click()
    page.get_by_text("0 montant(s) ajouté(s), 1 modifié(s), 0 supprimé(s)").wait_for()
    total = page.locator("table.tableau-annexe tfoot tr.ligne-total").inner_text()
    assert "347\u202f500\u00a0€" in total
    assert "non respectée" in page.locator("table.tableau-annexe tfoot").inner_text()
    assert montant_33_etat() == Decimal("3000.00")

    onglet.get_by_label("Action 3.3 — État").fill("2 800")
    onglet.get_by_label("Action 1.1 — État").fill("90 000")
    onglet.get_by_role("button", name="Enregistrer le tableau").click()
    alerte = onglet.get_by_role("alert")
    alerte.wait_for()
    texte = alerte.inner_text()
    assert "rien n'a été enregistré" in texte
    assert "la valeur est maintenant 3\u202f000\u00a0€ (votre saisie : 2\u202f800\u00a0€)" in texte
    assert montant_33_etat() == Decimal("3000.00")
    # What the second tab typed is still there, to save again or correct.
    assert onglet.get_by_label("Action 3.3 — État").input_value() == "2 800"
    assert onglet.get_by_label("Action 1.1 — État").input_value() == "90 000"
    capture(onglet, "grille-conflit")
    onglet.get_by_label("Action 3.3 — État").fill("3 000")  # the colleague's value, agreed
    onglet.get_by_role("button", name="Enregistrer le tableau").click()
    onglet.get_by_text("0 montant(s) ajouté(s), 1 modifié(s), 0 supprimé(s)").wait_for()
    assert (montant_etat("1.1"), montant_33_etat()) == (Decimal("90000.00"), Decimal("3000.00"))
    second.close()


def test_quitter_la_grille_avec_des_saisies_non_enregistrees_demande(instance, navigateur):
    page = navigateur
    connecter(page, instance, "finances", "demo-finances-2026")
    page.goto(f"{instance}{CALPA}")
    page.get_by_role("link", name="Modifier les montants de cette version").click()
    page.get_by_role("heading", name="Modifier le tableau 2023", exact=False).wait_for()
    dialogues = []

    def refuser(dialogue):
        dialogues.append(dialogue.type)
        dialogue.dismiss()  # « Rester sur la page »

    page.on("dialog", refuser)
    page.get_by_role("link", name="Annuler").click()  # nothing typed: leaves without asking
    page.get_by_role("heading", name="Tableau des engagements").wait_for()
    assert dialogues == []
    page.go_back()
    champ = page.get_by_label("Action 3.3 — État")
    champ.click()  # typed by the keyboard, as a person does (a page asks only then)
    champ.press("Control+A")
    champ.press_sequentially("2 600")
    page.get_by_role("link", name="Annuler").click()
    page.wait_for_timeout(300)
    assert dialogues == ["beforeunload"]
    assert "/modifier/" in page.url and champ.input_value() == "2 600"
    page.get_by_role("button", name="Enregistrer le tableau").click()  # saving does not ask
    page.get_by_text("1 modifié(s)", exact=False).wait_for()
    assert dialogues == ["beforeunload"]


def test_mettre_en_vigueur_demande_confirmation_et_tient_dans_un_telephone(instance, navigateur):
    """The confirmation of « mettre en vigueur », at 390 and 1280 px: its totals (écart
    included) and the amounts that change inside the screen, no serious axe violation; then
    confirmed."""
    from axe_playwright_python.sync_playwright import Axe

    from conventions.models import TableauEngagements

    page = navigateur
    connecter(page, instance, "finances", "demo-finances-2026")
    non_retenue = TableauEngagements.objects.get(libelle__contains="non retenue")
    page.goto(f"{instance}{non_retenue.get_absolute_url()}")
    page.get_by_role("link", name="Mettre cette version en vigueur…").click()
    page.get_by_role("heading", name="Mettre en vigueur « Version Dijon", exact=False).wait_for()
    for largeur in (390, 1280):
        page.set_viewport_size({"width": largeur, "height": 900})
        largeurs = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert largeurs[0] <= largeurs[1], largeurs
        totaux = page.get_by_role("table", name="Totaux de 2023", exact=False)
        ecart = totaux.locator("tfoot td.montant").last
        action = page.locator("tbody tr").filter(has_text="1.1").locator("td.montant").last
        for cellule, texte in ((ecart, "0\u00a0€"), (action, "80\u202f000\u00a0€")):
            assert texte in cellule.inner_text()
            cellule.scroll_into_view_if_needed()
            boite = cellule.bounding_box()
            assert boite["x"] >= 0 and boite["x"] + boite["width"] <= largeur, (largeur, boite)
        violations = Axe().run(page).response["violations"]
        assert [v["id"] for v in violations if v["impact"] in {"critical", "serious"}] == []
        page.evaluate("window.scrollTo(0, 0)")
        capture(page, f"confirmation-mise-en-vigueur-{largeur}")
    page.get_by_role("button", name="Mettre en vigueur").click()
    page.get_by_text("est en vigueur pour 2023", exact=False).wait_for()
    non_retenue.refresh_from_db()
    assert non_retenue.en_vigueur
