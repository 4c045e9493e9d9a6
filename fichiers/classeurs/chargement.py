"""Write a read workbook into the database, atomically: afterwards each tableau holds exactly
what its sheet says. A dry run computes the same report and writes nothing."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from commun.evenements import evenement
from commun.formats import euros
from commun.historique import historiser_en_bloc
from conventions.models import Action, Engagement, Financeur, TableauEngagements
from conventions.models.gardes import tableaux_proteges
from conventions.verrou import tableaux_verrouilles
from fichiers.classeurs.lecture import ClasseurInvalide, FeuilleLue, lire


@dataclass
class Rapport:
    """What an import creates, changes and deletes, sheet by sheet, in French."""

    lignes: list[str] = field(default_factory=list)
    crees: int = 0
    modifies: int = 0
    supprimes: int = 0
    tableaux_crees: int = 0
    # Amounts whose action row or financeur column the workbook no longer has: deleted only
    # when the user confirms it (``supprimer``), listed in the preview either way.
    suppressions: list[str] = field(default_factory=list)
    suppressions_confirmees: bool = False
    # The state of the touched tableaux before the import: a confirmation after a preview
    # checks that nobody changed them in between.
    empreinte: str = ""

    def __str__(self):
        return "\n".join([self.detail, *self.avertissement_suppressions()])

    @property
    def detail(self) -> str:
        """Sheet by sheet and the total; the admin lists the deletions apart, with their box."""
        return "\n".join([*self.lignes, self.total])

    @property
    def total(self) -> str:
        """The import in one sentence, for the admin's message."""
        return (
            f"Total : {self.tableaux_crees} tableau(x) créé(s), {self.crees} montant(s) "
            f"ajouté(s), {self.modifies} modifié(s), {self.supprimes} supprimé(s)."
        )

    def avertissement_suppressions(self) -> list[str]:
        if not self.suppressions or self.suppressions_confirmees:
            return []
        return [
            f"{len(self.suppressions)} montant(s) dont la ligne d'action ou la colonne de "
            "financeur a été retirée du classeur seront supprimés seulement si vous le "
            "confirmez (--supprimer en ligne de commande, « Supprimer ces montants » dans "
            "l'administration) :",
            *self.suppressions,
        ]


def importer(
    contenu: bytes,
    *,
    essai: bool = False,
    progression=None,
    utilisateur=None,
    nom_fichier: str = "",
    empreinte_attendue: str | None = None,
    supprimer: bool = False,
) -> Rapport:
    """Import a workbook; with ``essai`` nothing is written. Raises ``ClasseurInvalide``.

    The history of every amount written records ``utilisateur`` and the file's name. With
    ``empreinte_attendue`` (from a preview), the import is refused if the tableaux changed since.
    A blank cell leaves its amount unchanged; an amount whose row or column was removed is
    deleted only with ``supprimer``, and without it a real import is refused.
    """
    from comptes.acces import conventions_de

    feuilles = lire(contenu, None if utilisateur is None else conventions_de(utilisateur))
    rapport = Rapport(suppressions_confirmees=supprimer)
    auteur = {"utilisateur": utilisateur, "raison": f"import de {nom_fichier or 'classeur'}"}
    with transaction.atomic():
        etat = _Etat(feuilles)
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
        _refuser_les_tableaux_proteges(feuilles, etat)
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


def _refuser_les_tableaux_proteges(feuilles: list[FeuilleLue], etat: "_Etat") -> None:
    ecrits = {
        feuille.nom: etat.tableaux.get(
            (feuille.convention.pk, feuille.annee_debut, feuille.annee_fin, feuille.libelle)
        )
        for feuille in feuilles
    }
    proteges = tableaux_proteges(t.pk for t in ecrits.values() if t is not None)
    refus = [
        f"Feuille « {nom} » : {proteges[tableau.pk]}"
        for nom, tableau in ecrits.items()
        if tableau is not None and tableau.pk in proteges
    ]
    if refus:
        raise ClasseurInvalide([*refus, "Rien n'a été écrit."])


def _periodes(feuilles: list[FeuilleLue]) -> Q:
    """The (convention, period) pairs the sheets touch, as one filter on tableaux."""
    filtre = Q(pk__in=[])
    for feuille in feuilles:
        filtre |= Q(
            convention=feuille.convention,
            annee_debut=feuille.annee_debut,
            annee_fin=feuille.annee_fin,
        )
    return filtre


