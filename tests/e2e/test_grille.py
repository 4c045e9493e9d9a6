"""End-to-end: a finance officer edits the annex grid in the browser, sees the total and the
constats change, and a second tab left open on the old values is refused with the colleague's
value."""

from decimal import Decimal

from conventions.models import Engagement
from tests.e2e.conftest import capture, connecter

CALPA = "/conventions/calpa-dijon-2023/"


def montant_33_etat():
    return Engagement.objects.get(
        tableau__convention__slug="calpa-dijon-2023",
        tableau__en_vigueur=True,
        action__code="3.3",
        financeur__slug="etat",
    ).montant


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
    onglet.get_by_role("button", name="Enregistrer le tableau").click()
    alerte = onglet.get_by_role("alert")
    alerte.wait_for()
    texte = alerte.inner_text()
    assert "rien n'a été enregistré" in texte
    assert "la valeur est maintenant 3\u202f000\u00a0€ (votre saisie : 2\u202f800\u00a0€)" in texte
    assert montant_33_etat() == Decimal("3000.00")
    second.close()
