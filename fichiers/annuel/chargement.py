"""Load a convention file: check every object, report every problem, write all or nothing.

Each object goes through the model's own validation (``full_clean``: fields, ``clean()``,
uniqueness and database constraints with their French messages) inside one transaction; the
file is refused, and the transaction rolled back, as soon as one object has a problem, but only
after every object was checked, so that the administrator fixes the whole file at once. A dry
run loads everything the same way, reads the report (totals, constats) and rolls back.

Unlike ``loaddata``, a field the file leaves out keeps its value in the database.
"""

import hashlib
import logging
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction

from commun.evenements import evenement
from commun.formats import euros
from commun.montants import MontantRefuse, lire_montant
from commun.validation import erreurs_des_etapes, valider_par_etapes
from conventions.models import Convention, Engagement, Financeur, TableauEngagements, Territoire
from conventions.verrou import prendre_la_version, tableaux_verrouilles, verrouiller_le_tableau
from conventions.versions import en_vigueur_de_la_periode
from fichiers.annuel import cles
from fichiers.annuel.fichier import FichierInvalide, ObjetLu, lire

journal = logging.getLogger(__name__)

DATE_FRANCAISE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")

# How to reach the convention of an object, to list the constats of what was loaded.
CHEMINS_CONVENTION = {
    "conventions.convention": "",
    "conventions.avenant": "convention",
    "conventions.axe": "convention",
    "conventions.action": "convention",
    "conventions.tableauengagements": "convention",
    "conventions.engagement": "tableau.convention",
    "conventions.totalimprime": "tableau.convention",
    "conventions.engagementpluriannuel": "convention",
    "conventions.tranche": "engagement.convention",
    "conventions.deliberation": "convention",
    "bilans.bilan": "convention",
    "bilans.rapportaction": "bilan.convention",
    "bilans.indicateur": "action.convention",
    "bilans.mesure": "bilan.convention",
}


class _Probleme(ValueError):
    """One problem with one field's value; the message is French and complete."""


@dataclass
class TableauCharge:
    convention: str
    titre: str  # the convention's intitulé, for pages; ``convention`` is its slug
    periode: str
    libelle: str
    en_vigueur: bool
    totaux: list[tuple[str, Decimal]]

    @property
    def total(self) -> Decimal:
        return sum((montant for _financeur, montant in self.totaux), Decimal("0.00"))


@dataclass
class Rapport:
    """What a load creates and changes, the amounts it leaves, and the constats that follow."""

    essai: bool = False
    # model label → [créés, modifiés, inchangés]
    comptes: dict[str, list[int]] = field(default_factory=dict)
    tableaux: list[TableauCharge] = field(default_factory=list)
    constats: list = field(default_factory=list)
    # The intitulés of the conventions the file touched, and their identifiers.
    conventions: list[str] = field(default_factory=list)
    slugs: list[str] = field(default_factory=list)

    def compter(self, label: str, etat: int):
        self.comptes.setdefault(label, [0, 0, 0])[etat] += 1

    @property
    def lignes_comptes(self) -> list[tuple[str, int, int, int]]:
        return [(cles.nom(label), *nombres) for label, nombres in self.comptes.items()]

    @property
    def empreinte(self) -> str:
        """What a confirmation checks against its preview: the same file, the same result."""
        return hashlib.sha256(str(self).encode()).hexdigest()

    def __str__(self):
        lignes = ["Objets (créés / modifiés / inchangés) :"]
        for nom, crees, modifies, inchanges in self.lignes_comptes:
            lignes.append(f"  {nom} : {crees} / {modifies} / {inchanges}")
        lignes.append("Totaux par version et par financeur :")
        for tableau in self.tableaux:
            statut = " (en vigueur)" if tableau.en_vigueur else ""
            detail = " ; ".join(f"{nom} {euros(montant)}" for nom, montant in tableau.totaux)
            lignes.append(
                f"  {tableau.convention} — {tableau.periode} — {tableau.libelle}{statut} : "
                f"{detail or 'aucun montant'} ; total {euros(tableau.total)}"
            )
        if not self.tableaux:
            lignes.append("  aucun tableau des engagements dans le fichier")
        lignes.append(f"Constats des conventions chargées ({len(self.constats)}) :")
        for constat in self.constats:
            lignes.append(f"  [{constat.severite.label}] {constat.message}")
        if not self.constats:
            lignes.append("  aucun")
        return "\n".join(lignes)


