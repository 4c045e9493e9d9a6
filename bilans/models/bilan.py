"""The yearly bilan (rapport d'exécution) of a convention, and the reminders sent about it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from bilans import gel
from bilans.models.communs import Figures
from commun.ecritures import EcritureGardee
from conventions.models import (
    MONTANT,
    Convention,
    TableauEngagements,
    montant_positif,
)


class Bilan(EcritureGardee, models.Model):
    """A convention's report for one year, deliberated by the council and sent to the préfet."""

    class Statut(models.TextChoices):
        EN_PREPARATION = "en_preparation", "en préparation"
        DELIBERE = "delibere", "délibéré"
        TRANSMIS = "transmis", "transmis au préfet"
        A_COMPLETER = "a_completer", "à compléter"
        VALIDE = "valide", "validé"

    # A bilan is part of its convention's record.
    convention = models.ForeignKey(
        Convention, verbose_name="convention", on_delete=models.CASCADE, related_name="bilans"
    )
    annee = models.PositiveSmallIntegerField("année")
    statut = models.CharField(
        "statut", max_length=20, choices=Statut, default=Statut.EN_PREPARATION
    )
    date_deliberation = models.DateField("date de la délibération", null=True, blank=True)
    date_transmission = models.DateField("date de transmission au préfet", null=True, blank=True)
    depenses_collectivite = models.DecimalField(
        "dépenses engagées par la collectivité", null=True, blank=True, **MONTANT
    )
    financement_etat_recu = models.DecimalField(
        "financement de l'État reçu", null=True, blank=True, **MONTANT
    )
    # The « budget prévisionnel par action » printed in the bilan, kept as a tableau of the year;
    # deleting that tableau leaves the bilan without it.
    tableau_previsionnel = models.ForeignKey(
        TableauEngagements,
        verbose_name="budget prévisionnel du bilan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bilans",
    )
    budget_associe = models.TextField("budget associé (texte)", blank=True)
    source = models.CharField("document source", max_length=300, blank=True)
    remarques = models.TextField("remarques", blank=True)

    objects = Figures()
    # The comment of a change of status (« à compléter : … ») is the record's change reason: the
    # timeline reads it back, and it may be longer than simple_history's 100 characters.
    historique = HistoricalRecords(
        verbose_name="historique du bilan",
        history_change_reason_field=models.TextField(null=True),
    )

    class Meta:
        verbose_name = "bilan"
        verbose_name_plural = "bilans"
        ordering = ["convention", "-annee"]
        permissions = [
            (
                "corriger_suivi_bilan",
                "Peut rouvrir un bilan validé et corriger sa date de transmission",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "annee"],
                name="bilan_unique",
                violation_error_message="Cette convention a déjà un bilan pour cette année.",
            ),
            montant_positif("depenses_collectivite", "dépenses engagées"),
            montant_positif("financement_etat_recu", "financement de l'État reçu"),
        ]

    def __str__(self):
        return f"Bilan {self.annee} — {self.convention}"

    def get_absolute_url(self):
        return reverse("bilans:detail", args=[self.convention.slug, self.annee])

    cle_naturelle = ("convention__slug", "annee")

    def natural_key(self):
        return (*self.convention.natural_key(), self.annee)

    natural_key.dependencies = ["conventions.convention", "conventions.tableauengagements"]

    def clean(self):
        self.verifier_l_ecriture()
        previsionnel = self.tableau_previsionnel
        if previsionnel is None or self.convention_id is None:
            return
        if previsionnel.convention_id != self.convention_id:
            raise ValidationError(
                {
                    "tableau_previsionnel": "Le budget prévisionnel d'un bilan est un tableau de "
                    f"sa propre convention, pas de « {previsionnel.convention.slug} »."
                }
            )
        if previsionnel.nature != TableauEngagements.Nature.PREVISIONNEL_BILAN:
            raise ValidationError(
                {
                    "tableau_previsionnel": f"« {previsionnel.libelle} » est un tableau "
                    f"« {previsionnel.get_nature_display()} » : le budget prévisionnel d'un bilan "
                    "est un tableau de nature « prévisionnel du bilan »."
                }
            )

    @classmethod
    def garder(cls, **ecriture):
        gel.garder_le_bilan(cls, **ecriture)

    @property
    def echeance(self):
        return self.convention.echeance_bilan(self.annee)


class Relance(models.Model):
    """An e-mail sent about a bilan, so that the daily run never sends it twice. Keyed by
    convention and year, not by bilan: an overdue bilan may not be recorded at all yet."""

    class Motif(models.TextChoices):
        AVANT_ECHEANCE = "avant_echeance", "échéance dans 30 jours"
        ECHEANCE = "echeance", "échéance du jour"
        RETARD = "retard", "bilan en retard"
        TRANSMIS = "transmis", "bilan transmis, à examiner"

    convention = models.ForeignKey(
        Convention, verbose_name="convention", on_delete=models.CASCADE, related_name="relances"
    )
    annee = models.PositiveSmallIntegerField("année du bilan")
    motif = models.CharField("motif", max_length=20, choices=Motif)
    # A reminder to a user who is deleted goes with them.
    destinataire = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="destinataire",
        on_delete=models.CASCADE,
        related_name="relances",
    )
    date = models.DateField("date d'envoi")
    envoyee_le = models.DateTimeField("envoyée le", auto_now_add=True)

    class Meta:
        verbose_name = "relance"
        verbose_name_plural = "relances"
        ordering = ["-date", "convention", "annee"]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "annee", "motif", "destinataire", "date"],
                name="relance_unique_par_jour",
            )
        ]

    def __str__(self):
        return f"{self.get_motif_display()} — bilan {self.annee}, {self.convention} ({self.date})"
