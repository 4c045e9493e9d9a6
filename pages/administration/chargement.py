"""Admin views of the yearly cycle: « Charger une convention » (upload a JSON or YAML file,
preview what it creates with totals and constats, confirm), its result screen (who follows the
territoire of what was loaded, and giving it to more accounts) and the « Préparer l'année
suivante » action that downloads next year's draft.

The uploaded file waits in the session between the preview and the confirmation; the
confirmation is refused if its result would differ from the preview's.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from commun import attente
from comptes import suivi
from comptes.acces import conventions_de
from comptes.droits import exiger, peut_charger_des_conventions, peut_gerer_les_comptes
from conventions.models import Territoire
from fichiers.annuel.chargement import charger
from fichiers.annuel.fichier import LIMITE, TAILLE_MAX, FichierInvalide, poids
from fichiers.annuel.reconduction import ReconductionImpossible, reconduire

CLE_SESSION = "convention_a_charger"


class FichierConventionForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier de la convention (.yaml, .yml ou .json)",
        help_text="Au format décrit dans la documentation (« Charger la convention d'une "
        f"nouvelle année ») ; {LIMITE}.",
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.json"}),
    )


def vue_chargement(model_admin, request):
    if not peut_charger_des_conventions(request.user):
        raise PermissionDenied
    contexte = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Charger une convention",
    }
    if request.method == "POST" and "confirmer" in request.POST:
        return _confirmer(request)
    form = FichierConventionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fichier = form.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX:
            contexte["erreurs"] = [f"Le fichier pèse {poids(fichier.size)} : {LIMITE}."]
        else:
            contenu = fichier.read()
            try:
                rapport = charger(
                    contenu, nom_fichier=fichier.name, essai=True, utilisateur=request.user
                )
            except FichierInvalide as refus:
                contexte["erreurs"] = refus.erreurs
            except DatabaseError:
                contexte["erreurs"] = [_BASE_INDISPONIBLE]
            else:
                contexte["rapport"] = rapport
                contexte["nom_fichier"] = fichier.name
                attente.garder(
                    request,
                    CLE_SESSION,
                    contenu=contenu,
                    nom=fichier.name,
                    empreinte=rapport.empreinte,
                )
    contexte["form"] = form
    return TemplateResponse(request, "admin/conventions/charger_convention.html", contexte)


_BASE_INDISPONIBLE = (
    "La base de données a cessé de répondre pendant le chargement : rien n'a été écrit. "
    "Déposez à nouveau le fichier."
)


def _confirmer(request):
    en_attente = attente.reprendre(request, CLE_SESSION)
    if en_attente is None:
        messages.error(request, "Aucun fichier en attente : déposez-le à nouveau.")
        return redirect(request.path)
    nom = en_attente.nom
    try:
        rapport = charger(
            en_attente.contenu,
            nom_fichier=nom,
            utilisateur=request.user,
            empreinte_attendue=en_attente.empreinte,
        )
    except FichierInvalide as refus:
        messages.error(
            request, "Chargement refusé, rien n'a été écrit : " + " ".join(refus.erreurs)
        )
        return redirect(request.path)
    except DatabaseError:
        messages.error(request, _BASE_INDISPONIBLE)
        return redirect(request.path)
    conventions = " ; ".join(rapport.conventions) or "aucune convention"
    messages.success(
        request,
        f"Fichier {nom} chargé : {conventions}. Les constats sont sur la page de chaque "
        "convention.",
    )
    if not rapport.slugs:
        return redirect("admin:conventions_convention_changelist")
    resultat = reverse("admin:conventions_convention_charger_suivi")
    return HttpResponseRedirect(f"{resultat}?{urlencode({'convention': rapport.slugs}, True)}")


# --- the result screen: who sees what was loaded ------------------------------------------------


class AccorderTerritoireForm(forms.Form):
    territoire = forms.ModelChoiceField(
        queryset=Territoire.objects.none(), widget=forms.HiddenInput
    )
    utilisateurs = forms.ModelMultipleChoiceField(
        queryset=suivi.comptes_actifs(),
        widget=forms.CheckboxSelectMultiple,
        label="Comptes",
        error_messages={
            "required": "Cochez au moins un compte.",
            "invalid_choice": "Ce compte n'existe pas ou n'est plus actif.",
            "invalid_pk_value": "Ce compte n'existe pas ou n'est plus actif.",
        },
    )

    def __init__(self, data=None, *, territoires, territoire=None):
        # One form per territoire on the page: ids of their own (« id_t3_utilisateurs_0 »).
        ident = territoire.pk if territoire is not None else (data or {}).get("territoire", "")
        super().__init__(data, auto_id=f"id_t{ident}_%s")
        self.fields["territoire"].queryset = territoires
        self.fields["utilisateurs"].label_from_instance = suivi.libelle
        if territoire is not None:
            self.fields["territoire"].initial = territoire.pk
            self.fields["utilisateurs"].queryset = suivi.a_qui_l_accorder(territoire)


def vue_suivi(model_admin, request):
    """After a load: per territoire of the conventions loaded, who follows it (« Personne ne
    suit encore… » when nobody but the superusers sees them) and, for whoever manages the
    accounts, a form giving it to chosen accounts (POST, all or nothing)."""
    if not peut_charger_des_conventions(request.user):
        raise PermissionDenied
    conventions = (
        conventions_de(request.user)
        .filter(slug__in=request.GET.getlist("convention"))
        .select_related("territoire")
        .order_by("territoire__nom", "slug")
    )
    par_territoire = {}
    for convention in conventions:
        par_territoire.setdefault(convention.territoire, []).append(convention)
    territoires = Territoire.objects.filter(pk__in=[t.pk for t in par_territoire])
    peut_accorder = peut_gerer_les_comptes(request.user)
    envoye = None
    if request.method == "POST":
        exiger(peut_accorder)
        envoye = AccorderTerritoireForm(request.POST, territoires=territoires)
        if envoye.is_valid():
            territoire = envoye.cleaned_data["territoire"]
            accordes = suivi.accorder(
                territoire=territoire,
                utilisateurs=envoye.cleaned_data["utilisateurs"],
                par=request.user,
            )
            noms = ", ".join(u.get_username() for u in accordes)
            messages.success(
                request, f"Le territoire {territoire} est maintenant suivi par {noms}."
            )
            return HttpResponseRedirect(request.get_full_path())
    blocs = []
    for territoire, siennes in par_territoire.items():
        formulaire = None
        if peut_accorder:
            formulaire = (
                envoye
                if envoye is not None and envoye.data.get("territoire") == str(territoire.pk)
                else AccorderTerritoireForm(territoires=territoires, territoire=territoire)
            )
        blocs.append(
            {
                "territoire": territoire,
                "conventions": siennes,
                "suiveurs": [suivi.libelle(u) for u in suivi.suiveurs(territoire)],
                "formulaire": formulaire,
                "a_qui": formulaire is not None
                and formulaire.fields["utilisateurs"].queryset.exists(),
            }
        )
    contexte = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Convention chargée : qui la voit",
        "blocs": blocs,
        "peut_accorder": peut_accorder,
    }
    return TemplateResponse(request, "admin/conventions/convention_chargee.html", contexte)


@admin.action(description="Préparer l'année suivante (brouillon YAML)", permissions=["charger"])
def preparer_annee_suivante(model_admin, request, queryset):
    conventions = list(queryset[:2])
    if len(conventions) != 1:
        model_admin.message_user(
            request,
            "Choisissez une seule convention : le brouillon prépare l'année qui la suit.",
            messages.WARNING,
        )
        return None
    convention = conventions[0]
    try:
        brouillon = reconduire(convention, convention.annee_fin + 1)
    except ReconductionImpossible as erreur:
        model_admin.message_user(request, str(erreur), messages.ERROR)
        return None
    reponse = HttpResponse(
        brouillon.en_texte("yaml"), content_type="application/yaml; charset=utf-8"
    )
    reponse["Content-Disposition"] = f'attachment; filename="{brouillon.convention}.yaml"'
    return reponse
