"""The search's folding: the typed text becomes a regular expression, so whatever is typed must
stay literal (no regex of the user's), on PostgreSQL as on SQLite."""

import re

import pytest

from commun.recherche import motif_sans_accents, sans_accents


def test_chaque_lettre_accepte_ses_formes_accentuees():
    motif = motif_sans_accents("Accès")
    assert motif == "[aàâäáãåāæ][cçć][cçć][eèéêëēę]s"
    for texte in ["ACCÈS", "accès", "acces", "l'accés aux droits"]:
        assert re.search(motif, texte, re.IGNORECASE), texte
    assert not re.search(motif, "acs", re.IGNORECASE)


@pytest.mark.parametrize("saisie", ["C++", "(a|b)", "[x", "50 %", "a.b", "\\d", "l'accès"])
def test_la_saisie_reste_litterale(documents, saisie):
    from conventions.models import Convention
    from pages.recherche import rechercher as recherche

    motif = motif_sans_accents(saisie)
    assert re.fullmatch(motif, sans_accents(saisie))  # matches itself, and only literally
    r = recherche(Convention.objects.all(), saisie)
    actions, operateurs, indicateurs, conventions = (
        r.actions,
        r.operateurs,
        r.indicateurs,
        r.conventions,
    )
    if saisie in {"C++", "(a|b)", "[x", "\\d"}:
        assert (actions, operateurs, indicateurs, conventions) == ([], [], [], [])
