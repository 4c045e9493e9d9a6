"""End-to-end: the finances user imports, in the admin (« Importer un classeur »), a CALPA 2023
workbook whose 1.1 État amount changed and whose 3.3 row was deleted. The preview lists the two
3.3 amounts to delete; confirming without ticking « Supprimer ces montants » is refused, ticking
it deletes them. Then the convention page offers the blank workbook to fill in Excel.
Screenshots (1280 px and 390 px wide) go to the captures folder (a temporary one;
``docs/captures/`` with ``make captures``).

Same browser and served instance as the other end-to-end tests (``conftest.py``).
"""

import io
from decimal import Decimal

from openpyxl import load_workbook

from conventions.models import Convention, Engagement
from fichiers.classeurs.export import classeur_des_tableaux, tableaux_de
from tests.e2e.conftest import CAPTURES, capture, connecter, connecter_a_l_admin, debordement

CALPA = "calpa-dijon-2023"
IMPORT = "/admin/conventions/tableauengagements/importer/"
FICHIER = "Classeur (.xlsx)"
MOBILE = 390
LIEN_VIERGE = "Classeur vierge 2023 à remplir dans Excel"


def montants(code, financeur=None):
    engagements = Engagement.objects.filter(
        tableau__convention__slug=CALPA, tableau__en_vigueur=True, action__code=code
    )
    if financeur:
        engagements = engagements.filter(financeur__categorie=financeur)
    return engagements


def classeur_modifie(chemin):
    """The exported CALPA 2023 workbook, 1.1 État set to « 90 000,50 », the 3.3 row deleted."""
    convention = Convention.objects.get(slug=CALPA)
    classeur = load_workbook(io.BytesIO(classeur_des_tableaux(tableaux_de(convention, 2023, 2023))))
    feuille = classeur["En vigueur"]
    entetes = [c.value for c in feuille[11]]
    assert entetes[2] == "État", entetes
    codes = {feuille.cell(r, 1).value: r for r in range(13, feuille.max_row + 1)}
    feuille.cell(codes["1.1"], 3).value = "90 000,50"
    feuille.delete_rows(codes["3.3"])
    classeur.save(chemin)
    return chemin


def deposer(page, url, chemin):
    page.goto(f"{url}{IMPORT}")
    page.get_by_label(FICHIER).set_input_files(str(chemin))
    page.get_by_role("button", name="Prévisualiser").click()
    page.get_by_role("button", name="Confirmer l'import").wait_for()


def verifier_a_390_px(page, nom):
    """At a phone's width the page scrolls down only; full-page screenshot ``nom``."""
    page.set_viewport_size({"width": MOBILE, "height": 844})
    page.screenshot(path=str(CAPTURES / f"{nom}.png"), full_page=True)
    assert page.evaluate(f"document.documentElement.scrollWidth <= {MOBILE + 1}"), (
        f"à {MOBILE} px, la page déborde : {debordement(page)}"
    )
    page.set_viewport_size({"width": 1280, "height": 900})


def test_les_finances_importent_un_classeur_et_confirment_les_suppressions(
    instance, navigateur, tmp_path
):
    page = navigateur
    connecter_a_l_admin(page, instance, "finances", "demo-finances-2026")
    assert montants("3.3").count() == 2
    etat_3_3 = montants("3.3").get(financeur__categorie="etat")
    chemin = classeur_modifie(tmp_path / "annexe-calpa-2023.xlsx")

    deposer(page, instance, chemin)
    suppressions = page.locator("fieldset").filter(
        has_text="2 montants sans ligne ou sans colonne dans le classeur"
    )
    assert suppressions.locator("legend").inner_text() == (
        "2 montants sans ligne ou sans colonne dans le classeur"
    )
    liste = suppressions.locator("li").all_inner_texts()
    assert len(liste) == 2, liste
    assert all(" 3.3 " in ligne for ligne in liste), liste
    assert any(etat_3_3.financeur.nom in ligne for ligne in liste), liste
    case = page.get_by_label("Supprimer ces montants")
    assert case.is_visible() and not case.is_checked()
    capture(page, "import-suppressions")
    verifier_a_390_px(page, "import-suppressions-390")

    page.get_by_role("button", name="Confirmer l'import").click()
    refus = page.locator(".messagelist .error")
    refus.wait_for()
    assert refus.inner_text().startswith(
        "Import refusé, rien n'a été écrit : 2 montant(s) ont perdu leur ligne d'action ou leur "
        "colonne de financeur dans le classeur"
    )
    assert montants("3.3").count() == 2
    assert montants("1.1", "etat").get().montant != Decimal("90000.50")

    deposer(page, instance, chemin)
    page.get_by_label("Supprimer ces montants").check()
    page.get_by_role("button", name="Confirmer l'import").click()
    succes = page.locator(".messagelist .success")
    succes.wait_for()
    assert succes.inner_text().startswith("Import effectué.")
    assert "2 supprimé(s)" in succes.inner_text()
    assert montants("3.3").count() == 0
    assert montants("1.1", "etat").get().montant == Decimal("90000.50")

    page.goto(f"{instance}/conventions/{CALPA}/")
    if page.get_by_label("Identifiant").count():
        connecter(page, instance, "finances", "demo-finances-2026")
        page.goto(f"{instance}/conventions/{CALPA}/")
    lien = page.get_by_role("link", name=LIEN_VIERGE)
    assert lien.is_visible()
    assert lien.get_attribute("href").endswith("?vierge=1")
    page.set_viewport_size({"width": MOBILE, "height": 844})
    lien.scroll_into_view_if_needed()
    capture(page, "convention-lien-vierge")
