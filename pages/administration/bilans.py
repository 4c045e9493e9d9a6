"""Admin screens for bilans, per-action reports, indicators and their values."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from simple_history.admin import SimpleHistoryAdmin

from bilans import decomposition, gel
from bilans.models import Bilan, Indicateur, Mesure, RapportAction, Relance
from commun.formats import euros, nombre
from commun.formulaires import NombreFrancais, NombresFrancaisMixin
from comptes.acces import TerritoireAdminMixin
from conventions.models import somme
from fichiers.ressources.bilans import MesureRessource
from pages.administration.communs import ChoixPartagesMixin
from pages.administration.controles import ConstatsAdminMixin
from pages.administration.listes import ImportExportProtege


class FiguresDuBilanMixin:
    """Inlines of a bilan: read-only once it is transmitted (``gel.py``), for everyone; the
    models refuse the write anyway, this only spares the user a form they cannot save."""

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj and gel.est_gele(obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and gel.est_gele(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and gel.est_gele(obj))


class RapportActionInline(FiguresDuBilanMixin, ChoixPartagesMixin, admin.StackedInline):
    model = RapportAction
    extra = 0
    fields = ["action", "realisation", "operateur", "texte"]
    choix_limites_a_la_convention = ("action",)
    lignes_select_related = ("bilan__convention", "action")

    def convention_de(self, obj):
        return obj.convention if obj else None


class MesuresDuBilan(BaseInlineFormSet):
    """The values submitted together count for the breakdown rule (``Mesure.clean``): a
    whole and its part lowered in one save are checked against each other, not the database."""

    def full_clean(self):
        with decomposition.ensemble({self.instance.pk: self._lot()}):
            super().full_clean()

    def _lot(self) -> dict:
        if not hasattr(self, "_lot_cache"):
            lecteur, lot = NombreFrancais(), {}
            for rang in range(self.total_form_count()):
                prefixe = self.add_prefix(rang)
                indicateur = self.data.get(f"{prefixe}-indicateur")
                try:
                    valeur = lecteur.to_python(self.data.get(f"{prefixe}-valeur"))
                    if indicateur and valeur is not None and not self.data.get(f"{prefixe}-DELETE"):
                        lot[int(indicateur)] = valeur
                except (ValueError, ValidationError):
                    continue  # the field's own validation says what is wrong
            self._lot_cache = lot
        return self._lot_cache


class MesureInline(
    FiguresDuBilanMixin, NombresFrancaisMixin, ChoixPartagesMixin, admin.TabularInline
):
    model = Mesure
    formset = MesuresDuBilan
    extra = 0
    fields = ["indicateur", "valeur", "commentaire"]
    lignes_select_related = ("indicateur__action",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        convention = getattr(request, "_convention_en_cours", None)
        if db_field.name == "indicateur" and convention is not None:
            kwargs["queryset"] = Indicateur.objects.filter(
                action__convention=convention
            ).select_related("action")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def convention_de(self, obj):
        return obj.convention if obj else None


@admin.register(Bilan)
class BilanAdmin(
    NombresFrancaisMixin, TerritoireAdminMixin, ConstatsAdminMixin, SimpleHistoryAdmin
):
    list_display = [
        "__str__",
        "statut",
        "echeance_affichee",
        "depenses",
        "financement_recu",
        "previsionnel_etat",
        "previsionnel_collectivite",
        "resume_constats",
    ]
    list_filter = ["convention__territoire", "convention__dispositif", "annee", "statut"]
    list_select_related = ["convention"]
    search_fields = ["convention__intitule", "remarques"]
    raw_id_fields = ["tableau_previsionnel"]
    inlines = [RapportActionInline, MesureInline]
    # The status changes on the bilan's page (« Suivi du bilan »), through bilans.cycle: who may
    # transmit, send back or validate is checked there, and the timeline records it.
    readonly_fields = ["statut", "date_transmission"]

    def get_queryset(self, request):
        engagements = "tableau_previsionnel__engagements__montant"
        categorie = "tableau_previsionnel__engagements__financeur__categorie"
        return (
            super()
            .get_queryset(request)
            .annotate(
                total_previsionnel_etat=somme(engagements, Q(**{categorie: "etat"})),
                total_previsionnel_collectivite=somme(
                    engagements, Q(**{categorie: "collectivite"})
                ),
            )
        )

    @admin.display(description="échéance")
    def echeance_affichee(self, obj):
        echeance = obj.echeance
        return f"{echeance:%d/%m/%Y}" if echeance else "—"

    @admin.display(description="dépenses de la collectivité", ordering="depenses_collectivite")
    def depenses(self, obj):
        return euros(obj.depenses_collectivite)

    @admin.display(description="financement de l'État reçu", ordering="financement_etat_recu")
    def financement_recu(self, obj):
        return euros(obj.financement_etat_recu)

    @admin.display(description="prévisionnel État", ordering="total_previsionnel_etat")
    def previsionnel_etat(self, obj):
        return euros(obj.total_previsionnel_etat)

    @admin.display(
        description="prévisionnel collectivité", ordering="total_previsionnel_collectivite"
    )
    def previsionnel_collectivite(self, obj):
        return euros(obj.total_previsionnel_collectivite)


@admin.register(RapportAction)
class RapportActionAdmin(TerritoireAdminMixin, SimpleHistoryAdmin):
    list_display = ["action", "realisation", "operateur", "bilan"]
    list_filter = ["realisation", "bilan__annee", "bilan__convention__territoire"]
    list_select_related = ["action", "bilan__convention"]
    search_fields = ["operateur", "texte", "action__intitule"]
    raw_id_fields = ["bilan", "action"]


@admin.register(Indicateur)
class IndicateurAdmin(TerritoireAdminMixin, admin.ModelAdmin):
    list_display = ["libelle", "action", "unite", "parent", "partie_exhaustive"]
    list_filter = ["action__convention__territoire", "action__convention", "partie_exhaustive"]
    list_select_related = ["action", "parent__action"]
    search_fields = ["libelle", "code", "action__intitule"]
    raw_id_fields = ["action", "parent"]


@admin.register(Mesure)
class MesureAdmin(
    ImportExportProtege, NombresFrancaisMixin, TerritoireAdminMixin, SimpleHistoryAdmin
):
    resource_classes = [MesureRessource]

    list_display = ["indicateur", "valeur_affichee", "bilan"]
    list_filter = ["bilan__annee", "bilan__convention__territoire"]
    list_select_related = ["indicateur__action", "bilan__convention"]
    search_fields = ["indicateur__libelle", "commentaire"]
    raw_id_fields = ["indicateur", "bilan"]

    @admin.display(description="valeur", ordering="valeur")
    def valeur_affichee(self, obj):
        return nombre(obj.valeur)


@admin.register(Relance)
class RelanceAdmin(TerritoireAdminMixin, admin.ModelAdmin):
    """What ``manage.py relancer`` sent, to whom and when: a record, not edited by hand."""

    list_display = ["date", "motif", "annee", "convention", "destinataire"]
    list_filter = ["motif", "date", "convention__territoire"]
    list_select_related = ["convention", "destinataire"]
    search_fields = ["convention__intitule", "destinataire__username", "destinataire__email"]
    date_hierarchy = "date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
