"""A deterministic, national-scale dataset for load tests and benchmarks.

For each territoire, one CALPA convention per year (and for one territoire in ten a multi-year
contract over the first three years), 3–5 axes, 15–25 actions continuing those of
the year before, 2–3 versions of the tableau (the first en vigueur), the État, the collectivité
and sometimes the CAF, printed totals, a bilan with 3–6 indicators per action and their
breakdowns, and a council session. A few deliberate inconsistencies (a printed total off by some
euros, a short parity, a breakdown that does not add up) give the checks work. Everything is
written with ``bulk_create``: minutes, not hours.
"""

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction

from bilans.models import Bilan, Indicateur, Mesure, RapportAction
from conventions.models import (
    Action,
    Axe,
    Convention,
    Deliberation,
    Departement,
    Engagement,
    Financeur,
    Seance,
    TableauEngagements,
    Territoire,
    TotalImprime,
)

PREMIERE_ANNEE = 2020
LOT = 5000


@dataclass
class Bilan_:
    territoires: int = 0
    conventions: int = 0
    actions: int = 0
    engagements: int = 0
    mesures: int = 0

    def __str__(self):
        return (
            f"{self.territoires} territoires, {self.conventions} conventions, {self.actions} "
            f"actions, {self.engagements} engagements, {self.mesures} mesures"
        )


def _conventions_a_creer(territoires, annees: int):
    """One CALPA convention a year, and for one territoire in ten a multi-year contract over
    the first three years, listed after its yearly ones."""
    commun = {
        "statut": "signee",
        "taux_cofinancement": Decimal("1.00"),
        "bilan_echeance_jour": 31,
        "bilan_echeance_mois": 3,
    }
    for numero, t in enumerate(territoires, start=1):
        for annee in range(PREMIERE_ANNEE, PREMIERE_ANNEE + annees):
            yield Convention(
                slug=f"calpa-{t.slug}-{annee}",
                intitule=f"CALPA {t.nom} {annee}",
                dispositif="calpa",
                territoire=t,
                annee_debut=annee,
                annee_fin=annee,
                **commun,
            )
        if numero % 10 == 0 and annees > 1:
            fin = PREMIERE_ANNEE + min(annees, 3) - 1
            yield Convention(
                slug=f"contrat-{t.slug}-{PREMIERE_ANNEE}-{fin}",
                intitule=f"Contrat pluriannuel {t.nom} {PREMIERE_ANNEE}-{fin}",
                dispositif="contrat_de_ville",
                territoire=t,
                annee_debut=PREMIERE_ANNEE,
                annee_fin=fin,
                **commun,
            )


def _montant(hasard: random.Random) -> Decimal:
    return Decimal(hasard.randrange(20, 400) * 500)


