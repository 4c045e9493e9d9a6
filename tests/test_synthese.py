"""The « Synthèse » page: figures at Dijon's size (the five documents), scoping to the user's
territoires, typed downloads, and a number of queries that does not grow with the data."""

import csv
import io
from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from bilans.models import Bilan
from commun.formats import euros
from comptes import roles
from controles import repartition, synthese
from conventions.models import Convention, EngagementPluriannuel, Financeur, Territoire, Tranche
from tests.conventions.factories import ConventionFactory, convention_complete

URL = "/synthese/"
AUJOURDHUI = date(2026, 12, 6)


def test_engage_et_realise_a_la_taille_de_dijon(documents):
    conventions = Convention.objects.all()
    assert synthese.annees_disponibles(conventions) == [2023, 2020, 2015]
    lignes, total = synthese.engagements_par_dispositif(conventions, 2023)
    assert [ligne.cle for ligne in lignes] == ["calpa", "tznr"]
    calpa, tznr = lignes
    # CALPA 2023, tableau en vigueur: 347 000 € from the État, as much from Dijon Métropole;
    # the bilan 2023: 347 000 € received from the État, 879 505 € spent by the métropole.
    assert (calpa.engage_etat, calpa.engage_collectivite) == (347000, 347000)
    assert (calpa.realise_etat, calpa.realise_collectivite) == (347000, 879505)
    assert calpa.taux_etat == Decimal("1.0000")
    assert calpa.taux_collectivite == Decimal("2.5346")
    assert (calpa.precedent_etat, calpa.precedent_collectivite) == (0, 0)  # nothing in 2022
    assert calpa.evolution_etat is None
    # The Territoire zéro non recours has no tableau: its 2023 tranche of the 515 000 € engaged
    # by the État over 2023-2025 is its engaged amount of the year.
    assert (tznr.engage_etat, tznr.engage_collectivite) == (171667, 0)
    assert tznr.dont_tranches_etat == 171667 and calpa.dont_tranches_etat == 0
    assert (tznr.realise_etat, tznr.taux_etat) == (0, 0)  # no bilan 2023 recorded
    # The total is the database's sum, equal to its lines'.
    assert (total.engage_etat, total.realise_collectivite) == (518667, 879505)
    assert total.engage_etat == sum(ligne.engage_etat for ligne in lignes)
    assert total.engage_collectivite == sum(ligne.engage_collectivite for ligne in lignes)
    assert total.realise_etat == sum(ligne.realise_etat for ligne in lignes)


def test_filtre_par_dispositif(documents):
    contrat = Convention.objects.filter(dispositif="contrat_de_ville")
    lignes, total = synthese.engagements_par_dispositif(contrat, 2023)
    assert lignes == []
    assert (total.engage_etat, total.realise_etat) == (0, 0)
    tznr = Convention.objects.filter(dispositif="tznr")
    lignes, total = synthese.engagements_par_dispositif(tznr, 2023)
    assert [ligne.cle for ligne in lignes] == ["tznr"]
    assert (total.engage_etat, total.dont_tranches_etat) == (171667, 171667)


def test_bilans_de_l_annee(documents):
    conventions = Convention.objects.all()
    resultat = synthese.bilans_de_l_annee(conventions, 2023, aujourdhui=AUJOURDHUI)
    calpa, tznr = resultat.lignes
    # Due 31 March 2024 (the convention's rule), still in preparation on 6 December 2026.
    assert (calpa.slug, calpa.echeance, calpa.etat, calpa.retard) == (
        "calpa-dijon-2023",
        date(2024, 3, 31),
        "en retard",
        (AUJOURDHUI - date(2024, 3, 31)).days,
    )
    assert calpa.lien == "/conventions/calpa-dijon-2023/bilans/2023/"
    assert (tznr.slug, tznr.bilan, tznr.statut, tznr.etat) == (
        "tznr-dijon-2023-2025",
        False,
        "non enregistré",
        "en cours",
    )
    (dijon,) = resultat.par_territoire
    assert (dijon.territoire, dijon.attendus, dijon.en_retard, dijon.transmis) == (
        "Dijon Métropole",
        2,
        1,
        0,
    )
    # Deliberated and sent (late, an avertissement, not « en retard »): waiting for review.
    Bilan.objects.filter(convention__slug="calpa-dijon-2023", annee=2023).update(
        statut=Bilan.Statut.TRANSMIS,
        date_deliberation=date(2024, 3, 15),
        date_transmission=date(2024, 4, 10),
    )
    resultat = synthese.bilans_de_l_annee(conventions, 2023, aujourdhui=AUJOURDHUI)
    calpa = resultat.lignes[0]
    assert (calpa.etat, calpa.retard, calpa.transmis_le, calpa.attente) == (
        "transmis",
        None,
        date(2024, 4, 10),
        (AUJOURDHUI - date(2024, 4, 10)).days,
    )
    assert (resultat.total.en_retard, resultat.total.transmis) == (0, 1)
    Bilan.objects.filter(convention__slug="calpa-dijon-2023", annee=2023).update(
        statut=Bilan.Statut.VALIDE
    )
    resultat = synthese.bilans_de_l_annee(conventions, 2023, aujourdhui=AUJOURDHUI)
    assert (resultat.total.transmis, resultat.total.valides) == (0, 1)


