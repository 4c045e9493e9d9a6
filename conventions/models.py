"""The conventions signed between the État and a collectivité, and the money they commit.

A convention groups numbered actions under axes; each year (or period) its amounts are written
in one or several versions of a tableau des engagements, one of which is en vigueur. Every object
that a fixture or a workbook refers to has a natural key, so that files never carry database ids.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

MONTANT = {"max_digits": 14, "decimal_places": 2}
ZERO = Value(Decimal("0.00"), output_field=models.DecimalField(**MONTANT))


def montant_positif(champ: str, nom: str) -> models.CheckConstraint:
    """A database check that an amount is not negative, with the message users read."""
    return models.CheckConstraint(
        condition=Q(**{f"{champ}__gte": 0}) | Q(**{f"{champ}__isnull": True}),
        name=f"%(app_label)s_%(class)s_{champ}_positif",
        violation_error_message=f"Le montant « {nom} » ne peut pas être négatif.",
    )


def somme(champ: str, filtre: Q | None = None):
    """``Coalesce(Sum(...), 0)``: a total that is 0,00 rather than NULL when there is no line."""
    return Coalesce(Sum(champ, filter=filtre), ZERO, output_field=models.DecimalField(**MONTANT))


# --- Territoires and financeurs -------------------------------------------------------------


class TerritoireManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


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
    departement = models.CharField("département", max_length=100, blank=True)

    objects = TerritoireManager()

    class Meta:
        verbose_name = "territoire"
        verbose_name_plural = "territoires"
        ordering = ["nom"]
        permissions = [
            ("import_territoire", "Peut importer des territoires (fichier)"),
            ("export_territoire", "Peut exporter des territoires (fichier)"),
        ]

    def __str__(self):
        return self.nom

    def natural_key(self):
        return (self.slug,)


class FinanceurManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


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

    objects = FinanceurManager()

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

    def natural_key(self):
        return (self.slug,)


# --- Conventions ----------------------------------------------------------------------------


class ConventionManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


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

    objects = ConventionManager()
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
        ]

    def __str__(self):
        return self.intitule

    def get_absolute_url(self):
        return reverse("conventions:detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def periode(self) -> str:
        if self.annee_debut == self.annee_fin:
            return str(self.annee_debut)
        return f"{self.annee_debut}-{self.annee_fin}"

    def echeance_bilan(self, annee: int) -> date | None:
        """The date by which the bilan of ``annee`` is due, if the convention sets the rule."""
        if not (self.bilan_echeance_jour and self.bilan_echeance_mois):
            return None
        return date(
            annee + self.bilan_echeance_annees_apres,
            self.bilan_echeance_mois,
            self.bilan_echeance_jour,
        )


class AvenantManager(models.Manager):
    def get_by_natural_key(self, convention_slug, numero):
        return self.get(convention__slug=convention_slug, numero=numero)


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

    objects = AvenantManager()

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

    def natural_key(self):
        return (*self.convention.natural_key(), self.numero)

    natural_key.dependencies = ["conventions.convention"]


class AxeManager(models.Manager):
    def get_by_natural_key(self, convention_slug, code):
        return self.get(convention__slug=convention_slug, code=code)


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

    objects = AxeManager()

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


class ActionManager(models.Manager):
    def get_by_natural_key(self, convention_slug, code):
        return self.get(convention__slug=convention_slug, code=code)


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

    objects = ActionManager()

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

    def natural_key(self):
        return (*self.convention.natural_key(), self.code)

    natural_key.dependencies = ["conventions.convention", "conventions.axe"]

    def clean(self):
        if self.axe_id and self.convention_id and self.axe.convention_id != self.convention_id:
            raise ValidationError(
                {"axe": f"L'axe {self.axe.code} appartient à une autre convention que l'action."}
            )


# --- Tableaux des engagements ---------------------------------------------------------------


class TableauEngagementsQuerySet(models.QuerySet):
    def en_vigueur(self):
        return self.filter(en_vigueur=True)

    def pour_annee(self, annee: int):
        """Tableaux whose period covers ``annee``."""
        return self.filter(annee_debut__lte=annee, annee_fin__gte=annee)

    def avec_totaux(self):
        """Annotate the État, collectivité, other financeurs' and overall totals of each tableau.

        Correlated subqueries rather than a join and a GROUP BY: a paginated list sums the
        lines of the tableaux it shows, not of every tableau before it sorts and cuts.
        """
        return self.annotate(
            total_etat=_total_du_tableau(Q(financeur__categorie="etat")),
            total_collectivite=_total_du_tableau(Q(financeur__categorie="collectivite")),
            total_autres=_total_du_tableau(~Q(financeur__categorie__in=["etat", "collectivite"])),
            total_general=_total_du_tableau(),
        )


def _total_du_tableau(filtre: Q | None = None):
    lignes = Engagement.objects.filter(tableau=OuterRef("pk"))
    if filtre is not None:
        lignes = lignes.filter(filtre)
    total = lignes.order_by().values("tableau").annotate(total=Sum("montant")).values("total")
    return Coalesce(Subquery(total), ZERO, output_field=models.DecimalField(**MONTANT))


class TableauEngagementsManager(models.Manager.from_queryset(TableauEngagementsQuerySet)):
    def get_by_natural_key(self, convention_slug, annee_debut, annee_fin, libelle):
        return self.get(
            convention__slug=convention_slug,
            annee_debut=annee_debut,
            annee_fin=annee_fin,
            libelle=libelle,
        )


class TableauEngagements(models.Model):
    """One version of a convention's amounts for a year or a period."""

    class Nature(models.TextChoices):
        INITIAL = "initial", "initial"
        AVENANT = "avenant", "avenant"
        VARIANTE = "variante", "variante"
        PREVISIONNEL_BILAN = "previsionnel_bilan", "prévisionnel du bilan"
        REALISE = "realise", "réalisé"
        ESTIMATION = "estimation", "estimation"

    # A tableau is part of its convention's record.
    convention = models.ForeignKey(
        Convention, verbose_name="convention", on_delete=models.CASCADE, related_name="tableaux"
    )
    annee_debut = models.PositiveSmallIntegerField("année (ou première année)")
    annee_fin = models.PositiveSmallIntegerField("dernière année")
    nature = models.CharField("nature", max_length=30, choices=Nature)
    libelle = models.CharField("libellé", max_length=300)
    en_vigueur = models.BooleanField("en vigueur", default=False)
    # The avenant that set these amounts, if any; the tableau outlives a deleted avenant.
    avenant = models.ForeignKey(
        Avenant,
        verbose_name="avenant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tableaux",
    )
    source = models.CharField("document source", max_length=300, blank=True)
    remarques = models.TextField("remarques", blank=True)

    objects = TableauEngagementsManager()
    historique = HistoricalRecords(verbose_name="historique du tableau")

    class Meta:
        verbose_name = "tableau des engagements"
        verbose_name_plural = "tableaux des engagements"
        ordering = ["convention", "annee_debut", "-en_vigueur", "libelle"]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "annee_debut", "annee_fin", "libelle"],
                name="tableau_libelle_unique",
                violation_error_message="Cette convention a déjà un tableau de ce libellé "
                "pour cette période.",
            ),
            models.UniqueConstraint(
                fields=["convention", "annee_debut", "annee_fin"],
                condition=Q(en_vigueur=True),
                name="tableau_un_seul_en_vigueur",
                violation_error_message="Un autre tableau est déjà en vigueur pour cette "
                "convention et cette période.",
            ),
            models.CheckConstraint(
                condition=Q(annee_fin__gte=models.F("annee_debut")),
                name="tableau_periode_ordonnee",
                violation_error_message="La dernière année précède la première année.",
            ),
        ]

    def __str__(self):
        return f"{self.convention} — {self.periode} — {self.libelle}"

    def get_absolute_url(self):
        url = reverse("conventions:detail", args=[self.convention.slug])
        return f"{url}?periode={self.periode}&version={self.pk}"

    def natural_key(self):
        return (*self.convention.natural_key(), self.annee_debut, self.annee_fin, self.libelle)

    natural_key.dependencies = ["conventions.convention", "conventions.avenant"]

    @property
    def periode(self) -> str:
        if self.annee_debut == self.annee_fin:
            return str(self.annee_debut)
        return f"{self.annee_debut}-{self.annee_fin}"

    def totaux_par_financeur(self):
        """``{financeur: total}`` computed by the database, in the financeurs' display order."""
        lignes = (
            self.engagements.values("financeur")
            .annotate(total=somme("montant"))
            .order_by("financeur__ordre", "financeur__nom")
        )
        financeurs = Financeur.objects.in_bulk([ligne["financeur"] for ligne in lignes])
        return {financeurs[ligne["financeur"]]: ligne["total"] for ligne in lignes}


