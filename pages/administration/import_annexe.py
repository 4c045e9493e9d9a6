"""Admin view to load a workbook: upload, preview (a dry run), then confirm.

The uploaded file waits in the session between the preview and the confirmation, so that what is
written is exactly what was previewed.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from commun import attente
from comptes.droits import peut_modifier_les_tableaux
from fichiers.classeurs.chargement import importer
from fichiers.classeurs.lecture import TAILLE_MAX, ClasseurInvalide

CLE_SESSION = "classeur_a_importer"


class ClasseurForm(forms.Form):
    fichier = forms.FileField(
        label="Classeur (.xlsx)",
        help_text=f"Au format de l'export de l'annexe ; {TAILLE_MAX // 1024 // 1024} Mio au plus.",
    )


def vue_import(model_admin, request):
    if not peut_modifier_les_tableaux(request.user):
        raise PermissionDenied
    contexte = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Importer un classeur des engagements",
    }
    if request.method == "POST" and "confirmer" in request.POST:
        en_attente = attente.reprendre(request, CLE_SESSION)
        if en_attente is None:
            messages.error(request, "Aucun classeur en attente : déposez-le à nouveau.")
            return redirect(request.path)
        try:
            rapport = importer(
                en_attente.contenu,
                utilisateur=request.user,
                nom_fichier=en_attente.nom,
                empreinte_attendue=en_attente.empreinte,
                supprimer=request.POST.get("supprimer") == "oui",
            )
        except ClasseurInvalide as erreur:
            messages.error(request, "Import refusé, rien n'a été écrit : " + str(erreur))
            return redirect(request.path)
        except DatabaseError:
            messages.error(
                request,
                "La base de données a cessé de répondre pendant l'import : rien n'a été écrit. "
                "Déposez à nouveau le classeur pour relancer l'import.",
            )
            return redirect(request.path)
        messages.success(request, f"Import effectué. {rapport.total}")
        return redirect("admin:conventions_tableauengagements_changelist")
    form = ClasseurForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fichier = form.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX:
            contexte["erreurs"] = [f"Le fichier dépasse {TAILLE_MAX // 1024 // 1024} Mio."]
        else:
            contenu = fichier.read()
            try:
                contexte["rapport"] = importer(contenu, essai=True, utilisateur=request.user)
                attente.garder(
                    request,
                    CLE_SESSION,
                    contenu=contenu,
                    nom=fichier.name,
                    empreinte=contexte["rapport"].empreinte,
                )
            except ClasseurInvalide as erreur:
                contexte["erreurs"] = erreur.erreurs
    contexte["form"] = form
    return TemplateResponse(request, "admin/conventions/import_classeur.html", contexte)
