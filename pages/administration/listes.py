"""The admin's door to the flat lists' import and export (django-import-export): the guarded
formats only, the user's territoires, French errors naming each line, nothing written on a
refusal."""

import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify
from django.utils.timezone import localdate
from import_export.admin import ImportExportMixin
from import_export.forms import ImportForm

from fichiers.classeurs import ouverture
from fichiers.classeurs.formats_des_listes import FORMATS_PROTEGES, NON_UTF8
from fichiers.classeurs.listes import erreurs_du_resultat

journal = logging.getLogger(__name__)


class FormulaireImport(ImportForm):
    def clean_import_file(self):
        """Too big a file is refused before it is written to disk or read."""
        fichier = self.cleaned_data["import_file"]
        if fichier.size > ouverture.TAILLE_MAX:
            raise forms.ValidationError(
                f"Le fichier fait {fichier.size // 1024} kio : la limite est de "
                f"{ouverture.TAILLE_MAX // ouverture.MIO} Mio."
            )
        return fichier


class ImportExportProtege(ImportExportMixin):
    """The admin side: the guarded formats, the size cap, the user handed to the resource,
    every row rolled back with any invalid one, and French refusals instead of tracebacks."""

    import_form_class = FormulaireImport

    @property
    def formats(self):
        permis = getattr(settings, "IMPORT_EXPORT_FORMATS", [])
        return [FORMATS_PROTEGES[format_] for format_ in permis if format_ in FORMATS_PROTEGES]

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"utilisateur": request.user}

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ouverture.ClasseurInvalide):
            for message in e.erreurs:
                form.add_error("import_file", message)
        elif isinstance(e, UnicodeError):
            form.add_error("import_file", NON_UTF8)
        else:
            journal.info("Fichier illisible : %r", e)
            form.add_error(
                "import_file",
                "Le fichier n'a pas pu être lu au format choisi : vérifiez le format (xlsx ou "
                "CSV).",
            )

    def _adresse(self, vue: str) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{vue}",
            current_app=self.admin_site.name,
        )

    def process_import(self, request, **kwargs):
        """The confirmed import: a file gone or damaged since the preview is a French refusal."""
        try:
            return super().process_import(request, **kwargs)
        except ouverture.ClasseurInvalide as erreur:
            refus = erreur.erreurs
        except (OSError, UnicodeError, ValueError, LookupError) as erreur:
            journal.info("Import confirmé illisible : %r", erreur)
            refus = ["le fichier prévisualisé n'est plus disponible : déposez-le à nouveau."]
        messages.error(request, "Import refusé, rien n'a été écrit : " + " ".join(refus))
        return redirect(self._adresse("import"))

    def process_result(self, result, request):
        """A line invalid at confirmation (the data changed since the preview) refuses all."""
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                "Import refusé, rien n'a été écrit : " + " ".join(erreurs_du_resultat(result)),
            )
            return redirect(self._adresse("import"))
        return super().process_result(result, request)

    def export_action(self, request):
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:
            return redirect(self._adresse("changelist") + "?e=1")

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """Native values (numbers stay numbers), written by the guarded formats."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        kwargs.pop("encoding", None)
        donnees = self.get_data_for_export(request, queryset, force_native_type=True, **kwargs)
        return file_format.export_data(donnees)

    def get_export_filename(self, request, queryset, file_format):
        nom = slugify(self.opts.verbose_name_plural)
        return f"{nom}-{localdate():%Y-%m-%d}.{file_format.get_extension()}"
