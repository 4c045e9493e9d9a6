"""The grid: a tableau's amounts typed in the browser, a new version, putting a version en
vigueur after its confirmation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render

from commun.ecritures import refus_d_ecriture
from comptes.acces import conventions_de
from comptes.droits import exiger, peut_modifier_les_tableaux
from controles.services import constats_de_la_mise_en_vigueur
from conventions.models import TableauEngagements
from conventions.selectors import annexes, bascule
from conventions.tableaux import Conflit, enregistrer_grille
from conventions.versions import PAS_ENCORE, en_vigueur_de_la_periode, refus_de_mise_en_vigueur
from conventions.versions import mettre_en_vigueur as basculer
from conventions.versions import nouvelle_version as copier
from pages.conventions.forms import GrilleForm, NouvelleVersionForm


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

    tableau = _tableau_modifiable(request, slug, pk)
    refus = refus_d_ecriture(tableau)
    if refus:
        messages.error(request, refus)
        return redirect(_page_du_tableau(tableau))
    grille = annexes.grille(tableau)
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
            grille = annexes.grille(tableau)  # as it is now, the colleague's values in it
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
            "bascule": bascule.bascule(tableau, actuelle) if possible else None,
            "constats": constats_de_la_mise_en_vigueur(tableau) if possible else None,
            "taux": tableau.convention.taux_cofinancement,
        },
    )


@login_required
def mettre_en_vigueur(request, slug, pk):

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
