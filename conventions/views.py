"""Browser pages of conventions: dashboard, convention, action, comparisons, search.

Every view reads through ``comptes.acces.conventions_de(user)``: a user only reaches the
conventions of the territoires they follow (404 otherwise).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django_tables2 import RequestConfig

from bilans import cycle
from bilans.selectors import historique_des_mesures, historique_des_rapports
from commun.ecritures import refus_d_ecriture
from commun.graphiques import barres
from commun.historique import recentes
from commun.telechargements import reponse_export
from comptes.acces import conventions_de, cote_de, territoires_de
from comptes.droits import exiger, peut_exporter, peut_modifier_les_tableaux
from controles.constats import Resume
from controles.services import constats_de, controler, echeances

from . import selectors
from .filters import TableauDeBordFilter
from .models import Action, Convention, TableauEngagements
from .tables import GENRES_COMPARAISON, TableauDeBordTable


def _chevauche(constat, tableau) -> bool:
    return constat.annees is None or (
        constat.annees[0] <= tableau.annee_fin and constat.annees[1] >= tableau.annee_debut
    )


def _export_demande(request) -> str | None:
    format_ = request.GET.get("export")
    if format_ in {"csv", "xlsx"}:
        exiger(peut_exporter(request.user))
        return format_
    return None


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
    format_ = _export_demande(request)
    RequestConfig(request, paginate=False if format_ else {"per_page": 25}).configure(table)
    lignes = table.rows if format_ else table.paginated_rows
    # The checks run on the conventions of the rows shown, not on every convention.
    affichees = {ligne.record.convention_id for ligne in lignes}
    constats = controler(Convention.objects.filter(pk__in=affichees))
    for ligne in lignes:
        tableau = ligne.record
        tableau.constats = [
            c
            for c in constats
            if c.convention_id == tableau.convention_id and _chevauche(c, tableau)
        ]
    if format_:
        donnees = list(table.as_values())
        genres = table.genres_exportes()
        return reponse_export(format_, "tableau-de-bord", donnees[0], donnees[1:], genres)
    filtrees = filtre.conventions(conventions)
    sans_tableau = selectors.conventions_sans_tableau_en_vigueur(filtrees)
    return render(
        request,
        "conventions/tableau_de_bord.html",
        {
            "filtre": filtre,
            "table": table,
            "a_traiter": {
                "bilans": cycle.a_traiter(request.user, filtrees),
                "cote": cote_de(request.user),
                # A validated bilan's constats stay on its page, not here (``cycle``).
                "echeances": cycle.encore_a_traiter(echeances(filtrees)),
                "erreurs": cycle.encore_a_traiter(
                    [c for c in constats if c.severite == "erreur" and c.code != "calendrier"]
                ),
                "sans_version_en_vigueur": selectors.periodes_sans_version_en_vigueur(filtrees),
                "tranches_a_repartir": [
                    engagement
                    for convention in sans_tableau
                    for engagement in convention.engagements_pluriannuels.all()
                    if engagement.somme_tranches < engagement.montant_total
                ],
            },
            "sans_tableau_annuel": sans_tableau,
            "resume": Resume.de(constats),
            "peut_exporter": peut_exporter(request.user),
        },
    )


def _versions_du_tableau(convention):
    """The versions of the tableau des engagements: the bilan's « budget prévisionnel » is the
    bilan's, shown and compared with it, not a version one could put en vigueur."""
    return convention.tableaux.exclude(nature=TableauEngagements.Nature.PREVISIONNEL_BILAN)


def _periodes(convention):
    """The periods of a convention's tableaux, newest first: ``[(clé, libellé), …]``."""
    vues = []
    for debut, fin in (
        _versions_du_tableau(convention)
        .values_list("annee_debut", "annee_fin")
        .distinct()
        .order_by("-annee_debut", "annee_fin")
    ):
        cle = str(debut) if debut == fin else f"{debut}-{fin}"
        vues.append((cle, debut, fin))
    return vues