class _Etat:
    """What the import needs from the database, read once for the whole workbook: the tableaux
    of the touched periods (locked until the end of the transaction on PostgreSQL), their
    engagements, the actions and the financeurs. Kept up to date as sheets are read (a sheet
    may end another version's « en vigueur »); ``_Ecritures`` writes the changes at the end."""

    def __init__(self, feuilles: list[FeuilleLue]):
        self.tableaux: dict[tuple, TableauEngagements] = {
            (t.convention_id, t.annee_debut, t.annee_fin, t.libelle): t
            for t in tableaux_verrouilles(_periodes(feuilles))  # in key order, as every writer
        }
        # The versions of each period (the tableaux created by the import join them), and
        # which were en vigueur when read: the writes retire them before crowning another.
        self.periodes: dict[tuple, list[TableauEngagements]] = {}
        for (convention, debut, fin, _libelle), tableau in self.tableaux.items():
            self.periodes.setdefault((convention, debut, fin), []).append(tableau)
        self.par_pk = {t.pk: t for t in self.tableaux.values()}
        self.en_vigueur_lu = {t.pk for t in self.tableaux.values() if t.en_vigueur}
        conventions = {feuille.convention.pk for feuille in feuilles}
        self.actions = {
            (a.convention_id, a.code): a for a in Action.objects.filter(convention__in=conventions)
        }
        self.financeurs = {f.slug: f for f in Financeur.objects.all()}
        self._revalider(feuilles)
        # The lines of the tableaux the sheets rewrite (not of the period's other versions),
        # pointing at the actions and financeurs above rather than at copies.
        ecrits = [
            self.tableaux[cle].pk
            for cle in ((f.convention.pk, f.annee_debut, f.annee_fin, f.libelle) for f in feuilles)
            if cle in self.tableaux
        ]
        actions = {a.pk: a for a in self.actions.values()}
        financeurs = {f.pk: f for f in self.financeurs.values()}
        self.engagements: dict[int, list[Engagement]] = {}
        for engagement in Engagement.objects.filter(tableau__in=ecrits).order_by():
            if engagement.action_id in actions:  # else read when needed
                engagement.action = actions[engagement.action_id]
            engagement.financeur = financeurs[engagement.financeur_id]
            self.engagements.setdefault(engagement.tableau_id, []).append(engagement)

    def _revalider(self, feuilles: list[FeuilleLue]) -> None:
        """The workbook was read before the transaction: an action or a financeur (or a
        convention, with its actions) deleted since is refused here, in French, before
        anything is written."""
        refus = []
        for feuille in feuilles:  # a deleted convention took its actions with it
            codes = sorted({code for code, _slug in feuille.montants})
            slugs = sorted({slug for _code, slug in feuille.montants})
            for code in codes:
                if (feuille.convention.pk, code) not in self.actions:
                    refus.append(
                        f"Feuille « {feuille.nom} » : l'action {code} a été supprimée pendant "
                        "l'import."
                    )
            for slug in slugs:
                if slug not in self.financeurs:
                    refus.append(
                        f"Feuille « {feuille.nom} » : le financeur « {slug} » a été supprimé "
                        "pendant l'import."
                    )
        if refus:
            raise ClasseurInvalide([*refus, "Rien n'a été écrit : relancez l'import."])

    def empreinte(self) -> str:
        """Every engagement (id, version) of the touched tableaux, as read before any write:
        a confirmation after a preview compares it to refuse changes made in between."""
        import hashlib

        tableaux = [(t.pk, t.en_vigueur) for t in self.tableaux.values()]
        lignes = list(
            Engagement.objects.filter(tableau__in=[pk for pk, _vigueur in tableaux])
            .order_by("pk")
            .values_list("pk", "version")
        )
        return hashlib.sha256(f"{tableaux!r}|{lignes!r}".encode()).hexdigest()

    def versions_de(self, feuille: FeuilleLue) -> list[TableauEngagements]:
        cle = (feuille.convention.pk, feuille.annee_debut, feuille.annee_fin)
        return self.periodes.get(cle, [])

    def ajouter(self, cle: tuple, tableau: TableauEngagements) -> None:
        self.tableaux[cle] = tableau
        self.periodes.setdefault(cle[:3], []).append(tableau)


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

    def appliquer(self, auteur: dict, etat: _Etat) -> None:
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
    return ecrits


def _charger_feuille(
    feuille: FeuilleLue, rapport: Rapport, etat: _Etat, ecritures: _Ecritures
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
