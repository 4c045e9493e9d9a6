"""A bilan's report on one action: its réalisation, operator and account."""

from django.db import models
from simple_history.models import HistoricalRecords

from bilans import gel
from bilans.models.bilan import Bilan
from bilans.models.communs import Figures
from commun.ecritures import EcritureGardee
from conventions.models import (
    Action,
)


class RapportAction(EcritureGardee, models.Model):
    """What the bilan says of one action: outcome, operator, text."""

    class Realisation(models.TextChoices):
        REALISEE = "realisee", "action réalisée"
        PARTIELLE = "partielle", "action partiellement réalisée"
        EN_COURS = "en_cours", "action en cours"
        NON_REALISEE = "non_realisee", "action non réalisée"
        NON_RENSEIGNEE = "non_renseignee", "non renseigné"

    bilan = models.ForeignKey(
        Bilan, verbose_name="bilan", on_delete=models.CASCADE, related_name="rapports"
    )
    # A report keeps its action: the action cannot be deleted while reported on.
    action = models.ForeignKey(
        Action, verbose_name="action", on_delete=models.PROTECT, related_name="rapports"
    )
    realisation = models.CharField(
        "réalisation", max_length=20, choices=Realisation, default=Realisation.NON_RENSEIGNEE
    )
    operateur = models.CharField("opérateur", max_length=200, blank=True)
    texte = models.TextField("compte rendu", blank=True)

    objects = Figures()
    historique = HistoricalRecords(verbose_name="historique du rapport")

    class Meta:
        verbose_name = "rapport d'action"
        verbose_name_plural = "rapports d'action"
        ordering = ["bilan", "action__ordre"]
        constraints = [
            models.UniqueConstraint(
                fields=["bilan", "action"],
                name="rapport_action_unique",
                violation_error_message="Ce bilan a déjà un rapport pour cette action.",
            )
        ]

    def __str__(self):
        return f"{self.bilan} — action {self.action.code}"

    cle_naturelle = ("bilan__convention__slug", "bilan__annee", "action__code")

    def natural_key(self):
        return (*self.bilan.natural_key(), self.action.code)

    natural_key.dependencies = ["bilans.bilan", "conventions.action"]

    def clean(self):
        # Browsers send a textarea's line breaks as CR LF: kept as loaded (LF), from the page
        # as from the admin, so that saving an action without touching its compte rendu does
        # not change it (nor list it in the history).
        self.texte = self.texte.replace("\r\n", "\n")
        self.verifier_l_ecriture()

    @classmethod
    def garder(cls, **ecriture):
        gel.garder_les_figures("bilan", **ecriture)
