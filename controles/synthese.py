"""The État's synthesis of a year across territoires: what was engaged and realised, where the
bilans stand, which rules fail where.

Reads only, in a fixed number of queries whatever the number of conventions; every total is
summed by the database (``somme``). The caller passes the conventions the user reaches
(``comptes.acces.conventions_de``), already filtered: nothing here widens them.

- Engaged: the lines of the tableaux en vigueur of the year (a tableau of that single year, as
  ``Engagement.objects.pour_convention_annee``), or, for a convention without one, the year's
  tranches of its engagements pluriannuels (``engage.py``); État and collectivités by their
  financeur's catégorie.
- Realised: what the year's bilans record, « financement de l'État reçu » and « dépenses
  engagées par la collectivité », whatever the bilan's status (a bilan without figures adds 0).
"""

import heapq
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, FilteredRelation, Q
from django.utils import timezone

from bilans.models import Bilan
from commun.adresses import par_slug
from commun.parmi import parmi
from conventions.models import Convention, TableauEngagements, somme

from . import engage, enregistres
from .constats import ORDRE_SEVERITE, Regle, Severite
from .enregistres import echeances
from .models import ConstatEnregistre

LIBELLES_DISPOSITIFS = dict(Convention.Dispositif.choices)


def annees_disponibles(conventions) -> list[int]:
    """The years of the tableaux en vigueur of a single year and of the tranches of engagements
    pluriannuels, newest first."""
    tableaux = (
        TableauEngagements.objects.en_vigueur()
        .filter(parmi("convention", conventions), annee_debut=F("annee_fin"))
        .order_by()  # the models' default order would join and widen the DISTINCT
        .values_list("annee_debut", flat=True)
        .distinct()
    )
    return sorted(set(tableaux) | engage.annees_des_tranches(conventions), reverse=True)


def taux(realise: Decimal, engage: Decimal) -> Decimal | None:
    """Realised over engaged, as a fraction (0.5 for 50 %); None when nothing was engaged."""
    if not engage:
        return None
    return (realise / engage).quantize(Decimal("0.0001"))


@dataclass
class Totaux:
    """One line of the engaged/realised table: a dispositif, or the total."""

    cle: str
    libelle: str
    engage_etat: Decimal = Decimal("0.00")
    engage_collectivite: Decimal = Decimal("0.00")
    realise_etat: Decimal = Decimal("0.00")
    realise_collectivite: Decimal = Decimal("0.00")
    # The year before, for the year over year.
    precedent_etat: Decimal = Decimal("0.00")
    precedent_collectivite: Decimal = Decimal("0.00")
    # Of the engaged amounts, the tranches of engagements pluriannuels (``engage.py``).
    dont_tranches_etat: Decimal = Decimal("0.00")
    dont_tranches_collectivite: Decimal = Decimal("0.00")

    @property
    def taux_etat(self):
        return taux(self.realise_etat, self.engage_etat)

    @property
    def taux_collectivite(self):
        return taux(self.realise_collectivite, self.engage_collectivite)

    @property
    def evolution_etat(self):
        """The État's engaged amount against the year before, as a fraction (0.1: +10 %)."""
        if not self.precedent_etat:
            return None
        return ((self.engage_etat - self.precedent_etat) / self.precedent_etat).quantize(
            Decimal("0.0001")
        )

    @property
    def evolution_collectivite(self):
        if not self.precedent_collectivite:
            return None
        return (
            (self.engage_collectivite - self.precedent_collectivite) / self.precedent_collectivite
        ).quantize(Decimal("0.0001"))


def _realise(conventions, annee, par):
    champs = [par] if par else ["annee"]
    return (
        Bilan.objects.filter(parmi("convention", conventions), annee=annee)
        .values(*champs)
        .annotate(etat=somme("financement_etat_recu"), collectivite=somme("depenses_collectivite"))
        .order_by(*champs)
    )


def engagements_par_dispositif(conventions, annee: int) -> tuple[list[Totaux], Totaux]:
    """The lines by dispositif and their total, for ``annee`` and the year before: four grouped
    queries (engaged by dispositif and in all, from the stored amounts; realised by dispositif
    and in all), after the check that the stored amounts are up to date."""
    lignes: dict[str, Totaux] = {}

    def ligne(cle):
        if cle not in lignes:
            lignes[cle] = Totaux(cle, LIBELLES_DISPOSITIFS.get(cle, cle))
        return lignes[cle]

    total = Totaux("total", "Total")
    for (de, dispositif), rang in engage.engage(
        conventions, [annee, annee - 1], ("dispositif",)
    ).items():
        _poser(ligne(dispositif), rang, de == annee)
    for (de,), rang in engage.engage(conventions, [annee, annee - 1]).items():
        _poser(total, rang, de == annee)
    for rang in _realise(conventions, annee, "convention__dispositif"):
        cible = ligne(rang["convention__dispositif"])
        cible.realise_etat, cible.realise_collectivite = rang["etat"], rang["collectivite"]
    for rang in _realise(conventions, annee, None):
        total.realise_etat, total.realise_collectivite = rang["etat"], rang["collectivite"]
    ordre = list(LIBELLES_DISPOSITIFS)
    return sorted(lignes.values(), key=lambda t: ordre.index(t.cle)), total


