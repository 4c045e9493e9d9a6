"""Factories for the bilans app."""

from decimal import Decimal

import factory

from bilans.models import Bilan, Indicateur, Mesure, RapportAction
from tests.conventions.factories import ActionFactory, ConventionFactory


class BilanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bilan

    convention = factory.SubFactory(ConventionFactory)
    annee = factory.SelfAttribute("convention.annee_debut")
    depenses_collectivite = Decimal("1000.00")
    financement_etat_recu = Decimal("1000.00")


class RapportActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RapportAction

    bilan = factory.SubFactory(BilanFactory)
    action = factory.SubFactory(
        ActionFactory, convention=factory.SelfAttribute("..bilan.convention")
    )
    realisation = RapportAction.Realisation.REALISEE


class IndicateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicateur

    action = factory.SubFactory(ActionFactory)
    code = factory.Sequence(lambda n: f"indicateur-{n}")
    libelle = factory.Sequence(lambda n: f"Indicateur n° {n}")
    unite = "personnes"


class MesureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mesure

    indicateur = factory.SubFactory(IndicateurFactory)
    bilan = factory.SubFactory(
        BilanFactory, convention=factory.SelfAttribute("..indicateur.action.convention")
    )
    valeur = Decimal("10")
