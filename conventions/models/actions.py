"""The numbered actions of a convention, with their fiche action."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from .communs import MONTANT, ParCleNaturelle, montant_positif
from .conventions import Axe, Convention


class Action(models.Model):
    """A numbered action of a convention, with its fiche action and the action it continues."""

    # Actions belong to their convention; engagements protect them from deletion.
    convention = models.ForeignKey(
        Convention, verbose_name="convention", on_delete=models.CASCADE, related_name="actions"
    )
    # An axe cannot be deleted while actions hang under it.
    axe = models.ForeignKey(
        Axe,
        verbose_name="axe",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
    )
    code = models.CharField("code", max_length=40)
    intitule = models.TextField("intitulé")
    ordre = models.PositiveIntegerField("ordre", default=0)
    # Lineage: deleting an old convention's action leaves the newer one without predecessor
    # rather than deleting it.
    action_precedente = models.ForeignKey(
        "self",
        verbose_name="action continuée",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions_suivantes",
        help_text="L'action d'une convention antérieure que celle-ci prolonge.",
    )
    # Fiche action (annexe 2 of a CALPA convention).
    intitule_fiche = models.TextField("intitulé dans la fiche action", blank=True)
    contexte = models.TextField("contexte", blank=True)
    objectif_vise = models.TextField("objectif visé", blank=True)
    descriptif = models.TextField("descriptif de l'action projetée", blank=True)
    public_vise = models.TextField("public visé", blank=True)
    territoire_concerne = models.TextField("territoire concerné", blank=True)
    modalites_echeancier = models.TextField("modalités de mise en œuvre et échéancier", blank=True)
    budget_estime = models.DecimalField("budget estimé", null=True, blank=True, **MONTANT)
    indicateurs_suivi = models.TextField("indicateurs de suivi et d'évaluation", blank=True)
    # Dispositif lines of a contrat de ville annex.
    service_responsable = models.CharField(
        "service responsable du financement", max_length=100, blank=True
    )
    unite_compte = models.TextField("unité de compte", blank=True)
    remarques = models.TextField("remarques", blank=True)

    objects = ParCleNaturelle()

    class Meta:
        verbose_name = "action"
        verbose_name_plural = "actions"
        ordering = ["convention", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "code"],
                name="action_code_unique",
                violation_error_message="Cette convention a déjà une action de ce code.",
            ),
            montant_positif("budget_estime", "budget estimé"),
        ]

    def __str__(self):
        return f"{self.code} {self.intitule}"

    def get_absolute_url(self):
        return reverse("conventions:action", args=[self.convention.slug, self.code])

    cle_naturelle = ("convention__slug", "code")

    def natural_key(self):
        return (*self.convention.natural_key(), self.code)

    natural_key.dependencies = ["conventions.convention", "conventions.axe"]

    def clean(self):
        if self.axe_id and self.convention_id and self.axe.convention_id != self.convention_id:
            raise ValidationError(
                {"axe": f"L'axe {self.axe.code} appartient à une autre convention que l'action."}
            )
