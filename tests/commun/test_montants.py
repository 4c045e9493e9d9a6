"""The one amount reader: what it accepts, what it refuses, and the words of each refusal."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commun.formats import ESPACE_FINE, arrondi, euros, nombre
from commun.montants import MontantRefuse, lire_montant


@pytest.mark.parametrize(
    ("saisie", "attendu"),
    [
        ("1 234,50", "1234.50"),
        ("1234.5", "1234.50"),
        ("1\u00a0234,50", "1234.50"),
        ("1\u202f234,50", "1234.50"),
        ("1 234,50 €", "1234.50"),
        ("347 000 €", "347000.00"),
        ("0", "0.00"),
        ("  12,3  ", "12.30"),
        (1234, "1234.00"),
        (1234.5, "1234.50"),
        (0.1, "0.10"),
        (Decimal("7.10"), "7.10"),
    ],
    ids=repr,
)
def test_un_montant_se_lit_comme_on_le_tape(saisie, attendu):
    assert lire_montant(saisie) == Decimal(attendu)


@pytest.mark.parametrize(
    ("saisie", "message"),
    [
        ("abc", "Montant « abc » illisible : attendu par exemple « 1\u00a0234,50 »."),
        ("1,2,3", "Montant « 1,2,3 » illisible : attendu par exemple « 1\u00a0234,50 »."),
        ("=A1*2", "Montant « =A1*2 » illisible"),
        ("1e3", "Montant « 1e3 » illisible"),
        ("NaN", "Montant « NaN » illisible"),
        (float("nan"), "Montant « nan » illisible"),
        (float("inf"), "Montant « inf » illisible"),
        (True, "Montant « True » illisible"),
        ("-5", "Montant « -5 » négatif : positif ou nul attendu."),
        (-5, "Montant « -5 » négatif"),
        (
            "1 000 000 000 000",
            "Montant « 1 000 000 000 000 » trop grand : moins de 1 000 milliards attendu.",
        ),
        (10**12, "trop grand"),
        ("0,125", "Montant « 0,125 » au-delà du centime : deux décimales au plus"),
        (0.125, "Montant « 0.125 » au-delà du centime"),
        ("1.234", "Montant « 1.234 » ambigu : 1\u202f234 (séparateur de milliers) ou 1,234"),
        ("1,234", "Montant « 1,234 » ambigu"),
    ],
    ids=repr,
)
def test_un_montant_illisible_est_refuse_en_francais(saisie, message):
    with pytest.raises(MontantRefuse) as erreur:
        lire_montant(saisie)
    assert message in str(erreur.value)


def test_le_nom_de_la_valeur_change_les_mots_pas_la_regle():
    with pytest.raises(MontantRefuse, match="^Valeur « -1 » négative : positif ou nul attendu"):
        lire_montant("-1", nature="valeur")


@pytest.mark.parametrize("montant", ["0", "0.05", "1234.50", "347000", "999999999999.99"])
def test_un_montant_affiche_se_relit(montant):
    assert lire_montant(euros(Decimal(montant))) == Decimal(montant)


def _nombre_d_avant(valeur) -> str:
    """``formats.nombre`` as it was written before Python grouped the thousands for it."""
    valeur = arrondi(valeur)
    signe = "-" if valeur < 0 else ""
    entiers, _, centimes = f"{abs(valeur):.2f}".partition(".")
    groupes = []
    while entiers:
        groupes.insert(0, entiers[-3:])
        entiers = entiers[:-3]
    texte = signe + ESPACE_FINE.join(groupes)
    return texte + ("," + centimes if centimes != "00" else "")


@given(
    st.one_of(
        st.integers(min_value=-(10**13), max_value=10**13),
        st.decimals(min_value=-(10**12), max_value=10**12, places=3, allow_nan=False),
    )
)
def test_un_nombre_s_ecrit_comme_avant(valeur):
    assert nombre(valeur) == _nombre_d_avant(valeur)


def test_zero_negatif_s_ecrit_zero():
    assert nombre(Decimal("-0.00")) == nombre(Decimal("-0.004")) == "0"
    assert nombre(Decimal("-1234567.5")) == "-1\u202f234\u202f567,50"
