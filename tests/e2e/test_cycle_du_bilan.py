"""End-to-end, in Debian's headless Chromium: the 2023 bilan's life (issue 16). The collectivité's
agent records the deliberation and transmits despite the control errors, the État's reviewer
sends it back with a comment, the agent completes it and transmits again, the reviewer validates
it; an administrator corrects its transmission date and reopens it, each with a motif.
Screenshots of the « Suivi du bilan » section and of the dashboards go to the captures folder (a
temporary one; ``docs/captures/`` with ``make captures``).

Skipped, with the reason, when ``/usr/bin/chromium`` is missing (``apt-get install chromium``).
"""

from commun.historique import poser_le_socle
from comptes import roles
from conventions.models import Territoire
from tests.e2e.conftest import capture, connecter, debordement

BILAN = "/conventions/calpa-dijon-2023/bilans/2023/"
COMMENTAIRE = (
    "Action 3.2 : les personnes suivies sur l'année (269) ne font pas la somme de leurs parties."
)
MOBILE = 390


def deconnecter(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_label("Identifiant").wait_for()


def au_telephone(page, nom=None):
    """At a phone's width the bilan scrolls down only; screenshot ``nom`` of « Suivi du bilan »."""
    page.set_viewport_size({"width": MOBILE, "height": 844})
    page.reload()
    largeur, droite, element = debordement(page)
    assert largeur <= MOBILE, (
        f"à {MOBILE} px, la page fait {largeur} px de large ({largeur - MOBILE} px de trop) ; "
        f"élément le plus à droite ({droite} px) : {element}"
    )
    if nom:
        page.locator("#suivi").evaluate("e => e.scrollIntoView()")
        capture(page, nom)
    page.set_viewport_size({"width": 1280, "height": 900})


def statut(page):
    return page.locator("#titre-suivi").inner_text()


def transmettre(page, le=None):
    """« Transmettre au préfet » (on the day ``le`` when given, else today, as the form
    proposes), then « Transmettre quand même » on the list of errors."""
    if le:
        page.locator("#suivi").get_by_label("Date de transmission au préfet").fill(le)
    page.get_by_role("button", name="Transmettre au préfet").click()
    page.get_by_role("heading", name="Transmettre le bilan 2023 malgré ses erreurs ?").wait_for()
    assert page.locator(".erreurs li").count() > 0, "la confirmation liste les erreurs"
    page.get_by_role("button", name="Transmettre quand même").click()
    page.get_by_text("Transmettre au préfet : fait.").wait_for()
    assert statut(page) == "Suivi du bilan : transmis au préfet"
    assert "Lecture seule :" in page.locator("#suivi").inner_text()
    assert page.get_by_text("Renseigner l'action").count() == 0


def test_le_bilan_est_transmis_renvoye_complete_puis_valide(instance, navigateur):
    poser_le_socle()  # as `make run` does after loaddata: the first change reads « avant → après »
    roles.creer_compte(
        "etat",
        mot_de_passe="demo-etat-2026",
        role=roles.AGENT,
        territoires=Territoire.objects.all(),
        cote="etat",
        nom="Instructrice de la préfecture",
        courriel="etat@example.org",
    )
    page = navigateur

    # The collectivité records the deliberation and transmits despite the errors.
    connecter(page, instance, "agent", "demo-agent-2026")
    page.goto(f"{instance}{BILAN}")
    assert statut(page) == "Suivi du bilan : en préparation"
    suivi = page.locator("#suivi")
    suivi.get_by_label("Date de la délibération du conseil (obligatoire)").fill("2024-03-14")
    suivi.get_by_role("button", name="Enregistrer la délibération").click()
    page.get_by_text("Enregistrer la délibération : fait.").wait_for()
    assert statut(page) == "Suivi du bilan : délibéré"
    transmettre(page, le="2024-03-20")
    capture(page, "bilan-suivi-transmis")
    deconnecter(page)

    # The État's reviewer finds it to examine and sends it back with a comment.
    connecter(page, instance, "etat", "demo-etat-2026")
    a_examiner = page.locator(".a-traiter li", has_text="bilan à examiner")
    assert a_examiner.count() == 1
    capture(page, "tableau-de-bord-etat")
    a_examiner.get_by_role("link", name="Bilan 2023").click()
    assert statut(page) == "Suivi du bilan : transmis au préfet"
    assert page.get_by_text("Lecture seule :").count() == 0, "le verrou parle à la collectivité"
    au_telephone(page)  # the two forms, their comments' boxes full width
    page.get_by_label("Ce que la collectivité doit compléter (obligatoire)").fill(COMMENTAIRE)
    page.get_by_role("button", name="Renvoyer à compléter").click()
    page.get_by_text("Renvoyer à compléter : fait.").wait_for()
    assert statut(page) == "Suivi du bilan : à compléter"
    deconnecter(page)

    # The collectivité reads the comment, completes its bilan and transmits it again.
    connecter(page, instance, "agent", "demo-agent-2026")
    a_completer = page.locator(".a-traiter li", has_text="bilan à compléter")
    assert a_completer.count() == 1
    assert COMMENTAIRE in a_completer.inner_text()
    a_completer.get_by_role("link", name="Bilan 2023").click()
    assert statut(page) == "Suivi du bilan : à compléter"
    assert COMMENTAIRE in page.locator("#suivi .a-completer").inner_text()
    capture(page, "bilan-suivi-a-completer")
    assert page.get_by_text("Renseigner l'action").count() > 0, "de nouveau modifiable"
    page.get_by_text("Renseigner l'action 3.2").click()
    page.get_by_label("Personnes suivies sur l'année").fill("272")
    page.get_by_role("button", name="Enregistrer l'action 3.2").click()
    page.get_by_text("Action 3.2 enregistrée.").wait_for()
    assert "272" in page.locator("#action-32").inner_text()
    page.locator("#suivi").scroll_into_view_if_needed()
    transmettre(page)
    deconnecter(page)

    # The État's reviewer validates it.
    connecter(page, instance, "etat", "demo-etat-2026")
    page.locator(".a-traiter li", has_text="bilan à examiner").get_by_role(
        "link", name="Bilan 2023"
    ).click()
    page.get_by_role("button", name="Valider le bilan").click()
    page.get_by_text("Valider le bilan : fait.").wait_for()
    assert statut(page) == "Suivi du bilan : validé"
    assert page.get_by_role("button", name="Valider le bilan").count() == 0
    chronologie = page.get_by_role("table", name="Chronologie du bilan 2023")
    lignes = chronologie.locator("tbody tr")
    assert lignes.count() == 5
    assert [lignes.nth(i).locator("td").nth(2).inner_text() for i in range(5)] == [
        "en préparation → délibéré",
        "délibéré → transmis au préfet",
        "transmis au préfet → à compléter",
        "à compléter → transmis au préfet",
        "transmis au préfet → validé",
    ]
    assert COMMENTAIRE in lignes.nth(2).inner_text()
    assert "Instructrice de la préfecture" in lignes.nth(4).inner_text()
    # Dated as entered: the deliberation of 14 March and the transmission of 20 March 2024.
    assert lignes.nth(0).locator("td").first.inner_text().startswith("14 mars 2024")
    assert lignes.nth(1).locator("td").first.inner_text().startswith("20 mars 2024")
    capture(page, "bilan-suivi-valide")

    # On a phone, the section fits the screen; the timeline reads as one card per line.
    au_telephone(page, "telephone-bilan-suivi")
    deconnecter(page)

    # Validated, the bilan leaves everyone's « À traiter ».
    connecter(page, instance, "agent", "demo-agent-2026")
    assert page.locator(".a-traiter li", has_text="Bilan 2023 — Convention d'appui").count() == 0
    capture(page, "tableau-de-bord-apres-validation")
    deconnecter(page)

    # An administrator corrects the transmission date (the second one was the day of the
    # click), then reopens the bilan, each with a motif.
    roles.creer_compte(
        "admin",
        mot_de_passe="demo-admin-2026",
        role=roles.ADMINISTRATEUR,
        nom="Administratrice",
    )
    connecter(page, instance, "admin", "demo-admin-2026")
    page.goto(f"{instance}{BILAN}")
    suivi = page.locator("#suivi")
    suivi.get_by_text("Corriger la date de transmission (enregistrée").click()
    correction = suivi.locator("#corriger-transmission")
    correction.get_by_label("Date de transmission au préfet (obligatoire)").fill("2024-03-28")
    correction.get_by_label("Motif de la correction (obligatoire)").fill(
        "Renvoyé par courrier le 28 mars 2024 ; saisi en ligne plus tard."
    )
    correction.get_by_role("button", name="Corriger la date de transmission").click()
    page.get_by_text("Corriger la date de transmission : fait.").wait_for()
    derniere = chronologie.locator("tbody tr").last
    assert "Date de transmission corrigée" in derniere.inner_text()
    assert "→ 28 mars 2024" in derniere.inner_text()
    assert "Renvoyé par courrier le 28 mars 2024" in derniere.inner_text()
    suivi.get_by_text("Rouvrir le bilan").first.click()
    reouverture = suivi.locator("#rouvrir")
    reouverture.get_by_label(
        "Motif de la réouverture : ce que la collectivité doit compléter (obligatoire)"
    ).fill("Le réalisé de l'action 3.1 a été corrigé par l'opérateur : à reprendre.")
    reouverture.get_by_role("button", name="Rouvrir le bilan").click()
    page.get_by_text("Rouvrir le bilan : fait.").wait_for()
    assert statut(page) == "Suivi du bilan : à compléter"
    assert "bilan rouvert le" in suivi.locator(".a-completer").inner_text()
    assert (
        "Bilan rouvert : validé → à compléter" in chronologie.locator("tbody tr").last.inner_text()
    )
    capture(page, "bilan-suivi-rouvert")
    au_telephone(page, "telephone-bilan-suivi-rouvert")
    deconnecter(page)

    # The collectivité finds it to complete again, with the motif.
    connecter(page, instance, "agent", "demo-agent-2026")
    rouvert = page.locator(".a-traiter li", has_text="bilan à compléter")
    assert "validé puis rouvert par Administratrice" in rouvert.inner_text()
    capture(page, "tableau-de-bord-rouvert")
    page.set_viewport_size({"width": MOBILE, "height": 844})
    capture(page, "telephone-tableau-de-bord-rouvert")
