"""The year's documents downloaded from the pages: a bilan's rapport d'exécution (PDF, and an
editable DOCX draft), a tableau's annexe financière (PDF), and every rapport of a year in one
zip for the État's filing. The documents are built by ``fichiers.documents``; these views
check who asks (``comptes/droits.py``, ``comptes/acces.py``) and name the file.

When the PDF engine cannot load its system libraries, the page says so in French (503), never
a server error."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from bilans.models import Bilan
from comptes.acces import conventions_de
from comptes.droits import (
    exiger,
    peut_telecharger_les_documents,
    peut_telecharger_les_rapports_de_l_annee,
)
from conventions.models import TableauEngagements
from fichiers.documents import docx, pdf
from fichiers.documents.contenus import auteur_de
from fichiers.documents.rendu import MoteurPdfIndisponible
from pages.bilans.choix import bilan_demande

PDF = "application/pdf"
ZIP = "application/zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _fichier(contenu: bytes, type_: str, nom: str) -> HttpResponse:
    reponse = HttpResponse(contenu, content_type=type_)
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse


def _indisponible(request, erreur: MoteurPdfIndisponible):
    return render(
        request,
        "erreur.html",
        {"statut": 503, "titre": "Documents PDF indisponibles", "message": str(erreur)},
        status=503,
    )


@login_required
@require_GET
def rapport_d_execution(request, slug, annee):
    exiger(peut_telecharger_les_documents(request.user))
    bilan = bilan_demande(request, slug, annee)
    try:
        contenu = pdf.rapport_d_execution(bilan, auteur=auteur_de(request.user))
    except MoteurPdfIndisponible as erreur:
        return _indisponible(request, erreur)
    return _fichier(contenu, PDF, pdf.nom_du_rapport(bilan))


@login_required
@require_GET
def rapport_d_execution_docx(request, slug, annee):
    """The editable draft, for those who write the bilan (python-docx needs no system
    library)."""
    exiger(peut_telecharger_les_documents(request.user))
    bilan = bilan_demande(request, slug, annee)
    contenu = docx.rapport_d_execution(bilan, auteur=auteur_de(request.user))
    return _fichier(contenu, DOCX, pdf.nom_du_rapport(bilan, "docx"))


@login_required
@require_GET
def annexe_financiere(request, slug, pk):
    exiger(peut_telecharger_les_documents(request.user))
    tableau = get_object_or_404(
        TableauEngagements.objects.filter(
            convention__in=conventions_de(request.user)
        ).select_related("convention__territoire"),
        convention__slug=slug,
        pk=pk,
    )
    try:
        contenu = pdf.annexe_financiere(tableau, auteur=auteur_de(request.user))
    except MoteurPdfIndisponible as erreur:
        return _indisponible(request, erreur)
    return _fichier(contenu, PDF, pdf.nom_de_l_annexe(tableau))


@login_required
@require_GET
def rapports_de_l_annee(request, annee):
    """Every bilan of ``annee`` in the user's territoires, one PDF each, in one zip."""
    exiger(peut_telecharger_les_rapports_de_l_annee(request.user))
    bilans = list(
        Bilan.objects.filter(convention__in=conventions_de(request.user), annee=annee)
        .select_related("convention__territoire", "tableau_previsionnel")
        .order_by("convention__territoire__nom", "convention__slug")
    )
    if not bilans:
        raise Http404(f"Aucun bilan {annee} dans les territoires que vous suivez.")
    try:
        contenu = pdf.rapports_de_l_annee(bilans, auteur=auteur_de(request.user))
    except MoteurPdfIndisponible as erreur:
        return _indisponible(request, erreur)
    return _fichier(contenu, ZIP, f"rapports-d-execution-{annee}.zip")