def charger(
    contenu: bytes,
    *,
    nom_fichier: str = "",
    essai: bool = False,
    utilisateur=None,
    empreinte_attendue: str | None = None,
) -> Rapport:
    """Load the file; ``FichierInvalide`` lists every problem and nothing is written.

    ``utilisateur`` (from the admin) limits what the file may touch to their territoires and is
    recorded in the history; ``empreinte_attendue`` refuses a confirmation whose result would
    differ from the preview's.
    """
    objets = lire(contenu, nom_fichier)
    chargement = _Chargement(objets, utilisateur, nom_fichier)
    try:
        with transaction.atomic():
            chargement.executer()
            if chargement.erreurs:
                raise FichierInvalide(chargement.erreurs_dans_l_ordre())
            rapport = chargement.rapport(essai)
            if empreinte_attendue is not None and rapport.empreinte != empreinte_attendue:
                raise FichierInvalide(
                    [
                        "Les données ont changé depuis l'aperçu (un autre chargement ou une "
                        "saisie) : rien n'a été écrit, relancez l'aperçu."
                    ]
                )
            if essai:
                transaction.set_rollback(True)
    except FichierInvalide:
        raise
    except DatabaseError:
        raise  # the callers explain that the database stopped answering
    except Exception:
        journal.exception("Chargement de %s", nom_fichier)
        raise FichierInvalide(
            [
                "Erreur inattendue pendant le chargement : rien n'a été écrit. Le détail est "
                "dans le journal du serveur ; signalez-la avec le fichier."
            ]
        ) from None
    evenement(
        "aperçu de chargement" if essai else "convention chargée",
        utilisateur,
        fichier=nom_fichier,
        conventions=",".join(rapport.slugs),
    )
    return rapport


