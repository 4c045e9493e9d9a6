"""Admin screens for the council sessions, their members and deliberations."""

from django.contrib import admin

from commun.formulaires import NombresFrancaisMixin
from comptes.acces import ChoixDuTerritoireMixin, TerritoireAdminMixin
from conventions.models import (
    Deliberation,
    MembreSeance,
    MontantDelibere,
    Seance,
)
from pages.administration.communs import ChoixPartagesMixin

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