def _tableau_choisi(request, convention):
    periodes = _periodes(convention)
    if not periodes:
        return periodes, None, []
    demandee = request.GET.get("periode")
    cle, debut, fin = next((p for p in periodes if p[0] == demandee), periodes[0])
    versions = list(
        _versions_du_tableau(convention)
        .filter(annee_debut=debut, annee_fin=fin)
        .order_by("-en_vigueur", "libelle")
    )
    version = request.GET.get("version")
    tableau = next((t for t in versions if str(t.pk) == version), versions[0])
    return periodes, tableau, versions


@login_required
def convention_detail(request, slug):
    convention = get_object_or_404(
        conventions_de(request.user).select_related("territoire"), slug=slug
    )
    periodes, tableau, versions = _tableau_choisi(request, convention)
    annexe = selectors.annexe(tableau) if tableau else None
    constats = controler(Convention.objects.filter(pk=convention.pk))
    constats_du_tableau = constats_de(tableau, constats) if tableau else []
    format_ = _export_demande(request)
    if format_ and annexe:
        entetes, lignes = selectors.annexe_a_plat(tableau, annexe)
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
            "historique": selectors.historique_du_tableau(tableau) if tableau else [],
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
            "versions_comparables": _versions_du_tableau(convention)
            .values("annee_debut", "annee_fin")
            .annotate(nombre=Count("pk"))
            .filter(nombre__gt=1)
            .exists(),
            "annees_comparables": convention.actions.filter(
                action_precedente__isnull=False
            ).exists(),
        },
    )


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
    chaine = [a for a in selectors.lignee(action) if a.convention_id in visibles]
    montants = selectors.montants_par_annee(chaine)
    annees = sorted({ligne["tableau__annee_debut"] for ligne in montants})
    financeurs = sorted(
        {(ligne["financeur__ordre"], ligne["financeur__nom"]) for ligne in montants}
    )
    par_cle = {(m["tableau__annee_debut"], m["financeur__nom"]): m for m in montants}
    tableau_annees = [
        {
            "annee": annee,
            "code": next(m["action__code"] for m in montants if m["tableau__annee_debut"] == annee),
            "montants": [par_cle.get((annee, nom), {}).get("total") for _o, nom in financeurs],
        }
        for annee in annees
    ]
    graphique = barres(
        [str(a) for a in annees],
        [(nom, [par_cle.get((a, nom), {}).get("total") for a in annees]) for _o, nom in financeurs],
    )
    from bilans.models import Mesure

    mesures = list(
        Mesure.objects.filter(indicateur__action__in=chaine)
        .select_related("indicateur", "bilan")
        .order_by("indicateur__ordre", "bilan__annee")
    )
    indicateurs = {}
    for mesure in mesures:
        ligne = indicateurs.setdefault(
            mesure.indicateur.libelle,
            {"indicateur": mesure.indicateur, "valeurs": {}},
        )
        ligne["valeurs"][mesure.bilan.annee] = mesure.valeur
    annees_mesures = sorted({m.bilan.annee for m in mesures})
    graphique_indicateurs = barres(
        list(indicateurs),
        [
            (str(a), [ligne["valeurs"].get(a) for ligne in indicateurs.values()])
            for a in annees_mesures
        ],
        unite="",
    )
    constats = constats_de(action, controler(Convention.objects.filter(pk=action.convention_id)))
    return render(
        request,
        "conventions/action.html",
        {
            "action": action,
            "convention": action.convention,
            "chaine": chaine,
            "financeurs": [nom for _o, nom in financeurs],
            "tableau_annees": tableau_annees,
            "graphique": graphique,
            "indicateurs": [
                {**ligne, "par_annee": [ligne["valeurs"].get(a) for a in annees_mesures]}
                for ligne in indicateurs.values()
            ],
            "annees_mesures": annees_mesures,
            "graphique_indicateurs": graphique_indicateurs,
            "historique": recentes(
                selectors.historique_des_engagements({"action_id": action.pk}),
                historique_des_rapports({"action_id": action.pk}),
                historique_des_mesures({"indicateur__action_id": action.pk}),
            ),
            "constats": constats,
            "resume": Resume.de(constats),
        },
    )


