"""The plan of docs/architecture.md, kept honest.

The layers themselves are import-linter's contracts in pyproject.toml (``lint-imports``, run by
``make lint``, reads every import, lazy ones inside functions included); these tests check that
the contracts hold from pytest too, that the document draws the same layers in the same order,
and that no application module grows past what one reader takes in."""

import tomllib
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[1]
CONTRATS = tomllib.loads((RACINE / "pyproject.toml").read_text())["tool"]["importlinter"]
COUCHES = next(c for c in CONTRATS["contracts"] if c["id"] == "couches")["layers"]
# Tools beside the application and the transcriptions of the five documents are not
# application modules: they are read as data or run apart.
HORS_APPLICATION = ("outils", "fixtures")
LIGNES_MAX = 400


def test_les_contrats_d_import_sont_tenus():
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(RACINE / "pyproject.toml")) == 0


def test_le_schema_montre_les_couches_du_contrat_dans_leur_ordre():
    texte = (RACINE / "docs" / "architecture.md").read_text()
    schema = texte.split("```")[1]
    # each layer opens a line of the drawing: « ··pages/   the web layer… »
    debuts = [ligne.split()[0] for ligne in schema.splitlines() if ligne.strip()[:1].isalpha()]
    positions = [debuts.index(f"{c}/") if f"{c}/" in debuts else -1 for c in COUCHES]
    assert -1 not in positions, dict(zip(COUCHES, positions, strict=True))
    assert positions == sorted(positions), "le schéma ne suit pas l'ordre des couches du contrat"


@pytest.mark.parametrize("paquet", [c for c in COUCHES if c not in HORS_APPLICATION])
def test_aucun_module_de_l_application_ne_depasse_400_lignes(paquet):
    trop_longs = {
        str(chemin.relative_to(RACINE)): n
        for chemin in sorted((RACINE / paquet).rglob("*.py"))
        if "migrations" not in chemin.parts
        and (n := len(chemin.read_text().splitlines())) > LIGNES_MAX
    }
    assert trop_longs == {}


def test_chaque_paquet_est_decrit():
    texte = (RACINE / "docs" / "architecture.md").read_text()
    for paquet in COUCHES:
        assert f"`{paquet}/`" in texte, paquet