class _Chargement:
    def __init__(self, objets: list[ObjetLu], utilisateur, nom_fichier: str):
        self.objets = objets
        self.utilisateur = utilisateur
        self.raison = f"chargement de {nom_fichier or 'fichier'}"
        self.erreurs: list[str] = []
        self.refuses: set[tuple[str, tuple]] = set()
        self.charges: list[tuple[str, object]] = []
        self.etats: list[tuple[str, int]] = []
        self.territoires = None
        perimetre = None
        if utilisateur is not None:
            from comptes.acces import (
                filtrer_par_territoire,
                territoires_de,
                voit_tous_les_territoires,
            )

            if not voit_tous_les_territoires(utilisateur):
                self.territoires = set(territoires_de(utilisateur).values_list("pk", flat=True))

                def perimetre(requete):
                    return filtrer_par_territoire(requete, utilisateur)

        # Every key the file names is looked up within the user's territoires: another
        # territoire's object reads as unknown, never as « hors de vos territoires ».
        self.registre = cles.Registre(perimetre)
        self.ailleurs = "vos territoires" if perimetre else "la base"

    # --- the whole file ---------------------------------------------------------------------

    def erreurs_dans_l_ordre(self) -> list[str]:
        """Every message, in the order of the file (« Objet n° 12 » before « Objet n° 103 »)."""
        return sorted(self.erreurs, key=lambda message: int(re.search(r"\d+", message)[0]))

    def executer(self):
        a_charger = []
        cles_du_fichier: dict[tuple[str, tuple], ObjetLu] = {}
        identites: dict[tuple, ObjetLu] = {}
        for objet in self.objets:
            entete = self._entete(objet)
            if entete is None:
                continue
            label, champs = entete
            cle = self._cle_brute(label, champs)
            if cle is not None:
                identite = (label, self._identite(label, champs))
                premier = identites.get(identite)
                if premier is not None:
                    self._erreur(
                        objet,
                        label,
                        cle,
                        None,
                        f"même clé que l'{premier.ou()} : un {cles.nom(label)} ne s'écrit "
                        "qu'une fois par fichier",
                    )
                    continue
                identites[identite] = objet
                cles_du_fichier[(label, cle)] = objet
                self.registre.annoncer(label, cle)
            a_charger.append((objet, label, champs, cle))

        self._verrouiller_les_tableaux(a_charger)
        # Objects are loaded once what they point to in the file is loaded: a file may list a
        # tableau's lines before the tableau, as loaddata allows.
        faits: set[tuple[str, tuple]] = set()
        restants = a_charger
        while restants:
            suivants = []
            for element in restants:
                objet, label, champs, cle = element
                attendus = self._dependances(label, champs, cles_du_fichier) - {(label, cle)}
                if attendus <= faits:
                    self._charger_objet(objet, label, champs, cle)
                    if cle is not None:
                        faits.add((label, cle))
                else:
                    suivants.append(element)
            if len(suivants) == len(restants):
                for objet, label, _champs, cle in suivants:
                    self._erreur(
                        objet, label, cle, None, "références circulaires entre objets du fichier"
                    )
                break
            restants = suivants

    def _verrouiller_les_tableaux(self, a_charger):
        """Every existing tableau whose lines the file names, locked before anything is
        written and in key order (``conventions.verrou``), whatever the file's order: a loader
        and an annex import of the same tableaux wait for each other, never deadlock. A
        tableau the file creates is locked as its first line is written."""
        nommes = {
            tuple(cle[:4])
            for _objet, label, _champs, cle in a_charger
            if label in ("conventions.engagement", "conventions.totalimprime") and cle
        }
        filtre = models.Q(pk__in=[])
        for tableau in nommes:
            filtre |= models.Q(**TableauEngagements.objects.filtres_de_cle(*tableau))
        list(tableaux_verrouilles(filtre).values_list("pk", flat=True))

    def _entete(self, objet: ObjetLu):
        donnees = objet.donnees
        if not isinstance(donnees, dict):
            self.erreurs.append(
                f"{objet.ou().capitalize()} : un objet s'écrit « model: … » puis « fields: … »."
            )
            return None
        inconnus = sorted(set(donnees) - {"model", "fields"})
        if "pk" in inconnus:
            self.erreurs.append(
                f"{objet.ou().capitalize()} : « pk » (un identifiant de base de données) n'est "
                "pas accepté ; les objets se désignent par leurs clés naturelles."
            )
            return None
        if inconnus:
            self.erreurs.append(
                f"{objet.ou().capitalize()} : « {', '.join(map(str, inconnus))} » inconnu ; un "
                "objet n'a que « model » et « fields »."
            )
            return None
        label = donnees.get("model")
        if not isinstance(label, str) or label.lower() not in cles.CLES:
            modeles = ", ".join(cles.CLES)
            self.erreurs.append(
                f"{objet.ou().capitalize()} : le modèle « {label} » n'est pas celui d'une "
                f"convention ; modèles acceptés : {modeles}."
            )
            return None
        label = label.lower()
        champs = donnees.get("fields")
        if not isinstance(champs, dict):
            self.erreurs.append(
                f"{objet.ou().capitalize()} ({cles.nom(label)}) : « fields » manque ou n'est pas "
                "une liste de champs « nom: valeur »."
            )
            return None
        return label, champs

    def _cle_brute(self, label: str, champs: dict) -> tuple | None:
        """The object's own key, read from its fields before anything is looked up."""
        classe = cles.modele(label)
        valeurs = []
        for chemin in cles.CLES[label]:
            nom_champ, _, reste = chemin.partition("__")
            valeur = champs.get(nom_champ)
            if reste:
                liee = classe._meta.get_field(nom_champ).related_model._meta.label_lower
                try:
                    cle_liee = cles.normaliser(liee, valeur)
                except cles.CleInvalide:
                    return None
                valeur = cle_liee[cles.CLES[liee].index(reste)]
            elif valeur is None:
                return None
            valeurs.append(valeur)
        try:
            return cles.normaliser(label, valeurs)
        except cles.CleInvalide:
            return None

    def _identite(self, label: str, champs: dict) -> tuple:
        """The fields that make up the key, each related object by its whole key: two lines
        of one tableau naming actions of different conventions are not duplicates."""
        classe = cles.modele(label)
        noms = dict.fromkeys(chemin.partition("__")[0] for chemin in cles.CLES[label])
        identite = []
        for nom_champ in noms:
            valeur = champs.get(nom_champ)
            if classe._meta.get_field(nom_champ).is_relation and isinstance(valeur, list):
                valeur = tuple(map(str, valeur))
            identite.append(str(valeur))
        return tuple(identite)

    def _dependances(self, label: str, champs: dict, du_fichier) -> set[tuple[str, tuple]]:
        classe = cles.modele(label)
        dependances = set()
        for nom_champ, valeur in champs.items():
            try:
                champ = classe._meta.get_field(nom_champ)
            except FieldDoesNotExist:
                continue
            liee = getattr(champ.related_model, "_meta", None)
            if not champ.many_to_one or liee is None or liee.label_lower not in cles.CLES:
                continue
            try:
                cle = cles.normaliser(liee.label_lower, valeur)
            except cles.CleInvalide:
                continue
            if (liee.label_lower, cle) in du_fichier:
                dependances.add((liee.label_lower, cle))
        return dependances

    # --- one object -------------------------------------------------------------------------

    def _erreur(self, objet: ObjetLu, label: str, cle, champ: str | None, message: str):
        nom_cle = f" {cles.texte(cle)}" if cle else ""
        ou_champ = f", champ « {champ} »" if champ else ""
        self.erreurs.append(
            f"{objet.ou().capitalize()} — {cles.nom(label)}{nom_cle}{ou_champ} : {message}."
        )

    def _charger_objet(self, objet: ObjetLu, label: str, champs: dict, cle):
        classe = cles.modele(label)
        valeurs = {}
        avant = len(self.erreurs)
        depend_d_un_refus = False
        for nom_champ, brut in champs.items():
            try:
                champ = classe._meta.get_field(nom_champ)
            except FieldDoesNotExist:
                self._erreur(objet, label, cle, nom_champ, self._champ_inconnu(classe, nom_champ))
                continue
            if (
                not champ.concrete
                or champ.primary_key
                or not champ.editable
                or champ.many_to_many
                or champ.auto_created
            ):
                self._erreur(
                    objet, label, cle, nom_champ, "ce champ ne s'écrit pas dans un fichier"
                )
                continue
            try:
                if champ.many_to_one:
                    valeur = self._objet_lie(champ, brut)
                else:
                    valeur = convertir(champ, brut)
            except _DependDUnRefus:
                depend_d_un_refus = True
                continue
            except (_Probleme, cles.CleInvalide) as probleme:
                self._erreur(objet, label, cle, nom_champ, str(probleme))
                continue
            valeurs[champ.name] = valeur

        existant = self.registre.trouver(label, cle) if cle is not None else None
        if existant is None:
            for champ in classe._meta.concrete_fields:
                if champ.primary_key or not champ.editable or champ.name in champs:
                    continue
                if not champ.null and not champ.has_default() and not champ.blank:
                    self._erreur(objet, label, cle, champ.name, "champ obligatoire manquant")
        if len(self.erreurs) > avant or depend_d_un_refus:
            if cle is not None:
                self.refuses.add((label, cle))
            return

        instance = existant or classe()
        modifies = [
            nom_champ
            for nom_champ, valeur in valeurs.items()
            if _differe(instance, nom_champ, valeur)
        ]
        for nom_champ, valeur in valeurs.items():
            setattr(instance, nom_champ, valeur)
        if not self._dans_le_perimetre(objet, label, cle, instance, existant, modifies):
            self.refuses.add((label, cle))
            return
        exclus = [
            nom_champ for nom_champ in valeurs if classe._meta.get_field(nom_champ).many_to_one
        ]
        try:
            _valider(instance, exclus)
        except ValidationError as erreur:
            self._erreurs_de_validation(objet, label, cle, instance, erreur)
            self.refuses.add((label, cle))
            return
        etat = 0 if existant is None else (1 if modifies else 2)
        if etat != 2:
            if classe is Engagement:  # the tableau first, as every writer of its amounts
                verrouiller_le_tableau(instance.tableau_id)
            if etat == 1 and any(champ.name == "version" for champ in classe._meta.fields):
                # Optimistic locking (engagements, mesures): an open form sees the change.
                if classe is Engagement and not prendre_la_version(instance.pk, instance.version):
                    self._erreur(
                        objet,
                        label,
                        cle,
                        "montant",
                        "modifié entre-temps par quelqu'un d'autre pendant le chargement : "
                        "relancez le chargement.",
                    )
                    self.refuses.add((label, cle))
                    return
                instance.version += 1
            instance._history_user = self.utilisateur
            instance._change_reason = self.raison
            try:
                with transaction.atomic():
                    instance.save()
            except IntegrityError as erreur:
                self._erreur(objet, label, cle, None, f"refusé par la base de données ({erreur})")
                self.refuses.add((label, cle))
                return
        self.registre.enregistrer(
            label, tuple(cles.normaliser(label, instance.natural_key())), instance
        )
        self.charges.append((label, instance))
        self.etats.append((label, etat))

    def _champ_inconnu(self, classe, nom_champ: str) -> str:
        connus = [
            champ.name
            for champ in classe._meta.concrete_fields
            if champ.editable and not champ.primary_key
        ]
        from difflib import get_close_matches

        proches = get_close_matches(str(nom_champ), connus, n=1)
        conseil = f" ; vouliez-vous écrire « {proches[0]} » ?" if proches else ""
        return f"champ inconnu{conseil} (champs possibles : {', '.join(connus)})"

    def _objet_lie(self, champ, brut):
        liee = champ.related_model._meta.label_lower
        if brut is None:
            if not champ.null:
                raise _Probleme("obligatoire : une clé est attendue, pas « null »")
            return None
        if liee not in cles.CLES:
            raise _Probleme(
                f"les {champ.related_model._meta.verbose_name_plural} ne se chargent pas"
            )
        cle = cles.normaliser(liee, brut)
        if (liee, cle) in self.refuses:
            raise _DependDUnRefus
        trouve = self.registre.trouver(liee, cle)
        if trouve is None:
            raise _Probleme(
                f"{cles.nom(liee)} {cles.texte(cle)} inconnu(e), ni dans le fichier ni dans "
                f"{self.ailleurs}{self.registre.suggestion(liee, cle)}"
            )
        return trouve

    def _erreurs_de_validation(self, objet, label, cle, instance, erreur: ValidationError):
        for nom_champ, messages in erreur.message_dict.items():
            champ = None if nom_champ == "__all__" else nom_champ
            for message in messages:
                message = message.rstrip(".")
                if isinstance(instance, TableauEngagements) and "en vigueur" in message:
                    message += _autre_en_vigueur(instance)
                self._erreur(objet, label, cle, champ, message)

    def _dans_le_perimetre(self, objet, label, cle, instance, existant, modifies) -> bool:
        """A territory-scoped administrator touches only their territoires' objects."""
        if self.territoires is None:
            return True
        if isinstance(instance, Territoire):
            ok = existant is not None and instance.pk in self.territoires
        elif isinstance(instance, Financeur):
            if instance.territoire_id is not None:
                ok = instance.territoire_id in self.territoires
            else:  # shared financeurs (l'État, la CAF): add, never change
                ok = existant is None or not modifies
        else:
            ok = _territoire_de(label, instance) in self.territoires
        if not ok:
            self._erreur(
                objet,
                label,
                cle,
                None,
                "hors de vos territoires : vous ne pouvez charger que les conventions des "
                "territoires que vous suivez",
            )
        return ok

    # --- the report -------------------------------------------------------------------------

    def rapport(self, essai: bool) -> Rapport:
        from controles.services import controler

        rapport = Rapport(essai=essai)
        for label, etat in self.etats:
            rapport.compter(label, etat)
        tableaux = set()
        conventions = set()
        for label, instance in self.charges:
            if isinstance(instance, TableauEngagements):
                tableaux.add(instance.pk)
            elif label in ("conventions.engagement", "conventions.totalimprime"):
                tableaux.add(instance.tableau_id)
            convention = _convention_de(label, instance)
            if convention is not None:
                conventions.add(convention.pk)
        rapport.tableaux = _totaux(tableaux)
        choisies = Convention.objects.filter(pk__in=conventions)
        rapport.conventions = list(choisies.order_by("slug").values_list("intitule", flat=True))
        rapport.slugs = list(choisies.order_by("slug").values_list("slug", flat=True))
        rapport.constats = controler(choisies) if conventions else []
        return rapport


