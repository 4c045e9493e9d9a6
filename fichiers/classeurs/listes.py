"""Import and export of the admin's flat lists (django-import-export), with the annex's guards.

xlsx and CSV only; a file is measured before it is parsed (the annex reader's caps), numbers are
read by the annex import's reader, texts are never exported as formulas, and a file is refused as
a whole — unknown column, line twice, line of a territoire the user does not follow — with a
French message naming each line. The lists' resources are in ``fichiers/ressources/``, their
formats in ``formats_des_listes``, the admin's door in ``pages/administration/listes.py``.
"""

import logging
from decimal import Decimal
from difflib import get_close_matches

from django.utils.html import format_html
from import_export import fields, resources, widgets

from commun.cellules import Genre
from commun.formats import nombre
from commun.montants import MontantRefuse, lire_montant
from commun.validation import valider_par_etapes
from comptes.acces import CHEMINS_TERRITOIRE, filtrer_par_territoire
from conventions.verrou import prendre_la_version
from fichiers.classeurs.formats_des_listes import (
    FichierRefuse,
    LigneRefusee,
    vide,
)

journal = logging.getLogger(__name__)


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
            if not all(vide(valeur) for valeur in valeurs)
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