def test_constats_par_regle_erreurs_d_abord(documents):
    groupes = synthese.constats_par_regle(Convention.objects.all(), 2023, aujourdhui=AUJOURDHUI)
    severites = [g.severite for g in groupes]
    assert severites == sorted(severites, key=["erreur", "avertissement", "information"].index)
    calendrier = next(g for g in groupes if g.code == "calendrier")
    assert calendrier.territoires == ["Dijon Métropole"]
    assert calendrier.conventions[0][2] == "/conventions/calpa-dijon-2023/"


def test_un_constat_sans_annee_compte_pour_les_annees_de_sa_convention(documents):
    """A constat about a whole convention (no years) counts in the synthesis of its
    convention's years, not in another year's; with or without the year's names passed."""
    from controles import enregistres
    from controles.models import ConstatEnregistre

    conventions = Convention.objects.all()
    enregistres.a_jour(conventions)
    autre = Convention.objects.exclude(annee_debut__lte=2023, annee_fin__gte=2023).first()
    ConstatEnregistre.objects.create(
        convention=autre,
        code="fiche_action",
        severite="avertissement",
        message="Constat sur toute la convention.",
        type_objet="convention",
        libelle_objet=autre.intitule,
        rang=0,
    )

    def fiches(annee, **options):
        return [
            g.nombre_de_conventions
            for g in synthese.constats_par_regle(
                conventions, annee, aujourdhui=AUJOURDHUI, **options
            )
            if g.code == "fiche_action"
        ]

    assert fiches(2023) == []
    noms = synthese.bilans_de_l_annee(conventions, 2023, aujourdhui=AUJOURDHUI).noms
    assert fiches(2023, noms=noms) == []
    assert fiches(autre.annee_debut) == [1]


def test_la_page_montre_les_montants(documents, client_de):
    client = client_de(roles.AGENT, territoires=Territoire.objects.filter(slug="dijon-metropole"))
    contenu = client.get(URL).content.decode()
    assert "Synthèse 2023" in contenu
    assert euros(Decimal("347000")) in contenu
    assert euros(Decimal("879505")) in contenu
    assert "/conventions/calpa-dijon-2023/bilans/2023/" in contenu
    # An agent does not download (the dashboard's rule).
    assert "export=xlsx" not in contenu
    assert client.get(URL + "?table=engagements&export=xlsx").status_code == 403


def test_un_autre_territoire_ne_voit_rien_de_dijon(documents, client_de):
    autre = Territoire.objects.create(slug="autre", nom="Autre métropole")
    client = client_de(roles.FINANCES, territoires=[autre])
    contenu = client.get(URL + "?annee=2023").content.decode()
    assert "Dijon" not in contenu
    assert euros(Decimal("347000")) not in contenu
    assert "Aucun tableau des engagements en vigueur" in contenu


