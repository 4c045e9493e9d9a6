"""The tableaux an annex import rewrites, as they stand when it starts: locked in key order (as
every writer of a tableau's amounts locks them), re-read and re-validated inside the
transaction, their fingerprint for the confirmation after a preview, and the freeze of a
transmitted bilan's budget asked once for all of them."""

from django.db.models import Q

from conventions.models import Action, Engagement, Financeur, TableauEngagements
from conventions.models.gardes import tableaux_proteges
from conventions.verrou import tableaux_verrouilles
from fichiers.classeurs.lecture import ClasseurInvalide, FeuilleLue


def refuser_les_tableaux_proteges(feuilles: list[FeuilleLue], etat: "EtatDesTableaux") -> None:
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


def periodes_des_feuilles(feuilles: list[FeuilleLue]) -> Q:
    """The (convention, period) pairs the sheets touch, as one filter on tableaux."""
    filtre = Q(pk__in=[])
    for feuille in feuilles:
        filtre |= Q(
            convention=feuille.convention,
            annee_debut=feuille.annee_debut,
            annee_fin=feuille.annee_fin,
        )
    return filtre


class EtatDesTableaux:
    """What the import needs from the database, read once for the whole workbook: the tableaux
    of the touched periods (locked until the end of the transaction on PostgreSQL), their
    engagements, the actions and the financeurs. Kept up to date as sheets are read (a sheet
    may end another version's « en vigueur »); ``_Ecritures`` writes the changes at the end."""

    def __init__(self, feuilles: list[FeuilleLue]):
        self.tableaux: dict[tuple, TableauEngagements] = {
            (t.convention_id, t.annee_debut, t.annee_fin, t.libelle): t
            for t in tableaux_verrouilles(
                periodes_des_feuilles(feuilles)
            )  # in key order, as every writer
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
