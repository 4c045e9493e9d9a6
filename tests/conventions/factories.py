"""Factories for the conventions app: small conventions shaped like the real ones."""

from decimal import Decimal

import factory

from conventions.models import (
    Action,
    Axe,
    Convention,
    Engagement,
    Financeur,
    TableauEngagements,
    Territoire,
    TotalImprime,
)


class TerritoireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territoire
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"territoire-{n}")
    nom = factory.Sequence(lambda n: f"Métropole n° {n}")


class FinanceurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Financeur
        django_get_or_create = ["slug"]

    slug = "etat"
    nom = "État"
    categorie = Financeur.Categorie.ETAT
    ordre = 1

    class Params:
        collectivite = factory.Trait(
            slug="collectivite-test",
            nom="Collectivité de test",
            categorie=Financeur.Categorie.COLLECTIVITE,
            ordre=2,
        )


class ConventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Convention

    slug = factory.Sequence(lambda n: f"convention-{n}")
    intitule = factory.Sequence(lambda n: f"Convention de test n° {n}")
    dispositif = Convention.Dispositif.CALPA
    territoire = factory.SubFactory(TerritoireFactory)
    annee_debut = 2023
    annee_fin = 2023
    taux_cofinancement = Decimal("1.00")
    bilan_echeance_jour = 31
    bilan_echeance_mois = 3


class AxeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Axe

    convention = factory.SubFactory(ConventionFactory)
    code = factory.Sequence(lambda n: str(n + 1))
    intitule = factory.Sequence(lambda n: f"Axe n° {n + 1}")


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    convention = factory.SubFactory(ConventionFactory)
    axe = factory.SubFactory(AxeFactory, convention=factory.SelfAttribute("..convention"))
    code = factory.Sequence(lambda n: f"1.{n + 1}")
    intitule = factory.Sequence(lambda n: f"Action n° {n + 1}")


class TableauFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TableauEngagements

    convention = factory.SubFactory(ConventionFactory)
    annee_debut = factory.SelfAttribute("convention.annee_debut")
    annee_fin = factory.SelfAttribute("annee_debut")
    nature = TableauEngagements.Nature.INITIAL
    libelle = factory.Sequence(lambda n: f"Tableau n° {n}")
    en_vigueur = True


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engagement

    tableau = factory.SubFactory(TableauFactory)
    action = factory.SubFactory(
        ActionFactory, convention=factory.SelfAttribute("..tableau.convention")
    )
    financeur = factory.SubFactory(FinanceurFactory)
    montant = Decimal("1000.00")


class TotalImprimeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TotalImprime

    tableau = factory.SubFactory(TableauFactory)
    financeur = factory.SubFactory(FinanceurFactory)
    montant = Decimal("1000.00")


def convention_complete(nb_actions: int, montant=Decimal("1000.00")) -> Convention:
    """A convention with one axe, ``nb_actions`` actions and a tableau en vigueur funding each
    action equally by the État and the collectivité."""
    etat = FinanceurFactory()
    collectivite = FinanceurFactory(collectivite=True)
    convention = ConventionFactory()
    axe = AxeFactory(convention=convention, code="1")
    tableau = TableauFactory(convention=convention)
    for numero in range(1, nb_actions + 1):
        action = ActionFactory(convention=convention, axe=axe, code=f"1.{numero}")
        EngagementFactory(tableau=tableau, action=action, financeur=etat, montant=montant)
        EngagementFactory(tableau=tableau, action=action, financeur=collectivite, montant=montant)
    return convention
