"""A convention's page: its annex for the period and version chosen, its constats, its
bilans and its history."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify

from commun.telechargements import reponse_export
from comptes.acces import conventions_de
from comptes.droits import peut_exporter, peut_modifier_les_tableaux
from controles.constats import Resume
from controles.services import constats_de, controler
from conventions.models import Convention
from conventions.selectors import annexes, historique
from pages.conventions.choix import export_demande, tableau_choisi, versions_du_tableau


@login_required
def convention_detail(request, slug):
    convention = get_object_or_404(
        conventions_de(request.user).select_related("territoire"), slug=slug
    )
    periodes, tableau, versions = tableau_choisi(request, convention)
    annexe = annexes.annexe(tableau) if tableau else None
    constats = controler(Convention.objects.filter(pk=convention.pk))
    constats_du_tableau = constats_de(tableau, constats) if tableau else []
    format_ = export_demande(request)
    if format_ and annexe:
        entetes, lignes = annexes.annexe_a_plat(tableau, annexe)
        nom = f"{convention.slug}-{tableau.periode}-{slugify(tableau.libelle)[:50].strip('-')}"
        return reponse_export(format_, nom, entetes, lignes)
    return render(
        request,
        "conventions/convention.html",
        {
            "convention": convention,
            "periodes": periodes,
            "tableau": tableau,
            "versions": versions,
            "annexe": annexe,
            "constats_du_tableau": constats_du_tableau,
            "historique": historique.historique_du_tableau(tableau) if tableau else [],
            "resume_du_tableau": Resume.de(constats_du_tableau),
            "constats": constats,
            "resume": Resume.de(constats),
            "avenants": convention.avenants.all(),
            "deliberations": convention.deliberations.select_related("seance"),
            "bilans": convention.bilans.all(),
            "pluriannuels": convention.engagements_pluriannuels.select_related(
                "financeur"
            ).avec_total_tranches(),
            "peut_exporter": peut_exporter(request.user),
            "peut_modifier": peut_modifier_les_tableaux(request.user),
            # Comparison links only where there is something to compare.
            "versions_comparables": versions_du_tableau(convention)
            .values("annee_debut", "annee_fin")
            .annotate(nombre=Count("pk"))
            .filter(nombre__gt=1)
            .exists(),
            "annees_comparables": convention.actions.filter(
                action_precedente__isnull=False
            ).exists(),
        },
    )
