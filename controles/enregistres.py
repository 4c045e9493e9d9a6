"""The stored constats and engaged amounts of each convention: kept exact on every write, read
by the pages that add up many conventions (the dashboard's constats, the synthesis).

- **Which writes count**: ``CHEMINS`` names, for every model the checks read (``donnees``), the
  way from its rows to the conventions whose constats they change. Every write of such a row,
  whatever the door (page, admin, import, yearly loader, command, ``loaddata``, a cascade),
  bumps those conventions' generation in its own transaction: ``save()`` and ``delete()`` by
  Django's signals, the bulk paths by ``commun.ecritures.ecriture_en_bloc``.
- **When they are recomputed**: on read. ``a_jour()`` finds the conventions whose stored
  constats are of an older generation (or were never computed), runs the checks on those only
  and stores their answer for the generation it read first; a write that lands meanwhile
  leaves them out of date, to be recomputed by the next read.
- **What is stored**: the constats of the rules that do not read today's date, what each year
  engages by top-level axe (``montants_engages``), and for the calendar, whose constats change
  with the date alone, each year's due date and its bilan's two dates: ``echeances`` lets the
  database pick the conventions with a year to report today, and runs the rule on those.
"""

from datetime import date
from types import SimpleNamespace

from django.db import transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.signals import post_save, pre_delete, pre_save
from django.utils import timezone

from bilans import cycle
from bilans.models import Bilan, Indicateur, Mesure, RapportAction
from commun.ecritures import ecriture_en_bloc
from commun.parmi import parmi
from conventions.models import (
    Action,
    Axe,
    Convention,
    Deliberation,
    Engagement,
    EngagementPluriannuel,
    Financeur,
    MembreSeance,
    MontantDelibere,
    Seance,
    TableauEngagements,
    Territoire,
    TotalImprime,
    Tranche,
)
from conventions.selectors import periodes

from .constats import Regle, Severite, trier
from .models import ConstatEnregistre, EcheanceEnregistree, EtatDesConstats, MontantEnregistre
from .montants_engages import montants_par_convention
from .regles import REGLES, regle_de
from .regles.calendrier import DELAI_ALERTE_BILAN
from .services import controler

# From a row of each model the checks read to the conventions whose constats it changes. A
# séance's constats belong to the first convention of its délibérations: a délibération changes
# those of every convention that has one in its séance.
CHEMINS = {
    Convention: ["pk"],
    Territoire: ["conventions"],
    Financeur: [
        "engagements__tableau__convention",
        "totalimprime__tableau__convention",
        "engagementpluriannuel__convention",
        "montantdelibere__deliberation__convention",
    ],
    TableauEngagements: ["convention"],
    Axe: ["convention"],
    Engagement: ["tableau__convention"],
    TotalImprime: ["tableau__convention"],
    Action: ["convention"],
    EngagementPluriannuel: ["convention"],
    Tranche: ["engagement__convention"],
    Seance: ["deliberations__convention"],
    MembreSeance: ["seance__deliberations__convention"],
    Deliberation: ["convention", "seance__deliberations__convention"],
    MontantDelibere: [
        "deliberation__convention",
        "deliberation__seance__deliberations__convention",
    ],
    Bilan: ["convention"],
    RapportAction: ["bilan__convention"],
    Indicateur: ["action__convention"],
    Mesure: ["bilan__convention", "indicateur__action__convention"],
}

# The rules whose answer depends on the data only.
REGLES_ENREGISTREES = [r.code for r in REGLES if not r.datee]
LOT = 200  # conventions recomputed at a time (bounded memory and query parameters)


def marquer(modele, requete) -> None:
    """The rows of ``requete`` (of ``modele``) are written: their conventions' stored constats
    are out of date. One ``UPDATE``, in the writer's transaction."""
    lignes = requete.order_by().values("pk")
    concernees = Q()
    for chemin in CHEMINS[modele]:
        concernees |= Q(
            convention__in=modele._base_manager.filter(pk__in=lignes)
            .filter(**{f"{chemin}__isnull": False})
            .values(chemin)
        )
    EtatDesConstats.objects.filter(concernees).update(generation=F("generation") + 1)


def _une_ligne(instance):
    return type(instance)._base_manager.filter(pk=instance.pk)


def _avant_l_enregistrement(sender, instance, **_):
    if instance.pk is not None:  # the row as it was: it may move to another convention
        marquer(sender, _une_ligne(instance))


