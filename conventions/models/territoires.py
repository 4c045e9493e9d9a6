"""Territoires and financeurs: who signs a convention and who pays its lines."""

from django.db import models

from commun.collation import en_francais

from .communs import ParCleNaturelle
from .geographie import Departement


class Territoire(models.Model):
    """The local party of a convention: a métropole, a département, an intercommunalité…"""

    class Nature(models.TextChoices):
        METROPOLE = "metropole", "métropole"
        DEPARTEMENT = "departement", "département"
        INTERCOMMUNALITE = "intercommunalite", "intercommunalité"
        COMMUNE = "commune", "commune"
        AUTRE = "autre", "autre"

    slug = models.SlugField("identifiant", max_length=80, unique=True)
    nom = models.CharField("nom", max_length=200)
    nature = models.CharField("nature", max_length=20, choices=Nature, default=Nature.METROPOLE)
    # The official list (COG): the synthesis groups and maps by it. A territoire may straddle
    # none (a région's own convention); deleting a département from the list is refused.
    departement = models.ForeignKey(
        Departement,
        verbose_name="département",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="territoires",
    )

    objects = ParCleNaturelle()

    class Meta:
        verbose_name = "territoire"
        verbose_name_plural = "territoires"
        ordering = [en_francais("nom").asc()]  # « Département … » before « Dijon … »
        permissions = [
            ("import_territoire", "Peut importer des territoires (fichier)"),
            ("export_territoire", "Peut exporter des territoires (fichier)"),
        ]

    def __str__(self):
        return self.nom

    cle_naturelle = ("slug",)

    def natural_key(self):
        return (self.slug,)


class Financeur(models.Model):
    """Who pays a line. Its catégorie tells the checks which side of the cofinancement it is on."""

    class Categorie(models.TextChoices):
        ETAT = "etat", "État"
        COLLECTIVITE = "collectivite", "collectivité"
        CAF = "caf", "CAF"
        ARS = "ars", "ARS"
        BAILLEUR = "bailleur", "bailleur"
        AUTRE = "autre", "autre"

    slug = models.SlugField("identifiant", max_length=80, unique=True)
    nom = models.CharField("nom", max_length=200)
    categorie = models.CharField("catégorie", max_length=20, choices=Categorie)
    # A collectivité that pays is also a territoire; deleting the territoire must not erase
    # who paid what, hence PROTECT.
    territoire = models.ForeignKey(
        Territoire,
        verbose_name="territoire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="financeurs",
    )
    ordre = models.PositiveSmallIntegerField(
        "ordre d'affichage",
        default=10,
        help_text="Colonne du financeur dans les annexes : 1 pour l'État, 2 pour la collectivité ; "
        "un nouveau financeur vient ensuite.",
    )

    objects = ParCleNaturelle()

    class Meta:
        verbose_name = "financeur"
        verbose_name_plural = "financeurs"
        ordering = ["ordre", "nom"]
        permissions = [
            ("import_financeur", "Peut importer des financeurs (fichier)"),
            ("export_financeur", "Peut exporter des financeurs (fichier)"),
        ]

    def __str__(self):
        return self.nom

    cle_naturelle = ("slug",)

    def natural_key(self):
        return (self.slug,)
