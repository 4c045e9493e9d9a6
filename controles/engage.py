"""What a year engages, for the synthesis: the État's and the collectivités' amounts of a year,
grouped as the caller asks (by dispositif, by département…), summed by the database from the
stored amounts of each convention (``montants_engages``: its tableau en vigueur of the year, or
else its tranches of the year), brought up to date first (``enregistres.a_jour``).
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q

from commun.parmi import parmi
from conventions.models import Tranche, somme

from .enregistres import a_jour
from .models import MontantEnregistre

ZERO = Decimal("0.00")


def annees_des_tranches(conventions) -> set[int]:
    return set(
        Tranche.objects.filter(parmi("engagement__convention", conventions))
        .order_by()  # the models' default order would join and widen the DISTINCT
        .values_list("annee", flat=True)
        .distinct()
    )


def montants(conventions, annees):
    """The stored amounts of ``conventions`` (up to date) for ``annees``."""
    a_jour(conventions)
    return MontantEnregistre.objects.filter(parmi("convention", conventions), annee__in=annees)


# The paths from the convention the stored amounts carry themselves (no join).
COPIES = {"dispositif": "dispositif", "territoire__departement": "departement"}


def _champ_enregistre(chemin: str) -> str:
    """``chemin`` from the convention (``territoire__departement__nom``) as a path from the
    stored amounts (``departement__nom``)."""
    for depuis, copie in COPIES.items():
        if chemin == depuis or chemin.startswith(f"{depuis}__"):
            return copie + chemin[len(depuis) :]
    return f"convention__{chemin}"


def engage(conventions, annees, par: tuple[str, ...] = ()) -> dict[tuple, dict]:
    """``{(année, *valeurs de par): {"etat", "collectivite", "dont_tranches_etat",
    "dont_tranches_collectivite"}}``; ``par`` names paths from the convention
    (``"dispositif"``, ``"territoire__departement"``). One grouped query."""
    resultat: dict[tuple, dict] = defaultdict(
        lambda: {
            "etat": ZERO,
            "collectivite": ZERO,
            "dont_tranches_etat": ZERO,
            "dont_tranches_collectivite": ZERO,
        }
    )
    champs = ["annee", *(_champ_enregistre(p) for p in par)]
    tranches = Q(tranches=True)
    rangs = (
        montants(conventions, annees)
        .values(*champs)
        .annotate(
            e=somme("etat"),
            c=somme("collectivite"),
            te=somme("etat", tranches),
            tc=somme("collectivite", tranches),
        )
        .order_by(*champs)
    )
    for rang in rangs:
        resultat[tuple(rang[c] for c in champs)] = {
            "etat": rang["e"],
            "collectivite": rang["c"],
            "dont_tranches_etat": rang["te"],
            "dont_tranches_collectivite": rang["tc"],
        }
    return dict(resultat)