def _graphique_comparaison(lignes, avant: str, apres: str):
    return barres(
        [ligne.code for ligne in lignes],
        [(avant, [ligne.avant for ligne in lignes]), (apres, [ligne.apres for ligne in lignes])],
    )


def _export_comparaison(format_, nom, lignes, avant, apres):
    entetes = ["Code", "Intitulé", avant, apres, "Écart (€)", "Écart (%)", "Statut"]
    valeurs = [
        [c.code, c.intitule, c.avant, c.apres, c.ecart, c.ecart_pourcent, c.statut]
        for c in [*lignes, selectors.total_comparaison(lignes)]
    ]
    return reponse_export(format_, nom, entetes, valeurs, GENRES_COMPARAISON)


def _tableau_comparatif(request, lignes, court_avant: str, court_apres: str) -> dict:
    """What every comparison table shows: short column labels (the full ones in the caption
    and the legend), the totals row, and the identical rows hidden on request."""
    masquer = request.GET.get("identiques") == "masquer"
    parametres = request.GET.copy()
    parametres.pop("identiques", None)
    parametres.pop("export", None)
    return {
        "court_avant": court_avant,
        "court_apres": court_apres,
        "total": selectors.total_comparaison(lignes),
        "lignes_affichees": [c for c in lignes if not (masquer and c.statut == "identique")],
        "identiques": sum(1 for c in lignes if c.statut == "identique"),
        "masquer_identiques": masquer,
        "parametres": parametres.urlencode(),
    }


@login_required
def comparaison_versions(request, slug):
    convention = get_object_or_404(conventions_de(request.user), slug=slug)
    periodes, tableau, versions = _tableau_choisi(request, convention)
    en_vigueur = next((t for t in versions if t.en_vigueur), versions[0] if versions else None)
    autres = sorted(
        (t for t in versions if t.pk != getattr(en_vigueur, "pk", None)),
        key=lambda t: (t.nature != TableauEngagements.Nature.VARIANTE, t.libelle),
    )
    choisie = next((t for t in autres if str(t.pk) == request.GET.get("version")), None)
    autre = choisie or (autres[0] if autres else None)
    lignes = selectors.comparer_versions(en_vigueur, autre) if en_vigueur and autre else []
    libelle_avant = en_vigueur.libelle if en_vigueur else ""
    libelle_apres = autre.libelle if autre else ""
    format_ = _export_demande(request)
    if format_:
        return _export_comparaison(
            format_, f"{convention.slug}-versions", lignes, libelle_avant, libelle_apres
        )
    return render(
        request,
        "conventions/comparaison.html",
        {
            "convention": convention,
            "titre": "Comparaison de deux versions d'une même période",
            "type": "versions",
            "periodes": periodes,
            "tableau": tableau,
            "autres": autres,
            "avant": en_vigueur,
            "apres": autre,
            "libelle_avant": libelle_avant,
            "libelle_apres": libelle_apres,
            "lignes": lignes,
            **_tableau_comparatif(request, lignes, "En vigueur", "Comparée"),
            "resume_statuts": selectors.resume_statuts(lignes),
            "graphique": _graphique_comparaison(lignes, libelle_avant, libelle_apres),
            "peut_exporter": peut_exporter(request.user),
        },
    )


@login_required
def comparaison_annees(request, slug):
    convention = get_object_or_404(conventions_de(request.user), slug=slug)
    texte = request.GET.get("annee") or str(convention.annee_debut)
    if not (texte.isascii() and texte.isdigit() and len(texte) == 4):
        raise Http404(f"Année « {texte} » illisible : attendu par exemple « 2023 ».")
    annee = int(texte)
    actuel, lignes = selectors.comparer_annees(convention, annee)
    format_ = _export_demande(request)
    if format_:
        return _export_comparaison(
            format_, f"{convention.slug}-annees", lignes, "Action continuée", str(annee)
        )
    return render(
        request,
        "conventions/comparaison.html",
        {
            "convention": convention,
            "titre": f"Année {annee} comparée aux actions qu'elle prolonge",
            "type": "annees",
            "annee": annee,
            "annees": range(convention.annee_debut, convention.annee_fin + 1),
            "lignes": lignes,
            **_tableau_comparatif(request, lignes, "Année précédente", str(annee)),
            "resume_statuts": selectors.resume_statuts(lignes),
            "libelle_avant": "Action continuée (convention précédente)",
            "libelle_apres": f"{annee}" + (f" — {actuel.libelle}" if actuel else ""),
            "graphique": _graphique_comparaison(lignes, "Action continuée", str(annee)),
            "peut_exporter": peut_exporter(request.user),
        },
    )


