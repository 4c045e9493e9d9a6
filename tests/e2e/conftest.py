"""The end-to-end tests' browser and served instance: Debian's headless Chromium driven by
Playwright, on a live server with the five documents loaded. Screenshots go to
``docs/captures/``; every test here is skipped, with the reason, when ``/usr/bin/chromium`` is
missing (``apt-get install chromium``)."""

from pathlib import Path

import pytest
from django.core.management import call_command

from comptes import roles
from conventions.models import Territoire
from tests.conftest import FIXTURES

CHROMIUM = Path("/usr/bin/chromium")
CAPTURES = Path(__file__).resolve().parents[2] / "docs" / "captures"


def pytest_collection_modifyitems(config, items):
    absent = pytest.mark.skip(reason="chromium absent : apt-get install chromium (Debian)")
    for item in items:
        if "e2e" in item.nodeid.split("/") and not CHROMIUM.exists():
            item.add_marker(absent)


@pytest.fixture
def instance(live_server, transactional_db):
    """The served application with the fixtures and one account per role."""
    call_command("loaddata", *FIXTURES, verbosity=0)
    territoires = Territoire.objects.all()
    roles.creer_compte(
        "agent", mot_de_passe="demo-agent-2026", role=roles.AGENT, territoires=territoires
    )
    roles.creer_compte(
        "finances", mot_de_passe="demo-finances-2026", role=roles.FINANCES, territoires=territoires
    )
    return live_server.url


@pytest.fixture
def navigateur(monkeypatch):
    # Django refuses its ORM inside an event loop; Playwright's sync API runs one in this thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = chromium.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        violations = []
        page.on("console", lambda message: noter_violation(page, message, violations))
        yield page
        chromium.close()
    # Every page any end-to-end test opens is held to the Content-Security-Policy.
    assert violations == [], "violations de la politique de contenu (CSP) :\n" + "\n".join(
        violations
    )


def noter_violation(page, message, violations):
    if "Content Security Policy" in message.text:
        violations.append(f"{page.url} : {message.text}")


def connecter(page, url, identifiant, mot_de_passe):
    page.goto(f"{url}/")
    page.get_by_label("Identifiant").fill(identifiant)
    page.get_by_label("Mot de passe").fill(mot_de_passe)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Tableau de bord").wait_for()


def capture(page, nom):
    CAPTURES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(CAPTURES / f"{nom}.png"), full_page=False)


def connecter_a_l_admin(page, url, identifiant, mot_de_passe):
    page.goto(f"{url}/admin/login/")
    page.get_by_label("Nom d’utilisateur").fill(identifiant)
    page.get_by_label("Mot de passe").fill(mot_de_passe)
    page.get_by_role("button", name="Connexion").click()
    page.get_by_role("heading", name="Conventions, engagements et bilans").wait_for()


def debordement(page):
    """``(scrollWidth, right edge, the element reaching furthest right)`` of the page."""
    return page.evaluate(
        """() => {
            let large = null, droite = 0;
            for (const e of document.querySelectorAll('body *')) {
                const r = e.getBoundingClientRect().right;
                if (r > droite) { droite = r; large = e; }
            }
            const nom = large ? large.tagName.toLowerCase()
                + (large.id ? '#' + large.id : '')
                + ' « ' + (large.innerText || '').trim().slice(0, 60) + ' »' : '';
            return [document.documentElement.scrollWidth, Math.round(droite), nom];
        }"""
    )
