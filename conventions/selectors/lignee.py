"""An action through the years: the actions it continues and those that continue it, and
their amounts year by year."""

from dataclasses import dataclass

from django.db.models.expressions import RawSQL

from conventions.models import Action, Engagement, somme

# The action's ancestors and descendants through « action_precedente », walked by the database
# in one query (UNION, not UNION ALL: a loop in the data ends the walk instead of running on).
LIGNEE = """
    WITH RECURSIVE
        ancetres(id) AS (
            SELECT id FROM conventions_action WHERE id = %s
            UNION
            SELECT a.action_precedente_id FROM conventions_action a
            JOIN ancetres ON a.id = ancetres.id WHERE a.action_precedente_id IS NOT NULL
        ),
        descendants(id) AS (
            SELECT id FROM conventions_action WHERE id = %s
            UNION
            SELECT a.id FROM conventions_action a
            JOIN descendants ON a.action_precedente_id = descendants.id
        )
    SELECT id FROM ancetres UNION SELECT id FROM descendants
"""


def lignee(action: Action) -> list[Action]:
    """The action and those it continues or that continue it, oldest first: one query
    whatever the number of years."""
    actions = list(
        Action.objects.filter(pk__in=RawSQL(LIGNEE, (action.pk, action.pk)))
        .select_related("convention")
        .order_by("ordre", "code", "pk")
    )
    precedente = {a.pk: a.action_precedente_id for a in actions}

    def rang(a: Action) -> int:
        """Generations from ``action``: negative before it, positive after."""
        if a.pk == action.pk:
            return 0
        n, courant = 0, a.pk
        while courant is not None and courant != action.pk and n <= len(actions):
            courant, n = precedente.get(courant), n + 1
        if courant == action.pk:
            return n
        n, courant = 0, action.pk
        while courant is not None and courant != a.pk and n <= len(actions):
            courant, n = precedente.get(courant), n + 1
        return -n

    return sorted(actions, key=rang)


@dataclass(frozen=True)
class AnneeDeLAction:
    annee: str  # the period of the tableau: « 2023 », or « 2015-2017 »
    code: str  # the action's code that year (« 3.1 » may have been « 2.4 »)
    montants: list  # one per financeur of ``MontantsParAnnee.financeurs``, None where none


@dataclass(frozen=True)
class MontantsParAnnee:
    """The amounts of an action through the years, one row a year, one column a financeur."""

    financeurs: list[str]
    annees: list[AnneeDeLAction]

    def par_financeur(self) -> list[tuple[str, list]]:
        """The same amounts a series per financeur, as the chart draws them."""
        return [
            (nom, [annee.montants[rang] for annee in self.annees])
            for rang, nom in enumerate(self.financeurs)
        ]


def montants_par_annee(actions: list[Action]) -> MontantsParAnnee:
    """The amounts of the tableaux en vigueur of ``actions``, summed by the database per period
    and financeur, pivoted into one row a period."""
    lignes = list(
        Engagement.objects.filter(action__in=actions, tableau__en_vigueur=True)
        .values(
            "tableau__annee_debut",
            "tableau__annee_fin",
            "action__code",
            "action__convention__intitule",
            "financeur__nom",
            "financeur__ordre",
        )
        .annotate(total=somme("montant"))
        .order_by("tableau__annee_debut", "financeur__ordre")
    )
    financeurs = [
        nom for _o, nom in sorted({(m["financeur__ordre"], m["financeur__nom"]) for m in lignes})
    ]
    # One row a period, not a year: two tableaux en vigueur may start the same year (the CAF's
    # « 2015 » and « 2015-2017 »), and each keeps its own amounts.
    periodes = sorted({(m["tableau__annee_debut"], m["tableau__annee_fin"]) for m in lignes})
    par_cle = {
        (m["tableau__annee_debut"], m["tableau__annee_fin"], m["financeur__nom"]): m for m in lignes
    }
    return MontantsParAnnee(
        financeurs,
        [
            AnneeDeLAction(
                str(debut) if debut == fin else f"{debut}-{fin}",
                next(
                    m["action__code"]
                    for m in lignes
                    if (m["tableau__annee_debut"], m["tableau__annee_fin"]) == (debut, fin)
                ),
                [par_cle.get((debut, fin, nom), {}).get("total") for nom in financeurs],
            )
            for debut, fin in periodes
        ],
    )
