"""Admin screens for conventions, tableaux des engagements and deliberations.

List pages compute their totals in the database (annotations, or one grouped query per page) so
that the number of queries does not grow with the number of rows.
"""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from commun.concurrence import VersionForm
from commun.formats import euros
from commun.formulaires import NombresFrancaisMixin
from comptes.acces import ChoixDuTerritoireMixin, TerritoireAdminMixin
from comptes.droits import peut_charger_des_conventions
from controles.admin import ConstatsAdminMixin
from conventions.classeurs.listes import ImportExportProtege

from .admin_chargement import preparer_annee_suivante, vue_chargement, vue_suivi
from .models import (
    Action,
    Avenant,
    Axe,
    Convention,
    Deliberation,
    Engagement,
    EngagementPluriannuel,
    Financeur,
    MembreSeance,
    MontantDelibere,
    Seance,
    TableauEngagements,
    Territoire,
    TotalImprime,
    Tranche,
)
from .ressources import EngagementRessource, FinanceurRessource, TerritoireRessource


def oui_non(valeur: bool) -> str:
    """A status in words, not an icon alone: readable by everyone and by screen readers."""
    return "oui" if valeur else "non"


class ChoixPartagesMixin(ChoixDuTerritoireMixin):
    """Inlines: compute each foreign key's choices once per request, not once per row, among
    the user's territoires (``ChoixDuTerritoireMixin``).

    Without it, a tableau of 37 actions renders 37 identical queries for the action select.
    """

    choix_limites_a_la_convention: tuple[str, ...] = ()
    # What each row's label reads (its ``__str__``), fetched with the rows.
    lignes_select_related: tuple[str, ...] = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.lignes_select_related)

    def get_formset(self, request, obj=None, **kwargs):
        request._convention_en_cours = self.convention_de(obj)
        return super().get_formset(request, obj, **kwargs)

    def convention_de(self, obj):
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        convention = getattr(request, "_convention_en_cours", None)
        if db_field.name in self.choix_limites_a_la_convention and convention is not None:
            kwargs["queryset"] = db_field.related_model.objects.filter(convention=convention)
        champ = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if champ is None or db_field.related_model is self.parent_model:
            return champ  # the parent's key is not a select: no choices to compute
        cache = request.__dict__.setdefault("_choix_en_cache", {})
        cle = (self.model, db_field.name)
        if cle not in cache:
            cache[cle] = list(champ.choices)
        champ.choices = cache[cle]
        return champ


# --- Territoires, financeurs ----------------------------------------------------------------


@admin.register(Territoire)
class TerritoireAdmin(ImportExportProtege, TerritoireAdminMixin, admin.ModelAdmin):
    resource_classes = [TerritoireRessource]
    list_display = ["nom", "nature", "departement", "slug"]
    list_filter = ["nature"]
    search_fields = ["nom", "slug"]
    prepopulated_fields = {"slug": ["nom"]}


@admin.register(Financeur)
class FinanceurAdmin(ImportExportProtege, TerritoireAdminMixin, admin.ModelAdmin):
    resource_classes = [FinanceurRessource]
    list_display = ["nom", "categorie", "territoire", "ordre"]
    list_filter = ["categorie"]
    list_select_related = ["territoire"]
    search_fields = ["nom", "slug"]
    prepopulated_fields = {"slug": ["nom"]}


# --- Conventions ----------------------------------------------------------------------------


class AvenantInline(ChoixDuTerritoireMixin, admin.TabularInline):
    model = Avenant
    extra = 0


class AxeInline(ChoixPartagesMixin, admin.TabularInline):
    model = Axe
    extra = 0
    fields = ["code", "intitule", "niveau", "parent", "ordre"]
    choix_limites_a_la_convention = ("parent",)


class ActionInline(NombresFrancaisMixin, ChoixPartagesMixin, admin.TabularInline):
    model = Action
    extra = 0
    fields = ["code", "intitule", "axe", "budget_estime", "ordre"]
    show_change_link = True
    choix_limites_a_la_convention = ("axe",)


