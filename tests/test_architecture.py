"""The plan of docs/architecture.md, kept honest: every import of the project's code, read from
its syntax tree (lazy imports inside functions included), goes down the layers, never up.

A rule broken names the module, the line and what it imported."""

import ast
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[1]
APPLICATIONS = ("commun", "comptes", "conventions", "bilans", "controles", "outils", "pauvrete")


def modules():
    """(dotted name, path) of every module of the project but migrations."""
    for application in APPLICATIONS:
        for chemin in sorted((RACINE / application).rglob("*.py")):
            if "migrations" in chemin.parts:
                continue
            relatif = chemin.relative_to(RACINE).with_suffix("")
            parties = list(relatif.parts)
            if parties[-1] == "__init__":
                parties.pop()
            yield ".".join(parties), chemin


def imports_de(nom: str, chemin: Path):
    """(line, imported module) for each import, relative ones resolved."""
    paquet = nom.split(".") if chemin.name == "__init__.py" else nom.split(".")[:-1]
    for noeud in ast.walk(ast.parse(chemin.read_text(), str(chemin))):
        if isinstance(noeud, ast.Import):
            for alias in noeud.names:
                yield noeud.lineno, alias.name
        elif isinstance(noeud, ast.ImportFrom):
            if noeud.level:
                base = paquet[: len(paquet) - noeud.level + 1]
                cible = ".".join(base + ([noeud.module] if noeud.module else []))
            else:
                cible = noeud.module or ""
            yield noeud.lineno, cible
            for alias in noeud.names:  # « from conventions import views »
                yield noeud.lineno, f"{cible}.{alias.name}"


def est(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def est_un_modele(module: str) -> bool:
    return module.endswith(".models") or ".models." in module


INTERFACE = (".views", ".admin", ".urls", ".forms", ".tables", ".filters")


def interface(module: str) -> bool:
    return any(module.endswith(s) or f"{s}." in module for s in INTERFACE) or ".admin_" in module


# (name, whom it binds, what they must not import)
REGLES = [
    (
        "le code commun n'importe aucune application",
        lambda m: est(m, "commun"),
        lambda cible: est(
            cible, "comptes", "conventions", "bilans", "controles", "outils", "pauvrete"
        ),
    ),
    (
        "les modèles n'importent ni pages, ni administration, ni services, ni contrôles",
        est_un_modele,
        lambda cible: (
            interface(cible)
            or est(cible, "controles", "outils", "pauvrete")
            or any(
                s in cible
                for s in (
                    ".classeurs",
                    ".annuel",
                    ".ressources",
                    ".cycle",
                    ".relances",
                    ".services",
                    ".selectors",
                    ".tableaux",
                )
            )
        ),
    ),
    (
        "les contrôles lisent le domaine, jamais ses pages ni son administration",
        lambda m: est(m, "controles"),
        lambda cible: est(cible, "conventions", "bilans", "comptes") and interface(cible),
    ),
    (
        "seules les configurations d'URL importent des vues",
        lambda m: not m.endswith(".urls"),
        lambda cible: cible.endswith(".views") or ".views." in cible,
    ),
    (
        "les applications n'importent pas le projet (réglages, urls)",
        lambda m: est(m, "commun", "comptes", "conventions", "bilans", "controles"),
        lambda cible: est(cible, "pauvrete"),
    ),
    (
        "l'application n'importe pas les outils",
        lambda m: not est(m, "outils"),
        lambda cible: est(cible, "outils"),
    ),
]


@pytest.mark.parametrize("regle, concerne, interdit", REGLES, ids=[r[0] for r in REGLES])
def test_les_imports_descendent_les_couches(regle, concerne, interdit):
    fautes = [
        f"{chemin.relative_to(RACINE)}:{ligne} importe {cible}"
        for nom, chemin in modules()
        if concerne(nom)
        for ligne, cible in imports_de(nom, chemin)
        if cible.split(".")[0] in APPLICATIONS and interdit(cible)
    ]
    assert fautes == [], regle


def test_le_test_voit_une_faute(tmp_path):
    """The walk reads relative and lazy imports: a model importing a view is caught."""
    chemin = tmp_path / "models.py"
    chemin.write_text("def f():\n    from .views import tableau_de_bord\n")
    cibles = [c for _l, c in imports_de("conventions.models", chemin)]
    assert "conventions.views" in cibles
    assert REGLES[1][2]("conventions.views")


def test_l_architecture_est_decrite():
    texte = (RACINE / "docs" / "architecture.md").read_text()
    for application in APPLICATIONS:
        assert f"{application}/" in texte, application
