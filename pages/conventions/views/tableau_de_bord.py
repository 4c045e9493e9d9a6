"""The dashboard: every tableau of the conventions the user reaches, with its constats, and
the periods the checks cannot read."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django_tables2 import RequestConfig

from bilans import cycle
from commun.telechargements import reponse_export
from comptes.acces import conventions_de, cote_de, territoires_de
from comptes.droits import peut_exporter
from controles.constats import Resume, trier
from controles.enregistres import (
    avec_periodes_sans_version,
    constats_enregistres,
    echeances,
    erreurs_a_traiter,
    sans_tableau_en_vigueur,
)
from conventions.models import Convention, TableauEngagements
from conventions.selectors.periodes import (
    conventions_sans_tableau_en_vigueur,
    periodes_sans_version_en_vigueur,
)
from pages.conventions.choix import export_demande
from pages.conventions.filters import TableauDeBordFilter
from pages.conventions.tables import TableauDeBordTable

# « À traiter » shows the first items of each kind, the most urgent first, and says how many
# more there are, with a link to all of them: at national size, hundreds of late bilans would
# push the tableaux out of the page (and cost their rendering on every visit).
MONTRES_PAR_SORTE = 5


def _montres(sortes: dict, *, tout: bool) -> dict:
    """Each kind's first ``MONTRES_PAR_SORTE`` items (all with ``tout``), and ``masques``: how
    many are not shown."""
    masques = 0
    for nom, elements in sortes.items():
        if not tout and len(elements) > MONTRES_PAR_SORTE:
            masques += len(elements) - MONTRES_PAR_SORTE
            sortes[nom] = elements[:MONTRES_PAR_SORTE]
    return {**sortes, "masques": masques, "tout": tout}


@login_required
def tableau_de_bord(request):
    conventions = conventions_de(request.user)
    tableaux = (
        TableauEngagements.objects.en_vigueur()
        .filter(convention__in=conventions)
        .select_related("convention__territoire")
        .avec_totaux()
    )
    filtre = TableauDeBordFilter(
        request.GET or None, queryset=tableaux, territoires=territoires_de(request.user)
    )
    table = TableauDeBordTable(filtre.qs)
    format_ = export_demande(request)
    RequestConfig(request, paginate=False if format_ else {"per_page": 25}).configure(table)
    lignes = table.rows if format_ else table.paginated_rows
    filtrees = filtre.conventions(conventions)
    echeances_du_jour = echeances(filtrees)
    # The constats of the conventions of the rows shown, not of every convention: stored, and
    # the calendar's of today.
    affichees = {ligne.record.convention_id for ligne in lignes}
    constats = trier(
        [
            *constats_enregistres(Convention.objects.filter(pk__in=affichees)),
            *(c for c in echeances_du_jour if c.convention_id in affichees),
        ]
    )
    table.montrer_les_constats(constats, [ligne.record for ligne in lignes])
    if format_:
        donnees = list(table.as_values())
        genres = table.genres_exportes()
        return reponse_export(format_, "tableau-de-bord", donnees[0], donnees[1:], genres)
    # The stored summaries flag the few conventions concerned (``controles.enregistres``).
    sans_tableau = conventions_sans_tableau_en_vigueur(sans_tableau_en_vigueur(filtrees))
    a_traiter = _montres(
        {
            "bilans": cycle.a_traiter(request.user, filtrees),
            # A validated bilan's constats stay on its page, not here (``cycle``).
            "echeances": cycle.encore_a_traiter(echeances_du_jour),
            "erreurs": erreurs_a_traiter(constats),
            "sans_version_en_vigueur": periodes_sans_version_en_vigueur(
                avec_periodes_sans_version(filtrees)
            ),
            "tranches_a_repartir": [
                engagement
                for convention in sans_tableau
                for engagement in convention.engagements_pluriannuels.all()
                if engagement.somme_tranches < engagement.montant_total
            ],
        },
        tout=request.GET.get("tout") == "1",
    )
    a_traiter["cote"] = cote_de(request.user)
    return render(
        request,
        "conventions/tableau_de_bord.html",
        {
            "filtre": filtre,
            "table": table,
            "a_traiter": a_traiter,
            "sans_tableau_annuel": sans_tableau,
            "resume": Resume.de(constats),
            "peut_exporter": peut_exporter(request.user),
        },
    )
