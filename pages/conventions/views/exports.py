"""The annex workbook and every engagement line, downloaded."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header

from commun.flux_xlsx import TYPE_XLSX
from comptes.acces import conventions_de, territoires_de
from comptes.droits import exiger, peut_exporter
from conventions.models import TableauEngagements
from fichiers.classeurs.export import classeur_des_tableaux, classeur_vierge, tableaux_de
from fichiers.classeurs.lignes import flux_des_lignes
from fichiers.classeurs.lignes import lignes_d_engagement as lignes_choisies
from pages.conventions.choix import tableau_choisi
from pages.conventions.filters import TableauDeBordFilter


@login_required
def classeur(request, slug):
    """The annex workbook of a period: one sheet per version, en vigueur first."""

    exiger(peut_exporter(request.user))
    convention = get_object_or_404(conventions_de(request.user), slug=slug)
    if "vierge" in request.GET:  # the blank annex of the convention's period, to fill in Excel
        contenu = classeur_vierge(convention, convention.annee_debut, convention.annee_fin)
        nom = f"{convention.slug}-{convention.periode}-vierge.xlsx"
    else:
        _periodes_, tableau, _versions = tableau_choisi(request, convention)
        if tableau is None:
            raise Http404("Aucun tableau des engagements.")
        contenu = classeur_des_tableaux(
            tableaux_de(convention, tableau.annee_debut, tableau.annee_fin)
        )
        nom = f"{convention.slug}-{tableau.periode}-engagements.xlsx"
    reponse = HttpResponse(
        contenu,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse


@login_required
def lignes_d_engagement(request):
    """Every engagement line the user may see, every version, filtered like the dashboard, as
    one xlsx sheet sent while it is written: a national export starts downloading at once."""

    exiger(peut_exporter(request.user))
    # The dashboard's own filter, over every version rather than the tableaux en vigueur.
    filtre = TableauDeBordFilter(
        request.GET,
        queryset=TableauEngagements.objects.filter(convention__in=conventions_de(request.user)),
        territoires=territoires_de(request.user),
    )
    if not filtre.is_valid():
        raise Http404("Filtre invalide.")
    choix = filtre.form.cleaned_data
    annee, territoire = choix.get("annee"), choix.get("territoire")
    nom = "engagements" + (f"-{territoire.slug}" if territoire else "")
    nom += f"-{int(annee)}" if annee is not None else ""
    reponse = StreamingHttpResponse(
        flux_des_lignes(lignes_choisies(filtre.qs)), content_type=TYPE_XLSX
    )
    reponse["Content-Disposition"] = content_disposition_header(True, f"{nom}.xlsx")
    # Not buffered by a proxy in front (nginx): the first bytes reach the browser at once.
    reponse["X-Accel-Buffering"] = "no"
    return reponse


# --- Editing a tableau (finance officers) ---------------------------------------------------
