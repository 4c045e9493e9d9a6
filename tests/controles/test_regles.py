"""Each rule on small factories: a passing case, a failing case, the boundary (exactly equal)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bilans.models import Indicateur, Mesure, RapportAction
from controles.constats import Regle
from controles.services import controler
from conventions.models import (
    Action,
    Convention,
    Deliberation,
    EngagementPluriannuel,
    MembreSeance,
    MontantDelibere,
    Seance,
    TotalImprime,
    Tranche,
)
from tests.bilans.factories import BilanFactory
from tests.conventions.factories import (
    ActionFactory,
    ConventionFactory,
    EngagementFactory,
    FinanceurFactory,
    TableauFactory,
    convention_complete,
)

pytestmark = pytest.mark.django_db
AUJOURDHUI = date(2026, 11, 22)


def constats(regle, **kwargs):
    return [c for c in controler(aujourdhui=AUJOURDHUI, **kwargs) if c.code == regle]


def resume(regle, **kwargs):
    return [(str(c.severite), c.attendu, c.constate, c.ecart) for c in constats(regle, **kwargs)]


def collectivite():
    return FinanceurFactory(collectivite=True)


def etat():
    return FinanceurFactory()


def changer_montant(convention, code, financeur, montant):
    engagement = convention.tableaux.get(en_vigueur=True).engagements.get(
        action__code=code, financeur=financeur
    )
    engagement.montant = Decimal(montant)
    engagement.save()


class TestCofinancement:
    @pytest.mark.parametrize(
        "montant, attendu",
        [
            pytest.param("1000", [], id="egal-limite"),
            pytest.param("1200", [], id="au-dessus"),
            pytest.param(
                "999.99",
                [
                    ("erreur", Decimal("2000.00"), Decimal("1999.99"), Decimal("-0.01")),
                    ("avertissement", Decimal("1000.00"), Decimal("999.99"), Decimal("-0.01")),
                ],
                id="un-centime-de-moins",
            ),
        ],
    )
    def test_collectivite_au_moins_egale_a_l_etat(self, montant, attendu):
        convention = convention_complete(2)
        changer_montant(convention, "1.1", collectivite(), montant)
        assert resume(Regle.COFINANCEMENT) == attendu

    def test_le_taux_de_la_convention_s_applique(self):
        convention = convention_complete(1)
        convention.taux_cofinancement = Decimal("0.50")
        convention.save()
        changer_montant(convention, "1.1", collectivite(), "500")
        assert resume(Regle.COFINANCEMENT) == []
        changer_montant(convention, "1.1", collectivite(), "499")
        assert [c[0] for c in resume(Regle.COFINANCEMENT)] == ["erreur", "avertissement"]

    def test_sans_taux_rien_n_est_controle(self):
        convention = convention_complete(1)
        Convention.objects.filter(pk=convention.pk).update(taux_cofinancement=None)
        changer_montant(convention, "1.1", collectivite(), "0")
        assert resume(Regle.COFINANCEMENT) == []


class TestTotauxImprimes:
    @pytest.mark.parametrize(
        "imprime, attendu",
        [
            pytest.param("2000", [], id="egal"),
            pytest.param(
                "2000.01",
                [("erreur", Decimal("2000.01"), Decimal("2000.00"), Decimal("-0.01"))],
                id="imprime-superieur",
            ),
            pytest.param(
                "1500",
                [("erreur", Decimal("1500.00"), Decimal("2000.00"), Decimal("500.00"))],
                id="imprime-inferieur",
            ),
        ],
    )
    def test_le_total_imprime_egale_la_somme_des_lignes(self, imprime, attendu):
        convention = convention_complete(2)
        TotalImprime.objects.create(
            tableau=convention.tableaux.get(), financeur=etat(), montant=Decimal(imprime)
        )
        assert resume(Regle.TOTAUX) == attendu

    @pytest.mark.parametrize(
        "imprime, attendu",
        [
            pytest.param(
                "2000",
                [("information", Decimal("2000.00"), Decimal("2000.45"), Decimal("0.45"))],
                id="arrondi-inferieur",
            ),
            pytest.param(
                "2001",
                [("information", Decimal("2001.00"), Decimal("2000.45"), Decimal("-0.55"))],
                id="arrondi-superieur",
            ),
            pytest.param(
                "1999",
                [("erreur", Decimal("1999.00"), Decimal("2000.45"), Decimal("1.45"))],
                id="plus-d-un-euro",
            ),
            pytest.param(
                "2000.40",
                [("erreur", Decimal("2000.40"), Decimal("2000.45"), Decimal("0.05"))],
                id="imprime-avec-centimes",
            ),
        ],
    )
    def test_un_total_arrondi_a_l_euro_est_une_information(self, imprime, attendu):
        """Documents print whole euros: under one euro of écart, the lines' cents are
        reported to the cent, as an information rather than an erreur."""
        convention = convention_complete(2)
        financeur = (
            convention.tableaux.get()
            .engagements.get(action__code="1.1", financeur__categorie="etat")
            .financeur
        )
        changer_montant(convention, "1.1", financeur, "1000.45")
        TotalImprime.objects.create(
            tableau=convention.tableaux.get(), financeur=financeur, montant=Decimal(imprime)
        )
        assert resume(Regle.TOTAUX) == attendu
        if attendu[0][0] == "information":
            (constat,) = constats(Regle.TOTAUX)
            assert "arrondi à l'euro du document" in constat.message


class TestFicheAction:
    @pytest.mark.parametrize(
        "budget, attendu",
        [
            pytest.param("2000", [], id="egal"),
            pytest.param(
                "2000.50",
                [("avertissement", Decimal("2000.50"), Decimal("2000.00"), Decimal("-0.50"))],
                id="fiche-superieure",
            ),
            pytest.param(None, [], id="sans-budget"),
        ],
    )
    def test_le_budget_estime_egale_les_engagements(self, budget, attendu):
        convention = convention_complete(1)
        Action.objects.filter(convention=convention).update(
            budget_estime=None if budget is None else Decimal(budget)
        )
        assert resume(Regle.FICHE_ACTION) == attendu


class TestPluriannuel:
    def engagement(self, tranches):
        convention = ConventionFactory(annee_debut=2023, annee_fin=2025, taux_cofinancement=None)
        engagement = EngagementPluriannuel.objects.create(
            convention=convention,
            financeur=etat(),
            montant_total=Decimal("515000"),
            annee_debut=2023,
            annee_fin=2025,
        )
        for annee, montant in tranches.items():
            Tranche.objects.create(engagement=engagement, annee=annee, montant=Decimal(montant))
        return convention

    def test_les_tranches_font_le_total(self):
        self.engagement({2023: "171667", 2024: "171667", 2025: "171666"})
        assert resume(Regle.PLURIANNUEL) == []

    def test_des_tranches_completes_qui_ne_font_pas_le_total(self):
        self.engagement({2023: "171667", 2024: "171667", 2025: "171667"})
        assert resume(Regle.PLURIANNUEL) == [
            ("erreur", Decimal("515000.00"), Decimal("515001.00"), Decimal("1.00"))
        ]

    def test_des_tranches_manquantes_sont_une_information(self):
        self.engagement({2023: "171667"})
        assert resume(Regle.PLURIANNUEL) == [
            ("information", Decimal("515000.00"), Decimal("171667.00"), Decimal("-343333.00"))
        ]

    @pytest.mark.parametrize(
        "decide, attendu",
        [
            pytest.param("171667", [], id="egal-a-la-tranche"),
            pytest.param(
                "171668",
                [("erreur", Decimal("171667.00"), Decimal("171668.00"), Decimal("1.00"))],
                id="un-euro-de-plus",
            ),
        ],
    )
    def test_le_montant_delibere_egale_la_tranche(self, decide, attendu):
        convention = self.engagement({2023: "171667", 2024: "171667", 2025: "171666"})
        seance = Seance.objects.create(
            territoire=convention.territoire,
            organe="Conseil",
            date=date(2023, 11, 23),
            membres_en_exercice=86,
            presents=75,
            procurations=9,
        )
        deliberation = Deliberation.objects.create(
            seance=seance,
            reference="d",
            objet="TZNR",
            convention=convention,
            votes_pour=84,
            procurations_votes=9,
        )
        MontantDelibere.objects.create(
            deliberation=deliberation, financeur=etat(), annee=2023, montant=Decimal(decide)
        )
        assert resume(Regle.PLURIANNUEL) == attendu


class TestBilan:
    def bilan(self, previsionnel_11="1000", recu="2000", depenses="2000"):
        convention = convention_complete(2)
        previsionnel = TableauFactory(
            convention=convention, en_vigueur=False, nature="previsionnel_bilan"
        )
        for action in convention.actions.all():
            for financeur in (etat(), collectivite()):
                montant = previsionnel_11 if action.code == "1.1" else "1000"
                EngagementFactory(
                    tableau=previsionnel,
                    action=action,
                    financeur=financeur,
                    montant=Decimal(montant),
                )
        return BilanFactory(
            convention=convention,
            tableau_previsionnel=previsionnel,
            financement_etat_recu=Decimal(recu),
            depenses_collectivite=Decimal(depenses),
        )

    def test_un_bilan_conforme_ne_leve_rien(self):
        self.bilan()
        assert resume(Regle.BILAN) == []

    def test_un_budget_par_action_different_du_tableau_en_vigueur(self):
        self.bilan(previsionnel_11="1250", recu="2250", depenses="5000")
        assert sorted(resume(Regle.BILAN), key=repr) == sorted(
            [
                ("avertissement", Decimal("1000.00"), Decimal("1250.00"), Decimal("250.00")),
                ("avertissement", Decimal("1000.00"), Decimal("1250.00"), Decimal("250.00")),
                # the État paid 2 250 € when the tableau en vigueur said 2 000 €
                ("avertissement", Decimal("2000.00"), Decimal("2250.00"), Decimal("250.00")),
            ],
            key=repr,
        )

    def test_le_financement_recu_differe_du_budget_du_bilan(self):
        self.bilan(recu="1999.99", depenses="5000")
        assert ("erreur", Decimal("1999.99"), Decimal("2000.00"), Decimal("0.01")) in resume(
            Regle.BILAN
        )

    @pytest.mark.parametrize(
        "depenses, erreurs",
        [pytest.param("2000", 0, id="egal"), pytest.param("1999.99", 1, id="un-centime-de-moins")],
    )
    def test_les_depenses_couvrent_le_financement_recu(self, depenses, erreurs):
        self.bilan(depenses=depenses)
        assert [c[0] for c in resume(Regle.BILAN)].count("erreur") == erreurs


class TestIndicateurs:
    def mesures(self, tout, parties, exhaustive=True):
        bilan = BilanFactory()
        action = ActionFactory(convention=bilan.convention)
        parent = Indicateur.objects.create(
            action=action, code="tout", libelle="Accompagnements", unite="accompagnements"
        )
        Mesure.objects.create(indicateur=parent, bilan=bilan, valeur=Decimal(tout))
        for numero, valeur in enumerate(parties):
            partie = Indicateur.objects.create(
                action=action,
                code=f"partie-{numero}",
                libelle=f"dont partie {numero}",
                unite="accompagnements",
                parent=parent,
                partie_exhaustive=exhaustive,
            )
            Mesure.objects.create(indicateur=partie, bilan=bilan, valeur=Decimal(valeur))

    def test_une_decomposition_exhaustive_exacte(self):
        self.mesures(104, [73, 31])
        assert resume(Regle.INDICATEURS) == []

    def test_une_decomposition_exhaustive_qui_ne_fait_pas_le_tout(self):
        self.mesures(269, [52, 220])
        assert resume(Regle.INDICATEURS) == [("erreur", Decimal(269), Decimal(272), Decimal(3))]

    @pytest.mark.parametrize(
        "partie, erreurs",
        [pytest.param(48, 0, id="egale-au-tout"), pytest.param(49, 1, id="depasse-le-tout")],
    )
    def test_une_partie_ne_depasse_pas_son_tout(self, partie, erreurs):
        self.mesures(48, [partie], exhaustive=False)
        assert len(resume(Regle.INDICATEURS)) == erreurs


class TestDeliberation:
    def seance(self, presents=75, procurations=9, en_exercice=86, pour=84, contre=0, listes=True):
        convention = ConventionFactory()
        seance = Seance.objects.create(
            territoire=convention.territoire,
            organe="Conseil",
            date=date(2023, 11, 23),
            membres_en_exercice=en_exercice,
            presents=presents,
            procurations=procurations,
        )
        Deliberation.objects.create(
            seance=seance,
            reference="d",
            objet="TZNR",
            convention=convention,
            votes_pour=pour,
            votes_contre=contre,
            procurations_votes=procurations,
        )
        if listes:
            for numero in range(presents):
                MembreSeance.objects.create(
                    seance=seance, nom=f"Présent {numero}", presence="present"
                )
            for numero in range(procurations):
                MembreSeance.objects.create(
                    seance=seance, nom=f"Représenté {numero}", presence="represente"
                )

    def test_une_seance_conforme(self):
        self.seance()
        assert resume(Regle.DELIBERATION) == []

    def test_tous_presents_limite(self):
        self.seance(presents=80, procurations=6, pour=86)
        assert resume(Regle.DELIBERATION) == []

    def test_plus_de_votants_que_de_membres(self):
        self.seance(presents=80, procurations=7, pour=87)
        assert resume(Regle.DELIBERATION) == [("erreur", 86, 87, Decimal(1))]

    @pytest.mark.parametrize(
        "presents, erreurs",
        [pytest.param(44, 0, id="majorite-juste"), pytest.param(43, 1, id="moitie")],
    )
    def test_quorum(self, presents, erreurs):
        self.seance(presents=presents, procurations=0, pour=presents)
        assert [c[0] for c in resume(Regle.DELIBERATION)].count("erreur") == erreurs

    def test_les_votes_font_les_votants(self):
        self.seance(pour=80, contre=3)
        assert resume(Regle.DELIBERATION) == [("erreur", 84, 83, Decimal(-1))]

    def test_la_liste_des_membres_confirme_le_registre(self):
        self.seance(listes=False)
        seance = Seance.objects.get()
        MembreSeance.objects.create(seance=seance, nom="Seul présent", presence="present")
        assert resume(Regle.DELIBERATION) == [("avertissement", 75, 1, Decimal(-74))]


class TestCalendrier:
    @pytest.mark.parametrize(
        "aujourdhui, attendu",
        [
            pytest.param(date(2024, 1, 30), [], id="61-jours-avant"),
            pytest.param(date(2024, 1, 31), [("information", Decimal(60))], id="60-jours-avant"),
            pytest.param(date(2024, 3, 31), [("information", Decimal(0))], id="jour-d-echeance"),
            pytest.param(date(2024, 4, 1), [("erreur", Decimal(1))], id="lendemain"),
        ],
    )
    def test_un_bilan_non_transmis(self, aujourdhui, attendu):
        BilanFactory(convention=ConventionFactory(annee_debut=2023, annee_fin=2023))
        found = [
            (str(c.severite), c.ecart)
            for c in controler(aujourdhui=aujourdhui)
            if c.code == Regle.CALENDRIER
        ]
        assert found == attendu

    @pytest.mark.parametrize(
        "transmis, attendu",
        [
            pytest.param(date(2024, 3, 31), [], id="le-jour-meme"),
            pytest.param(date(2024, 4, 10), [("avertissement", Decimal(10))], id="en-retard"),
        ],
    )
    def test_un_bilan_transmis(self, transmis, attendu):
        BilanFactory(
            convention=ConventionFactory(annee_debut=2023, annee_fin=2023),
            date_deliberation=date(2024, 3, 1),
            date_transmission=transmis,
        )
        assert [(c[0], c[3]) for c in resume(Regle.CALENDRIER)] == attendu

    def test_un_bilan_jamais_enregistre(self):
        ConventionFactory(annee_debut=2023, annee_fin=2023)
        assert resume(Regle.CALENDRIER) == [
            ("erreur", "2024-03-31", "non enregistré", Decimal(966))
        ]


class TestCompletude:
    def test_toutes_les_actions_ont_leurs_engagements_et_leurs_rapports(self):
        convention = convention_complete(2)
        bilan = BilanFactory(convention=convention)
        for action in convention.actions.all():
            RapportAction.objects.create(bilan=bilan, action=action)
        assert resume(Regle.COMPLETUDE) == []

    def test_une_action_sans_engagement_et_un_rapport_manquant(self):
        convention = convention_complete(2)
        Action.objects.create(convention=convention, code="9.9", intitule="Sans montant")
        bilan = BilanFactory(convention=convention)
        RapportAction.objects.create(bilan=bilan, action=convention.actions.get(code="1.1"))
        messages = [c.message for c in constats(Regle.COMPLETUDE)]
        assert len(messages) == 2
        assert messages[0].startswith("Action 1.2 : le bilan 2023 n'en rend pas compte")
        assert messages[1].startswith("Action 9.9 « Sans montant » : aucun montant")


def test_le_nombre_de_requetes_ne_depend_pas_de_la_taille_des_donnees():
    def requetes():
        with CaptureQueriesContext(connection) as capture:
            controler(aujourdhui=AUJOURDHUI)
        return len(capture)

    convention = convention_complete(2)
    BilanFactory(convention=convention)
    petite = requetes()
    for _ in range(3):
        convention = convention_complete(12)
        BilanFactory(convention=convention)
    assert requetes() == petite


@pytest.mark.parametrize(
    "aujourdhui, message",
    [
        (
            date(2026, 11, 29),
            "Bilan 2023 : échéance du 31 mars 2024 dépassée de 2 ans, 7 mois et 29 jours "
            "(973 jours), le bilan n'est pas enregistré.",
        ),
        (
            date(2024, 2, 15),
            "Bilan 2023 : à délibérer et transmettre avant le 31 mars 2024, dans 1 mois et "
            "16 jours.",
        ),
    ],
    ids=["retard", "a-venir"],
)
def test_les_delais_se_lisent_en_annees_mois_et_jours(aujourdhui, message):
    from conventions.models import Convention

    convention = convention_complete(1)
    Convention.objects.filter(pk=convention.pk).update(
        annee_debut=2023, annee_fin=2023, bilan_echeance_jour=31, bilan_echeance_mois=3
    )
    (constat,) = [c for c in controler(aujourdhui=aujourdhui) if c.code == Regle.CALENDRIER]
    assert constat.message == message
