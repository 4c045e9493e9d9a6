"""The natural keys a convention file may use, model by model, and how to find what they name.

A key is written as a list (``[calpa-dijon-2023, "1.1"]``), exactly as ``dumpdata
--natural-foreign`` writes it; each element is the value of one lookup path below.
"""

from datetime import date
from difflib import get_close_matches

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db import models

# The models a convention file may describe, in the order a file usually lists them, and the
# lookup path of each element of their natural key (the arguments of ``get_by_natural_key``).
CLES: dict[str, tuple[str, ...]] = {
    "conventions.territoire": ("slug",),
    "conventions.financeur": ("slug",),
    "conventions.convention": ("slug",),
    "conventions.avenant": ("convention__slug", "numero"),
    "conventions.axe": ("convention__slug", "code"),
    "conventions.action": ("convention__slug", "code"),
    "conventions.tableauengagements": (
        "convention__slug",
        "annee_debut",
        "annee_fin",
        "libelle",
    ),
    "conventions.engagement": (
        "tableau__convention__slug",
        "tableau__annee_debut",
        "tableau__annee_fin",
        "tableau__libelle",
        "action__code",
        "financeur__slug",
    ),
    "conventions.totalimprime": (
        "tableau__convention__slug",
        "tableau__annee_debut",
        "tableau__annee_fin",
        "tableau__libelle",
        "financeur__slug",
    ),
    "conventions.engagementpluriannuel": ("convention__slug", "financeur__slug"),
    "conventions.tranche": (
        "engagement__convention__slug",
        "engagement__financeur__slug",
        "annee",
    ),
    "conventions.seance": ("territoire__slug", "date"),
    "conventions.membreseance": ("seance__territoire__slug", "seance__date", "nom"),
    "conventions.deliberation": ("seance__territoire__slug", "seance__date", "reference"),
    "conventions.montantdelibere": (
        "deliberation__seance__territoire__slug",
        "deliberation__seance__date",
        "deliberation__reference",
        "financeur__slug",
        "annee",
    ),
    "bilans.bilan": ("convention__slug", "annee"),
    "bilans.rapportaction": ("bilan__convention__slug", "bilan__annee", "action__code"),
    "bilans.indicateur": ("action__convention__slug", "action__code", "code"),
    "bilans.mesure": (
        "indicateur__action__convention__slug",
        "indicateur__action__code",
        "indicateur__code",
        "bilan__annee",
    ),
}

SUGGESTIONS_MAX = 20_000  # keys read to suggest the closest one
SUGGESTIONS_PAR_FICHIER = 20  # unknown keys that get a suggestion; the others are listed without


class CleInvalide(ValueError):
    """A key that cannot even be looked up: wrong shape, wrong length, a number for a code."""


def modele(label: str):
    return apps.get_model(label)


def nom(label: str) -> str:
    """The model as users call it: « tableau des engagements »."""
    return str(modele(label)._meta.verbose_name)


def _libelle_du_chemin(label: str, chemin: str) -> str:
    morceaux = chemin.split("__")
    courant = modele(label)
    noms = []
    for morceau in morceaux:
        champ = courant._meta.get_field(morceau)
        noms.append(str(champ.verbose_name))
        if champ.is_relation:
            courant = champ.related_model
    if len(noms) > 1 and morceaux[-1] == "slug":
        return noms[-2]
    return noms[-1] if len(noms) == 1 else f"{noms[-1]} ({noms[-2]})"


def forme(label: str) -> str:
    """« [convention, code] »: what a key of this model is made of, for messages."""
    return "[" + ", ".join(_libelle_du_chemin(label, chemin) for chemin in CLES[label]) + "]"


def texte(cle) -> str:
    """A key as the file writes it: « [calpa-dijon-2023, 1.1] »."""
    return "[" + ", ".join(str(element) for element in cle) + "]"


def normaliser(label: str, valeur) -> tuple:
    """The key written in the file as a tuple we can look up, or ``CleInvalide``."""
    attendu = forme(label)
    if isinstance(valeur, str | int) and not isinstance(valeur, bool):
        raise CleInvalide(
            f"une clé s'écrit entre crochets : [{valeur}] (clé de {nom(label)} : {attendu})"
        )
    if not isinstance(valeur, list | tuple):
        raise CleInvalide(f"clé attendue de la forme {attendu}")
    if len(valeur) != len(CLES[label]):
        raise CleInvalide(
            f"la clé {texte(valeur)} a {len(valeur)} élément(s) ; une clé de {nom(label)} en a "
            f"{len(CLES[label])} : {attendu}"
        )
    cle = []
    for chemin, element in zip(CLES[label], valeur, strict=True):
        if isinstance(element, bool) or element is None or isinstance(element, list | dict):
            raise CleInvalide(f"élément « {element} » invalide dans la clé (forme {attendu})")
        if isinstance(element, float):
            raise CleInvalide(
                f"« {element} » dans la clé est lu comme un nombre : écrivez-le entre "
                'guillemets (« "1.10" »)'
            )
        cle.append(_element(_champ_final(label, chemin), element, attendu))
    return tuple(cle)


def _champ_final(label: str, chemin: str):
    courant, champ = modele(label), None
    for morceau in chemin.split("__"):
        champ = courant._meta.get_field(morceau)
        courant = champ.related_model if champ.is_relation else courant
    return champ