@login_required
def recherche(request):
    texte = request.GET.get("q", "").strip()
    resultats = (
        selectors.recherche(conventions_de(request.user), texte) if len(texte) >= 2 else None
    )
    return render(request, "conventions/recherche.html", {"q": texte, "resultats": resultats})


@login_required
def classeur(request, slug):
    """The annex workbook of a period: one sheet per version, en vigueur first."""
    from django.http import HttpResponse

    from .classeurs.export import classeur_des_tableaux, classeur_vierge, tableaux_de

    exiger(peut_exporter(request.user))
    convention = get_object_or_404(conventions_de(request.user), slug=slug)
    if "vierge" in request.GET:  # the blank annex of the convention's period, to fill in Excel
        contenu = classeur_vierge(convention, convention.annee_debut, convention.annee_fin)
        nom = f"{convention.slug}-{convention.periode}-vierge.xlsx"
    else:
        _periodes_, tableau, _versions = _tableau_choisi(request, convention)
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
    from django.http import StreamingHttpResponse
    from django.utils.http import content_disposition_header

    from commun.flux_xlsx import TYPE_XLSX

    from .classeurs.lignes import flux_des_lignes
    from .classeurs.lignes import lignes_d_engagement as lignes

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
    reponse = StreamingHttpResponse(flux_des_lignes(lignes(filtre.qs)), content_type=TYPE_XLSX)
    reponse["Content-Disposition"] = content_disposition_header(True, f"{nom}.xlsx")
    # Not buffered by a proxy in front (nginx): the first bytes reach the browser at once.
    reponse["X-Accel-Buffering"] = "no"
    return reponse


# --- Editing a tableau (finance officers) ---------------------------------------------------


def _tableau_modifiable(request, slug, pk):
    exiger(peut_modifier_les_tableaux(request.user))
    convention = get_object_or_404(conventions_de(request.user), slug=slug)
    return get_object_or_404(
        TableauEngagements.objects.select_related("convention"), pk=pk, convention=convention
    )


def _page_du_tableau(tableau) -> str:
    return tableau.get_absolute_url()