class _DependDUnRefus(Exception):
    """The object points at an object of the file that was refused: that refusal says why."""


def _valider(instance, cles_resolues: list[str]):
    """``full_clean`` without re-reading the related objects just found, but with every
    uniqueness and database constraint (``full_clean(exclude=…)`` would skip those)."""
    erreurs = erreurs_des_etapes(
        [lambda: instance.clean_fields(exclude=cles_resolues), instance.clean]
    )
    # As ``full_clean`` does, a field already refused is left out of the uniqueness and
    # constraint checks: its value (an integer beyond 64 bits…) cannot even be queried, and
    # ``clean`` already said why (a due date of 31 April), which the constraint would repeat.
    refuses = set(erreurs) - {NON_FIELD_ERRORS}
    valider_par_etapes(
        [
            lambda: instance.validate_unique(exclude=refuses),
            lambda: instance.validate_constraints(exclude=refuses),
        ],
        erreurs,
    )


def _differe(instance, nom_champ: str, valeur) -> bool:
    if instance.pk is None:
        return True
    champ = instance._meta.get_field(nom_champ)
    if champ.many_to_one:
        return getattr(instance, champ.attname) != (valeur.pk if valeur is not None else None)
    return getattr(instance, nom_champ) != valeur


def _suivre(instance, chemin: str):
    for attribut in filter(None, chemin.split(".")):
        instance = getattr(instance, attribut, None)
        if instance is None:
            return None
    return instance


