"""Every page of the URL configuration, as each role, on a phone (390 px) and a desktop
(1280 px): no page wider than the screen, and axe-core finds no critical or serious violation.
At 1280 px the écart of each comparison is inside the viewport."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from comptes import roles
from conventions.models import Territoire
from tests.e2e.conftest import capture, connecter
from tests.test_matrice_des_droits import ADMIN, AGENT, FINANCES, REGLES, adresse, noms_d_url

# Downloads, and the load balancer's JSON (/sante/), not pages.
TELECHARGEMENTS = {
    "conventions:classeur",
    "conventions:lignes_d_engagement",
    "bilans:classeur",
    "bilans:rapport_d_execution",
    "bilans:rapport_d_execution_docx",
    "bilans:rapports_de_l_annee",
    "conventions:annexe_financiere",
    "sante",
}
PAGES_EN_PLUS = [
    "/recherche/?q=acc%C3%A8s",
    "/conventions/tznr-dijon-2023-2025/",
    "/conventions/contrat-de-ville-grand-dijon-2015-2020/",
    "/conventions/pacte-solidarite-dijon-2020/",
    "/compte/mot-de-passe/",
]
ROLES = {
    roles.AGENT: "demo-agent-2026",
    roles.FINANCES: "demo-finances-2026",
    roles.ADMINISTRATEUR: "demo-admin-2026",
}


def adresses(role) -> list[str]:
    """The pages this role may open (per the rights matrix), downloads left out."""
    colonne = {roles.AGENT: AGENT, roles.FINANCES: FINANCES, roles.ADMINISTRATEUR: ADMIN}[role]
    pages = [
        adresse(nom, motif)
        for nom, motif in noms_d_url()
        if nom in REGLES and nom not in TELECHARGEMENTS and REGLES[nom][colonne] == 200
    ]
    return sorted(set(pages)) + PAGES_EN_PLUS


def graves(page) -> list[str]:
    resultat = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}) : {v['nodes'][0]['target']}"
        for v in resultat.response["violations"]
        if v["impact"] in {"critical", "serious"}
    ]


@pytest.mark.parametrize("largeur", [390, 1280], ids=["telephone", "bureau"])
@pytest.mark.parametrize("role", list(ROLES), ids=list(ROLES))
def test_chaque_page_tient_dans_l_ecran_et_passe_axe(instance, navigateur, role, largeur):
    if role == roles.ADMINISTRATEUR:
        roles.creer_compte("admin", mot_de_passe=ROLES[role], role=role)
    else:
        roles.creer_compte(
            role, mot_de_passe=ROLES[role], role=role, territoires=Territoire.objects.all()
        )
    page = navigateur
    page.set_viewport_size({"width": largeur, "height": 900})
    connecter(page, instance, role if role != roles.ADMINISTRATEUR else "admin", ROLES[role])
    problemes = []
    for url in adresses(role):
        reponse = page.goto(f"{instance}{url}")
        assert reponse.status == 200, url
        largeurs = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if largeurs[0] > largeurs[1]:
            problemes.append(f"{url} : {largeurs[0]} px de large pour {largeurs[1]}")
        problemes += [f"{url} : {violation}" for violation in graves(page)]
        if role == roles.FINANCES and largeur == 390 and url in TELEPHONE:
            capture(page, TELEPHONE[url])
    assert problemes == []


TELEPHONE = {
    "/conventions/calpa-dijon-2023/": "telephone-convention",
    "/conventions/calpa-dijon-2023/comparaison/versions/": "telephone-comparaison",
    "/conventions/calpa-dijon-2023/bilans/2023/": "telephone-bilan",
}


ECARTS = [
    ("/conventions/calpa-dijon-2023/comparaison/versions/", "1.1", "−40\u202f000\u00a0€"),
    ("/conventions/calpa-dijon-2023/comparaison/annees/?annee=2023", "1.1", "+48\u202f000\u00a0€"),
    ("/conventions/calpa-dijon-2023/bilans/2023/comparaison/", "3.1", "+15\u202f400\u00a0€"),
]


@pytest.mark.parametrize("url, code, ecart", ECARTS, ids=["versions", "annees", "bilan"])
def test_l_ecart_des_comparaisons_est_dans_l_ecran_a_1280_px(
    instance, navigateur, url, code, ecart
):
    page = navigateur
    connecter(page, instance, "finances", "demo-finances-2026")
    page.goto(f"{instance}{url}")
    entete = page.get_by_role("columnheader", name="Écart", exact=False).first
    ligne = page.locator("tbody tr").filter(has=page.locator("td", has_text=code)).first
    cellule = ligne.locator("td.montant", has_text=ecart)
    for element in (entete, cellule):
        element.scroll_into_view_if_needed()
        boite = element.bounding_box()
        assert boite["x"] >= 0 and boite["x"] + boite["width"] <= 1280, (url, boite)
    if "versions" in url:
        capture(page, "comparaison-versions")


def test_clavier_les_onglets_de_version_et_le_focus_visible(instance, navigateur):
    page = navigateur
    connecter(page, instance, "finances", "demo-finances-2026")
    page.goto(f"{instance}/conventions/calpa-dijon-2023/")
    lien = page.get_by_role("link", name="Version Dijon Métropole non retenue", exact=False).first
    lien.focus()
    contour = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert contour != "none"
    page.keyboard.press("Enter")
    page.wait_for_url("**version=*")
    assert "non retenue" in page.locator("table.tableau-annexe caption").inner_text()
