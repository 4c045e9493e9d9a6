"""The one amount reader: what it accepts, what it refuses, and the words of each refusal."""

from decimal import Decimal

import pytest

from commun.formats import euros
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