@admin.register(Convention)
class ConventionAdmin(
    NombresFrancaisMixin, TerritoireAdminMixin, ConstatsAdminMixin, SimpleHistoryAdmin
):
    list_display = [
        "intitule",
        "territoire",
        "dispositif",
        "periode",
        "statut",
        "totaux",
        "resume_constats",
    ]
    list_filter = ["territoire", "dispositif", "statut", "annee_debut"]
    list_select_related = ["territoire"]
    search_fields = ["intitule", "slug", "objet"]
    prepopulated_fields = {"slug": ["intitule"]}
    inlines = [AvenantInline, AxeInline, ActionInline]
    fieldsets = [
        (None, {"fields": ["intitule", "slug", "dispositif", "territoire", "statut", "source"]}),
        (
            "Période et dates",
            {"fields": ["annee_debut", "annee_fin", "date_deliberation", "date_signature"]},
        ),
        ("Parties et objet", {"fields": ["parties", "signataires", "objet"]}),
        (
            "Financement",
            {
                "fields": [
                    "taux_cofinancement",
                    "regle_cofinancement",
                    "modalites_versement",
                    "versement_unique",
                ]
            },
        ),
        (
            "Bilan annuel",
            {
                "fields": [
                    "bilan_echeance_jour",
                    "bilan_echeance_mois",
                    "bilan_echeance_annees_apres",
                ]
            },
        ),
        ("Durée et dénonciation", {"fields": ["duree", "denonciation"]}),
    ]

    change_list_template = "admin/conventions/convention_change_list.html"
    actions = [preparer_annee_suivante]

    def get_urls(self):
        from django.urls import path

        vue = self.admin_site.admin_view(lambda request: vue_chargement(self, request))
        resultat = self.admin_site.admin_view(lambda request: vue_suivi(self, request))
        return [
            path("charger/", vue, name="conventions_convention_charger"),
            path("charger/suivi/", resultat, name="conventions_convention_charger_suivi"),
        ] + super().get_urls()

    def has_charger_permission(self, request):
        return peut_charger_des_conventions(request.user)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "peut_charger": peut_charger_des_conventions(request.user),
        }
        return super().changelist_view(request, extra_context)

    def convention_de(self, obj):
        return obj.pk

    def constats_de(self, obj, constats):
        return [c for c in constats if c.convention_id == obj.pk]

    def preparer_page(self, objets):
        """Totals en vigueur in one grouped query, constats in one run of the checks."""
        super().preparer_page(objets)
        totaux = Engagement.objects.totaux_en_vigueur_par_convention(objets)
        for convention in objets:
            convention.totaux_en_vigueur = totaux.get(convention.pk, [])

    @admin.display(description="période", ordering="annee_debut")
    def periode(self, obj):
        return obj.periode

    @admin.display(description="totaux en vigueur par financeur")
    def totaux(self, obj):
        lignes = getattr(obj, "totaux_en_vigueur", [])
        if not lignes:
            return "—"
        return format_html_join(
            mark_safe("<br>"),  # noqa: S308 — a constant tag
            "{} — {} : {}",
            ((periode, financeur, euros(total)) for periode, financeur, total in lignes),
        )


@admin.register(Avenant)
class AvenantAdmin(TerritoireAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "date_signature", "annee"]
    list_filter = ["convention__territoire", "convention__dispositif", "annee"]
    list_select_related = ["convention"]
    search_fields = ["convention__intitule", "objet"]


@admin.register(Axe)
class AxeAdmin(TerritoireAdminMixin, admin.ModelAdmin):
    list_display = ["code", "intitule", "niveau", "parent", "convention"]
    list_filter = ["convention__territoire", "convention__dispositif", "niveau", "convention"]
    list_select_related = ["convention", "parent"]
    search_fields = ["code", "intitule"]
    raw_id_fields = ["parent"]


