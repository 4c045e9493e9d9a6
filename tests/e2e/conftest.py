"""The end-to-end tests' browser and served instance: Debian's headless Chromium driven by
Playwright, on a live server with the five documents loaded.

One Chromium per test session (per xdist worker), a fresh context (cookies, storage, viewport)
per test; the tests of this folder run on one worker (``xdist_group``), one after the other,
and the browser closes after the last of them. Screenshots go to a temporary folder
(``$TMPDIR/pauvrete-captures``) unless ``PAUVRETE_CAPTURES`` names one: ``make captures``
rewrites the README's, in ``docs/captures/``. Every test here is skipped, with the reason, when
``/usr/bin/chromium`` is missing (``apt-get install chromium``)."""

import os
import tempfile
from pathlib import Path

import pytest

from comptes import roles
from conventions.models import Territoire
from tests import socle

CHROMIUM = Path("/usr/bin/chromium")
CAPTURES = Path(
    os.environ.get("PAUVRETE_CAPTURES") or Path(tempfile.gettempdir()) / "pauvrete-captures"
).resolve()
GROUPE = pytest.mark.xdist_group("navigateur")


def pytest_collection_modifyitems(config, items):
    absent = pytest.mark.skip(reason="chromium absent : apt-get install chromium (Debian)")
    for item in items:
        if "e2e" in item.nodeid.split("/"):
            item.add_marker(GROUPE)
            if not CHROMIUM.exists():
                item.add_marker(absent)


class Chromium:
    """Playwright and its browser, started at the first test that needs them and stopped after
    the last end-to-end test: while Playwright runs, an event loop runs in this thread, and
    Django refuses its ORM there unless DJANGO_ALLOW_ASYNC_UNSAFE is set, which must not leak
    into the tests that follow on the same worker."""

    playwright = None
    navigateur = None

    @classmethod
    def demarrer(cls):
        if cls.navigateur is None:
            from playwright.sync_api import sync_playwright

            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            cls.playwright = sync_playwright().start()
            cls.navigateur = cls.playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
        return cls.navigateur

    @classmethod
    def arreter(cls):
        if cls.navigateur is not None:
            cls.navigateur.close()
            cls.playwright.stop()
            cls.navigateur = cls.playwright = None
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the fixtures' own teardown (the page's context closed), stop the browser if the
    next test is not an end-to-end one."""
    try:
        return (yield)
    finally:
        if nextitem is None or "e2e" not in nextitem.nodeid.split("/"):
            Chromium.arreter()


@pytest.fixture
def instance(live_server, transactional_db):
    """The served application with the fixtures and one account per role."""
    socle.restaurer()
    territoires = Territoire.objects.all()
    roles.creer_compte(
        "agent", mot_de_passe="demo-agent-2026", role=roles.AGENT, territoires=territoires
    )
    roles.creer_compte(
        "finances", mot_de_passe="demo-finances-2026", role=roles.FINANCES, territoires=territoires
    )
    return live_server.url


@pytest.fixture
def navigateur():
    """A page in a new browser context: nothing kept from the previous test."""
    contexte = Chromium.demarrer().new_context(
        viewport={"width": 1280, "height": 900}, locale="fr-FR"
    )
    page = contexte.new_page()
    violations = []
    page.on("console", lambda message: noter_violation(page, message, violations))
    yield page
    contexte.close()
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
