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
