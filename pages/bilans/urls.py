from django.urls import path

from pages.bilans import views

app_name = "bilans"

urlpatterns = [
    path("conventions/<slug:slug>/bilans/<int:annee>/", views.bilan_detail, name="detail"),
    path(
        "conventions/<slug:slug>/bilans/<int:annee>/statut/",
        views.changer_statut,
        name="statut",
    ),
    path(
        "conventions/<slug:slug>/bilans/<int:annee>/classeur/",
        views.classeur_du_bilan,
        name="classeur",
    ),
    path(
        "conventions/<slug:slug>/bilans/<int:annee>/comparaison/",
        views.comparaison_bilan,
        name="comparaison",
    ),
]
