"""Import and export of the admin's flat lists (django-import-export), with the annex's guards.

xlsx and CSV only; a file is measured before it is parsed (the annex reader's caps), numbers are
read by the annex import's reader, texts are never exported as formulas, and a file is refused as
a whole — unknown column, line twice, line of a territoire the user does not follow — with a
French message naming each line. The lists' resources live in their apps (``ressources.py``).
"""

import csv
import io
import logging
from decimal import Decimal
from difflib import get_close_matches

import tablib
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.timezone import localdate
from import_export import fields, resources, widgets
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ImportForm
from openpyxl import Workbook

from commun.cellules import FORMULE, Genre, texte_propre, valeur_csv
from commun.formats import nombre
from commun.montants import MontantRefuse, lire_montant
from commun.telechargements import GRAS, cellule_xlsx
from commun.validation import valider_par_etapes
from comptes.acces import CHEMINS_TERRITOIRE, filtrer_par_territoire
from conventions.verrou import prendre_la_version
from fichiers.classeurs import ouverture

journal = logging.getLogger(__name__)

ERREURS_AFFICHEES = 50
# Lines under the header. django-import-export validates and saves each line (in a rolled-back
# transaction for the preview) at about 4 ms a line: 5 000 lines kept a worker 20 s. One
# territoire's year is about 140 engagements; its six years, 850.
LIGNES_MAX = 500
TROP_DE_LIGNES = (
    f"Plus de {nombre(LIGNES_MAX)} lignes sous l'en-tête : découpez le fichier (un territoire ou "
    "une année à la fois)."
)
NON_UTF8 = (
    "Ce fichier n'est pas un CSV en UTF-8 (un classeur xlsx ? choisissez alors le format "
    "xlsx ; sinon, dans Excel, enregistrez-le en « CSV UTF-8 »)."
)


class FichierRefuse(ouverture.ClasseurInvalide):
    """The file is refused as a whole; ``erreurs`` lists the problems, each naming its line."""

    def __init__(self, erreurs: list[str]):
        if len(erreurs) > ERREURS_AFFICHEES:
            reste = len(erreurs) - ERREURS_AFFICHEES
            erreurs = [*erreurs[:ERREURS_AFFICHEES], f"… et {reste} autre(s) problème(s)."]
        super().__init__(erreurs)


class LigneRefusee(Exception):
    """One line cannot be imported; ``messages`` say why, without the line number."""

    def __init__(self, messages_: list[str]):
        self.messages = messages_
        super().__init__("; ".join(messages_))


# --- Formats: xlsx and CSV, read within the annex reader's caps --------------------------------


def _vide(valeur) -> bool:
    return valeur is None or (isinstance(valeur, str) and not valeur.strip())


def _jeu(lignes: list[list]) -> tablib.Dataset:
    """The first row names the columns. Blank rows are kept, so that row n of the dataset is
    line n + 1 of the file, the number the user sees in the spreadsheet."""
    if not lignes or all(_vide(v) for v in lignes[0]):
        raise FichierRefuse(["Le fichier est vide ou sa première ligne ne nomme pas les colonnes."])
    entetes = ["" if v is None else str(v).strip() for v in lignes[0]]
    while entetes and not entetes[-1]:
        entetes.pop()
    erreurs = []
    for rang, nom in enumerate(entetes, start=1):
        if not nom:
            erreurs.append(f"Ligne 1 : la colonne {rang} n'a pas de nom.")
        elif nom in entetes[: rang - 1]:
            erreurs.append(f"Ligne 1 : la colonne « {nom} » est présente deux fois.")
    if len(lignes) > LIGNES_MAX + 1:
        raise FichierRefuse([TROP_DE_LIGNES])
    largeur = len(entetes)
    jeu = tablib.Dataset(headers=entetes)
    for numero, ligne in enumerate(lignes[1:], start=2):
        surplus = [v for v in ligne[largeur:] if not _vide(v)]
        if surplus:
            erreurs.append(f"Ligne {numero} : « {surplus[0]} » est hors de toute colonne nommée.")
        jeu.append([*ligne[:largeur], *[None] * (largeur - len(ligne))])
    if erreurs:
        raise FichierRefuse(erreurs)
    return jeu