def _apres_l_enregistrement(sender, instance, **_):
    marquer(sender, _une_ligne(instance))


def _avant_la_suppression(sender, instance, **_):
    marquer(sender, _une_ligne(instance))


def _en_bloc(sender, requete, **_):
    if sender in CHEMINS:
        marquer(sender, requete)


def ecouter() -> None:
    """Connect the writes of every model the checks read (``ControlesConfig.ready``)."""
    for modele in CHEMINS:
        pre_save.connect(_avant_l_enregistrement, sender=modele, dispatch_uid=f"constats-{modele}")
        post_save.connect(_apres_l_enregistrement, sender=modele, dispatch_uid=f"constats+{modele}")
        pre_delete.connect(_avant_la_suppression, sender=modele, dispatch_uid=f"constats-{modele}")
    ecriture_en_bloc.connect(_en_bloc, dispatch_uid="constats-en-bloc")


# --- Reading -------------------------------------------------------------------------------


def perimees(conventions) -> list[int]:
    """The conventions among ``conventions`` whose stored constats are out of date."""
    # NOT EXISTS rather than NOT IN: the page's 25 conventions look up their 25 rows by index
    # instead of hashing every convention's.
    a_jour = EtatDesConstats.objects.filter(convention=OuterRef("pk"), calcule_pour=F("generation"))
    return list(conventions.order_by().exclude(Exists(a_jour)).values_list("pk", flat=True))


def a_jour(conventions) -> None:
    """Recompute the stored constats and amounts of those of ``conventions`` that are out of
    date. Once per queryset: a page that reads several sums of the same conventions (the
    synthesis) checks them once."""
    if getattr(conventions, "_enregistres_a_jour", False):
        return
    pks = perimees(conventions)
    for debut in range(0, len(pks), LOT):
        recalculer(pks[debut : debut + LOT])
    conventions._enregistres_a_jour = True


