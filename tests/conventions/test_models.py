"""Constraints with their French messages, and totals computed by the database."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bilans.models import Mesure
from commun.formats import euros
from conventions.models import Action, Engagement, TableauEngagements
from tests.bilans.factories import BilanFactory, IndicateurFactory, MesureFactory
from tests.conventions.factories import (
    ActionFactory,
    AxeFactory,
    ConventionFactory,
    EngagementFactory,
    FinanceurFactory,
    TableauFactory,
    convention_complete,
)

pytestmark = pytest.mark.django_db


def messages(erreur: ValidationError) -> list[str]:
    return [message for liste in erreur.message_dict.values() for message in liste]


class TestMontantsPositifs:
    def test_un_montant_negatif_est_refuse_avec_un_message_francais(self):
        engagement = EngagementFactory.build(
            tableau=TableauFactory(), montant=Decimal("-0.01"), financeur=FinanceurFactory()
        )
        engagement.action = ActionFactory(convention=engagement.tableau.convention)
        with pytest.raises(ValidationError) as erreur:
            engagement.full_clean()
        assert "Le montant « montant » ne peut pas être négatif." in messages(erreur.value)

    def test_zero_est_accepte(self):
        engagement = EngagementFactory(montant=Decimal("0.00"))
        engagement.full_clean()

    def test_la_base_refuse_aussi_un_montant_negatif(self):
        engagement = EngagementFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Engagement.objects.filter(pk=engagement.pk).update(montant=Decimal("-1"))

    def test_une_mesure_negative_est_refusee(self):
        mesure = MesureFactory.build(indicateur=IndicateurFactory(), valeur=Decimal("-1"))
        mesure.bilan = BilanFactory(convention=mesure.indicateur.action.convention)
        with pytest.raises(ValidationError) as erreur:
            mesure.full_clean()
        assert "La valeur d'un indicateur ne peut pas être négative." in messages(erreur.value)


class TestUnicite:
    def test_un_seul_engagement_par_tableau_action_et_financeur(self):
        existant = EngagementFactory()
        doublon = Engagement(
            tableau=existant.tableau,
            action=existant.action,
            financeur=existant.financeur,
            montant=Decimal("5.00"),
        )
        with pytest.raises(ValidationError) as erreur:
            doublon.full_clean()
        assert "Ce tableau a déjà un montant pour cette action et ce financeur." in messages(
            erreur.value
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            doublon.save()

    def test_un_seul_code_action_par_convention(self):
        action = ActionFactory(code="1.1")
        doublon = Action(convention=action.convention, code="1.1", intitule="Autre")
        with pytest.raises(ValidationError) as erreur:
            doublon.full_clean()
        assert "Cette convention a déjà une action de ce code." in messages(erreur.value)
        # The same code in another convention is another action.
        Action(convention=ConventionFactory(), code="1.1", intitule="Autre").full_clean()

    def test_un_seul_tableau_en_vigueur_par_convention_et_annee(self):
        tableau = TableauFactory(en_vigueur=True)
        autre = TableauEngagements(
            convention=tableau.convention,
            annee_debut=tableau.annee_debut,
            annee_fin=tableau.annee_fin,
            nature=TableauEngagements.Nature.VARIANTE,
            libelle="Autre version",
            en_vigueur=True,
        )
        with pytest.raises(ValidationError) as erreur:
            autre.full_clean()
        assert (
            "Un autre tableau est déjà en vigueur pour cette convention et cette période."
            in messages(erreur.value)
        )
        autre.en_vigueur = False
        autre.full_clean()
        autre.save()

    def test_une_seule_mesure_par_indicateur_et_bilan(self):
        mesure = MesureFactory()
        doublon = Mesure(indicateur=mesure.indicateur, bilan=mesure.bilan, valeur=Decimal("3"))
        with pytest.raises(ValidationError) as erreur:
            doublon.full_clean()
        assert "Cet indicateur a déjà une mesure pour ce bilan." in messages(erreur.value)


class TestAxes:
    def test_un_sous_axe_est_au_niveau_suivant_de_son_parent(self):
        pilier = AxeFactory(code="P1", niveau=1)
        orientation = AxeFactory.build(
            convention=pilier.convention, parent=pilier, code="P1.1", niveau=3
        )
        with pytest.raises(ValidationError) as erreur:
            orientation.full_clean()
        assert "Un sous-axe d'un axe de niveau 1 est de niveau 2." in messages(erreur.value)
        orientation.niveau = 2
        orientation.full_clean()

    def test_quatre_niveaux_sont_refuses(self):
        axe = AxeFactory.build(convention=ConventionFactory(), niveau=4)
        with pytest.raises(ValidationError):
            axe.full_clean()


class TestTotaux:
    def test_totaux_par_tableau_par_categorie_de_financeur(self):
        convention = convention_complete(3, montant=Decimal("50200.02"))
        tableau = TableauEngagements.objects.avec_totaux().get(convention=convention)
        assert tableau.total_etat == Decimal("150600.06")
        assert tableau.total_collectivite == Decimal("150600.06")
        assert tableau.total_autres == Decimal("0.00")
        assert tableau.total_general == Decimal("301200.12")

    def test_un_tableau_vide_totalise_zero(self):
        tableau = TableauEngagements.objects.avec_totaux().get(pk=TableauFactory().pk)
        assert tableau.total_general == Decimal("0.00")

    def test_totaux_par_axe_et_par_convention_et_annee(self):
        convention = convention_complete(2)
        axe_2 = AxeFactory(convention=convention, code="2")
        tableau = convention.tableaux.get()
        action = ActionFactory(convention=convention, axe=axe_2, code="2.1")
        EngagementFactory(
            tableau=tableau, action=action, financeur=FinanceurFactory(), montant=Decimal("7.5")
        )
        lignes = list(Engagement.objects.filter(tableau=tableau).totaux_par_axe())
        assert lignes == [
            {
                "action__axe__code": "1",
                "financeur__slug": "collectivite-test",
                "total": Decimal("2000.00"),
            },
            {"action__axe__code": "1", "financeur__slug": "etat", "total": Decimal("2000.00")},
            {"action__axe__code": "2", "financeur__slug": "etat", "total": Decimal("7.50")},
        ]
        assert Engagement.objects.pour_convention_annee(convention, 2023).total() == Decimal(
            "4007.50"
        )
        # A version that is not en vigueur does not count in the year's total.
        variante = TableauFactory(convention=convention, en_vigueur=False)
        EngagementFactory(tableau=variante, action=action, montant=Decimal("999"))
        assert Engagement.objects.pour_convention_annee(convention, 2023).total() == Decimal(
            "4007.50"
        )

    def test_totaux_par_financeur_d_un_tableau(self):
        convention = convention_complete(4, montant=Decimal("2500"))
        totaux = convention.tableaux.get().totaux_par_financeur()
        assert [(f.slug, total) for f, total in totaux.items()] == [
            ("etat", Decimal("10000.00")),
            ("collectivite-test", Decimal("10000.00")),
        ]


def test_echeance_du_bilan_au_31_mars_de_l_annee_suivante():
    convention = ConventionFactory(bilan_echeance_jour=31, bilan_echeance_mois=3)
    assert convention.echeance_bilan(2023) == date(2024, 3, 31)
    sans_regle = ConventionFactory(bilan_echeance_jour=None, bilan_echeance_mois=None)
    assert sans_regle.echeance_bilan(2023) is None


@pytest.mark.parametrize(
    "montant, affiche",
    [
        pytest.param(Decimal("347000"), "347\u202f000\u00a0€", id="milliers"),
        pytest.param(Decimal("50200.02"), "50\u202f200,02\u00a0€", id="centimes"),
        pytest.param(Decimal("129530000"), "129\u202f530\u202f000\u00a0€", id="millions"),
        pytest.param(Decimal("0.005"), "0,01\u00a0€", id="arrondi-au-centime-superieur"),
        pytest.param(None, "—", id="sans-montant"),
    ],
)
def test_affichage_des_montants_en_francais(montant, affiche):
    assert euros(montant) == affiche
