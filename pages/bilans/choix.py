"""The bilan a page was asked for, among those of the conventions the user reaches (404
otherwise): the bilan's pages and its documents read it the same way."""

from django.shortcuts import get_object_or_404

from bilans.models import Bilan
from comptes.acces import conventions_de


def bilan_demande(request, slug, annee) -> Bilan:
    return get_object_or_404(
        Bilan.objects.filter(convention__in=conventions_de(request.user)).select_related(
            "convention__territoire", "tableau_previsionnel"
        ),
        convention__slug=slug,
        annee=annee,
    )