class TotalImprimeManager(models.Manager):
    def get_by_natural_key(self, convention_slug, annee_debut, annee_fin, libelle, financeur_slug):
        return self.get(
            tableau=TableauEngagements.objects.get_by_natural_key(
                convention_slug, annee_debut, annee_fin, libelle
            ),
            financeur__slug=financeur_slug,
        )


class TotalImprime(models.Model):
    """A total as printed in the document, kept next to the computed one so that both can differ."""

    tableau = models.ForeignKey(
        TableauEngagements,
        verbose_name="tableau",
        on_delete=models.CASCADE,
        related_name="totaux_imprimes",
    )
    financeur = models.ForeignKey(Financeur, verbose_name="financeur", on_delete=models.PROTECT)
    montant = models.DecimalField("montant imprimé", **MONTANT)

    objects = TotalImprimeManager()

    class Meta:
        verbose_name = "total imprimé"
        verbose_name_plural = "totaux imprimés"
        ordering = ["tableau", "financeur__ordre"]
        constraints = [
            models.UniqueConstraint(
                fields=["tableau", "financeur"],
                name="total_imprime_unique",
                violation_error_message="Ce tableau a déjà un total imprimé pour ce financeur.",
            ),
            montant_positif("montant", "montant imprimé"),
        ]

    def __str__(self):
        return f"{self.tableau} — {self.financeur}"

    def natural_key(self):
        return (*self.tableau.natural_key(), self.financeur.slug)

    natural_key.dependencies = ["conventions.tableauengagements", "conventions.financeur"]


