"""Browser pages of bilans: per-action reports and indicators, filled in by agents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from bilans import chronologie, cycle, gel
from bilans.models import Indicateur, Mesure, RapportAction
from bilans.selectors import historique_du_bilan
from bilans.services import enregistrer_rapport
from commun.formats import date_longue
from commun.graphiques import barres
from commun.telechargements import reponse_export
from comptes.droits import (
    REMPLIR_LES_BILANS,
    exiger,
    peut,
    peut_telecharger_le_bilan,
    peut_telecharger_les_rapports_de_l_annee,
)
from controles.constats import Resume, Severite
from controles.services import constats_de, controler
from conventions.models import Convention
from conventions.selectors.comparaisons import comparer_bilan, total_comparaison
from fichiers.classeurs.bilan import classeur_du_bilan as classeur_ecrit
from pages.bilans.choix import bilan_demande
from pages.bilans.forms import ChangementDeStatutForm, MesuresForm, RapportActionForm
from pages.conventions.tables import GENRES_COMPARAISON_BILAN

# The action just saved, for the message of the page the save redirects to.
ACTION_ENREGISTREE = "bilan_action_enregistree"


def _sections(bilan, donnees_postees=None, action_postee=None):
    """One section per action reported on: the report, its indicators and their forms."""
    rapports = list(
        RapportAction.objects.filter(bilan=bilan)
        .select_related("action")
        .order_by("action__ordre", "action__code")
    )
    indicateurs = list(
        Indicateur.objects.filter(action__in=[r.action_id for r in rapports])
        .select_related("parent")
        .order_by("ordre", "code")
    )
    lignes = Mesure.objects.filter(bilan=bilan).values_list("indicateur_id", "valeur", "version")
    valeurs = {indicateur: valeur for indicateur, valeur, _v in lignes}
    versions = {indicateur: version for indicateur, _v, version in lignes}
    sections = []
    for rapport in rapports:
        siens = [i for i in indicateurs if i.action_id == rapport.action_id]
        postee = action_postee == rapport.action.code
        donnees = donnees_postees if postee else None
        sections.append(
            {
                "rapport": rapport,
                "indicateurs": [
                    {"indicateur": i, "valeur": valeurs.get(i.pk), "partie": bool(i.parent_id)}
                    for i in siens
                ],
                "form_rapport": RapportActionForm(
                    donnees, instance=rapport, prefix=f"r{rapport.pk}"
                ),
                "form_mesures": MesuresForm(
                    donnees,
                    bilan=bilan,
                    indicateurs=siens,
                    valeurs=valeurs,
                    versions=versions,
                    prefix=f"m{rapport.pk}",
                ),
            }
        )
    return sections


def _erreurs_nommees(section) -> list[tuple[str, str, str]]:
    """(field id, label, message) of a refused action's forms, for the summary at the top."""
    erreurs = []
    for form in (section["form_rapport"], section["form_mesures"]):
        for nom, messages_du_champ in form.errors.items():
            if nom in form.fields:
                erreurs.append(
                    (
                        form[nom].id_for_label,
                        str(form.fields[nom].label),
                        " ".join(messages_du_champ),
                    )
                )
            else:
                erreurs.append(("", "Action", " ".join(messages_du_champ)))
    return erreurs


def _mettre_le_focus_sur_la_premiere_erreur(section):
    """The browser opens the page on the first field to correct (no script: ``autofocus``)."""
    for form in (section["form_rapport"], section["form_mesures"]):
        for nom in form.errors:
            if nom in form.fields:
                form.fields[nom].widget.attrs["autofocus"] = True
                return


@login_required
def bilan_detail(request, slug, annee):
    bilan = bilan_demande(request, slug, annee)
    peut_remplir = cycle.figures_modifiables(request.user, bilan)
    sections, erreurs = None, []
    if request.method == "POST":
        refus = cycle.motif_du_refus_de_saisie(request.user, bilan)
        if refus and not peut(request.user, REMPLIR_LES_BILANS):
            raise PermissionDenied(refus)  # a role that never fills a bilan (finances)
        if refus:  # the État's side, or a transmitted bilan: the page says why
            messages.error(request, refus)
            return redirect(request.path)
        code = request.POST.get("action")
        sections = _sections(bilan, request.POST, code)
        section = next((s for s in sections if s["rapport"].action.code == code), None)
        if section is None:
            messages.error(request, f"Action inconnue dans ce bilan : « {code} ».")
            return redirect(request.path)
        if section["form_rapport"].is_valid() and section["form_mesures"].is_valid():
            enregistrer_rapport(
                bilan=bilan,
                rapport=section["form_rapport"].save(commit=False),
                valeurs=section["form_mesures"].valeurs(),
            )
            # The checks run once, on the page the redirect shows, which words the message.
            request.session[ACTION_ENREGISTREE] = code
            return redirect(f"{request.path}#action-{slugify(code)}")
        erreurs = _erreurs_nommees(section)
        _mettre_le_focus_sur_la_premiere_erreur(section)
    if sections is None:
        sections = _sections(bilan)
    for section in sections:
        section["incomplete"] = section["rapport"].realisation == "non_renseignee" or any(
            ligne["valeur"] is None for ligne in section["indicateurs"]
        )
    constats = constats_de(bilan, controler(Convention.objects.filter(pk=bilan.convention_id)))
    if enregistree := request.session.pop(ACTION_ENREGISTREE, None):
        messages.success(
            request,
            f"Action {enregistree} enregistrée. Contrôles du bilan : {Resume.de(constats)}.",
        )
    possibles = cycle.possibles(request.user, bilan)
    etapes = chronologie.chronologie(bilan)
    return render(
        request,
        "bilans/bilan.html",
        {
            "bilan": bilan,
            "convention": bilan.convention,
            "sections": sections,
            "peut_remplir": peut_remplir,
            "motif_du_gel": motif_du_gel(bilan) if cycle.remplit_les_bilans(request.user) else "",
            "transitions": [t for t in possibles if not t.correction],
            "corrections": [t for t in possibles if t.correction],
            "aujourdhui": timezone.localdate(),
            "chronologie": etapes,
            "renvoi": chronologie.dernier_renvoi(etapes),
            "prochaine_etape": cycle.prochaine_etape(bilan),
            "peut_telecharger": peut_telecharger_le_bilan(request.user),
            "peut_deposer": peut_telecharger_les_rapports_de_l_annee(request.user),
            "mention_du_document": cycle.mention_du_document(bilan),
            "historique": historique_du_bilan(bilan),
            "constats": constats,
            "resume": Resume.de(constats),
            "erreurs": erreurs,
            "action_en_erreur": request.POST.get("action") if erreurs else None,
        },
    )


