"""An action's indicators, and their values in each bilan."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from bilans import decomposition, gel
from bilans.models.bilan import Bilan
from bilans.models.communs import Figures
from commun.ecritures import EcritureGardee
from conventions.models import PLAFOND, Action


class Indicateur(EcritureGardee, models.Model):
    """What is measured for an action; a « dont … » part points to its whole through ``parent``."""

    # Indicators belong to their action.
    action = models.ForeignKey(
        Action, verbose_name="action", on_delete=models.CASCADE, related_name="indicateurs"
    )
    code = models.SlugField("code", max_length=80)
    libelle = models.CharField("libellé", max_length=300)
    unite = models.CharField("unité", max_length=60)
    # A whole cannot be deleted while parts refer to it.
    parent = models.ForeignKey(
        "self",
        verbose_name="indicateur parent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parties",
        help_text="Pour une décomposition « dont … » : l'indicateur dont celui-ci est une partie.",
    )
    partie_exhaustive = models.BooleanField(
        "partie d'une décomposition exhaustive",
        default=False,
        help_text="Coché : les parties cochées d'un même parent doivent s'additionner "
        "exactement au parent (ex. 73 Maintien + 31 Accès = 104 accompagnements).",
    )
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    objects = Figures()

    class Meta:
        verbose_name = "indicateur"
        verbose_name_plural = "indicateurs"
        ordering = ["action", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "code"],
                name="indicateur_code_unique",
                violation_error_message="Cette action a déjà un indicateur de ce code.",
            ),
            models.CheckConstraint(
                condition=Q(partie_exhaustive=False) | Q(parent__isnull=False),
                name="indicateur_partie_a_un_parent",
                violation_error_message="Une partie de décomposition exhaustive doit avoir un "
                "indicateur parent.",
            ),
        ]

    def __str__(self):
        return f"{self.action.code} — {self.libelle}"

    def get_absolute_url(self):
        return self.action.get_absolute_url()

    cle_naturelle = ("action__convention__slug", "action__code", "code")

    def natural_key(self):
        return (*self.action.natural_key(), self.code)

    natural_key.dependencies = ["conventions.action"]

    def clean(self):
        self.verifier_l_ecriture()
        if self.parent_id and self.parent.action_id != self.action_id:
            raise ValidationError({"parent": "L'indicateur parent mesure une autre action."})

    @classmethod
    def garder(cls, **ecriture):
        gel.garder_les_indicateurs(**ecriture)


class Mesure(EcritureGardee, models.Model):
    """The value of an indicator for a bilan's year."""

    indicateur = models.ForeignKey(
        Indicateur, verbose_name="indicateur", on_delete=models.CASCADE, related_name="mesures"
    )
    bilan = models.ForeignKey(
        Bilan, verbose_name="bilan", on_delete=models.CASCADE, related_name="mesures"
    )
    valeur = models.DecimalField("valeur", max_digits=14, decimal_places=2)
    commentaire = models.TextField("commentaire", blank=True)
    # Optimistic locking, as for engagements.
    version = models.PositiveIntegerField("version", default=1, editable=False)

    objects = Figures()
    historique = HistoricalRecords(verbose_name="historique de la mesure")

    class Meta:
        verbose_name = "mesure"
        verbose_name_plural = "mesures"
        ordering = ["bilan", "indicateur__action__ordre", "indicateur__ordre"]
        permissions = [
            ("import_mesure", "Peut importer des mesures (fichier)"),
            ("export_mesure", "Peut exporter des mesures (fichier)"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["indicateur", "bilan"],
                name="mesure_unique",
                violation_error_message="Cet indicateur a déjà une mesure pour ce bilan.",
            ),
            models.CheckConstraint(
                condition=Q(valeur__gte=0, valeur__lt=PLAFOND),  # « NaN » refused too
                name="mesure_valeur_positive",
                violation_error_message="La valeur d'un indicateur ne peut pas être négative.",
            ),
        ]

    def __str__(self):
        return f"{self.indicateur} : {self.valeur}"

    cle_naturelle = (
        # The convention is named once in the key; indicateur and bilan must both belong to it.
        ("indicateur__action__convention__slug", "bilan__convention__slug"),
        "indicateur__action__code",
        "indicateur__code",
        "bilan__annee",
    )

    def natural_key(self):
        return (*self.indicateur.natural_key(), self.bilan.annee)

    natural_key.dependencies = ["bilans.indicateur", "bilans.bilan"]

    @classmethod
    def garder(cls, **ecriture):
        gel.garder_les_figures("bilan", **ecriture)

    def clean(self):
        """A part (« dont … ») never exceeds its whole (``bilans.decomposition``), with the
        values saved together with this one."""
        self.verifier_l_ecriture()
        if self.indicateur_id is None or self.bilan_id is None or self.valeur is None:
            return
        decomposition.verifier(self, decomposition.lot_de(self.bilan_id))