@admin.register(Action)
class ActionAdmin(NombresFrancaisMixin, TerritoireAdminMixin, ConstatsAdminMixin, admin.ModelAdmin):
    list_display = ["code", "intitule", "convention", "axe", "budget", "action_precedente"]
    list_filter = ["convention__territoire", "convention__dispositif", "convention"]
    list_select_related = ["convention", "axe", "action_precedente__convention"]
    search_fields = ["code", "intitule", "intitule_fiche", "unite_compte", "remarques"]
    raw_id_fields = ["axe", "action_precedente"]
    fieldsets = [
        (None, {"fields": ["convention", "axe", "code", "intitule", "ordre", "action_precedente"]}),
        (
            "Fiche action",
            {
                "fields": [
                    "intitule_fiche",
                    "contexte",
                    "objectif_vise",
                    "descriptif",
                    "public_vise",
                    "territoire_concerne",
                    "modalites_echeancier",
                    "budget_estime",
                    "indicateurs_suivi",
                ]
            },
        ),
        (
            "Dispositif (annexe financière)",
            {"fields": ["service_responsable", "unite_compte", "remarques"]},
        ),
    ]

    def get_changelist(self, request, **kwargs):
        # The action list keeps Django's changelist: constats show on each action's page.
        return admin.ModelAdmin.get_changelist(self, request, **kwargs)

    @admin.display(description="budget estimé", ordering="budget_estime")
    def budget(self, obj):
        return euros(obj.budget_estime)


# --- Tableaux des engagements ---------------------------------------------------------------


class EngagementForm(VersionForm):
    """The version check runs after the tableau is locked (``conventions.verrou``): the grid
    or an import of the same tableau cannot write between the check and the save."""

    class Meta:
        model = Engagement
        fields = ["tableau", "action", "financeur", "montant"]

    def clean(self):
        from .verrou import verrouiller_le_tableau

        choisi = self.cleaned_data.get("tableau")
        for tableau_id in sorted({self.instance.tableau_id, choisi and choisi.pk} - {None}):
            verrouiller_le_tableau(tableau_id)
        return super().clean()


class EngagementInline(NombresFrancaisMixin, ChoixPartagesMixin, admin.TabularInline):
    model = Engagement
    form = EngagementForm
    extra = 0
    fields = ["action", "financeur", "montant", "version_lue"]
    choix_limites_a_la_convention = ("action",)
    lignes_select_related = ("action", "financeur")

    def convention_de(self, obj):
        return obj.convention if obj else None


class TotalImprimeInline(NombresFrancaisMixin, ChoixPartagesMixin, admin.TabularInline):
    model = TotalImprime
    extra = 0
    lignes_select_related = ("tableau__convention", "financeur")


@admin.register(TableauEngagements)
class TableauEngagementsAdmin(TerritoireAdminMixin, ConstatsAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "libelle",
        "convention",
        "periode",
        "nature",
        "vigueur",
        "etat",
        "collectivite",
        "autres",
        "total",
        "resume_constats",
    ]
    list_filter = [
        "convention__territoire",
        "convention__dispositif",
        "annee_debut",
        "nature",
        "en_vigueur",
        "engagements__financeur",
    ]
    list_select_related = ["convention"]
    search_fields = ["libelle", "convention__intitule", "source"]
    inlines = [EngagementInline, TotalImprimeInline]
    raw_id_fields = ["avenant"]

    change_list_template = "admin/conventions/tableauengagements_change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).avec_totaux()

    def get_urls(self):
        from django.urls import path

        from .admin_import import vue_import

        vue = self.admin_site.admin_view(lambda request: vue_import(self, request))
        return [
            path("importer/", vue, name="conventions_tableauengagements_import")
        ] + super().get_urls()

    @admin.display(description="période", ordering="annee_debut")
    def periode(self, obj):
        return obj.periode

    @admin.display(description="en vigueur", ordering="en_vigueur")
    def vigueur(self, obj):
        return oui_non(obj.en_vigueur)

    @admin.display(description="État", ordering="total_etat")
    def etat(self, obj):
        return euros(obj.total_etat)

    @admin.display(description="collectivité", ordering="total_collectivite")
    def collectivite(self, obj):
        return euros(obj.total_collectivite)

    @admin.display(description="autres financeurs", ordering="total_autres")
    def autres(self, obj):
        return euros(obj.total_autres)

    @admin.display(description="total", ordering="total_general")
    def total(self, obj):
        return euros(obj.total_general)


