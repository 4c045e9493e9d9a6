"""What the checks read, loaded in a fixed number of queries whatever the size of the data.

Sums are computed by the database (grouped ``Sum``); the rules only compare them.
"""

from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, Q

from bilans.models import Bilan, Indicateur, Mesure, RapportAction
from conventions.models import (
    Action,
    Deliberation,
    Engagement,
    EngagementPluriannuel,
    Financeur,
    MembreSeance,
    MontantDelibere,
    Seance,
    TableauEngagements,
    TotalImprime,
    Tranche,
    somme,
)


class IndicateurLu(NamedTuple):
    pk: int
    parent_id: int | None
    partie_exhaustive: bool
    libelle: str
    unite: str
    action_code: str
    convention_id: int
    ordre: int


class Donnees:
    """A snapshot of the conventions to check and of everything their rules compare.

    With ``en_vigueur`` (a tableau), the snapshot reads that version as the one en vigueur of
    its period, in place of the one that is: what the checks would find if it were put en
    vigueur, computed without writing anything."""

    def __init__(self, conventions, *, toutes_les_seances: bool = False, en_vigueur=None):
        self.conventions = list(conventions.select_related("territoire"))
        # A subquery, not a list of ids: with hundreds of conventions, a list would put as many
        # parameters in each of the queries below, and the driver spends its time on them.
        ids = conventions.order_by().values("pk")
        self._par_pk = {convention.pk: convention for convention in self.conventions}
        self.financeurs = {f.pk: f for f in Financeur.objects.all()}

        self.tableaux = self._avec_convention(TableauEngagements.objects.filter(convention__in=ids))
        vigueur = Q(tableau__en_vigueur=True)
        if en_vigueur is not None:
            periode = (en_vigueur.convention_id, en_vigueur.annee_debut, en_vigueur.annee_fin)
            for tableau in self.tableaux:
                if (tableau.convention_id, tableau.annee_debut, tableau.annee_fin) == periode:
                    tableau.en_vigueur = tableau.pk == en_vigueur.pk
            meme_periode = Q(
                tableau__convention=periode[0],
                tableau__annee_debut=periode[1],
                tableau__annee_fin=periode[2],
            )
            vigueur = (vigueur & ~meme_periode) | Q(tableau=en_vigueur.pk)
        self._tableaux_par_convention = defaultdict(list)
        for tableau in self.tableaux:
            self._tableaux_par_convention[tableau.convention_id].append(tableau)
        self.actions = {
            a.pk: a for a in self._avec_convention(Action.objects.filter(convention__in=ids))
        }
        self._actions_par_convention = defaultdict(list)
        for action in sorted(self.actions.values(), key=lambda a: (a.ordre, a.code)):
            self._actions_par_convention[action.convention_id].append(action)
        engagements = Engagement.objects.filter(tableau__convention__in=ids)
        # tableau → {(action, financeur): montant}: one engagement per key (unique constraint).
        self.lignes: dict[int, dict[tuple[int, int], Decimal]] = defaultdict(dict)
        for t, a, f, m in engagements.order_by().values_list(
            "tableau_id", "action_id", "financeur_id", "montant"
        ):
            self.lignes[t][(a, f)] = m
        self.total_par_financeur = self._sommes(engagements, "tableau_id", "financeur_id")
        self.total_par_categorie = self._sommes(engagements, "tableau_id", "financeur__categorie")
        self.action_par_categorie = self._sommes(
            engagements, "tableau_id", "action_id", "financeur__categorie"
        )
        self.action_en_vigueur = self._sommes(engagements.filter(vigueur), "action_id")
        self.totaux_imprimes = list(
            TotalImprime.objects.filter(tableau__convention__in=ids)
            .order_by()
            .values_list("tableau_id", "financeur_id", "montant")
        )

        self.pluriannuels = list(
            EngagementPluriannuel.objects.filter(convention__in=ids)
            .select_related("convention", "financeur")
            .avec_total_tranches()
        )
        self.tranches: dict[tuple[int, int], Decimal] = {
            (e, annee): montant
            for e, annee, montant in Tranche.objects.filter(engagement__convention__in=ids)
            .order_by()
            .values_list("engagement_id", "annee", "montant")
        }
        self.montants_deliberes = list(
            MontantDelibere.objects.filter(deliberation__convention__in=ids).select_related(
                "deliberation__seance", "financeur"
            )
        )

        self.bilans = self._avec_convention(Bilan.objects.filter(convention__in=ids))
        self.rapports: set[tuple[int, int]] = set(
            RapportAction.objects.filter(bilan__convention__in=ids)
            .order_by()
            .values_list("bilan_id", "action_id")
        )
        # Plain tuples, not model objects: there are tens of thousands at national scale; the
        # rule fetches the few objects its constats name.
        # The action's code and convention come from the actions already read, and the order
        # (the order of the parts in the messages: explicit) is sorted here rather than by the
        # database, which took longer to sort thousands of rows than to send them.
        lus = sorted(
            Indicateur.objects.filter(action__convention__in=ids)
            .order_by()
            .values_list(
                "pk",
                "parent_id",
                "partie_exhaustive",
                "libelle",
                "unite",
                "action_id",
                "ordre",
                "code",
            ),
            key=lambda ligne: (ligne[6], ligne[7], ligne[0]),
        )
        self.indicateurs = {}
        for pk, parent_id, exhaustive, libelle, unite, action_id, ordre, _code in lus:
            action = self.actions[action_id]
            self.indicateurs[pk] = IndicateurLu(
                pk, parent_id, exhaustive, libelle, unite, action.code, action.convention_id, ordre
            )
        self.indicateurs_par_convention: dict[int, list] = defaultdict(list)
        for indicateur in sorted(self.indicateurs.values(), key=lambda i: (i.ordre, i.pk)):
            self.indicateurs_par_convention[indicateur.convention_id].append(indicateur)
        self.mesures: dict[tuple[int, int], Decimal] = {
            (b, i): v
            for b, i, v in Mesure.objects.filter(bilan__convention__in=ids)
            .order_by()
            .values_list("bilan_id", "indicateur_id", "valeur")
        }

        seances = Seance.objects.all()
        if not toutes_les_seances:
            seances = seances.filter(deliberations__convention__in=ids).distinct()
        self.seances = list(seances.order_by("date"))
        # Filtered by the queryset (a subquery), not the list: an empty list would skip the
        # query, and the number of queries would depend on the data.
        self.deliberations = defaultdict(list)
        for deliberation in Deliberation.objects.filter(seance__in=seances).select_related(
            "seance"
        ):
            self.deliberations[deliberation.seance_id].append(deliberation)
        self.membres_listes: dict[tuple[int, str], int] = {
            (s, presence): n
            for s, presence, n in MembreSeance.objects.filter(seance__in=seances)
            .values("seance_id", "presence")
            .annotate(n=Count("id"))
            .values_list("seance_id", "presence", "n")
        }

    def _avec_convention(self, lignes) -> list:
        """The objects, each pointing at the convention already read (``select_related``
        would build one copy of the convention per row)."""
        objets = list(lignes)
        for objet in objets:
            objet.convention = self._par_pk[objet.convention_id]
        return objets

    @staticmethod
    def _sommes(engagements, *cles: str) -> dict:
        """``{(clé, …): total}`` from one grouped query; a single key is not wrapped in a tuple."""
        lignes = engagements.values(*cles).annotate(total=somme("montant")).order_by()
        if len(cles) == 1:
            return {ligne[cles[0]]: ligne["total"] for ligne in lignes}
        return {tuple(ligne[cle] for cle in cles): ligne["total"] for ligne in lignes}

    # --- Helpers the rules share ---------------------------------------------------------

    def tableaux_de(self, convention_id: int):
        return self._tableaux_par_convention.get(convention_id, [])

    def tableau_en_vigueur(self, convention_id: int, annee: int):
        """The tableau en vigueur for exactly that year, else one whose period covers it."""
        candidats = [
            t
            for t in self.tableaux_de(convention_id)
            if t.en_vigueur and t.annee_debut <= annee <= t.annee_fin
        ]
        candidats.sort(key=lambda t: (t.annee_fin - t.annee_debut, t.annee_debut))
        return candidats[0] if candidats else None

    def actions_de(self, convention_id: int):
        return self._actions_par_convention.get(convention_id, [])

    def actions_du_tableau(self, tableau_id: int) -> set[int]:
        return {action for action, _financeur in self.lignes.get(tableau_id, {})}
