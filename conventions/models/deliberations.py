"""Council sessions, their members, the deliberations voted and the amounts they decide."""

from django.db import models

from .communs import MONTANT, ParCleNaturelle, montant_positif
from .conventions import Convention
from .territoires import Financeur, Territoire


class Seance(models.Model):
    """A council session, with the figures that the quorum and the votes are checked against."""

    territoire = models.ForeignKey(
        Territoire, verbose_name="territoire", on_delete=models.PROTECT, related_name="seances"
    )
    organe = models.CharField("organe", max_length=200)
    date = models.DateField("date")
    president = models.CharField("président", max_length=200, blank=True)
    secretaire = models.CharField("secrétaire de séance", max_length=200, blank=True)
    date_convocation = models.DateField("date de convocation", null=True, blank=True)
    membres = models.PositiveSmallIntegerField(
        "nombre de membres du conseil", null=True, blank=True
    )
    membres_en_exercice = models.PositiveSmallIntegerField("membres en exercice")
    presents = models.PositiveSmallIntegerField("présents participant au vote")
    procurations = models.PositiveSmallIntegerField("procurations", default=0)

    objects = ParCleNaturelle()

    class Meta:
        verbose_name = "séance"
        verbose_name_plural = "séances"
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["territoire", "date"],
                name="seance_unique",
                violation_error_message="Ce territoire a déjà une séance à cette date.",
            )
        ]

    def __str__(self):
        return f"{self.organe} — séance du {self.date:%d/%m/%Y}"

    cle_naturelle = ("territoire__slug", "date")

    def natural_key(self):
        return (*self.territoire.natural_key(), self.date.isoformat())

    natural_key.dependencies = ["conventions.territoire"]


class MembreSeance(models.Model):
    """A member of the council as listed in a session's record: present, absent or represented."""

    class Presence(models.TextChoices):
        PRESENT = "present", "présent"
        REPRESENTE = "represente", "absent, a donné pouvoir"
        ABSENT = "absent", "absent"

    seance = models.ForeignKey(
        Seance, verbose_name="séance", on_delete=models.CASCADE, related_name="membres_listes"
    )
    civilite = models.CharField("civilité", max_length=20, blank=True)
    nom = models.CharField("nom", max_length=200)
    presence = models.CharField("présence", max_length=20, choices=Presence)
    mandataire = models.CharField("pouvoir donné à", max_length=200, blank=True)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    objects = ParCleNaturelle()

    class Meta:
        verbose_name = "membre de la séance"
        verbose_name_plural = "membres de la séance"
        ordering = ["seance", "ordre"]
        constraints = [
            models.UniqueConstraint(
                fields=["seance", "nom"],
                name="membre_seance_unique",
                violation_error_message="Ce membre figure déjà dans cette séance.",
            )
        ]

    def __str__(self):
        return f"{self.civilite} {self.nom}".strip()

    cle_naturelle = ("seance__territoire__slug", "seance__date", "nom")

    def natural_key(self):
        return (*self.seance.natural_key(), self.nom)

    natural_key.dependencies = ["conventions.seance"]


class Deliberation(models.Model):
    """What a session decided on one matter, with the votes."""

    seance = models.ForeignKey(
        Seance, verbose_name="séance", on_delete=models.CASCADE, related_name="deliberations"
    )
    reference = models.SlugField("référence", max_length=80)
    rubrique = models.CharField("rubrique", max_length=300, blank=True)
    objet = models.CharField("objet", max_length=500)
    expose = models.TextField("exposé", blank=True)
    decisions = models.TextField("décisions", blank=True)
    # A deliberation about a convention outlives the convention's deletion as a record.
    convention = models.ForeignKey(
        Convention,
        verbose_name="convention",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliberations",
    )
    votes_pour = models.PositiveSmallIntegerField("pour", default=0)
    votes_contre = models.PositiveSmallIntegerField("contre", default=0)
    abstentions = models.PositiveSmallIntegerField("abstentions", default=0)
    ne_se_prononce_pas = models.PositiveSmallIntegerField("ne se prononce pas", default=0)
    procurations_votes = models.PositiveSmallIntegerField("dont procurations", default=0)

    objects = ParCleNaturelle()

    class Meta:
        verbose_name = "délibération"
        verbose_name_plural = "délibérations"
        ordering = ["-seance__date", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["seance", "reference"],
                name="deliberation_unique",
                violation_error_message="Cette séance a déjà une délibération de cette référence.",
            )
        ]

    def __str__(self):
        return f"{self.objet} ({self.seance.date:%d/%m/%Y})"

    cle_naturelle = ("seance__territoire__slug", "seance__date", "reference")

    def natural_key(self):
        return (*self.seance.natural_key(), self.reference)

    natural_key.dependencies = ["conventions.seance", "conventions.convention"]

    @property
    def votants(self) -> int:
        return self.votes_pour + self.votes_contre + self.abstentions + self.ne_se_prononce_pas


class MontantDelibere(models.Model):
    """An amount a deliberation decides, e.g. « percevoir la subvention de 171 667 € en 2023 »."""

    deliberation = models.ForeignKey(
        Deliberation,
        verbose_name="délibération",
        on_delete=models.CASCADE,
        related_name="montants",
    )
    financeur = models.ForeignKey(Financeur, verbose_name="financeur", on_delete=models.PROTECT)
    annee = models.PositiveSmallIntegerField("année")
    montant = models.DecimalField("montant", **MONTANT)
    libelle = models.CharField("libellé", max_length=300, blank=True)

    objects = ParCleNaturelle()

    class Meta:
        verbose_name = "montant délibéré"
        verbose_name_plural = "montants délibérés"
        ordering = ["deliberation", "annee"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "financeur", "annee"],
                name="montant_delibere_unique",
                violation_error_message="Cette délibération a déjà un montant de ce financeur "
                "pour cette année.",
            ),
            montant_positif("montant", "montant"),
        ]

    def __str__(self):
        return f"{self.financeur} {self.annee} : {self.montant} €"

    cle_naturelle = (
        "deliberation__seance__territoire__slug",
        "deliberation__seance__date",
        "deliberation__reference",
        "financeur__slug",
        "annee",
    )

    def natural_key(self):
        return (*self.deliberation.natural_key(), self.financeur.slug, self.annee)

    natural_key.dependencies = ["conventions.deliberation", "conventions.financeur"]
