from django.urls import path

from pages import documents
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
    path(
        "conventions/<slug:slug>/bilans/<int:annee>/rapport-d-execution.pdf",
        documents.rapport_d_execution,
        name="rapport_d_execution",
    ),
    path(
        "conventions/<slug:slug>/bilans/<int:annee>/rapport-d-execution.docx",
        documents.rapport_d_execution_docx,
        name="rapport_d_execution_docx",
    ),
    path(
        "bilans/<int:annee>/rapports-d-execution.zip",
        documents.rapports_de_l_annee,
        name="rapports_de_l_annee",
    ),
]