def _convention_de(label: str, instance):
    if label not in CHEMINS_CONVENTION:
        return None
    return _suivre(instance, CHEMINS_CONVENTION[label])


def _territoire_de(label: str, instance) -> int | None:
    from comptes.acces import CHEMINS_TERRITOIRE

    chemin = CHEMINS_TERRITOIRE.get(label)
    if chemin is None:
        return None
    territoire = _suivre(instance, chemin.removesuffix("__in").replace("__", "."))
    return territoire.pk if territoire is not None else None


def _autre_en_vigueur(tableau: TableauEngagements) -> str:
    autre = en_vigueur_de_la_periode(tableau)
    return f" (« {autre.libelle} ») : un seul tableau en vigueur par période" if autre else ""


def _totaux(tableaux: set[int]) -> list[TableauCharge]:
    """The totals per financeur of each tableau the file touched, summed by the database."""
    from conventions.models import somme

    lignes = (
        Engagement.objects.filter(tableau__in=tableaux)
        .values("tableau", "financeur__nom", "financeur__ordre")
        .annotate(total=somme("montant"))
        .order_by("tableau", "financeur__ordre", "financeur__nom")
    )
    par_tableau: dict[int, list] = {}
    for ligne in lignes:
        par_tableau.setdefault(ligne["tableau"], []).append(
            (ligne["financeur__nom"], ligne["total"])
        )
    resultat = []
    for tableau in (
        TableauEngagements.objects.filter(pk__in=tableaux)
        .select_related("convention")
        .order_by("convention__slug", "annee_debut", "-en_vigueur", "libelle")
    ):
        resultat.append(
            TableauCharge(
                tableau.convention.slug,
                tableau.convention.intitule,
                tableau.periode,
                tableau.libelle,
                tableau.en_vigueur,
                par_tableau.get(tableau.pk, []),
            )
        )
    return resultat


