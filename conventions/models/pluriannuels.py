"""Multi-year commitments of a financeur and their yearly tranches."""

from decimal import Decimal

from django.db import models

from commun.ecritures import RequetesSuivies

from .communs import MONTANT, ParCleNaturelle, montant_positif, somme
from .conventions import Convention
from .territoires import Financeur


class EngagementPluriannuelQuerySet(RequetesSuivies):
    def avec_total_tranches(self):
        return self.annotate(somme_tranches=somme("tranches__montant"))


class EngagementPluriannuel(models.Model):
    """A financeur's commitment over several years, paid in yearly tranches."""

    convention = models.ForeignKey(
        Convention,
        verbose_name="convention",
        on_delete=models.CASCADE,
        related_name="engagements_pluriannuels",
    )
    financeur = models.ForeignKey(Financeur, verbose_name="financeur", on_delete=models.PROTECT)
    montant_total = models.DecimalField("montant total", **MONTANT)
    annee_debut = models.PositiveSmallIntegerField("première année")
    annee_fin = models.PositiveSmallIntegerField("dernière année")
    source = models.CharField("document source", max_length=300, blank=True)

    objects = ParCleNaturelle.from_queryset(EngagementPluriannuelQuerySet)()

    class Meta:
        verbose_name = "engagement pluriannuel"
        verbose_name_plural = "engagements pluriannuels"
        ordering = ["convention", "financeur__ordre"]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "financeur"],
                name="engagement_pluriannuel_unique",
                violation_error_message="Cette convention a déjà un engagement pluriannuel de ce "
                "financeur.",
            ),
            montant_positif("montant_total", "montant total"),
        ]

    def __str__(self):
        return f"{self.financeur} — {self.convention} ({self.annee_debut}-{self.annee_fin})"

    cle_naturelle = ("convention__slug", "financeur__slug")

    def natural_key(self):
        return (*self.convention.natural_key(), self.financeur.slug)

    natural_key.dependencies = ["conventions.convention", "conventions.financeur"]

    def total_tranches(self) -> Decimal:
        return self.tranches.aggregate(total=somme("montant"))["total"]


class Tranche(models.Model):
    """The part of a multi-year commitment for one year."""

    engagement = models.ForeignKey(
        EngagementPluriannuel,
        verbose_name="engagement pluriannuel",
        on_delete=models.CASCADE,
        related_name="tranches",
    )
    annee = models.PositiveSmallIntegerField("année")
    montant = models.DecimalField("montant", **MONTANT)

    objects = ParCleNaturelle()

    class Meta:
        verbose_name = "tranche annuelle"
        verbose_name_plural = "tranches annuelles"
        ordering = ["engagement", "annee"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "annee"],
                name="tranche_unique",
                violation_error_message="Cet engagement a déjà une tranche pour cette année.",
            ),
            montant_positif("montant", "montant"),
        ]

    def __str__(self):
        return f"{self.engagement} — {self.annee}"

    cle_naturelle = ("engagement__convention__slug", "engagement__financeur__slug", "annee")

    def natural_key(self):
        return (*self.engagement.natural_key(), self.annee)

    natural_key.dependencies = ["conventions.engagementpluriannuel"]