def _sans_apostrophe(cellule: str) -> str:
    """Undo the quote ``commun.cellules.texte_csv`` puts before a text a spreadsheet would run."""
    if cellule.startswith("'") and cellule[1:].startswith(FORMULE):
        return cellule[1:]
    return cellule


def _lignes_csv(texte: str) -> list[list]:
    premiere = texte.partition("\n")[0]
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=";" if ";" in premiere else ",")
    lignes, cellules = [], 0
    try:
        for numero, ligne in enumerate(lecteur, start=1):
            if numero > LIGNES_MAX + 1:
                raise FichierRefuse([TROP_DE_LIGNES])
            if len(ligne) > ouverture.COLONNES_MAX:
                raise FichierRefuse(
                    [f"Ligne {numero} : plus de {ouverture.COLONNES_MAX} colonnes."]
                )
            cellules += len(ligne)
            if cellules > ouverture.CELLULES_MAX:
                raise FichierRefuse(
                    [f"Plus de {nombre(ouverture.CELLULES_MAX)} cellules : découpez le fichier."]
                )
            lignes.append([_sans_apostrophe(cellule) for cellule in ligne])
    except csv.Error:
        raise FichierRefuse(
            [
                f"CSV illisible vers la ligne {lecteur.line_num} : guillemet non fermé, "
                "caractère nul ou cellule démesurée."
            ]
        ) from None
    while lignes and all(_vide(cellule) for cellule in lignes[-1]):
        lignes.pop()
    return lignes


def _echapper_les_formules() -> bool:
    return getattr(settings, "IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT", False) is True


def _genres(dataset) -> list[Genre | None]:
    """Each column's kind, as its resource declares it (``Champ``); none for another dataset."""
    return list(getattr(dataset, "genres", None) or [None] * len(dataset.headers or []))


def _cellule_csv(valeur, echapper: bool, genre: Genre | None = None):
    """Without the setting, a text is written as it is (a spreadsheet may run it)."""
    if isinstance(valeur, str) and not echapper:
        return texte_propre(valeur)
    if genre is None and isinstance(valeur, int | float) and not isinstance(valeur, bool):
        return valeur
    return valeur_csv(valeur, genre if genre is not None and genre.numerique else None)


def _cellule_xlsx(feuille, valeur, echapper: bool, genre: Genre | None = None):
    """Without the setting, a text is written as it is (openpyxl runs « =… » as a formula).
    A number carries its column's format: euros in euros, a year without separator…"""
    if isinstance(valeur, str) and not echapper:
        return texte_propre(valeur)
    if genre is None and isinstance(valeur, Decimal):
        genre = Genre.DECIMAL
    return cellule_xlsx(feuille, valeur, genre if genre is not None and genre.numerique else None)


class Csv(base_formats.CSV):
    """Semicolon-separated, UTF-8 with BOM, decimal comma: the pages' CSV downloads, which open
    as they are in a French Excel. Reads « ; » or « , » separators."""

    def create_dataset(self, in_stream, **kwargs):
        if len(in_stream) > ouverture.TAILLE_MAX:
            raise FichierRefuse(
                [f"Le fichier dépasse {ouverture.TAILLE_MAX // ouverture.MIO} Mio."]
            )
        if isinstance(in_stream, bytes):
            try:
                in_stream = in_stream.decode(self.encoding or "utf-8-sig")
            except UnicodeDecodeError:
                raise FichierRefuse([NON_UTF8]) from None
        return _jeu(_lignes_csv(in_stream.removeprefix("\ufeff")))

    def export_data(self, dataset, **kwargs):
        echapper = _echapper_les_formules()
        tampon = io.StringIO()
        tampon.write("\ufeff")
        ecrivain = csv.writer(tampon, delimiter=";")
        ecrivain.writerow([_cellule_csv(entete, echapper) for entete in dataset.headers])
        genres = _genres(dataset)
        for ligne in dataset:
            ecrivain.writerow(
                [
                    _cellule_csv(valeur, echapper, genre)
                    for valeur, genre in zip(ligne, genres, strict=False)
                ]
            )
        return tampon.getvalue()