@login_required
def modifier_tableau(request, slug, pk):
    """The annex as one form: amounts typed the French way and the totals printed in the
    signed document, saved together. Only the cells this person changed are written; one a
    colleague changed too since the page was read is refused with their value (409), the page
    shown again with what this person typed."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from .forms import GrilleForm
    from .tableaux import Conflit, enregistrer_grille

    tableau = _tableau_modifiable(request, slug, pk)
    refus = refus_d_ecriture(tableau)
    if refus:
        messages.error(request, refus)
        return redirect(_page_du_tableau(tableau))
    grille = selectors.grille(tableau)
    form = GrilleForm(grille, request.POST or None)
    conflits = []
    if request.method == "POST" and form.is_valid():
        try:
            resultat = enregistrer_grille(
                tableau=tableau,
                saisies=form.saisies(),
                totaux=form.saisies_des_totaux(),
                reprendre_les_totaux=form.cleaned_data["reprendre_les_totaux"],
                utilisateur=request.user,
            )
        except Conflit as conflit:
            grille = selectors.grille(tableau)  # as it is now, the colleague's values in it
            form = form.reprise(grille, conflit)
            conflits = [(form[case.nom].id_for_label, str(case)) for case in conflit.cases]
        except ValidationError as refus_du_modele:  # e.g. its bilan transmitted meanwhile
            conflits = [(None, message) for message in refus_du_modele.messages]
        else:
            messages.success(request, f"Tableau « {tableau.libelle} » enregistré : {resultat}.")
            return redirect(_page_du_tableau(tableau))
    return render(
        request,
        "conventions/modifier_tableau.html",
        {
            "convention": tableau.convention,
            "tableau": tableau,
            "grille": grille,
            "form": form,
            "lignes": [
                (ligne, form.ligne(ligne.action) if ligne.nature == "action" else None)
                for ligne in grille.lignes
            ],
            "conflits": conflits,
            # What the page shows is not saved (a refusal): leaving it asks first.
            "non_enregistre": request.method == "POST",
        },
        status=409 if conflits else 200,
    )


@login_required
def nouvelle_version(request, slug, pk):
    """A copy of the displayed version under a new libellé, opened in the grid."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect

    from .forms import NouvelleVersionForm
    from .tableaux import nouvelle_version as copier

    tableau = _tableau_modifiable(request, slug, pk)
    form = NouvelleVersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            copie = copier(
                tableau=tableau, libelle=form.cleaned_data["libelle"], utilisateur=request.user
            )
        except ValidationError as erreur:
            form.add_error("libelle", " ".join(erreur.messages))
        else:
            messages.success(
                request, f"Nouvelle version « {copie.libelle} » créée : modifiez ses montants."
            )
            return redirect("conventions:modifier_tableau", slug, copie.pk)
    return render(
        request,
        "conventions/nouvelle_version.html",
        {"convention": tableau.convention, "tableau": tableau, "form": form},
    )


@login_required
def confirmer_mise_en_vigueur(request, slug, pk):
    """Before « mettre en vigueur »: what changes (the version replaced, the totals per side
    and the actions whose amounts differ) and what the checks would then say, the
    cofinancement first. Reads only; the button posts to ``mettre_en_vigueur``."""
    from django.http import HttpResponseNotAllowed

    from controles.services import constats_de_la_mise_en_vigueur

    from .tableaux import en_vigueur_de_la_periode, refus_de_mise_en_vigueur

    tableau = _tableau_modifiable(request, slug, pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    refus = None if tableau.en_vigueur else refus_de_mise_en_vigueur(tableau)
    actuelle = en_vigueur_de_la_periode(tableau)
    possible = not tableau.en_vigueur and refus is None
    return render(
        request,
        "conventions/confirmer_mise_en_vigueur.html",
        {
            "convention": tableau.convention,
            "tableau": tableau,
            "refus": refus,
            "possible": possible,
            "bascule": selectors.bascule(tableau, actuelle) if possible else None,
            "constats": constats_de_la_mise_en_vigueur(tableau) if possible else None,
            "taux": tableau.convention.taux_cofinancement,
        },
    )


@login_required
def mettre_en_vigueur(request, slug, pk):
    from django.contrib import messages
    from django.http import HttpResponseNotAllowed
    from django.shortcuts import redirect

    from .tableaux import PAS_ENCORE
    from .tableaux import mettre_en_vigueur as basculer

    tableau = _tableau_modifiable(request, slug, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    # The version en vigueur the confirmation showed: another put en vigueur since is refused.
    lue = request.POST.get("remplace", None)
    remplace_lue = PAS_ENCORE if lue is None else (int(lue) if lue.isdigit() else None)
    try:
        anciens = basculer(tableau=tableau, utilisateur=request.user, remplace_lue=remplace_lue)
    except ValidationError as refus:
        messages.error(request, " ".join(refus.messages))
        if lue is not None:  # from the confirmation: show it again, as things are now
            return redirect("conventions:confirmer_mise_en_vigueur", slug, tableau.pk)
        return redirect(_page_du_tableau(tableau))
    remplaces = ", ".join(f"« {t.libelle} »" for t in anciens)
    messages.success(
        request,
        f"« {tableau.libelle} » est en vigueur pour {tableau.periode}"
        + (f" ; {remplaces} ne l'est plus." if remplaces else "."),
    )
    return redirect(_page_du_tableau(tableau))
