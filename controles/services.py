"""Run the checks: ``controler()`` returns every constat for a set of conventions.

Used by the admin pages, the browser pages and the ``controles`` command. The number of queries
is fixed: it does not grow with the number of actions, engagements or conventions.
"""

from datetime import date

from django.utils import timezone

from conventions.models import Convention

from .constats import Constat, Regle, Resume, trier
from .donnees import Donnees
from .regles import REGLES, regle_de


def controler(
    conventions=None,
    *,
    annee: int | None = None,
    aujourdhui: date | None = None,
    regles: list[Regle] | None = None,
) -> list[Constat]:
    """Every constat on ``conventions`` (all of them by default), optionally for one year, of
    every rule of the registry (``regles.REGLES``) or only of the codes in ``regles``."""
    toutes = conventions is None
    donnees = Donnees(
        Convention.objects.all() if toutes else conventions, toutes_les_seances=toutes
    )
    aujourdhui = aujourdhui or timezone.localdate()
    constats = [
        constat
        for regle in REGLES
        if regles is None or regle.code in regles
        for constat in regle(donnees, aujourdhui)
    ]
    if annee is not None:
        constats = [c for c in constats if c.couvre(annee)]
    return trier(constats)


def echeances(conventions, *, aujourdhui: date | None = None) -> list[Constat]:
    """Only the calendar rule: overdue and upcoming bilans, read in two queries (the dashboard
    shows them for every convention without loading every engagement). Each bilan points at
    the convention already read rather than at a copy per row."""
    from types import SimpleNamespace

    from bilans.models import Bilan

    par_pk = {convention.pk: convention for convention in conventions}
    bilans = list(Bilan.objects.filter(convention__in=conventions.order_by().values("pk")))
    for bilan in bilans:
        bilan.convention = par_pk[bilan.convention_id]
    donnees = SimpleNamespace(conventions=list(par_pk.values()), bilans=bilans)
    calendrier = regle_de(Regle.CALENDRIER)
    return trier(calendrier(donnees, aujourdhui or timezone.localdate()))


def constats_de(objet, constats: list[Constat]) -> list[Constat]:
    """The constats an object's page shows: about it, or linked to it."""
    return [c for c in constats if c.concerne(objet)]


def resumes_par_convention(constats: list[Constat]) -> dict[int, Resume]:
    par_convention: dict[int, list[Constat]] = {}
    for constat in constats:
        par_convention.setdefault(constat.convention_id, []).append(constat)
    return {convention: Resume.de(liste) for convention, liste in par_convention.items()}