class EngagementQuerySet(models.QuerySet):
    def total(self) -> Decimal:
        return self.aggregate(total=somme("montant"))["total"]

    def totaux_par_financeur(self):
        """Rows ``{financeur__slug, total}``, one per financeur."""
        return (
            self.values("financeur__slug")
            .annotate(total=somme("montant"))
            .order_by("financeur__ordre", "financeur__slug")
        )

    def totaux_par_axe(self):
        """Rows ``{action__axe__code, financeur__slug, total}``: the subtotals of the annex."""
        return (
            self.values("action__axe__code", "financeur__slug")
            .annotate(total=somme("montant"))
            .order_by("action__axe__code", "financeur__slug")
        )

    def totaux_en_vigueur_par_convention(self, conventions) -> dict[int, list[tuple]]:
        """``{convention id: [(période, financeur, total), …]}`` for the tableaux en vigueur.

        One grouped query for a whole page of conventions.
        """
        lignes = (
            self.filter(tableau__en_vigueur=True, tableau__convention__in=conventions)
            .values(
                "tableau__convention",
                "tableau__annee_debut",
                "tableau__annee_fin",
                "financeur__nom",
                "financeur__ordre",
            )
            .annotate(total=somme("montant"))
            .order_by(
                "tableau__convention",
                "tableau__annee_debut",
                "tableau__annee_fin",
                "financeur__ordre",
                "financeur__nom",
            )
        )
        totaux: dict[int, list[tuple]] = {}
        for ligne in lignes:
            debut, fin = ligne["tableau__annee_debut"], ligne["tableau__annee_fin"]
            periode = str(debut) if debut == fin else f"{debut}-{fin}"
            totaux.setdefault(ligne["tableau__convention"], []).append(
                (periode, ligne["financeur__nom"], ligne["total"])
            )
        return totaux

    def pour_convention_annee(self, convention: Convention, annee: int):
        """The engagements of the tableau en vigueur of a convention for one year."""
        return self.filter(
            tableau__convention=convention,
            tableau__en_vigueur=True,
            tableau__annee_debut=annee,
            tableau__annee_fin=annee,
        )


class EngagementManager(models.Manager.from_queryset(EngagementQuerySet)):
    def get_by_natural_key(
        self, convention_slug, annee_debut, annee_fin, libelle, action_code, financeur_slug
    ):
        return self.get(
            tableau=TableauEngagements.objects.get_by_natural_key(
                convention_slug, annee_debut, annee_fin, libelle
            ),
            action__code=action_code,
            financeur__slug=financeur_slug,
        )