def _poser(cible: Totaux, rang: dict, de_l_annee: bool) -> None:
    if de_l_annee:
        cible.engage_etat, cible.engage_collectivite = rang["etat"], rang["collectivite"]
        cible.dont_tranches_etat = rang["dont_tranches_etat"]
        cible.dont_tranches_collectivite = rang["dont_tranches_collectivite"]
    else:
        cible.precedent_etat, cible.precedent_collectivite = rang["etat"], rang["collectivite"]


# --- The bilans of the year ------------------------------------------------------------------


@dataclass
class LigneBilan:
    """One expected bilan: a convention covering the year, with its bilan if recorded."""

    territoire: str
    convention: str
    slug: str
    dispositif: str
    echeance: date | None
    bilan: bool  # recorded
    statut: str  # the status's label, « non enregistré » when not recorded
    etat: str  # « en retard », « transmis », « à compléter », « validé », « en cours »
    retard: int | None = None  # days past the due date, when late
    transmis_le: date | None = None
    attente: int | None = None  # days waiting for review, when transmitted
    annee: int = 0
    lien: str = ""  # the bilan's page, or the convention's when none is recorded


@dataclass
class CompteTerritoire:
    territoire: str
    attendus: int = 0
    en_retard: int = 0
    transmis: int = 0
    a_completer: int = 0
    valides: int = 0


@dataclass
class BilansDeLAnnee:
    lignes: list[LigneBilan]
    par_territoire: list[CompteTerritoire]
    total: CompteTerritoire = field(default_factory=lambda: CompteTerritoire("Total"))
    # ``{pk: (territoire, intitulé, slug)}`` of the conventions of the year, for
    # ``constats_par_regle`` (which would read them again otherwise).
    noms: dict[int, tuple[str, str, str]] = field(default_factory=dict)


def bilans_de_l_annee(
    conventions, annee: int, aujourdhui: date | None = None, calendrier: list | None = None
) -> BilansDeLAnnee:
    """The conventions covering ``annee`` and the state of their bilan: late (the calendar rule:
    its constats ``erreur`` of the year, with their days), transmitted and waiting since, to
    complete, validated. One query for the conventions and their bilans, the calendar rule's
    (none when the caller passes ``calendrier``, the rule's constats of ``conventions``)."""
    aujourdhui = aujourdhui or timezone.localdate()
    couvrant = conventions.filter(annee_debut__lte=annee, annee_fin__gte=annee)
    if calendrier is None:
        calendrier = echeances(couvrant, aujourdhui=aujourdhui)
    retards = {
        c.convention_id: int(c.ecart)
        for c in calendrier
        if c.severite == Severite.ERREUR and c.annees == (annee, annee)
    }
    lignes, comptes, noms = [], {}, {}
    statuts = dict(Bilan.Statut.choices)
    lien_du_bilan = par_slug("bilans:detail", annee)
    lien_de_la_convention = par_slug("conventions:detail")
    # One row per convention of the year with its bilan's status and date, read as values: a
    # national year has a hundred conventions or more, and objects cost more than the rows.
    for (
        pk,
        territoire,
        intitule,
        slug,
        dispositif,
        jour,
        mois,
        apres,
        statut,
        transmis_le,
    ) in (
        couvrant.annotate(du_bilan=FilteredRelation("bilans", condition=Q(bilans__annee=annee)))
        .order_by("territoire__nom", "intitule")
        .values_list(
            "pk",
            "territoire__nom",
            "intitule",
            "slug",
            "dispositif",
            "bilan_echeance_jour",
            "bilan_echeance_mois",
            "bilan_echeance_annees_apres",
            "du_bilan__statut",
            "du_bilan__date_transmission",
        )
    ):
        ligne = LigneBilan(
            territoire=territoire,
            convention=intitule,
            slug=slug,
            dispositif=LIBELLES_DISPOSITIFS.get(dispositif, dispositif),
            echeance=Convention.echeance(annee, jour, mois, apres),
            bilan=statut is not None,
            statut=statuts[statut] if statut else "non enregistré",
            etat="en cours",
            annee=annee,
            lien=lien_du_bilan(slug) if statut is not None else lien_de_la_convention(slug),
        )
        noms[pk] = (territoire, intitule, slug)
        compte = comptes.setdefault(ligne.territoire, CompteTerritoire(ligne.territoire))
        compte.attendus += 1
        if pk in retards:
            ligne.etat, ligne.retard = "en retard", retards[pk]
            compte.en_retard += 1
        elif statut == Bilan.Statut.TRANSMIS:
            ligne.etat, ligne.transmis_le = "transmis", transmis_le
            if transmis_le:
                ligne.attente = (aujourdhui - transmis_le).days
            compte.transmis += 1
        elif statut == Bilan.Statut.A_COMPLETER:
            ligne.etat = "à compléter"
            compte.a_completer += 1
        elif statut == Bilan.Statut.VALIDE:
            ligne.etat = "validé"
            compte.valides += 1
        lignes.append(ligne)
    resultat = BilansDeLAnnee(lignes, list(comptes.values()), noms=noms)
    for compte in resultat.par_territoire:
        for nom in ("attendus", "en_retard", "transmis", "a_completer", "valides"):
            setattr(resultat.total, nom, getattr(resultat.total, nom) + getattr(compte, nom))
    return resultat