# --- values ---------------------------------------------------------------------------------


def convertir(champ, brut):
    """The field's value from what the file wrote, or ``_Probleme`` saying how to write it."""
    if brut is None:
        if champ.null:
            return None
        if champ.blank and isinstance(champ, models.CharField | models.TextField):
            return ""
        raise _Probleme("obligatoire : « null » n'est pas accepté")
    if isinstance(champ, models.DecimalField):
        valeur = _decimal(champ, brut)
    elif isinstance(champ, models.BooleanField):
        if not isinstance(brut, bool):
            raise _Probleme(f"« {brut} » : écrivez true ou false")
        valeur = brut
    elif isinstance(champ, models.IntegerField):
        valeur = _entier(brut)
    elif isinstance(champ, models.DateField) and not isinstance(champ, models.DateTimeField):
        valeur = _date(brut)
    elif isinstance(champ, models.CharField | models.TextField):
        valeur = _texte(brut)
    else:
        try:
            valeur = champ.to_python(brut)
        except ValidationError as erreur:
            raise _Probleme(" ".join(erreur.messages).rstrip(".")) from None
    if champ.choices and valeur not in {choix for choix, _ in champ.flatchoices}:
        permis = ", ".join(str(choix) for choix, _ in champ.flatchoices)
        raise _Probleme(f"« {valeur} » n'est pas une valeur permise ; valeurs permises : {permis}")
    return valeur


