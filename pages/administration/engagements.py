"""Admin screens for tableaux des engagements, their lines and printed totals, and the
multi-year commitments with their tranches."""

from django.contrib import admin
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from commun.concurrence import VersionForm
from commun.formats import euros
from commun.formulaires import NombresFrancaisMixin
from comptes.acces import TerritoireAdminMixin
from conventions.models import (
    Engagement,
    EngagementPluriannuel,
    TableauEngagements,
    TotalImprime,
    Tranche,
)
from conventions.verrou import verrouiller_le_tableau
from fichiers.ressources.conventions import (
    EngagementRessource,
)
from pages.administration.communs import ChoixPartagesMixin, oui_non
from pages.administration.controles import ConstatsAdminMixin
from pages.administration.import_annexe import vue_import
from pages.administration.listes import ImportExportProtege

# --- Tableaux des engagements ---------------------------------------------------------------


class EngagementForm(VersionForm):
    """The version check runs after the tableau is locked (``conventions.verrou``): the grid
    or an import of the same tableau cannot write between the check and the save."""

    class Meta:
        model = Engagement
        fields = ["tableau", "action", "financeur", "montant"]

    def clean(self):

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