def statut_de(bilan) -> str:
    return f"Le bilan {bilan.annee} est désormais « {bilan.get_statut_display()} »."


def motif_du_gel(bilan) -> str:
    """Why the figures cannot be changed now (empty when they can, for the collectivité)."""
    return gel.phrase(bilan) if gel.est_gele(bilan) else ""


@login_required
@require_POST
def changer_statut(request, slug, annee):
    """Deliberate, transmit, send back or validate (``bilans.cycle``); an error on transmit
    asks for confirmation with the list of the bilan's errors first."""
    bilan = bilan_demande(request, slug, annee)
    retour = f"{bilan.get_absolute_url()}#suivi"
    form = ChangementDeStatutForm(request.POST)
    if not form.is_valid():
        for erreurs_du_champ in form.errors.values():
            for erreur in erreurs_du_champ:
                messages.error(request, erreur)
        return redirect(retour)
    nom = form.cleaned_data["transition"]
    if nom == "transmettre" and not form.cleaned_data["confirmer"]:
        constats = constats_de(bilan, controler(Convention.objects.filter(pk=bilan.convention_id)))
        erreurs = [c for c in constats if c.severite == Severite.ERREUR]
        transition = cycle.PAR_NOM[nom]
        if erreurs and cycle.peut(request.user, transition, bilan):
            return render(
                request,
                "bilans/confirmer_transmission.html",
                {"bilan": bilan, "convention": bilan.convention, "erreurs": erreurs, "form": form},
            )
    try:
        transition = cycle.appliquer(
            request.user,
            bilan,
            nom,
            commentaire=form.cleaned_data["commentaire"],
            date_deliberation=form.cleaned_data["date_deliberation"],
            date_transmission=form.cleaned_data["date_transmission"],
        )
    except cycle.TransitionRefusee as refus:
        messages.error(request, str(refus))
        return redirect(retour)
    bilan.refresh_from_db()
    if transition.vers is None:
        suite = f"Transmission au préfet le {date_longue(bilan.date_transmission)}."
    else:
        suite = motif_du_gel(bilan) or statut_de(bilan)
    messages.success(request, f"{transition.libelle} : fait. {suite}")
    return redirect(retour)


@login_required
def classeur_du_bilan(request, slug, annee):

    exiger(peut_telecharger_le_bilan(request.user))
    bilan = bilan_demande(request, slug, annee)
    reponse = HttpResponse(
        classeur_ecrit(bilan),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    reponse["Content-Disposition"] = f'attachment; filename="{slug}-bilan-{annee}.xlsx"'
    return reponse


@login_required
def comparaison_bilan(request, slug, annee):
    bilan = bilan_demande(request, slug, annee)
    en_vigueur, realise, lignes = comparer_bilan(bilan)
    comparaisons = [ligne["comparaison"] for ligne in lignes]
    format_ = request.GET.get("export")
    if format_ in {"csv", "xlsx"}:
        exiger(peut_telecharger_le_bilan(request.user))
        entetes = [
            "Code",
            "Intitulé",
            "Tableau en vigueur",
            "Prévisionnel du bilan",
            "Écart (€)",
            "Écart (%)",
            "Réalisé",
        ]
        valeurs = [
            [c.code, c.intitule, c.avant, c.apres, c.ecart, c.ecart_pourcent, ligne["realise"]]
            for c, ligne in zip(comparaisons, lignes, strict=True)
        ]
        total = total_comparaison(comparaisons)
        valeurs.append(
            ["", "Total", total.avant, total.apres, total.ecart, total.ecart_pourcent, None]
        )
        return reponse_export(
            format_,
            f"{slug}-bilan-{annee}-comparaison",
            entetes,
            valeurs,
            GENRES_COMPARAISON_BILAN,
        )
    masquer = request.GET.get("identiques") == "masquer"
    series = [
        ("Tableau en vigueur", [c.avant for c in comparaisons]),
        ("Prévisionnel du bilan", [c.apres for c in comparaisons]),
    ]
    if realise:
        series.append(("Réalisé", [ligne["realise"] for ligne in lignes]))
    return render(
        request,
        "bilans/comparaison_bilan.html",
        {
            "bilan": bilan,
            "convention": bilan.convention,
            "en_vigueur": en_vigueur,
            "realise": realise,
            "lignes": [
                ligne
                for ligne in lignes
                if not (masquer and ligne["comparaison"].statut == "identique")
            ],
            "identiques": sum(1 for c in comparaisons if c.statut == "identique"),
            "masquer_identiques": masquer,
            "total": total_comparaison(comparaisons),
            "graphique": barres([c.code for c in comparaisons], series),
            "peut_telecharger": peut_telecharger_le_bilan(request.user),
            "retour": reverse("bilans:detail", args=[slug, annee]),
        },
    )
