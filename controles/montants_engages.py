"""What each convention engages each year, from its two sources, as the synthesis counts it
(docs/DESIGN.md: « one version is en vigueur per convention and year »):

1. the lines of its tableau en vigueur of that single year, when it has one;
2. otherwise the tranches of that year of its engagements pluriannuels (the Territoire zéro non
   recours: 515 000 € from the État over 2023-2025, of which the 171 667 € tranche of 2023).

A tableau covering several years (the CAF's « projection 2015-2017 ») says nothing of one year
and is not counted; a tranche of a convention that has a tableau of the year is not either (the
tableau already says what the year engages).

Computed per convention, by year and top-level axe, when its stored summary is out of date
(``enregistres.recalculer``), in two grouped queries; the synthesis then sums the stored rows
(``engage.py``), a few per convention, rather than every engagement of the country.
"""

from django.db.models import Exists, F, OuterRef, Q, TextField, Value
from django.db.models.functions import Coalesce

from conventions.models import Engagement, TableauEngagements, Tranche, somme

ETAT = Q(financeur__categorie="etat")
COLLECTIVITE = Q(financeur__categorie="collectivite")
SANS_AXE = "Actions sans axe"
TRANCHES = "Engagements pluriannuels (tranches de l'année, sans action)"

# A convention numbers its axes its own way (« 1 », « P1 »…) and nests them (pilier >
# orientation > objectif): an action's line is told by the intitulé of its top-level axe.
AXE_DE_PREMIER_NIVEAU = Coalesce(
    "action__axe__parent__parent__intitule",
    "action__axe__parent__intitule",
    "action__axe__intitule",
    Value(SANS_AXE),
    output_field=TextField(),
)


def lignes_des_tableaux(conventions):
    """The engagements of the tableaux en vigueur of a single year."""
    return Engagement.objects.filter(
        tableau__en_vigueur=True,
        tableau__annee_fin=F("tableau__annee_debut"),
        tableau__convention__in=conventions,
    )


def tranches_sans_tableau(conventions):
    """The tranches of the years in which their convention has no tableau en vigueur."""
    tableau_de_l_annee = TableauEngagements.objects.filter(
        convention=OuterRef("engagement__convention"),
        en_vigueur=True,
        annee_debut=OuterRef("annee"),
        annee_fin=OuterRef("annee"),
    )
    return Tranche.objects.filter(engagement__convention__in=conventions).exclude(
        Exists(tableau_de_l_annee)
    )


def montants_par_convention(conventions) -> list[dict]:
    """``{convention, annee, axe, tranches, etat, collectivite, dispositif, departement}``
    rows: a convention's year by top-level axe (its tranches on one line of their own), État
    and collectivités, with the convention's dispositif and département to group them by."""
    tableaux = (
        lignes_des_tableaux(conventions)
        .values(
            convention_id=F("tableau__convention"),
            annee=F("tableau__annee_debut"),
            axe=AXE_DE_PREMIER_NIVEAU,
            dispositif=F("tableau__convention__dispositif"),
            departement_id=F("tableau__convention__territoire__departement"),
        )
        .annotate(etat=somme("montant", ETAT), collectivite=somme("montant", COLLECTIVITE))
        .order_by()
    )
    tranches = (
        tranches_sans_tableau(conventions)
        .values(
            "annee",
            convention_id=F("engagement__convention"),
            dispositif=F("engagement__convention__dispositif"),
            departement_id=F("engagement__convention__territoire__departement"),
        )
        .annotate(
            etat=somme("montant", Q(engagement__financeur__categorie="etat")),
            collectivite=somme("montant", Q(engagement__financeur__categorie="collectivite")),
        )
        .order_by()
    )
    return [{**rang, "tranches": False} for rang in tableaux] + [
        {**rang, "axe": TRANCHES, "tranches": True} for rang in tranches
    ]
