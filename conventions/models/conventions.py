"""The convention itself, its avenants, and the axes its actions are grouped under."""

import calendar
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from commun.formats import MOIS

from .communs import ParCleNaturelle, montant_positif
from .territoires import Territoire

# The longest month the due day may fall in: 29 February exists only in leap years, so a yearly
# due date is at most the 28th of February (refused rather than silently moved in some years).
JOURS_PAR_MOIS = {
    mois: 28 if mois == 2 else calendar.monthrange(2001, mois)[1] for mois in range(1, 13)
}


def echeance_qui_existe() -> models.CheckConstraint:
    """The database's version of ``Convention.clean``: a due day that exists in its month."""
    jour, mois = "bilan_echeance_jour", "bilan_echeance_mois"
    # One equality per month rather than ``__in``: SQLite's table rebuild (Django's introspection
    # of the column collations) misreads the commas of an IN list inside a check.
    par_longueur = Q()
    for numero, longueur in JOURS_PAR_MOIS.items():
        par_longueur |= Q(**{mois: numero, f"{jour}__lte": longueur})
    return models.CheckConstraint(
        condition=Q(**{f"{jour}__isnull": True})
        | Q(**{f"{mois}__isnull": True})
        | (Q(**{f"{jour}__gte": 1}) & par_longueur),
        name="convention_bilan_echeance_existe",
        violation_error_message="Échéance du bilan : ce jour n'existe pas dans ce mois.",
    )


