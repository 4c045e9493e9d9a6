"""An action's page: the action through the years, its amounts and its indicators."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from bilans.selectors import (
    historique_des_mesures,
    historique_des_rapports,
    indicateurs_par_annee,
)
from commun.graphiques import barres
from commun.historique import recentes
from comptes.acces import conventions_de
from controles.constats import Resume
from controles.services import constats_de, controler
from conventions.models import Action, Convention
from conventions.selectors import historique, lignee


@login_required
def action_detail(request, slug, code):
    action = get_object_or_404(
        Action.objects.filter(convention__in=conventions_de(request.user)).select_related(
            "convention", "axe", "action_precedente__convention"
        ),
        convention__slug=slug,
        code=code,
    )
    visibles = set(conventions_de(request.user).values_list("pk", flat=True))
    chaine = [a for a in lignee.lignee(action) if a.convention_id in visibles]
    montants = lignee.montants_par_annee(chaine)
    indicateurs = indicateurs_par_annee(chaine)
    constats = constats_de(action, controler(Convention.objects.filter(pk=action.convention_id)))
    return render(
        request,
        "conventions/action.html",
        {
            "action": action,
            "convention": action.convention,
            "chaine": chaine,
            "financeurs": montants.financeurs,
            "tableau_annees": montants.annees,
            "graphique": barres([a.annee for a in montants.annees], montants.par_financeur()),
            "indicateurs": indicateurs.lignes,
            "annees_mesures": indicateurs.annees,
            "graphique_indicateurs": barres(
                [ligne.indicateur.libelle for ligne in indicateurs.lignes],
                indicateurs.par_annee(),
                unite="",
            ),
            "historique": recentes(
                historique.historique_des_engagements({"action_id": action.pk}),
                historique_des_rapports({"action_id": action.pk}),
                historique_des_mesures({"indicateur__action_id": action.pk}),
            ),
            "constats": constats,
            "resume": Resume.de(constats),
        },
    )
