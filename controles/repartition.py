"""Where the year's engaged money goes, for the synthesis: by axe and by département.

Same engaged amounts as ``synthese.engagements_par_dispositif`` (``engage.py``: the tableau en
vigueur of the year, or the year's tranches of a convention without one), cut another way;
their totals are the same database sums.

Axes: a convention numbers its axes its own way (« 1 », « P1 »…) and nests them (pilier >
orientation > objectif), so lines are grouped by dispositif and by the intitulé of the action's
top-level axe, as the convention prints it (two conventions with the same intitulé share a
line). Tranches of engagements pluriannuels have no action: they make their own line.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F

from commun.collation import cle_francaise
from conventions.models import Convention, somme

from . import engage
from .montants_engages import SANS_AXE, TRANCHES  # noqa: F401 (their names)

LIBELLES_DISPOSITIFS = dict(Convention.Dispositif.choices)
SANS_DEPARTEMENT = "Sans département"


@dataclass
class LigneAxe:
    dispositif: str
    axe: str
    engage_etat: Decimal
    engage_collectivite: Decimal


def engage_par_axe(conventions, annee: int) -> list[LigneAxe]:
    """One grouped query on the stored amounts (dispositif, top-level axe; the tranches on a
    line of their own); dispositifs in their usual order, then the larger État amount."""
    rangs = (
        engage.montants(conventions, [annee])
        .values("dispositif", nom_axe=F("axe"))
        .annotate(e=somme("etat"), c=somme("collectivite"))
        .order_by("dispositif", "nom_axe")
    )
    lignes = [
        LigneAxe(
            LIBELLES_DISPOSITIFS.get(r["dispositif"], r["dispositif"]), r["nom_axe"], r["e"], r["c"]
        )
        for r in rangs
    ]
    ordre = list(LIBELLES_DISPOSITIFS.values())
    return sorted(
        lignes,
        key=lambda ligne: (
            ordre.index(ligne.dispositif) if ligne.dispositif in ordre else len(ordre),
            -ligne.engage_etat,
            ligne.axe,
        ),
    )


@dataclass
class LigneDepartement:
    code: str | None  # None: territoires without a département
    nom: str
    region: str
    engage_etat: Decimal
    engage_collectivite: Decimal


def engage_par_departement(
    conventions, annee: int, lieux: "Lieux | None" = None
) -> list[LigneDepartement]:
    """The year's engaged amounts by the territoire's département, in the order of the
    official codes, the territoires without a département last: one grouped query. With
    ``lieux`` (``lieux_suivis`` of the same user's territoires, which names every département
    their conventions are in), the names come from it rather than from a join in the query."""
    rangs = None
    if lieux is not None:
        regions = dict(lieux.regions)
        noms = {code: (nom, regions[region]) for code, nom, region in lieux.departements}
        montants = engage.engage(conventions, [annee], ("territoire__departement",))
        if all(code is None or code in noms for _annee, code in montants):
            rangs = [
                (code, *noms.get(code, (None, None)), m) for (_annee, code), m in montants.items()
            ]
    if rangs is None:
        chemins = (
            "territoire__departement",
            "territoire__departement__nom",
            "territoire__departement__region__nom",
        )
        rangs = [
            (code, nom, region, m)
            for (_annee, code, nom, region), m in engage.engage(
                conventions, [annee], chemins
            ).items()
        ]
    lignes = [
        LigneDepartement(code, nom or SANS_DEPARTEMENT, region or "", m["etat"], m["collectivite"])
        for code, nom, region, m in rangs
    ]
    return sorted(lignes, key=lambda ligne: (ligne.code is None, ligne.code or ""))


@dataclass
class Lieux:
    """The régions and départements of the territoires a user follows, for the filters."""

    regions: list[tuple[str, str]]
    departements: list[tuple[str, str, str]]  # code, nom, code of its région


def lieux_suivis(territoires) -> Lieux:
    """One query: the (département, région) pairs of ``territoires``."""
    paires = (
        territoires.filter(departement__isnull=False)
        .values_list(
            "departement__code",
            "departement__nom",
            "departement__region__code",
            "departement__region__nom",
        )
        .order_by("departement__code")
        .distinct()
    )
    regions, departements = {}, []
    for code, nom, region, nom_region in paires:
        regions[region] = nom_region
        departements.append((code, nom, region))
    return Lieux(sorted(regions.items(), key=lambda r: cle_francaise(r[1])), departements)
