"""Load a convention file: check every object, report every problem, write all or nothing.

Each object goes through the model's own validation (``full_clean``: fields, ``clean()``,
uniqueness and database constraints with their French messages) inside one transaction; the
file is refused, and the transaction rolled back, as soon as one object has a problem, but only
after every object was checked, so that the administrator fixes the whole file at once. A dry
run loads everything the same way, reads the report (totals, constats) and rolls back.

Unlike ``loaddata``, a field the file leaves out keeps its value in the database.
"""

import logging
import re

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction

from commun.evenements import evenement
from conventions.models import Departement, Engagement, Financeur, TableauEngagements, Territoire
from conventions.verrou import prendre_la_version, tableaux_verrouilles, verrouiller_le_tableau
from fichiers.annuel import cles
from fichiers.annuel.fichier import FichierInvalide, ObjetLu, lire
from fichiers.annuel.objets import DependDUnRefus, autre_en_vigueur, differe, territoire_de, valider
from fichiers.annuel.rapport import RapportDeChargement, rapport_du_chargement
from fichiers.annuel.valeurs import ValeurRefusee, champ_inconnu, convertir, lire_departement

journal = logging.getLogger(__name__)


# How to reach the convention of an object, to list the constats of what was loaded.


def charger(
    contenu: bytes,
    *,
    nom_fichier: str = "",
    essai: bool = False,
    utilisateur=None,
    empreinte_attendue: str | None = None,
) -> RapportDeChargement:
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
            rapport = rapport_du_chargement(chargement.etats, chargement.charges, essai)
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
        self.departements = None
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
            cle = cles.cle_brute(label, champs)
            if cle is not None:
                identite = (label, cles.identite(label, champs))
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
                attendus = cles.dependances(label, champs, cles_du_fichier) - {(label, cle)}
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
                self._erreur(objet, label, cle, nom_champ, champ_inconnu(classe, nom_champ))
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
            except DependDUnRefus:
                depend_d_un_refus = True
                continue
            except (ValeurRefusee, cles.CleInvalide) as probleme:
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
            if differe(instance, nom_champ, valeur)
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
            valider(instance, exclus)
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

    def _objet_lie(self, champ, brut):
        liee = champ.related_model._meta.label_lower
        if brut is None:
            if not champ.null:
                raise ValeurRefusee("obligatoire : une clé est attendue, pas « null »")
            return None
        if liee == "conventions.departement":  # the COG's list: a code or a name
            self.departements = self.departements or list(Departement.objects.all())
            return lire_departement(brut, self.departements)
        if liee not in cles.CLES:
            raise ValeurRefusee(
                f"les {champ.related_model._meta.verbose_name_plural} ne se chargent pas"
            )
        cle = cles.normaliser(liee, brut)
        if (liee, cle) in self.refuses:
            raise DependDUnRefus
        trouve = self.registre.trouver(liee, cle)
        if trouve is None:
            raise ValeurRefusee(
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
                    message += autre_en_vigueur(instance)
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
            ok = territoire_de(label, instance) in self.territoires
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
