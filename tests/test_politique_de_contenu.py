"""The Content-Security-Policy header on every response, and templates that need no exception
to it: no inline script, no style attribute or element, no event handler attribute. The browser
side (zero violations in Chromium's console) is in ``tests/e2e``."""

import re
from pathlib import Path

import pytest

GABARITS = Path(__file__).resolve().parents[1] / "templates"
INTERDITS = {
    "attribut style": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "élément style": re.compile(r"<style\b", re.IGNORECASE),
    "script en ligne": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "gestionnaire d'événement": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "lien javascript:": re.compile(r"javascript:", re.IGNORECASE),
}


@pytest.mark.parametrize("adresse", ["/compte/connexion/", "/admin/login/", "/"])
def test_chaque_reponse_porte_la_politique(client, db, adresse):
    politique = client.get(adresse)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in politique.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in politique and "unsafe-eval" not in politique


def test_les_gabarits_n_ont_ni_script_ni_style_en_ligne():
    trouves = [
        f"{chemin.relative_to(GABARITS)}:{numero} : {nom}"
        for chemin in sorted(GABARITS.rglob("*.html"))
        for numero, ligne in enumerate(chemin.read_text().splitlines(), start=1)
        for nom, motif in INTERDITS.items()
        if motif.search(ligne)
    ]
    assert trouves == []