# --- The constats by rule -------------------------------------------------------------------


@dataclass
class ConstatsDUneRegle:
    code: str
    regle: str
    severite: str
    nombre: int
    # (territoire, convention, its page), one per convention concerned: every one for the
    # downloads, the first ``EXEMPLES`` on the page
    conventions: list[tuple[str, str, str]]
    nombre_de_conventions: int = 0
    nombre_de_territoires: int = 0

    @property
    def territoires(self) -> list[str]:
        return sorted({t for t, _c, _l in self.conventions})

    @property
    def autres(self) -> int:
        """The conventions concerned not listed."""
        return self.nombre_de_conventions - len(self.conventions)


EXEMPLES = 10  # conventions named per rule on the page; the downloads name them all


def constats_par_regle(
    conventions,
    annee: int,
    aujourdhui=None,
    exemples: int | None = EXEMPLES,
    calendrier: list | None = None,
    noms: dict[int, tuple[str, str, str]] | None = None,
) -> list[ConstatsDUneRegle]:
    """Every rule's constats of the year on the conventions of that year among these, by rule
    and severity, erreurs first, with the conventions (and their territoires) concerned, the
    first ``exemples`` of them (all with None). ``noms``: those conventions' names, as
    ``BilansDeLAnnee.noms`` has them (else read here).

    Read from the stored constats (``enregistres``: the checks run only for the conventions
    written since), counted by the database, and the calendar's of today: a fixed number of
    queries whatever the number of conventions."""
    enregistres.a_jour(conventions)
    lignes = ConstatEnregistre.objects.filter(
        Q(annee_debut__isnull=True) | Q(annee_debut__lte=annee, annee_fin__gte=annee),
        parmi("convention", conventions),
    )
    groupes: dict[tuple, dict] = {}

    def groupe(code, severite):
        return groupes.setdefault(
            (str(code), str(severite)), {"nombre": 0, "conventions": {}, "territoires": set()}
        )

    # Counted by the database per rule and convention, in one query on the stored constats
    # alone; the names of the conventions concerned in a second (a join in the first would
    # pass every constat's convention and territoire through it).
    par_convention = list(
        lignes.values_list("code", "severite", "convention").annotate(n=Count("pk")).order_by()
    )
    if calendrier is None:
        calendrier = echeances(conventions, aujourdhui=aujourdhui)
    calendrier = [c for c in calendrier if c.couvre(annee)]
    if noms is None:
        noms = {
            pk: (territoire, intitule, slug)
            for pk, territoire, intitule, slug in conventions.filter(
                annee_debut__lte=annee, annee_fin__gte=annee
            ).values_list("pk", "territoire__nom", "intitule", "slug")
        }
    # The calendar's constats are not stored (a rule of today's date): one each. A constat
    # without years (a whole convention's) counts for the years of its convention only.
    for code, severite, pk, nombre in [
        *par_convention,
        *((c.code, c.severite, c.convention_id, 1) for c in calendrier),
    ]:
        if pk not in noms:
            continue
        cible = groupe(code, severite)
        cible["nombre"] += nombre
        territoire, intitule, slug = noms[pk]
        cible["conventions"][slug] = (territoire, intitule)
        cible["territoires"].add(territoire)
    regles = dict(Regle.choices)
    lien = par_slug("conventions:detail")
    resultat = []
    for (code, severite), g in groupes.items():
        concernes = [
            (territoire, intitule, slug)
            for slug, (territoire, intitule) in g["conventions"].items()
        ]
        # The first ``exemples`` only are named: no need to sort the hundred others.
        montres = sorted(concernes) if exemples is None else heapq.nsmallest(exemples, concernes)
        resultat.append(
            ConstatsDUneRegle(
                code=code,
                regle=regles[code],
                severite=severite,
                nombre=g["nombre"],
                conventions=[
                    (territoire, intitule, lien(slug)) for territoire, intitule, slug in montres
                ],
                nombre_de_conventions=len(concernes),
                nombre_de_territoires=len(g["territoires"]),
            )
        )
    return sorted(resultat, key=lambda g: (ORDRE_SEVERITE[g.severite], -g.nombre, g.code))
