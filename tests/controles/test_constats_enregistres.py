"""The stored constats of each convention (issue 29) stay exactly what the checks find: every
write of what the checks read, by every door, makes its conventions' constats out of date in
its own transaction, and a read recomputes those only.

The property test replays random sequences of the write-path matrix's submissions (every page
form, every admin screen, bulk action and history revert, every file an import screen takes)
and of the ORM's bulk paths, with reads in between; then the stored constats equal a full
recomputation."""

import inspect
from decimal import Decimal

import pytest
from django.db import models, transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bilans.models import Bilan, Mesure
from commun.ecritures import RequetesSuivies
from controles import donnees as module_donnees
from controles import enregistres
from controles.constats import Regle
from controles.enregistres import CHEMINS, a_jour, constats_enregistres, echeances, perimees
from controles.models import ConstatEnregistre, EtatDesConstats, MontantEnregistre
from controles.montants_engages import montants_par_convention
from controles.services import controler
from conventions.models import (
    Axe,
    Convention,
    Deliberation,
    Engagement,
    Financeur,
    Seance,
    TableauEngagements,
    Tranche,
)
from conventions.selectors import periodes
from tests.proprietes import exemples
from tests.test_matrice_des_ecritures import (
    fichiers_a_deposer,
    monde,  # noqa: F401 (a fixture)
    rejouer,
    toutes_les_soumissions,
)

CALPA = "calpa-dijon-2023"


def decrits(constats) -> list[tuple]:
    """What the pages show of each constat, sorted."""
    return sorted(
        (c.convention_id, str(c.code), str(c.severite), c.message, str(c.objet), c.annees)
        for c in constats
    )


def recalcul_complet() -> list[tuple]:
    """Every rule but the calendar's, on every convention, from scratch."""
    return decrits(
        c for c in controler(regles=enregistres.REGLES_ENREGISTREES) if c.convention_id is not None
    )


def enregistres_a_jour() -> list[tuple]:
    return decrits(constats_enregistres(Convention.objects.all()))


def montants_recalcules() -> list[tuple]:
    """What each convention engages each year, summed from scratch."""
    return sorted(
        (
            m["convention_id"],
            m["annee"],
            m["axe"],
            m["tranches"],
            m["etat"],
            m["collectivite"],
            m["dispositif"],
            m["departement_id"],
        )
        for m in montants_par_convention(Convention.objects.all())
    )


def montants_enregistres() -> list[tuple]:
    """The stored amounts (brought up to date first)."""
    a_jour(Convention.objects.all())
    return sorted(
        MontantEnregistre.objects.values_list(
            "convention_id",
            "annee",
            "axe",
            "tranches",
            "etat",
            "collectivite",
            "dispositif",
            "departement_id",
        )
    )


def calendrier_recalcule() -> list[tuple]:
    """The calendar rule's constats of today, on every convention, from scratch."""
    return decrits(c for c in controler() if c.code == Regle.CALENDRIER)


def calendrier_enregistre() -> list[tuple]:
    """The same from the stored due dates."""
    return decrits(echeances(Convention.objects.all()))


def drapeaux_recalcules() -> list[tuple]:
    """Each convention's flags for the dashboard, from its tableaux."""
    toutes = Convention.objects.all()
    sans = set(periodes.sans_tableau_en_vigueur(toutes).values_list("pk", flat=True))
    nombres = periodes.nombre_de_periodes_sans_version_en_vigueur(toutes)
    return sorted(
        (pk, pk in sans, nombres.get(pk, 0)) for pk in toutes.values_list("pk", flat=True)
    )


def drapeaux_enregistres() -> list[tuple]:
    a_jour(Convention.objects.all())
    return sorted(
        EtatDesConstats.objects.values_list(
            "convention", "sans_tableau_en_vigueur", "periodes_sans_version_en_vigueur"
        )
    )


def calpa() -> Convention:
    return Convention.objects.get(slug=CALPA)


# --- what is stored, and when it is out of date ---------------------------------------------


def test_les_constats_enregistres_sont_ceux_des_controles(documents):
    assert EtatDesConstats.objects.count() == 0  # never computed: each convention out of date
    assert len(perimees(Convention.objects.all())) == Convention.objects.count()
    lus = enregistres_a_jour()
    assert lus == recalcul_complet()
    assert len(lus) == 12  # the 14 constats of the documents, less the calendar's 2
    assert {c[1] for c in lus} == {"bilan", "completude", "indicateurs", "pluriannuel"}
    assert perimees(Convention.objects.all()) == []
    assert not any(c.code == Regle.CALENDRIER for c in ConstatEnregistre.objects.all())
    assert montants_enregistres() == montants_recalcules()
    assert calendrier_enregistre() == calendrier_recalcule() != []
    # The Territoire zéro non recours has no tableau: « tranches à répartir » on the dashboard.
    assert drapeaux_enregistres() == drapeaux_recalcules()
    assert [(c, n) for c, sans, n in drapeaux_enregistres() if sans or n] == [
        (Convention.objects.get(slug="tznr-dijon-2023-2025").pk, 0)
    ]
    # CALPA 2023 by top-level axe, and the Territoire zéro non recours' tranche of 2023.
    assert sum(m[4] for m in montants_enregistres() if m[1] == 2023) == Decimal("518667.00")