@transaction.atomic
def generer(*, territoires: int, annees: int, graine: int = 1) -> Bilan_:
    """Create the dataset; the same ``graine`` gives the same data and totals."""
    hasard = random.Random(graine)
    compte = Bilan_()
    etat, _ = Financeur.objects.get_or_create(
        slug="etat", defaults={"nom": "État", "categorie": "etat", "ordre": 1}
    )
    caf, _ = Financeur.objects.get_or_create(
        slug="caf-generee", defaults={"nom": "CAF", "categorie": "caf", "ordre": 3}
    )
    # Spread over the real départements (the COG's list), one after the other.
    departements = list(Departement.objects.values_list("code", flat=True).order_by("code"))
    nouveaux_territoires = Territoire.objects.bulk_create(
        Territoire(
            slug=f"territoire-{numero:03d}",
            nom=f"Territoire n° {numero}",
            nature="departement" if numero % 6 else "metropole",
            departement_id=departements[(numero - 1) % len(departements)] if departements else None,
        )
        for numero in range(1, territoires + 1)
    )
    compte.territoires = len(nouveaux_territoires)
    collectivites = Financeur.objects.bulk_create(
        Financeur(
            slug=f"collectivite-{t.slug}",
            nom=t.nom,
            categorie="collectivite",
            territoire=t,
            ordre=2,
        )
        for t in nouveaux_territoires
    )
    conventions = Convention.objects.bulk_create(_conventions_a_creer(nouveaux_territoires, annees))
    compte.conventions = len(conventions)
    plans = {}  # convention → [(axe code, [action codes])]
    axes = []
    for convention in conventions:
        # A multi-year contract's actions (« P1.1 ») do not continue the yearly ones.
        prefixe = "P" if convention.annee_fin > convention.annee_debut else ""
        plan = [
            (str(a), [f"{prefixe}{a}.{n}" for n in range(1, hasard.randint(4, 6) + 1)])
            for a in range(1, hasard.randint(3, 5) + 1)
        ]
        plans[convention.pk] = plan
        axes += [
            Axe(convention=convention, code=code, intitule=f"Axe {code}", ordre=int(code))
            for code, _codes in plan
        ]
    axes = Axe.objects.bulk_create(axes, batch_size=LOT)
    axe_de = {(a.convention_id, a.code): a for a in axes}
    actions = []
    precedentes: dict[tuple[int, str], Action] = {}
    for convention in conventions:  # years in order for each territoire: lineage is possible
        for code_axe, codes in plans[convention.pk]:
            for ordre, code in enumerate(codes, start=1):
                actions.append(
                    Action(
                        convention=convention,
                        axe=axe_de[(convention.pk, code_axe)],
                        code=code,
                        intitule=f"Action {code} du territoire {convention.territoire_id}",
                        ordre=int(code_axe) * 100 + ordre,
                        budget_estime=None,
                    )
                )
    actions = Action.objects.bulk_create(actions, batch_size=LOT)
    compte.actions = len(actions)
    par_convention: dict[int, list[Action]] = {}
    for action in actions:
        par_convention.setdefault(action.convention_id, []).append(action)
    lignees = []
    for convention in conventions:
        for action in par_convention[convention.pk]:
            precedente = precedentes.get((convention.territoire_id, action.code))
            if precedente is not None:
                action.action_precedente = precedente
                lignees.append(action)
            precedentes[(convention.territoire_id, action.code)] = action
    Action.objects.bulk_update(lignees, ["action_precedente"], batch_size=LOT)

    collectivite_de = {f.territoire_id: f for f in collectivites}
    tableaux = []
    for convention in conventions:
        for rang in range(hasard.randint(2, 3)):
            tableaux.append(
                TableauEngagements(
                    convention=convention,
                    annee_debut=convention.annee_debut,
                    annee_fin=convention.annee_fin,
                    nature=["initial", "variante", "previsionnel_bilan"][rang],
                    libelle=["Tableau initial", "Variante", "Prévisionnel du bilan"][rang],
                    en_vigueur=rang == 0,
                )
            )
    tableaux = TableauEngagements.objects.bulk_create(tableaux, batch_size=LOT)
    engagements, totaux = [], []
    for tableau in tableaux:
        collectivite = collectivite_de[tableau.convention.territoire_id]
        somme = {etat.pk: Decimal(0), collectivite.pk: Decimal(0), caf.pk: Decimal(0)}
        avec_caf = hasard.random() < 0.75
        for action in par_convention[tableau.convention_id]:
            montant = _montant(hasard)
            part = montant if hasard.random() > 0.02 else montant - 500  # a short parity
            lignes = [(etat, montant), (collectivite, part)]
            if avec_caf:
                lignes.append((caf, _montant(hasard)))
            for financeur, valeur in lignes:
                engagements.append(
                    Engagement(tableau=tableau, action=action, financeur=financeur, montant=valeur)
                )
                somme[financeur.pk] += valeur
        for financeur_id, valeur in somme.items():
            if valeur:
                ecart = Decimal(1000) if hasard.random() < 0.03 else Decimal(0)  # a misprint
                totaux.append(
                    TotalImprime(tableau=tableau, financeur_id=financeur_id, montant=valeur + ecart)
                )
    Engagement.objects.bulk_create(engagements, batch_size=LOT)
    TotalImprime.objects.bulk_create(totaux, batch_size=LOT)
    compte.engagements = len(engagements)

    # Every bilan is filled while in preparation; the older ones are transmitted at the end,
    # as their collectivité would (a transmitted bilan's figures refuse every write: bilans/gel).
    transmis = [c.pk for c in conventions if c.annee_debut < PREMIERE_ANNEE + annees - 2]
    bilans = Bilan.objects.bulk_create(
        Bilan(
            convention=c,
            annee=c.annee_debut,
            date_deliberation=date(c.annee_debut + 1, 3, 1),
            date_transmission=date(c.annee_debut + 1, 3, 15),
            depenses_collectivite=Decimal(hasard.randrange(100, 900) * 1000),
            financement_etat_recu=Decimal(hasard.randrange(100, 400) * 1000),
        )
        for c in conventions
    )
    bilan_de = {b.convention_id: b for b in bilans}
    RapportAction.objects.bulk_create(
        (
            RapportAction(
                bilan=bilan_de[a.convention_id],
                action=a,
                realisation="realisee",
                operateur=hasard.choice(["CESAM", "MDPM", "SDAT", "CCAS", "Régie"]),
            )
            for a in actions
        ),
        batch_size=LOT,
    )
    parents, parties = [], []
    for action in actions:
        for numero in range(hasard.randint(1, 2)):
            parents.append(
                Indicateur(
                    action=action,
                    code=f"i{numero}",
                    libelle=f"Personnes accompagnées ({numero})",
                    unite="personnes",
                    ordre=numero * 10,
                )
            )
    parents = Indicateur.objects.bulk_create(parents, batch_size=LOT)
    valeurs = {}
    for parent in parents:
        total = hasard.randint(20, 500)
        valeurs[parent.pk] = total
        femmes = hasard.randint(0, total)
        for rang, (code, libelle, valeur, exhaustive) in enumerate(
            [
                ("femmes", "dont femmes", femmes, True),
                (
                    "hommes",
                    "dont hommes",
                    total - femmes + (3 if hasard.random() < 0.02 else 0),
                    True,
                ),
                ("jeunes", "dont moins de 25 ans", hasard.randint(0, total), False),
            ][: hasard.randint(2, 3)]
        ):
            parties.append(
                (
                    Indicateur(
                        action_id=parent.action_id,
                        code=f"{parent.code}-{code}",
                        libelle=libelle,
                        unite="personnes",
                        parent=parent,
                        partie_exhaustive=exhaustive,
                        ordre=parent.ordre + rang + 1,
                    ),
                    valeur,
                )
            )
    Indicateur.objects.bulk_create([p for p, _v in parties], batch_size=LOT)
    action_de = {a.pk: a for a in actions}
    mesures = [
        Mesure(
            indicateur=p,
            bilan=bilan_de[action_de[p.action_id].convention_id],
            valeur=Decimal(valeurs[p.pk]),
        )
        for p in parents
    ] + [
        Mesure(
            indicateur=p, bilan=bilan_de[action_de[p.action_id].convention_id], valeur=Decimal(v)
        )
        for p, v in parties
    ]
    Mesure.objects.bulk_create(mesures, batch_size=LOT)
    compte.mesures = len(mesures)
    Bilan.objects.filter(convention__in=transmis).update(statut=Bilan.Statut.TRANSMIS)

    seances = Seance.objects.bulk_create(
        Seance(
            territoire_id=c.territoire_id,
            organe="Assemblée",
            date=date(c.annee_debut, 6 if c.annee_fin == c.annee_debut else 9, 20),
            membres=60,
            membres_en_exercice=60,
            presents=45,
            procurations=10,
        )
        for c in conventions
    )
    Deliberation.objects.bulk_create(
        Deliberation(
            seance=s,
            reference="calpa",
            objet=f"Convention CALPA {c.annee_debut}",
            convention=c,
            votes_pour=55,
            procurations_votes=10,
        )
        for s, c in zip(seances, conventions, strict=True)
    )
    return compte


def rafraichir_les_statistiques():
    """``ANALYZE`` after a bulk load (PostgreSQL and SQLite): the planner would otherwise
    keep the row counts of an empty database and choose its plans for a few rows."""
    with connection.cursor() as curseur:
        curseur.execute("ANALYZE")
