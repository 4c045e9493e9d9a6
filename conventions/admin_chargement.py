"""Admin views of the yearly cycle: « Charger une convention » (upload a JSON or YAML file,
preview what it creates with totals and constats, confirm) and the « Préparer l'année
suivante » action that downloads next year's draft.

The uploaded file waits in the session between the preview and the confirmation; the
confirmation is refused if its result would differ from the preview's.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from commun import attente
from comptes.droits import peut_charger_des_conventions

from .annuel.chargement import charger
from .annuel.fichier import LIMITE, TAILLE_MAX, FichierInvalide, poids
from .annuel.reconduction import ReconductionImpossible, reconduire

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
    return redirect("admin:conventions_convention_changelist")


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