@admin.register(Engagement)
class EngagementAdmin(
    ImportExportProtege, NombresFrancaisMixin, TerritoireAdminMixin, SimpleHistoryAdmin
):
    resource_classes = [EngagementRessource]
    form = EngagementForm
    list_display = ["action", "financeur", "montant_affiche", "tableau"]
    list_filter = [
        "financeur",
        "tableau__nature",
        "tableau__annee_debut",
        "tableau__convention__territoire",
        "tableau__convention__dispositif",
    ]
    list_select_related = ["action", "financeur", "tableau__convention"]
    search_fields = ["action__code", "action__intitule", "tableau__libelle"]
    raw_id_fields = ["tableau", "action"]

    @admin.display(description="montant", ordering="montant")
    def montant_affiche(self, obj):
        return euros(obj.montant)


@admin.register(TotalImprime)
class TotalImprimeAdmin(NombresFrancaisMixin, TerritoireAdminMixin, SimpleHistoryAdmin):
    list_display = ["tableau", "financeur", "montant_affiche"]
    list_filter = ["financeur", "tableau__convention__territoire"]
    list_select_related = ["tableau__convention", "financeur"]

    @admin.display(description="montant imprimé", ordering="montant")
    def montant_affiche(self, obj):
        return euros(obj.montant)


# --- Multi-year commitments -----------------------------------------------------------------


class TrancheInline(NombresFrancaisMixin, ChoixPartagesMixin, admin.TabularInline):
    model = Tranche
    extra = 0
    lignes_select_related = ("engagement__convention", "engagement__financeur")


@admin.register(EngagementPluriannuel)
class EngagementPluriannuelAdmin(NombresFrancaisMixin, TerritoireAdminMixin, admin.ModelAdmin):
    list_display = ["convention", "financeur", "total", "periode", "tranches_total"]
    list_filter = ["financeur", "convention__territoire", "convention__dispositif"]
    list_select_related = ["convention", "financeur"]
    inlines = [TrancheInline]

    def get_queryset(self, request):
        return super().get_queryset(request).avec_total_tranches()

    @admin.display(description="montant total", ordering="montant_total")
    def total(self, obj):
        return euros(obj.montant_total)

    @admin.display(description="période")
    def periode(self, obj):
        return f"{obj.annee_debut}-{obj.annee_fin}"

    @admin.display(description="somme des tranches", ordering="somme_tranches")
    def tranches_total(self, obj):
        return euros(obj.somme_tranches)


# --- Séances and délibérations --------------------------------------------------------------


class MembreSeanceInline(ChoixDuTerritoireMixin, admin.TabularInline):
    model = MembreSeance
    extra = 0
    fields = ["civilite", "nom", "presence", "mandataire", "ordre"]


class DeliberationInline(ChoixDuTerritoireMixin, admin.TabularInline):
    model = Deliberation
    extra = 0
    fields = ["reference", "objet", "votes_pour", "votes_contre", "abstentions"]
    show_change_link = True


@admin.register(Seance)
class SeanceAdmin(TerritoireAdminMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "territoire",
        "membres_en_exercice",
        "presents",
        "procurations",
    ]
    list_filter = ["territoire", "date"]
    list_select_related = ["territoire"]
    search_fields = ["organe", "president"]
    date_hierarchy = "date"
    inlines = [DeliberationInline, MembreSeanceInline]


class MontantDelibereInline(NombresFrancaisMixin, ChoixPartagesMixin, admin.TabularInline):
    model = MontantDelibere
    extra = 0
    lignes_select_related = ("financeur",)


@admin.register(Deliberation)
class DeliberationAdmin(TerritoireAdminMixin, admin.ModelAdmin):
    list_display = ["objet", "seance", "convention", "votes_pour", "votes_contre", "abstentions"]
    list_filter = ["seance__territoire", "seance__date"]
    list_select_related = ["seance", "convention"]
    search_fields = ["objet", "rubrique", "expose", "decisions"]
    raw_id_fields = ["seance", "convention"]
    inlines = [MontantDelibereInline]


@admin.register(MembreSeance)
class MembreSeanceAdmin(TerritoireAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "presence", "mandataire", "seance"]
    list_filter = ["presence", "seance"]
    list_select_related = ["seance"]
    search_fields = ["nom", "mandataire"]