class Engagement(models.Model):
    """One financeur's amount for one action in one tableau."""

    tableau = models.ForeignKey(
        TableauEngagements,
        verbose_name="tableau",
        on_delete=models.CASCADE,
        related_name="engagements",
    )
    # An engagement must not vanish with its action or its financeur.
    action = models.ForeignKey(
        Action, verbose_name="action", on_delete=models.PROTECT, related_name="engagements"
    )
    financeur = models.ForeignKey(
        Financeur, verbose_name="financeur", on_delete=models.PROTECT, related_name="engagements"
    )
    montant = models.DecimalField("montant", **MONTANT)
    # Optimistic locking: a form or a preview carries the version it read; saving over a newer
    # version is refused instead of overwriting a colleague's amount.
    version = models.PositiveIntegerField("version", default=1, editable=False)

    objects = EngagementManager()
    historique = HistoricalRecords(verbose_name="historique de l'engagement")

    class Meta:
        verbose_name = "engagement"
        verbose_name_plural = "engagements"
        ordering = ["tableau", "action__ordre", "financeur__ordre"]
        # The admin's file import and export (django-import-export): amounts are for the
        # finance officers, not for every reader.
        permissions = [
            ("import_engagement", "Peut importer des lignes d'engagement (fichier)"),
            ("export_engagement", "Peut exporter des lignes d'engagement (fichier)"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["tableau", "action", "financeur"],
                name="engagement_unique",
                violation_error_message="Ce tableau a déjà un montant pour cette action et ce "
                "financeur.",
            ),
            montant_positif("montant", "montant"),
        ]

    def __str__(self):
        return f"{self.action.code} — {self.financeur} : {self.montant} €"

    def natural_key(self):
        return (*self.tableau.natural_key(), self.action.code, self.financeur.slug)

    natural_key.dependencies = [
        "conventions.tableauengagements",
        "conventions.action",
        "conventions.financeur",
    ]

    def clean(self):
        if (
            self.action_id
            and self.tableau_id
            and self.action.convention_id != self.tableau.convention_id
        ):
            raise ValidationError(
                {
                    "action": f"L'action {self.action.code} appartient à la convention "
                    f"« {self.action.convention.slug} », pas à celle du tableau "
                    f"« {self.tableau.convention.slug} »."
                }
            )


# --- Multi-year commitments -----------------------------------------------------------------


class EngagementPluriannuelQuerySet(models.QuerySet):
    def avec_total_tranches(self):
        return self.annotate(somme_tranches=somme("tranches__montant"))


class EngagementPluriannuelManager(models.Manager.from_queryset(EngagementPluriannuelQuerySet)):
    def get_by_natural_key(self, convention_slug, financeur_slug):
        return self.get(convention__slug=convention_slug, financeur__slug=financeur_slug)


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

    objects = EngagementPluriannuelManager()

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

    def natural_key(self):
        return (*self.convention.natural_key(), self.financeur.slug)

    natural_key.dependencies = ["conventions.convention", "conventions.financeur"]

    def total_tranches(self) -> Decimal:
        return self.tranches.aggregate(total=somme("montant"))["total"]


class TrancheManager(models.Manager):
    def get_by_natural_key(self, convention_slug, financeur_slug, annee):
        return self.get(
            engagement__convention__slug=convention_slug,
            engagement__financeur__slug=financeur_slug,
            annee=annee,
        )


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

    objects = TrancheManager()

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

    def natural_key(self):
        return (*self.engagement.natural_key(), self.annee)

    natural_key.dependencies = ["conventions.engagementpluriannuel"]


# --- Council sessions and deliberations -----------------------------------------------------


class SeanceManager(models.Manager):
    def get_by_natural_key(self, territoire_slug, date_seance):
        return self.get(territoire__slug=territoire_slug, date=date_seance)


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

    objects = SeanceManager()

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

    def natural_key(self):
        return (*self.territoire.natural_key(), self.date.isoformat())

    natural_key.dependencies = ["conventions.territoire"]


class MembreSeanceManager(models.Manager):
    def get_by_natural_key(self, territoire_slug, date_seance, nom):
        return self.get(seance__territoire__slug=territoire_slug, seance__date=date_seance, nom=nom)


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

    objects = MembreSeanceManager()

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

    def natural_key(self):
        return (*self.seance.natural_key(), self.nom)

    natural_key.dependencies = ["conventions.seance"]


class DeliberationManager(models.Manager):
    def get_by_natural_key(self, territoire_slug, date_seance, reference):
        return self.get(
            seance__territoire__slug=territoire_slug, seance__date=date_seance, reference=reference
        )


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

    objects = DeliberationManager()

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

    def natural_key(self):
        return (*self.seance.natural_key(), self.reference)

    natural_key.dependencies = ["conventions.seance", "conventions.convention"]

    @property
    def votants(self) -> int:
        return self.votes_pour + self.votes_contre + self.abstentions + self.ne_se_prononce_pas


class MontantDelibereManager(models.Manager):
    def get_by_natural_key(self, territoire_slug, date_seance, reference, financeur_slug, annee):
        return self.get(
            deliberation=Deliberation.objects.get_by_natural_key(
                territoire_slug, date_seance, reference
            ),
            financeur__slug=financeur_slug,
            annee=annee,
        )


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

    objects = MontantDelibereManager()

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

    def natural_key(self):
        return (*self.deliberation.natural_key(), self.financeur.slug, self.annee)

    natural_key.dependencies = ["conventions.deliberation", "conventions.financeur"]