def _decimal(champ, brut) -> Decimal:
    """An amount (or a rate) read as every other door reads it: « 1 234,50 » as well as 1234.5."""
    try:
        valeur = lire_montant(brut)
    except MontantRefuse as refus:
        raise _Probleme(str(refus).rstrip(".")) from None
    if valeur >= Decimal(10) ** (champ.max_digits - champ.decimal_places):
        raise _Probleme(f"{brut} est trop grand pour ce champ")
    return valeur


def _entier(brut) -> int:
    if isinstance(brut, bool):
        raise _Probleme(f"« {brut} » n'est pas un nombre entier")
    if isinstance(brut, int):
        return brut
    if isinstance(brut, Decimal | float) and math.isfinite(brut) and brut == int(brut):
        return int(brut)
    # ASCII digits only: « ¹ » or « ٣ » pass str.isdigit() but are no year nor count here.
    if isinstance(brut, str) and re.fullmatch(r"[0-9]+", brut.strip()):
        return int(brut.strip())
    raise _Probleme(f"« {brut} » n'est pas un nombre entier")


def _date(brut) -> date:
    if isinstance(brut, datetime):
        return brut.date()
    if isinstance(brut, date):
        return brut
    if isinstance(brut, str):
        francaise = DATE_FRANCAISE.fullmatch(brut.strip())
        if francaise:
            jour, mois, annee = francaise.groups()
            raise _Probleme(
                f"« {brut} » : écrivez la date AAAA-MM-JJ, ici {annee}-{int(mois):02d}-"
                f"{int(jour):02d}"
            )
        try:
            return date.fromisoformat(brut.strip())
        except ValueError:
            pass
    raise _Probleme(f"« {brut} » n'est pas une date AAAA-MM-JJ")


def _texte(brut) -> str:
    if isinstance(brut, str):
        return brut
    if isinstance(brut, int) and not isinstance(brut, bool):
        return str(brut)
    if isinstance(brut, float | Decimal):
        raise _Probleme(
            f'{brut} est lu comme un nombre : écrivez-le entre guillemets (« "1.10" ») pour '
            "garder le texte tel quel"
        )
    raise _Probleme("un texte est attendu")