def _element(champ, element, attendu: str):
    """One element of a key, of the type its field stores, so that keys compare equal."""
    if isinstance(champ, models.DateField):
        if isinstance(element, date):
            return element.isoformat()
        try:
            return date.fromisoformat(str(element)).isoformat()
        except ValueError:
            raise CleInvalide(
                f"« {element} » n'est pas une date AAAA-MM-JJ dans la clé (forme {attendu})"
            ) from None
    if isinstance(champ, models.IntegerField):
        if isinstance(element, int) or (isinstance(element, str) and element.isdigit()):
            return int(element)
        raise CleInvalide(f"« {element} » n'est pas un nombre entier dans la clé (forme {attendu})")
    return str(element)


def _rangee(valeurs) -> tuple:
    return tuple(v.isoformat() if isinstance(v, date) else v for v in valeurs)


class Registre:
    """Finds the objects keys name, in the file being loaded or in the database, once each.

    ``perimetre(queryset)`` limits the database to what the user may reach (their territoires,
    the shared financeurs): a key of another territoire is not found, exactly as an unknown key,
    and suggestions come only from what the user may see."""

    def __init__(self, perimetre=None):
        self.perimetre = perimetre or (lambda requete: requete)
        self._trouves: dict[tuple[str, tuple], object] = {}
        self._du_fichier: dict[str, set[tuple]] = {}
        self._connues: dict[str, set[tuple]] = {}
        self._suggestions = 0

    def annoncer(self, label: str, cle: tuple):
        """A key the file defines: it counts as known for the suggestions."""
        self._du_fichier.setdefault(label, set()).add(cle)

    def enregistrer(self, label: str, cle: tuple, objet):
        self._trouves[(label, cle)] = objet

    def trouver(self, label: str, cle: tuple):
        """The object with this key, or ``None``."""
        if (label, cle) not in self._trouves:
            gestionnaire = modele(label)._default_manager
            try:
                objet = self.perimetre(gestionnaire.all()).get(**gestionnaire.filtres_de_cle(*cle))
            except (ObjectDoesNotExist, ValidationError, ValueError, TypeError, OverflowError):
                objet = None
            self._trouves[(label, cle)] = objet
        return self._trouves[(label, cle)]

    def suggestion(self, label: str, cle: tuple) -> str:
        """« ; le plus proche : [etat] », or nothing when no key comes close.

        Bounded, whatever the file: the known keys are read once per model, a key of several
        parts is compared only with those of the same parent (the same convention) when there
        are some, and only the first ``SUGGESTIONS_PAR_FICHIER`` unknown keys get a suggestion
        (each comparison is a ``difflib`` ratio: 500 mistyped keys against 500 similar ones
        took 20 s)."""
        if self._suggestions >= SUGGESTIONS_PAR_FICHIER:
            return ""
        self._suggestions += 1
        if label not in self._connues:
            self._connues[label] = {
                _rangee(rangee)
                for rangee in self.perimetre(modele(label)._default_manager.all())
                .order_by()
                .values_list(*CLES[label])[:SUGGESTIONS_MAX]
            }
        connues = self._connues[label] | self._du_fichier.get(label, set())
        if len(cle) > 1:
            memes = {connue for connue in connues if connue[:1] == cle[:1]}
            connues = memes or connues
        par_texte = {texte(connue): connue for connue in connues}
        proches = get_close_matches(texte(cle), list(par_texte), n=1, cutoff=0.6)
        return f" ; la plus proche : {proches[0]}" if proches else ""


def cle_brute(label: str, champs: dict) -> tuple | None:
    """The object's own key, read from its fields before anything is looked up."""
    classe = modele(label)
    valeurs = []
    for chemin in CLES[label]:
        nom_champ, _, reste = chemin.partition("__")
        valeur = champs.get(nom_champ)
        if reste:
            liee = classe._meta.get_field(nom_champ).related_model._meta.label_lower
            try:
                cle_liee = normaliser(liee, valeur)
            except CleInvalide:
                return None
            valeur = cle_liee[CLES[liee].index(reste)]
        elif valeur is None:
            return None
        valeurs.append(valeur)
    try:
        return normaliser(label, valeurs)
    except CleInvalide:
        return None


def identite(label: str, champs: dict) -> tuple:
    """The fields that make up the key, each related object by its whole key: two lines
    of one tableau naming actions of different conventions are not duplicates."""
    classe = modele(label)
    noms = dict.fromkeys(chemin.partition("__")[0] for chemin in CLES[label])
    identite = []
    for nom_champ in noms:
        valeur = champs.get(nom_champ)
        if classe._meta.get_field(nom_champ).is_relation and isinstance(valeur, list):
            valeur = tuple(map(str, valeur))
        identite.append(str(valeur))
    return tuple(identite)


def dependances(label: str, champs: dict, du_fichier) -> set[tuple[str, tuple]]:
    classe = modele(label)
    dependances = set()
    for nom_champ, valeur in champs.items():
        try:
            champ = classe._meta.get_field(nom_champ)
        except FieldDoesNotExist:
            continue
        liee = getattr(champ.related_model, "_meta", None)
        if not champ.many_to_one or liee is None or liee.label_lower not in CLES:
            continue
        try:
            cle = normaliser(liee.label_lower, valeur)
        except CleInvalide:
            continue
        if (liee.label_lower, cle) in du_fichier:
            dependances.add((liee.label_lower, cle))
    return dependances