class Xlsx(base_formats.XLSX):
    """The first sheet, read by the annex reader (size and zip measured before any XML is
    parsed, rows and cells capped); written with a bold frozen header, numbers as numbers."""

    def create_dataset(self, in_stream):
        feuilles = ouverture.feuilles(in_stream)
        if not feuilles:
            raise FichierRefuse(["Le classeur ne contient aucune feuille."])
        return _jeu(feuilles[0][1])

    def export_data(self, dataset, **kwargs):
        echapper = _echapper_les_formules()
        classeur = Workbook(write_only=True)
        feuille = classeur.create_sheet((dataset.title or "export")[:31])
        feuille.freeze_panes = "A2"
        entetes = []
        for entete in dataset.headers:
            cellule = cellule_xlsx(feuille, str(entete))
            cellule.font = GRAS
            entetes.append(cellule)
        feuille.append(entetes)
        genres = _genres(dataset)
        for ligne in dataset:
            feuille.append(
                [
                    _cellule_xlsx(feuille, valeur, echapper, genre)
                    for valeur, genre in zip(ligne, genres, strict=False)
                ]
            )
        tampon = io.BytesIO()
        classeur.save(tampon)
        return tampon.getvalue()


# Each format the settings allow, replaced by its guarded version; any other is not offered.
FORMATS_PROTEGES = {base_formats.CSV: Csv, base_formats.XLSX: Xlsx}


# --- Widgets and the base resource -------------------------------------------------------------


class NombreFrancaisWidget(widgets.NumberWidget):
    """The django-import-export widget of every amount and indicator value: « 1 234,50 »,
    « 90 000,50 € » or a spreadsheet's own number, read by ``lire_montant`` as the forms and the
    annex import read them. Exported as a number: the format writes it (a number in xlsx,
    « 1234,50 » in CSV). ``nature="valeur"`` for an indicator's words."""

    def __init__(self, *, nature: str = "montant"):
        super().__init__(coerce_to_string=False)
        self.nature = nature

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value) or (isinstance(value, str) and not value.strip()):
            return None
        return lire_montant(value, nature=self.nature)

    def render(self, value, obj=None, **kwargs):
        return value


class Champ(fields.Field):
    """A list's column with its kind (``commun.cellules.Genre``), declared once: the xlsx and
    CSV exports write its values so (euros in euros, a year without separator…)."""

    def __init__(self, *args, genre: Genre = Genre.TEXTE, **kwargs):
        if genre in (Genre.NOMBRE, Genre.ANNEE):  # a number, not its text
            kwargs.setdefault("widget", widgets.IntegerWidget(coerce_to_string=False))
        super().__init__(*args, **kwargs)
        self.genre = genre


def texte(valeur) -> str:
    """A cell as text: « 1.1 » typed as a number in a spreadsheet comes back as « 1.1 »."""
    if valeur is None:
        return ""
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)
    return str(valeur).strip()


def annee(valeur) -> int:
    """A year, read by the same reader as the numbers (« 2 023 » is a year, « 2023,5 » not)."""
    try:
        lu = NombreFrancaisWidget().clean(valeur)
    except MontantRefuse:
        lu = None
    if lu is None or lu != lu.to_integral_value() or not 1900 <= lu <= 2200:
        raise ValueError(f"année « {texte(valeur)} » illisible (exemple : 2023)")
    return int(lu)


def _affiche(valeur) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, Decimal):
        return nombre(valeur)
    return str(valeur)


class Apercu(resources.Diff):
    """The preview shows a changed cell as « old → new » (whole values: a digit-by-digit diff of
    an amount misleads), marked with ``<del>``/``<ins>`` and no inline style (the
    Content-Security-Policy refuses the library's ``style`` attributes)."""

    def as_html(self):
        cellules = []
        for avant, apres in zip(self.left, self.right, strict=False):
            if self.new or avant == apres:
                cellules.append(_affiche(apres))
            else:
                cellules.append(
                    format_html("<del>{}</del> → <ins>{}</ins>", _affiche(avant), _affiche(apres))
                )
        return cellules


