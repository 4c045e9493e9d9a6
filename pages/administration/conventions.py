"""Admin screens for territoires, financeurs, conventions, their avenants, axes and actions.

List pages compute their totals in the database (annotations, or one grouped query per page) so
that the number of queries does not grow with the number of rows.
"""

from django.contrib import admin
from django.urls import path
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from commun.formats import euros
from commun.formulaires import NombresFrancaisMixin
from comptes.acces import ChoixDuTerritoireMixin, TerritoireAdminMixin
from comptes.droits import peut_charger_des_conventions
from conventions.models import (
    Action,
    Avenant,
    Axe,
    Convention,
    Engagement,
    Financeur,
    Territoire,
)
from fichiers.ressources.conventions import (
    FinanceurRessource,
    TerritoireRessource,
)
from pages.administration.chargement import preparer_annee_suivante, vue_chargement, vue_suivi
from pages.administration.communs import ChoixPartagesMixin
from pages.administration.controles import ConstatsAdminMixin
from pages.administration.listes import ImportExportProtege


@admin.register(Territoire)
class TerritoireAdmin(ImportExportProtege, TerritoireAdminMixin, admin.ModelAdmin):
    resource_classes = [TerritoireRessource]
    list_display = ["nom", "nature", "departement", "slug"]
    list_filter = ["nature", "departement__region"]
    list_select_related = ["departement"]
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
