"""Write a read workbook into the database, atomically: afterwards each tableau holds exactly
what its sheet says. A dry run computes the same report and writes nothing."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from commun.ecritures import signaler_en_bloc
from commun.evenements import evenement
from commun.formats import euros
from commun.historique import historiser_en_bloc
from conventions.models import Engagement, TableauEngagements
from fichiers.classeurs.etat_des_tableaux import EtatDesTableaux, refuser_les_tableaux_proteges
from fichiers.classeurs.lecture import ClasseurInvalide, FeuilleLue, lire
from fichiers.classeurs.rapport_d_import import RapportDImport


def importer(
    contenu: bytes,
    *,
    essai: bool = False,
    progression=None,
    utilisateur=None,
    nom_fichier: str = "",
    empreinte_attendue: str | None = None,
    supprimer: bool = False,
) -> RapportDImport:
    """Import a workbook; with ``essai`` nothing is written. Raises ``ClasseurInvalide``.

    The history of every amount written records ``utilisateur`` and the file's name. With
    ``empreinte_attendue`` (from a preview), the import is refused if the tableaux changed since.
    A blank cell leaves its amount unchanged; an amount whose row or column was removed is
    deleted only with ``supprimer``, and without it a real import is refused.
    """
    from comptes.acces import conventions_de

    feuilles = lire(contenu, None if utilisateur is None else conventions_de(utilisateur))
    rapport = RapportDImport(suppressions_confirmees=supprimer)
    auteur = {"utilisateur": utilisateur, "raison": f"import de {nom_fichier or 'classeur'}"}
    with transaction.atomic():
        etat = EtatDesTableaux(feuilles)
        rapport.empreinte = etat.empreinte()
        if empreinte_attendue is not None and rapport.empreinte != empreinte_attendue:
            raise ClasseurInvalide(
                [
                    "Les tableaux de ce classeur ont été modifiés depuis l'aperçu (par un "
                    "import ou une saisie) : rien n'a été écrit, relancez l'aperçu."
                ]
            )
        # A tableau that must not change (a transmitted bilan's prévisionnel) refuses the
        # workbook, once for all its sheets: the writes below go around the models' save().
        refuser_les_tableaux_proteges(feuilles, etat)
        # Each sheet is compared with the database and checked; the writes wait for the end,
        # gathered into a fixed number of queries for the whole workbook (not a few per sheet).
        ecritures = _Ecritures()
        for numero, feuille in enumerate(feuilles, start=1):
            _charger_feuille(feuille, rapport, etat, ecritures)
            if progression:
                progression(numero, len(feuilles), feuille.nom)
        if rapport.suppressions and not supprimer and not essai:
            raise ClasseurInvalide(
                [
                    f"{len(rapport.suppressions)} montant(s) ont perdu leur ligne d'action ou "
                    "leur colonne de financeur dans le classeur ; rien n'a été écrit. Pour les "
                    "supprimer, confirmez-le (--supprimer en ligne de commande, « Supprimer ces "
                    "montants » dans l'administration) ; sinon, rétablissez la ligne ou la "
                    "colonne :",
                    *rapport.suppressions,
                ]
            )
        # The dry run writes too (rolled back below): the database's constraints check the
        # preview as they will check the import.
        ecritures.appliquer(auteur, etat)
        if essai:
            transaction.set_rollback(True)
    evenement(
        "aperçu de classeur" if essai else "classeur importé",
        utilisateur,
        fichier=nom_fichier,
        crees=rapport.crees,
        modifies=rapport.modifies,
        supprimes=rapport.supprimes,
    )
    return rapport


@dataclass
class _Ecritures:
    """What the sheets change, written at the end in a fixed number of queries: a tableau's
    engagements are not written sheet by sheet (two queries a sheet: 362 for the national
    import's 181 sheets, 372 with the rest of the import, against 14 here)."""

    tableaux_crees: list[TableauEngagements] = field(default_factory=list)
    tableaux_modifies: list[TableauEngagements] = field(default_factory=list)
    nouveaux: list[Engagement] = field(default_factory=list)
    modifies: list[Engagement] = field(default_factory=list)
    retires: list[Engagement] = field(default_factory=list)
    # (amount, version) pairs whose field checks passed
    verifies: set[tuple[str, int]] = field(default_factory=set)

    def appliquer(self, auteur: dict, etat: EtatDesTableaux) -> None:
        historique = {
            "default_user": auteur["utilisateur"],
            "default_change_reason": auteur["raison"],
        }
        # First the versions no longer en vigueur (no history line, as a retirement never
        # had one), so that the one replacing them never meets them in the database's « one
        # version en vigueur per period » constraint; then the tableaux the sheets change, then
        # those they create.
        hors_vigueur = [pk for pk in etat.en_vigueur_lu if not etat.par_pk[pk].en_vigueur]
        if hors_vigueur:
            TableauEngagements.objects.filter(pk__in=hors_vigueur).update(en_vigueur=False)
        if self.tableaux_modifies:
            bulk_update_with_history(
                self.tableaux_modifies,
                TableauEngagements,
                ["nature", "en_vigueur", "source"],
                **historique,
            )
        if self.tableaux_crees:
            bulk_create_with_history(self.tableaux_crees, TableauEngagements, **historique)
        for engagement in self.retires:  # few, and each deletion keeps its history line
            engagement._history_user = auteur["utilisateur"]
            engagement._change_reason = auteur["raison"]
            engagement.delete()
        # The engagements' history lines are copied from their rows by the database.
        trace = {"utilisateur": auteur["utilisateur"], "raison": auteur["raison"]}
        if self.modifies:
            # Each on the version read (``conventions.verrou``): a row changed since is refused.
            if _mettre_a_jour(self.modifies, ["montant", "version"], version_lue=True) != len(
                self.modifies
            ):
                raise ClasseurInvalide(
                    [
                        "Des montants de ces tableaux ont été modifiés pendant l'import (par "
                        "une saisie ou un autre import) : rien n'a été écrit, relancez l'import."
                    ]
                )
            historiser_en_bloc(Engagement, [e.pk for e in self.modifies], nature="~", **trace)
        if self.nouveaux:
            # The new tableaux have their key now: the engagements take it as they are saved.
            Engagement.objects.bulk_create(self.nouveaux)
            historiser_en_bloc(Engagement, [e.pk for e in self.nouveaux], **trace)


def _mettre_a_jour(objets: list, champs: list[str], *, version_lue: bool = False) -> int:
    """``UPDATE … FROM (VALUES …)``: the new values of ``champs`` for each object, in one query
    (one per batch where the database caps the parameters, SQLite). Django's ``bulk_update``
    builds a ``CASE`` branch per object and field: 5 s of Python for 10 000 changed amounts,
    and the database reads the branches for each row, quadratic in the batch's size.

    With ``version_lue``, a row is written only if its version is still the one read (the new
    one minus 1). Returns the number of rows written."""
    from django.db import connections, router

    modele = type(objets[0])
    alias = router.db_for_write(modele)
    connexion = connections[alias]
    nom = connexion.ops.quote_name
    table, cle = nom(modele._meta.db_table), nom(modele._meta.pk.column)
    colonnes = [modele._meta.get_field(champ) for champ in champs]
    # VALUES names its columns column1 (the key), column2… in PostgreSQL and in SQLite.
    affectations = ", ".join(
        f"{nom(colonne.column)} = v.column{rang}" for rang, colonne in enumerate(colonnes, 2)
    )
    largeur = len(colonnes) + 1 + version_lue
    marques = f"({', '.join(['%s'] * largeur)})"
    condition = ""
    if version_lue:
        condition = f" AND {table}.{nom('version')} = v.column{largeur}"
    plafond = connexion.features.max_query_params
    lot = len(objets) if plafond is None else plafond // largeur
    ecrits = 0
    with connexion.cursor() as curseur:
        for debut in range(0, len(objets), lot):
            morceau = objets[debut : debut + lot]
            valeurs = [
                valeur
                for objet in morceau
                for valeur in (
                    objet.pk,
                    *(c.get_db_prep_save(getattr(objet, c.attname), connexion) for c in colonnes),
                    *([objet.version - 1] if version_lue else []),
                )
            ]
            curseur.execute(
                f"UPDATE {table} SET {affectations} "
                f"FROM (VALUES {', '.join([marques] * len(morceau))}) AS v "
                f"WHERE {table}.{cle} = v.column1{condition}",
                valeurs,
            )
            ecrits += curseur.rowcount
    # Around the ORM: tell what the rows feed (the stored constats) as the bulk paths do.
    signaler_en_bloc(modele, modele._base_manager.filter(pk__in=[objet.pk for objet in objets]))
    return ecrits


def _charger_feuille(
    feuille: FeuilleLue, rapport: RapportDImport, etat: EtatDesTableaux, ecritures: _Ecritures
) -> None:
    cle = (feuille.convention.pk, feuille.annee_debut, feuille.annee_fin, feuille.libelle)
    tableau = etat.tableaux.get(cle)
    entete = f"Feuille « {feuille.nom} » — {feuille.convention.slug} {feuille.annee_debut}"
    if feuille.annee_fin != feuille.annee_debut:
        entete += f"-{feuille.annee_fin}"
    entete += f" « {feuille.libelle} »"
    if feuille.en_vigueur:
        for ancien in etat.versions_de(feuille):
            if ancien.en_vigueur and ancien.libelle != feuille.libelle:
                rapport.lignes.append(f"{entete} : « {ancien.libelle} » n'est plus en vigueur.")
                ancien.en_vigueur = False  # written by ``_Ecritures.appliquer``
    if tableau is None:
        tableau = TableauEngagements(
            convention=feuille.convention,
            annee_debut=feuille.annee_debut,
            annee_fin=feuille.annee_fin,
            libelle=feuille.libelle,
        )
        etat.ajouter(cle, tableau)
        ecritures.tableaux_crees.append(tableau)
        rapport.tableaux_crees += 1
        rapport.lignes.append(f"{entete} : nouveau tableau.")
    inchange = tableau.pk is not None and (
        tableau.nature,
        tableau.en_vigueur,
        tableau.source,
    ) == (feuille.nature, feuille.en_vigueur, feuille.source)
    tableau.nature = feuille.nature
    tableau.en_vigueur = feuille.en_vigueur
    tableau.source = feuille.source
    # The convention is the sheet's (checked by ``lecture``), the key unique by construction
    # (the dictionary above) and the only other version en vigueur was just retired: the field
    # checks suffice, the database constraints still stand behind.
    # Whether the tableau may change at all was asked once for the workbook (``importer``).
    tableau.clean_fields(exclude={"convention", "avenant"})
    if not inchange and tableau.pk is not None:
        # a history line for what the import changed, not for every sheet
        ecritures.tableaux_modifies.append(tableau)

    actions, financeurs = etat.actions, etat.financeurs
    existants = {(e.action.code, e.financeur.slug): e for e in etat.engagements.get(tableau.pk, [])}
    convention = feuille.convention.pk
    nouveaux, modifies, retires, details = [], [], [], []
    for cle_ligne, montant in sorted(feuille.montants.items()):
        engagement = existants.pop(cle_ligne, None)
        if engagement is None:
            # Keys rather than objects (a descriptor each); the tableau as an object while a
            # new one has no key yet (``bulk_create`` reads it from there once it has).
            nouveau = Engagement(
                action_id=actions[(convention, cle_ligne[0])].pk,
                financeur_id=financeurs[cle_ligne[1]].pk,
                montant=montant,
            )
            if tableau.pk is None:
                nouveau.tableau = tableau
            else:
                nouveau.tableau_id = tableau.pk
            nouveaux.append(nouveau)
            details.append(f"  + {cle_ligne[0]} {financeurs[cle_ligne[1]].nom} : {euros(montant)}")
        elif engagement.montant != montant:
            details.append(
                f"  ~ {cle_ligne[0]} {engagement.financeur.nom} : {euros(engagement.montant)} → "
                f"{euros(montant)}"
            )
            engagement.montant = montant
            engagement.version += 1
            modifies.append(engagement)
    for (code, slug), engagement in sorted(existants.items()):
        if code in feuille.codes and slug in feuille.financeurs:
            continue  # a blank cell: the amount stays as it is
        ligne = f"  − {code} {engagement.financeur.nom} : {euros(engagement.montant)}"
        details.append(ligne)
        rapport.suppressions.append(f"{entete} :{ligne[1:]}")
        retires.append(engagement)
    if not rapport.suppressions_confirmees:
        retires = []
    # Field checks only: the keys come from this convention's actions and the known
    # financeurs, unique by construction (dictionary keys), the amounts were checked by
    # ``lecture``; the database constraints still stand behind. ``full_clean`` would query the
    # database for each line's foreign keys and constraints. These checks read the amount and
    # the version alone: each pair is checked once (the amount as written, « 1.0 » apart from
    # « 1.00 »), not once per line.
    for engagement in nouveaux + modifies:
        verifie = (str(engagement.montant), engagement.version)
        if verifie not in ecritures.verifies:
            engagement.clean_fields(exclude={"tableau", "action", "financeur"})
            ecritures.verifies.add(verifie)
    ecritures.nouveaux += nouveaux
    ecritures.modifies += modifies
    ecritures.retires += retires
    rapport.crees += len(nouveaux)
    rapport.modifies += len(modifies)
    rapport.supprimes += len(retires)
    total = sum(feuille.montants.values(), Decimal(0))
    rapport.lignes.append(
        f"{entete} : {len(nouveaux)} ajouté(s), {len(modifies)} modifié(s), "
        f"{len(retires)} supprimé(s) ; total de la feuille {euros(total)}."
    )
    rapport.lignes.extend(details)