class Convention(models.Model):
    """An agreement between the État and a collectivité for one or several years."""

    class Dispositif(models.TextChoices):
        CALPA = "calpa", "CALPA / pacte de solidarité"
        TZNR = "tznr", "Territoire zéro non recours"
        CONTRAT_DE_VILLE = "contrat_de_ville", "contrat de ville"
        PACTE_LOCAL = "pacte_local", "pacte local des solidarités"
        AUTRE = "autre", "autre"

    class Statut(models.TextChoices):
        PROJET = "projet", "projet"
        SIGNEE = "signee", "signée"
        RESILIEE = "resiliee", "résiliée"
        ACHEVEE = "achevee", "achevée"

    slug = models.SlugField("identifiant", max_length=80, unique=True)
    intitule = models.CharField("intitulé", max_length=300)
    dispositif = models.CharField("dispositif", max_length=30, choices=Dispositif)
    # A territoire's conventions are its history: it cannot be deleted while it has some.
    territoire = models.ForeignKey(
        Territoire, verbose_name="territoire", on_delete=models.PROTECT, related_name="conventions"
    )
    statut = models.CharField("statut", max_length=20, choices=Statut, default=Statut.PROJET)
    annee_debut = models.PositiveSmallIntegerField("première année")
    annee_fin = models.PositiveSmallIntegerField("dernière année")
    date_deliberation = models.DateField("date de la délibération", null=True, blank=True)
    date_signature = models.DateField("date de signature", null=True, blank=True)
    parties = models.TextField("parties", blank=True)
    signataires = models.TextField("signataires", blank=True, help_text="Un signataire par ligne.")
    objet = models.TextField("objet", blank=True)
    taux_cofinancement = models.DecimalField(
        "taux de cofinancement minimal",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Part minimale de la collectivité rapportée à l'État : 1,00 pour "
        "« des financements au moins équivalents ». Vide si la convention n'en fixe pas.",
    )
    regle_cofinancement = models.TextField("règle de cofinancement (texte)", blank=True)
    modalites_versement = models.TextField("modalités de versement", blank=True)
    versement_unique = models.BooleanField("versement unique", default=False)
    bilan_echeance_jour = models.PositiveSmallIntegerField(
        "échéance du bilan : jour",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    bilan_echeance_mois = models.PositiveSmallIntegerField(
        "échéance du bilan : mois",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    bilan_echeance_annees_apres = models.PositiveSmallIntegerField(
        "échéance du bilan : années après l'exercice",
        default=1,
        help_text="1 pour « au plus tard le 31 mars de l'exercice suivant ».",
    )
    duree = models.TextField("durée et renouvellement", blank=True)
    denonciation = models.TextField("dénonciation", blank=True)
    source = models.CharField("document source", max_length=300, blank=True)

    objects = ParCleNaturelle()
    historique = HistoricalRecords(verbose_name="historique de la convention")

    class Meta:
        verbose_name = "convention"
        verbose_name_plural = "conventions"
        ordering = ["-annee_debut", "intitule"]
        constraints = [
            models.CheckConstraint(
                condition=Q(annee_fin__gte=models.F("annee_debut")),
                name="convention_periode_ordonnee",
                violation_error_message="La dernière année précède la première année.",
            ),
            montant_positif("taux_cofinancement", "taux de cofinancement"),
            echeance_qui_existe(),
        ]

    def __str__(self):
        return self.intitule

    def get_absolute_url(self):
        return reverse("conventions:detail", args=[self.slug])

    def clean(self):
        super().clean()
        jour, mois = self.bilan_echeance_jour, self.bilan_echeance_mois
        if not (jour and mois) or not 1 <= mois <= 12 or jour <= JOURS_PAR_MOIS[mois]:
            return
        if (jour, mois) == (29, 2):
            message = (
                "Échéance du bilan : le 29 février n'existe que les années bissextiles ; "
                "choisissez le 28 février ou le 1er mars."
            )
        else:
            message = f"Échéance du bilan : le {jour} {MOIS[mois - 1]} n'existe pas."
        raise ValidationError({"bilan_echeance_jour": message})

    cle_naturelle = ("slug",)

    def natural_key(self):
        return (self.slug,)

    @property
    def periode(self) -> str:
        if self.annee_debut == self.annee_fin:
            return str(self.annee_debut)
        return f"{self.annee_debut}-{self.annee_fin}"

    def echeance_bilan(self, annee: int) -> date | None:
        """The date by which the bilan of ``annee`` is due, if the convention sets the rule."""
        return self.echeance(
            annee,
            self.bilan_echeance_jour,
            self.bilan_echeance_mois,
            self.bilan_echeance_annees_apres,
        )

    @staticmethod
    def echeance(annee: int, jour: int | None, mois: int | None, annees_apres: int) -> date | None:
        """``echeance_bilan`` from the fields' values, for rows read without building objects.

        Never raises: a day the month lacks (a row stored before the check existed) falls on
        the month's last day, so that no page and no reminder fails on it."""
        annee += annees_apres or 0
        if not (jour and mois) or not 1 <= mois <= 12 or not 1 <= annee <= 9999:
            return None
        return date(annee, mois, min(jour, calendar.monthrange(annee, mois)[1]))


class Avenant(models.Model):
    """An amendment to a convention; it typically fixes the final amounts of a year."""

    # An avenant has no meaning without its convention.
    convention = models.ForeignKey(
        Convention, verbose_name="convention", on_delete=models.CASCADE, related_name="avenants"
    )
    numero = models.PositiveSmallIntegerField("numéro")
    date_signature = models.DateField("date de signature", null=True, blank=True)
    annee = models.PositiveSmallIntegerField("année concernée", null=True, blank=True)
    objet = models.TextField("objet", blank=True)

    objects = ParCleNaturelle()

    class Meta:
        verbose_name = "avenant"
        verbose_name_plural = "avenants"
        ordering = ["convention", "numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "numero"],
                name="avenant_numero_unique",
                violation_error_message="Cette convention a déjà un avenant de ce numéro.",
            )
        ]

    def __str__(self):
        return f"Avenant n° {self.numero} — {self.convention}"

    cle_naturelle = ("convention__slug", "numero")

    def natural_key(self):
        return (*self.convention.natural_key(), self.numero)

    natural_key.dependencies = ["conventions.convention"]


class Axe(models.Model):
    """A numbered group of actions, nested up to three levels: pilier > orientation > objectif."""

    NIVEAU_MAX = 3

    # Axes belong to their convention.
    convention = models.ForeignKey(
        Convention, verbose_name="convention", on_delete=models.CASCADE, related_name="axes"
    )
    # A parent axe cannot be deleted while it still has children: PROTECT.
    parent = models.ForeignKey(
        "self",
        verbose_name="axe parent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enfants",
    )
    niveau = models.PositiveSmallIntegerField(
        "niveau",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(NIVEAU_MAX)],
        help_text="1 : axe ou pilier, 2 : orientation, 3 : objectif.",
    )
    code = models.CharField("code", max_length=40)
    intitule = models.TextField("intitulé")
    ordre = models.PositiveIntegerField("ordre", default=0)

    objects = ParCleNaturelle()

    class Meta:
        verbose_name = "axe"
        verbose_name_plural = "axes"
        ordering = ["convention", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "code"],
                name="axe_code_unique",
                violation_error_message="Cette convention a déjà un axe de ce code.",
            ),
            models.CheckConstraint(
                condition=Q(niveau__gte=1, niveau__lte=3),
                name="axe_niveau_1_a_3",
                violation_error_message="Un axe est de niveau 1, 2 ou 3.",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.intitule}"

    cle_naturelle = ("convention__slug", "code")

    def natural_key(self):
        return (*self.convention.natural_key(), self.code)

    natural_key.dependencies = ["conventions.convention"]

    def clean(self):
        if self.parent_id is None:
            return
        if self.parent.convention_id != self.convention_id:
            raise ValidationError({"parent": "L'axe parent appartient à une autre convention."})
        if self.niveau != self.parent.niveau + 1:
            raise ValidationError(
                {
                    "niveau": f"Un sous-axe d'un axe de niveau {self.parent.niveau} est de niveau "
                    f"{self.parent.niveau + 1}."
                }
            )
