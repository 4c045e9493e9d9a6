"""Tableaux des engagements: the versions of a convention's amounts, their lines (engagements)
and the totals printed in the documents, with the querysets that sum them in the database."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

from commun.ecritures import EcritureGardee, RequetesGardees
from commun.formats import euros

from .actions import Action
from .communs import MONTANT, ZERO, ParCleNaturelle, montant_positif, somme
from .conventions import Avenant, Convention
from .gardes import garder_par_tableau
from .territoires import Financeur


class TableauEngagementsQuerySet(RequetesGardees):
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


class TableauEngagements(EcritureGardee, models.Model):
    """One version of a convention's amounts for a year or a period.

    Every write asks the rules registered in ``gardes.py`` (a transmitted bilan's prévisionnel
    no longer changes)."""

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

    objects = ParCleNaturelle.from_queryset(TableauEngagementsQuerySet)()
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
            # The bilan's budget is what the collectivité planned, never the year's tableau:
            # the dashboard and the checks would read it as the amounts signed.
            models.CheckConstraint(
                condition=~Q(nature="previsionnel_bilan", en_vigueur=True),
                name="tableau_previsionnel_jamais_en_vigueur",
                violation_error_message="Le budget prévisionnel d'un bilan n'est jamais « en "
                "vigueur » : c'est ce que la collectivité a prévu, pas le tableau signé.",
            ),
        ]

    def __str__(self):
        return f"{self.convention} — {self.periode} — {self.libelle}"

    def get_absolute_url(self):
        url = reverse("conventions:detail", args=[self.convention.slug])
        return f"{url}?periode={self.periode}&version={self.pk}"

    cle_naturelle = ("convention__slug", "annee_debut", "annee_fin", "libelle")

    def natural_key(self):
        return (*self.convention.natural_key(), self.annee_debut, self.annee_fin, self.libelle)

    natural_key.dependencies = ["conventions.convention", "conventions.avenant"]

    def clean(self):
        self.verifier_l_ecriture()

    @classmethod
    def garder(cls, **ecriture):
        garder_par_tableau("pk", **ecriture)

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


def financeur_permis(financeur, convention) -> bool:
    """A convention commits the shared financeurs (l'État, a CAF: no territoire) and its own
    territoire's, never another collectivité's."""
    return financeur.territoire_id in (None, convention.territoire_id)


def refuser_un_financeur_d_ailleurs(ligne) -> None:
    """For a line of a tableau (engagement, printed total): the financeur rule above."""
    if ligne.financeur_id is None or ligne.tableau_id is None:
        return
    convention = ligne.tableau.convention
    if not financeur_permis(ligne.financeur, convention):
        raise ValidationError(
            {
                "financeur": f"« {ligne.financeur.nom} » finance un autre territoire : une "
                f"convention de {convention.territoire.nom} n'engage que ses propres financeurs "
                "et les financeurs communs (l'État, une CAF…)."
            }
        )


class TotalImprime(EcritureGardee, models.Model):
    """A total as printed in the document, kept next to the computed one so that both can differ."""

    tableau = models.ForeignKey(
        TableauEngagements,
        verbose_name="tableau",
        on_delete=models.CASCADE,
        related_name="totaux_imprimes",
    )
    financeur = models.ForeignKey(Financeur, verbose_name="financeur", on_delete=models.PROTECT)
    montant = models.DecimalField("montant imprimé", **MONTANT)

    objects = ParCleNaturelle.from_queryset(RequetesGardees)()
    # Finance officers update it from the grid (the signed document's figure): who and why.
    historique = HistoricalRecords(verbose_name="historique du total imprimé")

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

    cle_naturelle = (
        "tableau__convention__slug",
        "tableau__annee_debut",
        "tableau__annee_fin",
        "tableau__libelle",
        "financeur__slug",
    )

    def natural_key(self):
        return (*self.tableau.natural_key(), self.financeur.slug)

    natural_key.dependencies = ["conventions.tableauengagements", "conventions.financeur"]

    def clean(self):
        self.verifier_l_ecriture()
        refuser_un_financeur_d_ailleurs(self)

    @classmethod
    def garder(cls, **ecriture):
        garder_par_tableau("tableau_id", **ecriture)


class EngagementQuerySet(RequetesGardees):
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


class Engagement(EcritureGardee, models.Model):
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

    objects = ParCleNaturelle.from_queryset(EngagementQuerySet)()
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
        return f"{self.action.code} — {self.financeur} : {euros(self.montant)}"

    cle_naturelle = (
        "tableau__convention__slug",
        "tableau__annee_debut",
        "tableau__annee_fin",
        "tableau__libelle",
        "action__code",
        "financeur__slug",
    )

    def natural_key(self):
        return (*self.tableau.natural_key(), self.action.code, self.financeur.slug)

    natural_key.dependencies = [
        "conventions.tableauengagements",
        "conventions.action",
        "conventions.financeur",
    ]

    @classmethod
    def garder(cls, **ecriture):
        garder_par_tableau("tableau_id", **ecriture)

    def clean(self):
        self.verifier_l_ecriture()
        refuser_un_financeur_d_ailleurs(self)
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
