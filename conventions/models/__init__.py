"""The conventions signed between the État and a collectivité, and the money they commit.

A convention groups numbered actions under axes; each year (or period) its amounts are written
in one or several versions of a tableau des engagements, one of which is en vigueur. Every object
that a fixture or a workbook refers to has a natural key, so that files never carry database ids.

One module per aggregate; everything is re-exported here, so that code and migrations keep
importing ``conventions.models``.
"""

# ruff: noqa: I001
# The modules are imported in the order their models were declared in the former single module:
# the app registry keeps that order, and ``dumpdata`` writes the models in it.
from .communs import MONTANT, PLAFOND, ZERO, ParCleNaturelle, montant_positif, somme
from .geographie import Departement, DepartementInconnu, Region
from .territoires import Financeur, Territoire
from .conventions import Avenant, Axe, Convention
from .actions import Action
from .engagements import (
    Engagement,
    EngagementQuerySet,
    TableauEngagements,
    TableauEngagementsQuerySet,
    TotalImprime,
)
from .pluriannuels import EngagementPluriannuel, EngagementPluriannuelQuerySet, Tranche
from .deliberations import Deliberation, MembreSeance, MontantDelibere, Seance

__all__ = [
    "MONTANT",
    "ZERO",
    "Action",
    "Avenant",
    "Axe",
    "Convention",
    "Deliberation",
    "Departement",
    "DepartementInconnu",
    "Engagement",
    "EngagementPluriannuel",
    "EngagementPluriannuelQuerySet",
    "EngagementQuerySet",
    "Financeur",
    "MembreSeance",
    "MontantDelibere",
    "ParCleNaturelle",
    "Region",
    "Seance",
    "TableauEngagements",
    "TableauEngagementsQuerySet",
    "Territoire",
    "TotalImprime",
    "Tranche",
    "montant_positif",
    "PLAFOND",
    "somme",
]
