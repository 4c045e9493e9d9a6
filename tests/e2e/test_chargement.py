"""End-to-end: an administrateur loads a convention from a YAML file in the admin (« Charger une
convention »), reads the preview, confirms, gives the new territoire to the agent on the result
screen, then sees a bad file refused. Screenshots of the preview (1280 px and 390 px wide) and
of the refusal go to the captures folder (a temporary one; ``docs/captures/`` with ``make
captures``).

Same browser and served instance as the other end-to-end tests (``conftest.py``).
"""

from pathlib import Path

from comptes import roles
from conventions.models import Convention, Engagement
from tests.e2e.conftest import CAPTURES, capture, connecter_a_l_admin, debordement

RACINE = Path(__file__).resolve().parents[2]
EXEMPLE = RACINE / "fixtures" / "exemples" / "calpa_haute_saone_2021.yaml"
FICHIER = "Fichier de la convention (.yaml, .yml ou .json)"
MOBILE = 390


def deposer(page, chemin):
    page.get_by_label(FICHIER).set_input_files(str(chemin))
    page.get_by_role("button", name="Vérifier et prévisualiser").click()


def verifier_a_390_px(page, nom):
    """At a phone's width the page scrolls down only; full-page screenshot ``nom``."""
    page.set_viewport_size({"width": MOBILE, "height": 844})
    page.screenshot(path=str(CAPTURES / f"{nom}.png"), full_page=True)
    largeur, droite, element = debordement(page)
    assert largeur <= MOBILE + 1, (
        f"à {MOBILE} px, la page fait {largeur} px de large ({largeur - MOBILE} px de trop) ; "
        f"élément le plus à droite ({droite} px) : {element}"
    )
    page.set_viewport_size({"width": 1280, "height": 900})


def test_un_administrateur_charge_la_convention_d_exemple_puis_un_fichier_refuse(
    instance,
    navigateur,
    tmp_path,
):
    page = navigateur
    roles.creer_compte("admin", mot_de_passe="demo-admin-2026", role=roles.ADMINISTRATEUR)
    connecter_a_l_admin(page, instance, "admin", "demo-admin-2026")
    page.goto(f"{instance}/admin/conventions/convention/")
    page.get_by_role("link", name="Charger une convention").click()
    page.get_by_role("heading", name="Charger une convention").wait_for()

    deposer(page, EXEMPLE)
    page.get_by_role("button", name="Confirmer le chargement").wait_for()
    apercu = page.locator("#content").inner_text()
    assert "275\u202f900,45\u00a0€" in apercu
    assert "545\u202f900,45\u00a0€" in apercu
    assert "écart +0,45\u00a0€, arrondi à l'euro" in apercu
    capture(page, "chargement-apercu")

    verifier_a_390_px(page, "chargement-apercu-390")

    page.get_by_role("button", name="Confirmer le chargement").click()
    page.locator(".messagelist .success").wait_for()
    assert (
        "Fichier calpa_haute_saone_2021.yaml chargé : Convention d'appui à la lutte contre la "
        "pauvreté et d'accès à l'emploi — Haute-Saône 2021."
        in page.locator(".messagelist").inner_text()
    )
    convention = Convention.objects.get(slug="calpa-haute-saone-2021")
    assert Engagement.objects.filter(tableau__convention=convention).count() == 16

    # The result screen: nobody follows the new territoire yet; it is given to the agent here.
    territoire = "Département de la Haute-Saône"
    assert (
        f"Personne ne suit encore le territoire {territoire} : seuls les superutilisateurs "
        "voient cette convention." in page.locator("#content").inner_text()
    )
    capture(page, "chargement-suivi")
    verifier_a_390_px(page, "chargement-suivi-390")
    page.get_by_label("agent — agent").check()
    page.get_by_role("button", name=f"Accorder le territoire {territoire}").click()
    page.get_by_text(f"Le territoire {territoire} est maintenant suivi par agent.").wait_for()
    assert convention.territoire.profils.filter(utilisateur__username="agent").exists()

    texte = EXEMPLE.read_text(encoding="utf-8")
    assert texte.count('montant: "12500.00"') == 1
    negatif = tmp_path / "montant_negatif.yaml"
    negatif.write_text(
        texte.replace('montant: "12500.00"', 'montant: "-12500.00"'), encoding="utf-8"
    )
    page.get_by_role("link", name="Charger une convention").click()
    deposer(page, negatif)
    refus = page.locator(".errornote")
    refus.wait_for()
    assert refus.inner_text().startswith("Chargement refusé, rien n'a été écrit")
    assert any(
        "Montant « -12500.00 » négatif" in li for li in refus.locator("li").all_inner_texts()
    )
    assert not page.get_by_role("button", name="Confirmer le chargement").count()
    capture(page, "chargement-refus")
    verifier_a_390_px(page, "chargement-refus-390")
