"""Write a read workbook into the database, atomically: afterwards each tableau holds exactly
what its sheet says. A dry run computes the same report and writes nothing."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from commun.formats import euros
from conventions.models import Action, Engagement, Financeur, TableauEngagements

from .lecture import ClasseurInvalide, FeuilleLue, lire


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
        return "\n".join(
            [
                *self.lignes,
                f"Total : {self.tableaux_crees} tableau(x) créé(s), {self.crees} montant(s) "
                f"ajouté(s), {self.modifies} modifié(s), {self.supprimes} supprimé(s).",
            ]
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
        for numero, feuille in enumerate(feuilles, start=1):
            _charger_feuille(feuille, rapport, auteur, etat)
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
        if essai:
            transaction.set_rollback(True)
    return rapport


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
    engagements, the actions and the financeurs. Kept up to date as sheets are written (a sheet
    may end another version's « en vigueur »)."""

    def __init__(self, feuilles: list[FeuilleLue]):
        self.tableaux: dict[tuple, TableauEngagements] = {
            (t.convention_id, t.annee_debut, t.annee_fin, t.libelle): t
            for t in TableauEngagements.objects.select_for_update()
            .filter(_periodes(feuilles))
            .order_by("pk")
        }
        conventions = {feuille.convention.pk for feuille in feuilles}
        self.actions = {
            (a.convention_id, a.code): a for a in Action.objects.filter(convention__in=conventions)
        }
        self.financeurs = {f.slug: f for f in Financeur.objects.all()}
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
        for engagement in Engagement.objects.filter(tableau__in=ecrits):
            if engagement.action_id in actions:  # else read when needed
                engagement.action = actions[engagement.action_id]
            engagement.financeur = financeurs[engagement.financeur_id]
            self.engagements.setdefault(engagement.tableau_id, []).append(engagement)

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
        return [t for (c, d, f, _l), t in self.tableaux.items() if (c, d, f) == cle]


def _charger_feuille(feuille: FeuilleLue, rapport: Rapport, auteur: dict, etat: _Etat) -> None:
    cle = (feuille.convention.pk, feuille.annee_debut, feuille.annee_fin, feuille.libelle)
    tableau = etat.tableaux.get(cle)
    entete = f"Feuille « {feuille.nom} » — {feuille.convention.slug} {feuille.annee_debut}"
    if feuille.annee_fin != feuille.annee_debut:
        entete += f"-{feuille.annee_fin}"
    entete += f" « {feuille.libelle} »"
    if feuille.en_vigueur:
        anciens = [
            t for t in etat.versions_de(feuille) if t.en_vigueur and t.libelle != feuille.libelle
        ]
        for ancien in anciens:
            rapport.lignes.append(f"{entete} : « {ancien.libelle} » n'est plus en vigueur.")
            ancien.en_vigueur = False
        if anciens:
            TableauEngagements.objects.filter(pk__in=[t.pk for t in anciens]).update(
                en_vigueur=False
            )
    if tableau is None:
        tableau = TableauEngagements(
            convention=feuille.convention,
            annee_debut=feuille.annee_debut,
            annee_fin=feuille.annee_fin,
            libelle=feuille.libelle,
        )
        etat.tableaux[cle] = tableau
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
    tableau.full_clean(
        exclude={"convention", "avenant"}, validate_unique=False, validate_constraints=False
    )
    if not inchange:  # a history line for what the import changed, not for every sheet
        tableau._history_user = auteur["utilisateur"]
        tableau._change_reason = auteur["raison"]
        tableau.save()

    actions, financeurs = etat.actions, etat.financeurs
    existants = {(e.action.code, e.financeur.slug): e for e in etat.engagements.get(tableau.pk, [])}
    convention = feuille.convention.pk
    nouveaux, modifies, details = [], [], []
    for cle_ligne, montant in sorted(feuille.montants.items()):
        engagement = existants.pop(cle_ligne, None)
        if engagement is None:
            nouveaux.append(
                Engagement(
                    tableau=tableau,
                    action=actions[(convention, cle_ligne[0])],
                    financeur=financeurs[cle_ligne[1]],
                    montant=montant,
                )
            )
            details.append(f"  + {cle_ligne[0]} {financeurs[cle_ligne[1]].nom} : {euros(montant)}")
        elif engagement.montant != montant:
            details.append(
                f"  ~ {cle_ligne[0]} {engagement.financeur.nom} : {euros(engagement.montant)} → "
                f"{euros(montant)}"
            )
            engagement.montant = montant
            engagement.version += 1
            modifies.append(engagement)
    retires = []
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
    # database for each line's foreign keys and constraints.
    for engagement in nouveaux + modifies:
        engagement.clean_fields(exclude={"tableau", "action", "financeur"})
    historique = {
        "default_user": auteur["utilisateur"],
        "default_change_reason": auteur["raison"],
    }
    if nouveaux:
        bulk_create_with_history(nouveaux, Engagement, **historique)
    if modifies:
        bulk_update_with_history(modifies, Engagement, ["montant", "version"], **historique)
    for engagement in retires:  # few, and each deletion keeps its history line
        engagement._history_user = auteur["utilisateur"]
        engagement._change_reason = auteur["raison"]
        engagement.delete()
    rapport.crees += len(nouveaux)
    rapport.modifies += len(modifies)
    rapport.supprimes += len(retires)
    total = sum(feuille.montants.values(), Decimal(0))
    rapport.lignes.append(
        f"{entete} : {len(nouveaux)} ajouté(s), {len(modifies)} modifié(s), "
        f"{len(retires)} supprimé(s) ; total de la feuille {euros(total)}."
    )
    rapport.lignes.extend(details)
