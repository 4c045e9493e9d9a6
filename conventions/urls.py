from django.urls import path

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
    path("conventions/<slug:slug>/actions/<str:code>/", views.action_detail, name="action"),
]