class RessourceProtegee(resources.ModelResource):
    """What every list shares: columns checked against the resource's (closest name suggested),
    each line read and resolved before anything is written — among the user's territoires —,
    a line twice refused, the whole file refused with every problem named by its line.

    A resource defines ``lire(ligne) -> (valeurs, existant)``: the model attributes of a line
    and the object it updates (or ``None``); ``cle(valeurs)``, the line's natural key; and
    ``decrire(valeurs)``, that key in words. ``preparer(lignes)`` loads what they refer to.
    """

    colonnes_obligatoires: tuple[str, ...] = ()
    # The related objects each exported row reads (one query for the whole export).
    liens: tuple[str, ...] = ()

    class Meta:
        # The model's rules (constraints, digits, « a part never exceeds its whole ») apply
        # to each line as in the forms.
        clean_model_instances = True

    def __init__(self, utilisateur=None, **kwargs):
        super().__init__(**kwargs)
        self.utilisateur = utilisateur
        self.raison = "import dans l'administration"
        self.lues: dict[int, tuple[dict, object]] = {}
        self.courante: tuple[dict, object] | None = None

    @classmethod
    def get_diff_class(cls):
        return Apercu

    # Reading the whole file first

    def colonnes(self) -> list[str]:
        return [champ.column_name for champ in self.get_import_fields()]

    def verifier_colonnes(self, entetes: list[str]) -> None:
        connues = self.colonnes()
        erreurs = []
        for nom in entetes:
            if nom not in connues:
                proches = get_close_matches(nom, connues, n=1, cutoff=0.6)
                conseil = f" : vouliez-vous écrire « {proches[0]} » ?" if proches else "."
                erreurs.append(f"Ligne 1 : colonne « {nom} » inconnue{conseil}")
        for nom in self.colonnes_obligatoires:
            if nom not in entetes:
                erreurs.append(f"Ligne 1 : la colonne « {nom} » manque.")
        if erreurs:
            erreurs.append("Colonnes attendues : " + ", ".join(connues) + ".")
            raise FichierRefuse(erreurs)

    def before_import(self, dataset, **kwargs):
        self.utilisateur = kwargs.get("user") or self.utilisateur
        if self.utilisateur is None:
            raise FichierRefuse(["Import refusé : aucun utilisateur connecté."])
        if kwargs.get("file_name"):
            self.raison = f"import de {kwargs['file_name']}"[:100]
        self.verifier_colonnes(list(dataset.headers or []))
        lignes = {
            rang: dict(zip(dataset.headers, valeurs, strict=False))
            for rang, valeurs in enumerate(dataset, start=1)
            if not all(_vide(valeur) for valeur in valeurs)
        }
        if not lignes:
            raise FichierRefuse(["Aucune ligne à importer sous la ligne des colonnes."])
        self.preparer(lignes.values())
        erreurs, cles = [], {}
        for rang, ligne in lignes.items():
            numero = rang + 1  # the header is line 1
            try:
                valeurs, existant = self.lire(ligne)
            except LigneRefusee as refus:
                erreurs.extend(f"Ligne {numero} : {message}" for message in refus.messages)
                continue
            cle = self.cle(valeurs)
            if cle in cles:
                erreurs.append(
                    f"Lignes {cles[cle]} et {numero} : {self.decrire(valeurs)}, deux fois dans "
                    "le fichier."
                )
                continue
            cles[cle] = numero
            self.lues[rang] = (valeurs, existant)
        if erreurs:
            raise FichierRefuse(erreurs)

    def preparer(self, lignes) -> None:
        """Load, in a few queries, what the lines refer to."""

    def lire(self, ligne: dict) -> tuple[dict, object]:
        raise NotImplementedError

    def cle(self, valeurs: dict) -> tuple:
        raise NotImplementedError

    def decrire(self, valeurs: dict) -> str:
        raise NotImplementedError

    def cellule(self, ligne: dict, colonne: str, erreurs: list[str], lecture=texte):
        """The value of ``colonne`` read by ``lecture``; a problem goes to ``erreurs``."""
        try:
            return lecture(ligne.get(colonne))
        except ValueError as erreur:
            erreurs.append(f"{colonne} : {erreur}")
            return None

    def dans_mes_territoires(self, queryset):
        """The rows of the territoires the user follows, as in the annex import."""
        if self.utilisateur is None:
            return queryset.none()
        return filtrer_par_territoire(queryset, self.utilisateur)

    # Then each line, as the library goes

    def before_import_row(self, row, **kwargs):
        self.courante = self.lues.get(kwargs.get("row_number"))

    def get_or_init_instance(self, instance_loader, row):
        if self.courante is not None and self.courante[1] is not None:
            return self.courante[1], False
        return self.init_instance(row), True

    def import_instance(self, instance, row, **kwargs):
        if self.courante is not None:
            for attribut, valeur in self.courante[0].items():
                setattr(instance, attribut, valeur)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The fields' checks and the model's own ``clean()`` (its rules: a part never exceeds
        its whole, a transmitted bilan's figures no longer change…), without reading again what
        ``lire()`` resolved among the user's territoires (each foreign key: three queries a
        line) nor the uniqueness it guarantees (one line per key, an existing row updated, not
        duplicated); the database's constraints still stand behind."""
        erreurs = dict(import_validation_errors or {})
        resolus = set(self.courante[0]) if self.courante is not None else set()
        exclus = set(erreurs) | {
            champ.name
            for champ in instance._meta.concrete_fields
            if champ.many_to_one and champ.name in resolus
        }
        valider_par_etapes([lambda: instance.clean_fields(exclude=exclus), instance.clean], erreurs)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if self.courante is None:
            return True  # a blank line
        if import_validation_errors or instance.pk is None or original is None:
            return False
        return all(getattr(original, a) == v for a, v in self.courante[0].items())

    def before_save_instance(self, instance, row, **kwargs):
        instance._change_reason = self.raison
        if self.utilisateur is not None:
            instance._history_user = self.utilisateur
        if instance.pk is not None and hasattr(instance, "version"):
            # On the version read, in the import's transaction (``conventions.verrou``): a row
            # changed since is refused, never overwritten; a form opened on the old value is
            # refused in turn (concurrence.py).
            if not prendre_la_version(instance.pk, instance.version, type(instance)):
                raise ValueError(
                    f"{self.decrire(self.courante[0])} a été modifié entre-temps par quelqu'un "
                    "d'autre : rien n'a été écrit, relancez l'import pour voir sa valeur."
                )
            instance.version += 1

    # Export

    def after_export(self, queryset, dataset, **kwargs):
        """The columns' kinds go with the rows to the format that writes them."""
        dataset.genres = [
            getattr(champ, "genre", Genre.TEXTE)
            for champ in self.get_export_fields(kwargs.get("export_fields"))
        ]

    def filter_export(self, queryset, **kwargs):
        if self._meta.model._meta.label_lower in CHEMINS_TERRITOIRE:
            queryset = self.dans_mes_territoires(queryset)
        return queryset.select_related(*self.liens)


# --- The admin ----------------------------------------------------------------------------------


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


def erreurs_du_resultat(resultat) -> list[str]:
    """Every problem of an import's result, in French, each naming its line of the file."""
    erreurs = []
    for erreur in resultat.base_errors:
        erreurs.extend(getattr(erreur.error, "erreurs", None) or [_inattendue(erreur.error)])
    for rang, erreurs_de_la_ligne in resultat.row_errors():
        erreurs.extend(f"Ligne {rang + 1} : {_inattendue(e.error)}" for e in erreurs_de_la_ligne)
    for ligne in resultat.invalid_rows:
        for champ, liste in ligne.error_dict.items():
            erreurs.extend(f"Ligne {ligne.number + 1} : {champ} : {message}" for message in liste)
    return erreurs


def _inattendue(erreur) -> str:
    if isinstance(erreur, ValueError | LigneRefusee):
        return str(erreur)
    journal.warning("Import : erreur inattendue %r", erreur)
    return f"erreur inattendue ({type(erreur).__name__}) : rien n'a été écrit."


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