def test_une_ecriture_rend_perimes_ses_seules_conventions(documents):
    a_jour(Convention.objects.all())
    ligne = Engagement.objects.filter(tableau__convention__slug=CALPA).first()
    ligne.montant += 1
    ligne.save()
    assert perimees(Convention.objects.all()) == [calpa().pk]
    a_jour(Convention.objects.all())
    assert perimees(Convention.objects.all()) == []
    assert enregistres_a_jour() == recalcul_complet()


@pytest.mark.parametrize(
    "ecrire",
    [
        pytest.param(lambda lignes: lignes.update(montant=F("montant") + 1), id="update"),
        pytest.param(
            lambda lignes: Engagement.objects.bulk_update(
                [setattr(e, "montant", e.montant + 1) or e for e in lignes], ["montant"]
            ),
            id="bulk_update",
        ),
        pytest.param(lambda lignes: lignes.filter(pk=lignes[0].pk).delete(), id="delete"),
        pytest.param(lambda lignes: lignes[0].delete(), id="delete-objet"),
        pytest.param(
            lambda lignes: Engagement.objects.bulk_create(
                [
                    Engagement(
                        tableau=lignes[0].tableau,
                        action=lignes[0].action,
                        financeur=Financeur.objects.exclude(
                            pk__in=lignes[0]
                            .tableau.engagements.filter(action=lignes[0].action)
                            .values("financeur")
                        ).first(),
                        montant=Decimal("12.00"),
                    )
                ]
            ),
            id="bulk_create",
        ),
    ],
)
def test_chaque_chemin_en_bloc_rend_perimee_la_convention(documents, ecrire):
    a_jour(Convention.objects.all())
    lignes = Engagement.objects.filter(
        tableau__convention__slug=CALPA, tableau__en_vigueur=True
    ).order_by("pk")
    ecrire(lignes)
    assert perimees(Convention.objects.all()) == [calpa().pk]


def test_deplacer_une_deliberation_rend_perimees_les_deux_conventions(documents):
    """A foreign key changed by ``update()``: the rows' conventions before and after."""
    a_jour(Convention.objects.all())
    deliberation = Deliberation.objects.filter(convention__isnull=False).first()
    autre = Convention.objects.exclude(pk=deliberation.convention_id).first()
    Deliberation.objects.filter(pk=deliberation.pk).update(convention=autre)
    assert sorted(perimees(Convention.objects.all())) == sorted(
        {deliberation.convention_id, autre.pk}
    )


def test_une_ecriture_pendant_le_calcul_le_laisse_perime(documents, monkeypatch):
    """The constats are stored for the generation read before the data: a write that lands
    while the checks run leaves the convention out of date, for the next read."""
    vrai_controler = enregistres.controler

    def controler_pendant_une_saisie(*args, **kwargs):
        resultat = vrai_controler(*args, **kwargs)
        Engagement.objects.filter(tableau__convention__slug=CALPA).update(montant=F("montant") + 1)
        return resultat

    monkeypatch.setattr(enregistres, "controler", controler_pendant_une_saisie)
    a_jour(Convention.objects.filter(slug=CALPA))
    assert perimees(Convention.objects.filter(slug=CALPA)) == [calpa().pk]
    monkeypatch.setattr(enregistres, "controler", vrai_controler)
    assert enregistres_a_jour() == recalcul_complet()


def test_chaque_modele_que_lisent_les_controles_a_son_chemin():
    """The checks' snapshot reads these models; each has its way to the conventions, and its
    bulk writes are told (its manager's queryset is a ``RequetesSuivies``)."""
    lus = {
        valeur
        for valeur in vars(module_donnees).values()
        if inspect.isclass(valeur) and issubclass(valeur, models.Model)
    }
    assert lus - set(CHEMINS) == set()
    for modele in CHEMINS:
        assert issubclass(modele._default_manager._queryset_class, RequetesSuivies), modele


def test_le_tableau_de_bord_lit_les_constats_enregistres(documents, client_admin):
    import re

    def resume(page: str) -> str:
        motif = r"Contrôles des conventions de cette page : <strong>(.*?)</strong>"
        return re.search(motif, page)[1]

    page = client_admin.get("/").content.decode()
    assert resume(page) == "4 erreurs · 8 avertissements · 1 information"
    # Computed for every convention the filters keep (the calendar reads their stored due
    # dates), the Territoire zéro non recours included, which has no annual tableau.
    assert ConstatEnregistre.objects.count() == 12
    # Out of date after a write: the page counts the new constats (the État's total of the
    # CALPA 2023 tableau en vigueur no longer matches its printed total nor the collectivité's).
    tableau = TableauEngagements.objects.get(convention__slug=CALPA, en_vigueur=True)
    ligne = tableau.engagements.filter(financeur__slug="etat").first()
    ligne.montant += Decimal("1000.00")
    ligne.save()
    apres = client_admin.get("/").content.decode()
    assert resume(apres) == "6 erreurs · 11 avertissements · 1 information"
    assert enregistres_a_jour() == recalcul_complet()