def recalculer(pks: list[int]) -> None:
    """Run the checks on these conventions and sum what they engage; store both, for the
    generation of their data read before the data."""
    EtatDesConstats.objects.bulk_create(
        [EtatDesConstats(convention_id=pk) for pk in pks], ignore_conflicts=True
    )
    generations = dict(
        EtatDesConstats.objects.filter(convention__in=pks).values_list("convention", "generation")
    )
    conventions = Convention.objects.filter(pk__in=pks)
    constats = controler(conventions, regles=REGLES_ENREGISTREES)
    montants = montants_par_convention(conventions)
    dates = _echeances_a_enregistrer(conventions)
    a_traiter = {id(c) for c in cycle.encore_a_traiter(constats)}
    sans_tableau = set(periodes.sans_tableau_en_vigueur(conventions).values_list("pk", flat=True))
    sans_version = periodes.nombre_de_periodes_sans_version_en_vigueur(conventions)
    lignes = [
        ConstatEnregistre(
            convention_id=c.convention_id,
            code=c.code,
            severite=c.severite,
            message=c.message,
            type_objet=str(c.type_objet),
            libelle_objet=str(c.objet),
            lien=c.lien or "",
            annee_debut=c.annees[0] if c.annees else None,
            annee_fin=c.annees[1] if c.annees else None,
            a_traiter=id(c) in a_traiter,
            rang=rang,
        )
        for rang, c in enumerate(constats)
        if c.convention_id in generations
    ]
    with transaction.atomic():
        # One recomputation of a convention at a time: the second one's deletion sees the rows
        # the first one stored. A convention a writer holds (its generation bumped by a write
        # not committed yet) is skipped, never waited for: it stays out of date, for the next
        # read, and no writer and reader ever wait on each other (PostgreSQL; SQLite writes
        # one transaction at a time).
        pks = list(
            EtatDesConstats.objects.select_for_update(skip_locked=True)
            .filter(convention__in=pks)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        pris = set(pks)
        ConstatEnregistre.objects.filter(convention__in=pks).delete()
        ConstatEnregistre.objects.bulk_create(c for c in lignes if c.convention_id in pris)
        MontantEnregistre.objects.filter(convention__in=pks).delete()
        MontantEnregistre.objects.bulk_create(
            MontantEnregistre(**rang) for rang in montants if rang["convention_id"] in pris
        )
        EcheanceEnregistree.objects.filter(convention__in=pks).delete()
        EcheanceEnregistree.objects.bulk_create(e for e in dates if e.convention_id in pris)
        EtatDesConstats.objects.filter(convention__in=pks).update(
            calcule_pour=Case(
                *(
                    When(convention=pk, generation=generation, then=Value(generation))
                    for pk, generation in generations.items()
                ),
                default=F("calcule_pour"),
                output_field=EtatDesConstats._meta.get_field("calcule_pour"),
            ),
            calcule_le=timezone.now(),
            sans_tableau_en_vigueur=Case(
                When(convention__in=sans_tableau, then=Value(True)), default=Value(False)
            ),
            periodes_sans_version_en_vigueur=Case(
                *(When(convention=pk, then=Value(n)) for pk, n in sans_version.items()),
                default=Value(0),
            ),
        )


def constats_enregistres(conventions) -> list[ConstatEnregistre]:
    """The stored constats of ``conventions`` (brought up to date first), in the order of
    ``constats.trier``."""
    a_jour(conventions)
    return trier(ConstatEnregistre.objects.filter(parmi("convention", conventions)))


def sans_tableau_en_vigueur(conventions):
    """Those of ``conventions`` without any tableau en vigueur, as stored (brought up to date
    first): the few flagged, not every convention's tableaux read."""
    a_jour(conventions)
    return conventions.filter(etat_des_constats__sans_tableau_en_vigueur=True)


def avec_periodes_sans_version(conventions):
    """Those of ``conventions`` with a period that has versions but none en vigueur, as
    stored (brought up to date first)."""
    a_jour(conventions)
    return conventions.filter(etat_des_constats__periodes_sans_version_en_vigueur__gt=0)


def erreurs_a_traiter(constats) -> list:
    """The erreurs « À traiter » lists, the calendar's aside (listed as due dates)."""
    return [
        c
        for c in constats
        if c.severite == Severite.ERREUR and c.code != Regle.CALENDRIER and c.a_traiter
    ]


# --- The calendar ---------------------------------------------------------------------------


def _echeances_a_enregistrer(conventions) -> list[EcheanceEnregistree]:
    """Each year of these conventions that has a due date, with its bilan's dates (two
    queries)."""
    dates = {
        (convention, annee): (deliberation, transmission)
        for convention, annee, deliberation, transmission in Bilan.objects.filter(
            convention__in=conventions
        ).values_list("convention", "annee", "date_deliberation", "date_transmission")
    }
    return [
        EcheanceEnregistree(
            convention_id=pk,
            annee=annee,
            echeance=echeance,
            deliberation=deliberation,
            transmission=transmission,
        )
        for pk, debut, fin, jour, mois, apres in conventions.values_list(
            "pk",
            "annee_debut",
            "annee_fin",
            "bilan_echeance_jour",
            "bilan_echeance_mois",
            "bilan_echeance_annees_apres",
        )
        for annee in range(debut, fin + 1)
        if (echeance := Convention.echeance(annee, jour, mois, apres)) is not None
        for deliberation, transmission in [dates.get((pk, annee), (None, None))]
    ]


def echeances(conventions, *, aujourdhui: date | None = None) -> list:
    """The calendar rule's constats of today on ``conventions``, for the pages that show it
    for every convention (the dashboard, the synthesis) without reading every convention: the
    database picks, among the stored due dates, the years the rule's gate
    (``calendrier.a_signaler``) lets through (deliberated or sent after the due date; not both
    once it is passed or within ``DELAI_ALERTE_BILAN``); the rule then reads those conventions
    and their bilans alone (two queries)."""
    aujourdhui = aujourdhui or timezone.localdate()
    a_jour(conventions)
    incomplet = Q(deliberation__isnull=True) | Q(transmission__isnull=True)
    concernees = set(
        EcheanceEnregistree.objects.filter(parmi("convention", conventions))
        .filter(
            (incomplet & Q(echeance__lte=aujourdhui + DELAI_ALERTE_BILAN))
            | Q(deliberation__gt=F("echeance"), transmission__isnull=False)
            | Q(transmission__gt=F("echeance"), deliberation__isnull=False)
        )
        .values_list("convention", flat=True)
    )
    par_pk = Convention.objects.in_bulk(concernees)
    bilans = list(Bilan.objects.filter(convention__in=concernees))
    for bilan in bilans:
        bilan.convention = par_pk[bilan.convention_id]  # the one object, not a copy per bilan
    donnees = SimpleNamespace(conventions=list(par_pk.values()), bilans=bilans)
    return trier(regle_de(Regle.CALENDRIER)(donnees, aujourdhui))
