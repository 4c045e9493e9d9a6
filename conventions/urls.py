from django.urls import path

from pages import documents

from . import views

app_name = "conventions"

urlpatterns = [
    path("", views.tableau_de_bord, name="tableau_de_bord"),
    path("recherche/", views.recherche, name="recherche"),
    path("engagements.xlsx", views.lignes_d_engagement, name="lignes_d_engagement"),
    path("conventions/<slug:slug>/", views.convention_detail, name="detail"),
    path(
        "conventions/<slug:slug>/comparaison/versions/",
        views.comparaison_versions,
        name="comparaison_versions",
    ),
    path(
        "conventions/<slug:slug>/comparaison/annees/",
        views.comparaison_annees,
        name="comparaison_annees",
    ),
    path("conventions/<slug:slug>/classeur/", views.classeur, name="classeur"),
    path(
        "conventions/<slug:slug>/tableaux/<int:pk>/modifier/",
        views.modifier_tableau,
        name="modifier_tableau",
    ),
    path(
        "conventions/<slug:slug>/tableaux/<int:pk>/nouvelle-version/",
        views.nouvelle_version,
        name="nouvelle_version",
    ),
    path(
        "conventions/<slug:slug>/tableaux/<int:pk>/mettre-en-vigueur/confirmation/",
        views.confirmer_mise_en_vigueur,
        name="confirmer_mise_en_vigueur",
    ),
    path(
        "conventions/<slug:slug>/tableaux/<int:pk>/mettre-en-vigueur/",
        views.mettre_en_vigueur,
        name="mettre_en_vigueur",
    ),
    path(
        "conventions/<slug:slug>/tableaux/<int:pk>/annexe-financiere.pdf",
        documents.annexe_financiere,
        name="annexe_financiere",
    ),
    path("conventions/<slug:slug>/actions/<str:code>/", views.action_detail, name="action"),
]