# --- the property: random writes through every door -----------------------------------------


def _orm(numero: int):
    """The ORM's own doors, on the documents: bulk update, bulk update of objects, queryset
    delete, moving a délibération, a financeur's catégorie, a séance's counts, mesures, a
    bilan's status and dates, an axe's intitulé, tranches, a due date, the versions en
    vigueur."""

    def faire():
        lignes = Engagement.objects.filter(tableau__convention__slug=CALPA).order_by("pk")
        if numero == 0:
            lignes.filter(financeur__slug="etat").update(montant=F("montant") + 7)
        elif numero == 1:
            objets = list(lignes[:3])
            for objet in objets:
                objet.montant += 5
            Engagement.objects.bulk_update(objets, ["montant"])
        elif numero == 2:
            lignes.filter(pk=lignes[0].pk).delete()
        elif numero == 3:
            deliberation = Deliberation.objects.filter(convention__isnull=False).first()
            autre = Convention.objects.exclude(pk=deliberation.convention_id).first()
            Deliberation.objects.filter(pk=deliberation.pk).update(convention=autre)
        elif numero == 4:
            Financeur.objects.filter(slug="etat").update(categorie="autre")
        elif numero == 5:
            seance = Seance.objects.first()
            seance.presents = seance.membres_en_exercice
            seance.save()
        elif numero == 6:
            Mesure.objects.filter(bilan__convention__slug=CALPA).update(valeur=F("valeur") * 3)
        elif numero == 7:
            Bilan.objects.filter(convention__slug=CALPA).update(statut=Bilan.Statut.VALIDE)
        elif numero == 8:
            Axe.objects.filter(convention__slug=CALPA, parent__isnull=True).update(
                intitule="Axe renommé"
            )
        elif numero == 9:
            Tranche.objects.update(montant=F("montant") + 1)
        elif numero == 10:
            Bilan.objects.filter(convention__slug=CALPA).update(
                date_deliberation="2024-03-01", date_transmission="2024-03-20"
            )
        elif numero == 11:
            Convention.objects.filter(slug=CALPA).update(bilan_echeance_mois=1)
        elif numero == 12:  # a period left without a version en vigueur
            TableauEngagements.objects.filter(convention__slug=CALPA).update(en_vigueur=False)

    return (f"orm-{numero}", faire)


@pytest.fixture
def portes(monde):  # noqa: F811 (the fixture imported above)
    """Every submission of the write-path matrix, sent by the superuser, and the ORM's."""
    superutilisateur = monde["superutilisateur"]
    soumissions = toutes_les_soumissions(monde) + fichiers_a_deposer(superutilisateur)
    envois = [
        (action, lambda s=(action, donnees): rejouer(superutilisateur, [s]))
        for action, donnees in soumissions
    ]
    return envois + [_orm(numero) for numero in range(13)]


@pytest.mark.hypothesis
@settings(
    max_examples=exemples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(donnees=st.data())
def test_apres_des_ecritures_au_hasard_les_constats_enregistres_sont_exacts(portes, donnees):
    nombre = len(portes)
    suite = donnees.draw(
        st.lists(st.tuples(st.integers(0, nombre - 1), st.booleans()), min_size=1, max_size=4),
        label="portes (et une lecture après ?)",
    )
    with transaction.atomic():
        a_jour(Convention.objects.all())
        for rang, lire in suite:
            _nom, ecrire = portes[rang]
            ecrire()
            if lire:  # a page read between two writes: the stale ones only are recomputed
                a_jour(Convention.objects.filter(slug=CALPA))
        portes_prises = [portes[r][0] for r, _l in suite]
        assert enregistres_a_jour() == recalcul_complet(), portes_prises
        assert montants_enregistres() == montants_recalcules(), portes_prises
        assert calendrier_enregistre() == calendrier_recalcule(), portes_prises
        assert drapeaux_enregistres() == drapeaux_recalcules(), portes_prises
        transaction.set_rollback(True)


def test_le_recalcul_coute_autant_de_requetes_pour_2_ou_pour_12_conventions(documents):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conventions.factories import ConventionFactory

    def requetes_du_recalcul(nombre: int) -> int:
        pks = [ConventionFactory().pk for _ in range(nombre)]
        with CaptureQueriesContext(connection) as capture:
            a_jour(Convention.objects.filter(pk__in=pks))
        assert perimees(Convention.objects.filter(pk__in=pks)) == []
        return len(capture)

    assert requetes_du_recalcul(2) == requetes_du_recalcul(12)
