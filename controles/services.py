"""Run the checks: ``controler()`` returns every constat for a set of conventions.

Used by the admin pages, the browser pages and the ``controles`` command. The number of queries
is fixed: it does not grow with the number of actions, engagements or conventions.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from conventions.models import Convention

from .constats import Constat, Regle, Resume, Severite, trier
from .donnees import Donnees
from .regles import REGLES


def controler(
    conventions=None,
    *,
    annee: int | None = None,
    aujourdhui: date | None = None,
    regles: list[Regle] | None = None,
    en_vigueur=None,
) -> list[Constat]:
    """Every constat on ``conventions`` (all of them by default), optionally for one year, of
    every rule of the registry (``regles.REGLES``) or only of the codes in ``regles``; with
    ``en_vigueur``, as if that tableau were the version en vigueur of its period."""
    toutes = conventions is None
    donnees = Donnees(
        Convention.objects.all() if toutes else conventions,
        toutes_les_seances=toutes,
        en_vigueur=en_vigueur,
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


@dataclass
class ConstatsDeLaMiseEnVigueur:
    """What the checks of a period would say once a version is put en vigueur, against what
    they say today (the calendar aside: it does not depend on the amounts)."""

    candidate: object  # the tableau
    apparaitraient: list[Constat]
    resteraient: list[Constat]
    disparaitraient: list[Constat]

    @property
    def cofinancement(self) -> Constat | None:
        """The erreur of the cofinancement rule on this version's total, if it breaks it."""
        return next(
            (
                c
                for c in self.apparaitraient + self.resteraient
                if c.code == Regle.COFINANCEMENT
                and c.severite == Severite.ERREUR
                and c.concerne(self.candidate)
            ),
            None,
        )

    @property
    def resume(self) -> Resume:
        return Resume.de(self.apparaitraient + self.resteraient)


def constats_de_la_mise_en_vigueur(
    tableau, *, aujourdhui: date | None = None
) -> ConstatsDeLaMiseEnVigueur:
    """The constats of ``tableau``'s period if it were en vigueur, run on the data as they are
    (nothing written), against today's: those that would appear, stay or go away.

    Each run keeps the constats of its version en vigueur and of everything else of the period
    (bilan, fiches…), not those of the other versions, which are not the period's amounts. A
    constat « stays » when the same rule finds the same figures on the same object, the version
    en vigueur standing for itself whichever it is (its messages name it)."""
    from conventions.models import TableauEngagements

    convention = Convention.objects.filter(pk=tableau.convention_id)
    versions = set(
        TableauEngagements.objects.filter(
            convention=tableau.convention_id,
            annee_debut=tableau.annee_debut,
            annee_fin=tableau.annee_fin,
        )
        .exclude(nature=TableauEngagements.Nature.PREVISIONNEL_BILAN)
        .values_list("pk", flat=True)
    )

    def version_de(constat):
        return next(
            (
                o.pk
                for o in (constat.objet, *constat.lies)
                if isinstance(o, TableauEngagements) and o.pk in versions
            ),
            None,
        )

    def de_la_periode(constats, en_vigueur):
        return [
            c
            for c in constats
            if c.code != Regle.CALENDRIER
            and (
                c.annees is None
                or (c.annees[0] <= tableau.annee_fin and c.annees[1] >= tableau.annee_debut)
            )
            and version_de(c) in (None, en_vigueur)
        ]

    def cle(constat):
        objet = constat.objet
        version = isinstance(objet, TableauEngagements) and objet.pk in versions
        qui = ("version",) if version else (type(objet), objet.pk)
        return (constat.code, constat.severite, qui, constat.attendu, constat.constate)

    actuelle = next(
        iter(
            TableauEngagements.objects.filter(pk__in=versions, en_vigueur=True).values_list(
                "pk", flat=True
            )
        ),
        None,
    )
    avant = de_la_periode(controler(convention, aujourdhui=aujourdhui), actuelle)
    apres = de_la_periode(
        controler(convention, aujourdhui=aujourdhui, en_vigueur=tableau), tableau.pk
    )
    cles_avant, cles_apres = {cle(c) for c in avant}, {cle(c) for c in apres}
    return ConstatsDeLaMiseEnVigueur(
        tableau,
        apparaitraient=[c for c in apres if cle(c) not in cles_avant],
        resteraient=[c for c in apres if cle(c) in cles_avant],
        disparaitraient=[c for c in avant if cle(c) not in cles_apres],
    )


def constats_de(objet, constats: list[Constat]) -> list[Constat]:
    """The constats an object's page shows: about it, or linked to it."""
    return [c for c in constats if c.concerne(objet)]


def resumes_par_convention(constats: list[Constat]) -> dict[int, Resume]:
    par_convention: dict[int, list[Constat]] = {}
    for constat in constats:
        par_convention.setdefault(constat.convention_id, []).append(constat)
    return {convention: Resume.de(liste) for convention, liste in par_convention.items()}
