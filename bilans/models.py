"""The yearly bilans (rapports d'exécution) of a convention: per-action reports and indicators."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from commun.ecritures import EcritureGardee, RequetesGardees
from commun.formats import nombre
from conventions.models import (
    MONTANT,
    PLAFOND,
    Action,
    Convention,
    ParCleNaturelle,
    TableauEngagements,
    montant_positif,
)

from . import gel

# The figures of a transmitted bilan refuse every write, from every path (gel.py): their
# managers are built on guarded querysets, their save() and delete() ask gel.py first.
Figures = ParCleNaturelle.from_queryset(RequetesGardees)


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
        """A part (« dont … ») never exceeds its whole, whoever saves it: the bilan's form, the
        admin or a loaded file. ``lot`` holds the values saved together with this one
        (``{indicateur id: valeur}``): they count instead of the database's, so that lowering a
        whole and its part at once is not refused."""
        self.verifier_l_ecriture()
        if self.indicateur_id is None or self.bilan_id is None or self.valeur is None:
            return
        lot = getattr(self, "lot", {})

        def valeur_de(indicateur_id):
            if indicateur_id in lot:
                return lot[indicateur_id]
            return (
                Mesure.objects.filter(indicateur_id=indicateur_id, bilan_id=self.bilan_id)
                .values_list("valeur", flat=True)
                .first()
            )

        indicateur = self.indicateur
        if indicateur.parent_id:
            tout = valeur_de(indicateur.parent_id)
            if tout is not None and self.valeur > tout:
                raise ValidationError(
                    {
                        "valeur": f"« {indicateur.libelle} » ({nombre(self.valeur)}) ne peut pas "
                        f"dépasser « {indicateur.parent.libelle} » ({nombre(tout)})."
                    }
                )
        for partie in indicateur.parties.all():
            valeur = valeur_de(partie.pk)
            if valeur is not None and valeur > self.valeur:
                raise ValidationError(
                    {
                        "valeur": f"« {partie.libelle} » ({nombre(valeur)}) dépasserait "
                        f"« {indicateur.libelle} » ({nombre(self.valeur)})."
                    }
                )


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
