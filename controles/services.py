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
    shows them for every convention without loading every engagement).

    The conventions and their bilans are read as rows; only the conventions with a year to
    report (``calendrier.a_signaler``) and their bilans become objects, which the rule then
    reads: hundreds of conventions, a few constats. Each bilan points at the convention already
    built rather than at a copy per row."""
    from types import SimpleNamespace

    from bilans.models import Bilan

    from .regles.calendrier import a_signaler

    aujourdhui = aujourdhui or timezone.localdate()
    champs_convention = [champ.attname for champ in Convention._meta.concrete_fields]
    champs_bilan = [champ.attname for champ in Bilan._meta.concrete_fields]
    conventions_lues = list(conventions.values_list(*champs_convention))
    bilans_lus = list(
        Bilan.objects.filter(convention__in=conventions.order_by().values("pk")).values_list(
            *champs_bilan
        )
    )
    c_pk, debut, fin, jour, mois, apres = (
        champs_convention.index(nom)
        for nom in (
            "id",
            "annee_debut",
            "annee_fin",
            "bilan_echeance_jour",
            "bilan_echeance_mois",
            "bilan_echeance_annees_apres",
        )
    )
    b_convention, b_annee, b_deliberation, b_transmission = (
        champs_bilan.index(nom)
        for nom in ("convention_id", "annee", "date_deliberation", "date_transmission")
    )
    dates = {
        (ligne[b_convention], ligne[b_annee]): [ligne[b_deliberation], ligne[b_transmission]]
        for ligne in bilans_lus
    }
    par_pk = {}
    for ligne in conventions_lues:
        for annee in range(ligne[debut], ligne[fin] + 1):
            echeance = Convention.echeance(annee, ligne[jour], ligne[mois], ligne[apres])
            if echeance is not None and a_signaler(
                echeance, dates.get((ligne[c_pk], annee), [None, None]), aujourdhui
            ):
                par_pk[ligne[c_pk]] = Convention.from_db(conventions.db, champs_convention, ligne)
                break
    bilans = []
    for ligne in bilans_lus:
        convention = par_pk.get(ligne[b_convention])
        if convention is not None:
            bilan = Bilan.from_db(conventions.db, champs_bilan, ligne)
            bilan.convention = convention
            bilans.append(bilan)
    donnees = SimpleNamespace(conventions=list(par_pk.values()), bilans=bilans)
    calendrier = regle_de(Regle.CALENDRIER)
    return trier(calendrier(donnees, aujourdhui))


def constats_de(objet, constats: list[Constat]) -> list[Constat]:
    """The constats an object's page shows: about it, or linked to it."""
    return [c for c in constats if c.concerne(objet)]


def resumes_par_convention(constats: list[Constat]) -> dict[int, Resume]:
    par_convention: dict[int, list[Constat]] = {}
    for constat in constats:
        par_convention.setdefault(constat.convention_id, []).append(constat)
    return {convention: Resume.de(liste) for convention, liste in par_convention.items()}