def test_telechargements_types(documents, client_admin):
    reponse = client_admin.get(URL + "?annee=2023&table=engagements&export=xlsx")
    feuille = load_workbook(io.BytesIO(reponse.content)).active
    entetes = [c.value for c in feuille[1]]
    assert entetes[:3] == ["Dispositif", "Engagé État 2023 (€)", "Engagé collectivités 2023 (€)"]
    calpa = feuille[2]
    assert calpa[0].value == "CALPA / pacte de solidarité"
    assert calpa[1].value == 347000 and "€" in calpa[1].number_format
    assert calpa[4].value == 879505
    assert calpa[5].value == 1 and calpa[5].number_format == "0.00%"  # taux État: 100 %
    assert feuille[3][0].value == "Territoire zéro non recours" and feuille[3][1].value == 171667
    assert feuille[4][0].value == "Total" and feuille[4][1].value == 518667

    reponse = client_admin.get(URL + "?annee=2023&table=bilans&export=xlsx")
    feuille = load_workbook(io.BytesIO(reponse.content)).active
    ligne = feuille[2]
    assert ligne[0].value == "Dijon Métropole"
    assert ligne[5].is_date and ligne[5].value.date() == date(2024, 3, 31)
    assert isinstance(ligne[6].value, int)  # the delay in days, a number

    reponse = client_admin.get(URL + "?annee=2023&table=constats&export=csv")
    lignes = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))
    assert lignes[0] == ["Règle", "Sévérité", "Constats", "Territoires", "Conventions"]
    assert lignes[1][1] == "erreur" and lignes[1][3] == "Dijon Métropole"

    assert client_admin.get(URL + "?table=autre&export=csv").status_code == 404


def requetes(client, url) -> int:
    with CaptureQueriesContext(connection) as capture:
        reponse = client.get(url)
    assert reponse.status_code == 200
    return len(capture)


def _convention_placee(nb_actions, departement, tranche=False):
    """A convention in a territoire of ``departement``; with ``tranche``, a multi-year one
    without tableau, counted through its tranche 2023."""
    convention = convention_complete(nb_actions)
    convention.territoire.departement_id = departement
    convention.territoire.save()
    if tranche:
        sans_tableau = ConventionFactory(territoire=convention.territoire, dispositif="tznr")
        engagement = EngagementPluriannuel.objects.create(
            convention=sans_tableau,
            financeur=Financeur.objects.get(slug="etat"),
            montant_total=Decimal("3000"),
            annee_debut=2023,
            annee_fin=2025,
        )
        Tranche.objects.create(engagement=engagement, annee=2023, montant=Decimal("1000"))
    return convention


def test_requetes_independantes_de_la_taille(client_de):
    """Filters, engaged and realised, axes, départements and their map, bilans, constats: the
    same number of queries for 3 conventions in 2 départements as for 16 in 8."""
    client = client_de(roles.ADMINISTRATEUR)
    _convention_placee(2, "21")
    _convention_placee(2, "70", tranche=True)
    requetes(client, URL)  # warms the caches
    avant = requetes(client, URL)
    assert 'id="carte-titre"' in client.get(URL).content.decode()
    for numero, departement in enumerate(["01", "2A", "33", "59", "69", "971"]):
        convention = _convention_placee(5, departement, tranche=numero % 2 == 0)
        Bilan.objects.create(
            convention=convention, annee=2023, financement_etat_recu=Decimal("100.00")
        )
    requetes(client, URL)  # recomputes the stored constats of the conventions written
    apres = requetes(client, URL)
    assert Convention.objects.count() == 12
    assert apres == avant, f"{avant} requêtes puis {apres}"
    assert requetes(client, URL + "?region=84") == avant
    lignes, total = synthese.engagements_par_dispositif(Convention.objects.all(), 2023)
    # 2 × 2 × 1 000 € + 6 × 5 × 1 000 € from the tableaux, 4 tranches of 1 000 €; 6 × 100 €
    # received.
    assert (total.engage_etat, total.realise_etat) == (38000, 600)
    assert total.dont_tranches_etat == 4000
    assert sum(ligne.engage_etat for ligne in lignes) == total.engage_etat
    axes = repartition.engage_par_axe(Convention.objects.all(), 2023)
    assert sum(a.engage_etat for a in axes) == total.engage_etat
    departements = repartition.engage_par_departement(Convention.objects.all(), 2023)
    assert len(departements) == 8
    assert sum(d.engage_etat for d in departements) == total.engage_etat
    assert sum(d.engage_collectivite for d in departements) == total.engage_collectivite
