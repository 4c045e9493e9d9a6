"""Who may see what: each user follows one or more territoires (a State user, several)."""

from django.conf import settings
from django.db import models

from conventions.models import Territoire


class Profil(models.Model):
    utilisateur = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        on_delete=models.CASCADE,  # a profile has no meaning without its user
        related_name="profil",
    )

    class Cote(models.TextChoices):
        COLLECTIVITE = "collectivite", "collectivité"
        ETAT = "etat", "services de l'État"

    # Which side of the convention the user works for: the collectivité fills and transmits its
    # bilans, the État's services review them (bilans.cycle).
    cote = models.CharField("côté", max_length=20, choices=Cote, default=Cote.COLLECTIVITE)
    territoires = models.ManyToManyField(
        Territoire, verbose_name="territoires suivis", blank=True, related_name="profils"
    )

    class Meta:
        verbose_name = "profil"
        verbose_name_plural = "profils"

    def __str__(self):
        return f"Profil de {self.utilisateur}"
