from django.urls import path

from pages import documents
from pages.conventions.views import (
    action,
    comparaisons,
    convention,
    exports,
    grille,
    recherche,
    tableau_de_bord,
)

app_name = "conventions"

urlpatterns = [
    path("", tableau_de_bord.tableau_de_bord, name="tableau_de_bord"),
    path("recherche/", recherche.recherche, name="recherche"),
    path("engagements.xlsx", exports.lignes_d_engagement, name="lignes_d_engagement"),
    path("conventions/<slug:slug>/", convention.convention_detail, name="detail"),
    path(
        "conventions/<slug:slug>/comparaison/versions/",
        comparaisons.comparaison_versions,
        name="comparaison_versions",
    ),
    path(
        "conventions/<slug:slug>/comparaison/annees/",
        comparaisons.comparaison_annees,
        name="comparaison_annees",
    ),
    path("conventions/<slug:slug>/classeur/", exports.classeur, name="classeur"),
    path(
        "conventions/<slug:slug>/tableaux/<int:pk>/modifier/",
        grille.modifier_tableau,
        name="modifier_tableau",
    ),
    path(
        "conventions/<slug:slug>/tableaux/<int:pk>/nouvelle-version/",
        grille.nouvelle_version,
        name="nouvelle_version",
    ),
    path(
        "conventions/<slug:slug>/tableaux/<int:pk>/mettre-en-vigueur/confirmation/",
        grille.confirmer_mise_en_vigueur,
        name="confirmer_mise_en_vigueur",
    ),
    path(
        "conventions/<slug:slug>/tableaux/<int:pk>/mettre-en-vigueur/",
        grille.mettre_en_vigueur,
        name="mettre_en_vigueur",
    ),
    path(
        "conventions/<slug:slug>/tableaux/<int:pk>/annexe-financiere.pdf",
        documents.annexe_financiere,
        name="annexe_financiere",
    ),
    path("conventions/<slug:slug>/actions/<str:code>/", action.action_detail, name="action"),
]
