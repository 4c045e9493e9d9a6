"""The checks on the five source documents: every real inconsistency, and nothing else."""

from datetime import date
from decimal import Decimal

import pytest

from bilans.models import Bilan, Indicateur
from controles.constats import Regle, Severite
from controles.services import controler
from conventions.models import Action, Convention

AUJOURDHUI = date(2026, 11, 22)
CALPA_2023 = "calpa-dijon-2023"


@pytest.fixture
def constats(documents):
    return controler(aujourdhui=AUJOURDHUI)


def cle(constat):
    """(code, sévérité, objet, attendu, constaté, écart), the object named by natural key."""
    objet = constat.objet
    if isinstance(objet, Action):
        nom = f"action {objet.convention.slug} {objet.code}"
    elif isinstance(objet, Indicateur):
        nom = f"indicateur {objet.action.convention.slug} {objet.code}"
    else:
        nom = f"{objet._meta.model_name} {getattr(objet, 'slug', None) or objet.pk}"
    return (
        str(constat.code),
        str(constat.severite),
        nom,
        constat.attendu,
        constat.constate,
        constat.ecart,
    )


def test_les_constats_attendus_sur_les_documents_et_rien_d_autre(constats):
    bilan = Bilan.objects.get(convention__slug=CALPA_2023, annee=2023)
    d = Decimal
    attendus = [
        # Bilan 2023: the budget par action (347 500 €) is not what the État paid (347 000 €)…
        ("bilan", "erreur", f"bilan {bilan.pk}", d("347000.00"), d("347500.00"), d("500.00")),
        # … because 3.1 and 3.2 differ from the tableau en vigueur, for both financeurs.
        (
            "bilan",
            "avertissement",
            "action calpa-dijon-2023 3.1",
            d("62300.00"),
            d("70000.00"),
            d("7700.00"),
        ),
        (
            "bilan",
            "avertissement",
            "action calpa-dijon-2023 3.1",
            d("62300.00"),
            d("70000.00"),
            d("7700.00"),
        ),
        (
            "bilan",
            "avertissement",
            "action calpa-dijon-2023 3.2",
            d("32200.00"),
            d("25000.00"),
            d("-7200.00"),
        ),
        (
            "bilan",
            "avertissement",
            "action calpa-dijon-2023 3.2",
            d("32200.00"),
            d("25000.00"),
            d("-7200.00"),
        ),
        # Action 3.2: 52 sorties + 220 présentes au 31 décembre = 272, not 269 personnes suivies.
        (
            "indicateurs",
            "erreur",
            "indicateur calpa-dijon-2023 personnes-suivies",
            d("269.00"),
            d("272.00"),
            d("3.00"),
        ),
        # Bilans 2020 (not recorded) and 2023 (neither deliberated nor sent) are overdue.
        (
            "calendrier",
            "erreur",
            "convention pacte-solidarite-dijon-2020",
            "2021-03-31",
            "non enregistré",
            d(2062),
        ),
        (
            "calendrier",
            "erreur",
            f"bilan {bilan.pk}",
            "2024-03-31",
            "ni délibéré ni transmis",
            d(966),
        ),
        # Action 1.3 only exists in the version « non retenue ».
        ("completude", "information", "action calpa-dijon-2023 1.3", None, None, None),
        # TZNR: only the 2023 tranche is known, 343 333 € remain to spread over 2024-2025.
        (
            "pluriannuel",
            "information",
            "convention tznr-dijon-2023-2025",
            d("515000.00"),
            d("171667.00"),
            d("-343333.00"),
        ),
        # CAF annex: two dispositifs printed without amounts, in both tableaux.
        (
            "completude",
            "avertissement",
            "action contrat-de-ville-grand-dijon-2015-2020 CAF-01",
            None,
            None,
            None,
        ),
        (
            "completude",
            "avertissement",
            "action contrat-de-ville-grand-dijon-2015-2020 CAF-01",
            None,
            None,
            None,
        ),
        (
            "completude",
            "avertissement",
            "action contrat-de-ville-grand-dijon-2015-2020 CAF-27",
            None,
            None,
            None,
        ),
        (
            "completude",
            "avertissement",
            "action contrat-de-ville-grand-dijon-2015-2020 CAF-27",
            None,
            None,
            None,
        ),
    ]
    assert sorted(map(cle, constats), key=repr) == sorted(attendus, key=repr)


@pytest.mark.parametrize(
    "regle",
    [Regle.COFINANCEMENT, Regle.TOTAUX, Regle.FICHE_ACTION, Regle.DELIBERATION],
    ids=str,
)
def test_ce_qui_tient_ne_leve_rien(constats, regle):
    """Parity holds everywhere, every printed total is the sum of its lines, the 2020 fiches
    add up to twice the annex, and the 23 November 2023 session and vote are consistent."""
    assert [c.message for c in constats if c.code == regle] == []


def test_les_messages_disent_l_ecart_en_euros(constats):
    messages = [c.message for c in constats]
    assert (
        "Bilan 2023 : le budget prévisionnel par action totalise 347\u202f500\u00a0€ pour "
        "l'État, qui a versé 347\u202f000\u00a0€ (écart +500\u00a0€)." in messages
    )
    assert any(
        m.startswith(
            "Action 3.2, bilan 2023 : la décomposition de « Personnes suivies sur "
            "l'année » (269) est exhaustive mais ses parties font 52 sorties"
        )
        and m.endswith("= 272 (écart +3 personnes).")
        for m in messages
    )


def test_par_annee_et_par_convention(documents):
    calpa = Convention.objects.filter(slug=CALPA_2023)
    constats = controler(calpa, aujourdhui=AUJOURDHUI)
    assert {c.convention_id for c in constats} == {calpa.get().pk}
    assert len(constats) == 8
    assert [c.code for c in controler(annee=2020, aujourdhui=AUJOURDHUI)] == [Regle.CALENDRIER]


def test_une_echeance_proche_est_une_information(documents):
    constats = controler(aujourdhui=date(2024, 2, 15))
    calendrier = [c for c in constats if c.code == Regle.CALENDRIER and c.couvre(2023)]
    assert [(c.severite, c.ecart) for c in calendrier] == [(Severite.INFORMATION, Decimal(45))]
