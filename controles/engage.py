"""What a year engages, for the synthesis: the État's and the collectivités' amounts of a year,
summed by the database and grouped as the caller asks (by dispositif, by département…).

A convention's year is counted once, from one of two sources (docs/DESIGN.md: « one version is
en vigueur per convention and year »):

1. the lines of its tableau en vigueur of that single year, when it has one;
2. otherwise the tranches of that year of its engagements pluriannuels (the Territoire zéro non
   recours: 515 000 € from the État over 2023-2025, of which the 171 667 € tranche of 2023).

A tableau covering several years (the CAF's « projection 2015-2017 ») says nothing of one year
and is not counted; a tranche of a convention that has a tableau of the year is not either (the
tableau already says what the year engages). Two grouped queries, one per source; a group's
amount is the sum of the two database sums.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q

from conventions.models import Engagement, TableauEngagements, Tranche, somme

ETAT = Q(financeur__categorie="etat")
COLLECTIVITE = Q(financeur__categorie="collectivite")
ZERO = Decimal("0.00")


def lignes_des_tableaux(conventions, annees):
    """The engagements of the tableaux en vigueur of a single year among ``annees``."""
    return Engagement.objects.filter(
        tableau__en_vigueur=True,
        tableau__annee_debut__in=annees,
        tableau__annee_fin=F("tableau__annee_debut"),
        tableau__convention__in=conventions,
    )


def tranches_sans_tableau(conventions, annees):
    """The tranches of ``annees`` of conventions that have no tableau en vigueur of that year."""
    tableau_de_l_annee = TableauEngagements.objects.filter(
        convention=OuterRef("engagement__convention"),
        en_vigueur=True,
        annee_debut=OuterRef("annee"),
        annee_fin=OuterRef("annee"),
    )
    return Tranche.objects.filter(annee__in=annees, engagement__convention__in=conventions).exclude(
        Exists(tableau_de_l_annee)
    )


def annees_des_tranches(conventions) -> set[int]:
    return set(
        Tranche.objects.filter(engagement__convention__in=conventions)
        .values_list("annee", flat=True)
        .distinct()
    )


def engage(conventions, annees, par: tuple[str, ...] = ()) -> dict[tuple, dict]:
    """``{(année, *valeurs de par): {"etat", "collectivite", "dont_tranches_etat",
    "dont_tranches_collectivite"}}``; ``par`` names paths from the convention
    (``"dispositif"``, ``"territoire__departement"``). Two queries."""
    resultat: dict[tuple, dict] = defaultdict(
        lambda: {
            "etat": ZERO,
            "collectivite": ZERO,
            "dont_tranches_etat": ZERO,
            "dont_tranches_collectivite": ZERO,
        }
    )
    sources = (
        (lignes_des_tableaux(conventions, annees), "tableau__annee_debut", "tableau__", ""),
        (tranches_sans_tableau(conventions, annees), "annee", "engagement__", "dont_tranches_"),
    )
    for requete, annee, chemin, dont in sources:
        champs = [annee, *(f"{chemin}convention__{p}" for p in par)]
        financeur = f"{chemin}financeur__categorie" if chemin == "engagement__" else None
        etat, collectivite = ETAT, COLLECTIVITE
        if financeur:
            etat = Q(**{financeur: "etat"})
            collectivite = Q(**{financeur: "collectivite"})
        rangs = (
            requete.values(*champs)
            .annotate(e=somme("montant", etat), c=somme("montant", collectivite))
            .order_by(*champs)
        )
        for rang in rangs:
            cible = resultat[tuple(rang[c] for c in champs)]
            cible["etat"] += rang["e"]
            cible["collectivite"] += rang["c"]
            if dont:
                cible["dont_tranches_etat"] += rang["e"]
                cible["dont_tranches_collectivite"] += rang["c"]
    return dict(resultat)
