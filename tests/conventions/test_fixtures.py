"""The five source documents, loaded from their fixtures, hold the figures printed in them."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count

from bilans.models import Bilan, Indicateur, Mesure, RapportAction
from conventions.models import (
    Action,
    Avenant,
    Axe,
    Convention,
    Deliberation,
    Engagement,
    EngagementPluriannuel,
    MembreSeance,
    ParCleNaturelle,
    Seance,
    TableauEngagements,
    TotalImprime,
)
from fichiers.annuel import cles
from fixtures import generer
from tests.conftest import FIXTURES

PACTE_2020 = "pacte-solidarite-dijon-2020"
CALPA_2023 = "calpa-dijon-2023"
TZNR = "tznr-dijon-2023-2025"
CAF = "contrat-de-ville-grand-dijon-2015-2020"
RETENUE = "Version Dijon Métropole retenue sur le Territoire Zéro Non Recours"
NON_RETENUE = "Version Dijon Métropole non retenue sur le Territoire Zéro Non Recours"


def totaux(convention, libelle):
    tableau = TableauEngagements.objects.get(convention__slug=convention, libelle=libelle)
    return {
        ligne["financeur__slug"]: ligne["total"]
        for ligne in tableau.engagements.totaux_par_financeur()
    }


def imprimes(convention, libelle):
    return dict(
        TotalImprime.objects.filter(
            tableau__convention__slug=convention, tableau__libelle=libelle
        ).values_list("financeur__slug", "montant")
    )


def montants(convention, libelle, financeur="etat"):
    return dict(
        Engagement.objects.filter(
            tableau__convention__slug=convention,
            tableau__libelle=libelle,
            financeur__slug=financeur,
        ).values_list("action__code", "montant")
    )


def compter_lignes():
    return {
        modele._meta.label: modele.objects.count()
        for app in ("conventions", "bilans")
        for modele in apps.get_app_config(app).get_models()
    }


@pytest.mark.parametrize(
    "convention, libelle, attendus",
    [
        pytest.param(
            PACTE_2020,
            "Annexe 1 — Tableau des engagements",
            {"etat": Decimal("200000.00"), "dijon-metropole": Decimal("200000.00")},
            id="pacte-2020-annexe-1",
        ),
        pytest.param(
            CALPA_2023,
            RETENUE,
            {"etat": Decimal("347000.00"), "dijon-metropole": Decimal("347000.00")},
            id="calpa-2023-retenue",
        ),
        pytest.param(
            CALPA_2023,
            NON_RETENUE,
            {"etat": Decimal("347000.00"), "dijon-metropole": Decimal("347000.00")},
            id="calpa-2023-non-retenue",
        ),
        pytest.param(
            CALPA_2023,
            "Budget prévisionnel 2023 par action (bilan 2023)",
            {"etat": Decimal("347500.00"), "dijon-metropole": Decimal("347500.00")},
            id="bilan-2023-previsionnel",
        ),
        pytest.param(
            CAF,
            "Estimation des aides en 2015",
            {"caf-cote-d-or": Decimal("43130000.00")},
            id="caf-estimation-2015",
        ),
        pytest.param(
            CAF,
            "Projection finale sur 2015-2017",
            {"caf-cote-d-or": Decimal("129530000.00")},
            id="caf-projection-2015-2017",
        ),
    ],
)
def test_les_totaux_calcules_egalent_les_totaux_imprimes(documents, convention, libelle, attendus):
    assert totaux(convention, libelle) == attendus
    assert imprimes(convention, libelle) == attendus


def test_pacte_2020_trois_axes_dix_actions_et_leurs_fiches(documents):
    convention = Convention.objects.get(slug=PACTE_2020)
    assert convention.axes.count() == 3
    assert convention.actions.count() == 10
    assert convention.taux_cofinancement == Decimal("1.00")
    assert convention.versement_unique is True
    assert str(convention.date_deliberation) == "2020-09-17"
    assert str(convention.echeance_bilan(2020)) == "2021-03-31"
    # Subtotals per axe, as the annex adds them up (État and Métropole alike).
    sous_totaux = {
        (ligne["action__axe__code"], ligne["financeur__slug"]): ligne["total"]
        for ligne in Engagement.objects.filter(tableau__convention=convention).totaux_par_axe()
    }
    assert sous_totaux == {
        ("1", "etat"): Decimal("102000.00"),
        ("1", "dijon-metropole"): Decimal("102000.00"),
        ("2", "etat"): Decimal("78725.00"),
        ("2", "dijon-metropole"): Decimal("78725.00"),
        ("3", "etat"): Decimal("19275.00"),
        ("3", "dijon-metropole"): Decimal("19275.00"),
    }
    budgets = dict(convention.actions.values_list("code", "budget_estime"))
    assert budgets["1.1"] == Decimal("152000.00")
    assert budgets["2.3"] == Decimal("10450.00")
    assert budgets["3.2"] == Decimal("8550.00")
    assert sum(budgets.values()) == Decimal("400000.00")
    # Every fiche field is filled in, for every action.
    champs = [
        "intitule_fiche",
        "contexte",
        "objectif_vise",
        "descriptif",
        "public_vise",
        "territoire_concerne",
        "modalites_echeancier",
        "indicateurs_suivi",
    ]
    for action in convention.actions.all():
        assert all(getattr(action, champ) for champ in champs), action.code
    fiche_23 = convention.actions.get(code="2.3")
    assert "Chenôve, Dijon, Longvic, Quetigny, Talant" in fiche_23.territoire_concerne
    assert "<p>" not in fiche_23.contexte


def test_calpa_2023_deux_versions_qui_different_par_action(documents):
    convention = Convention.objects.get(slug=CALPA_2023)
    assert convention.axes.count() == 3
    assert convention.actions.count() == 7
    retenue, non_retenue = montants(CALPA_2023, RETENUE), montants(CALPA_2023, NON_RETENUE)
    assert retenue["1.1"] == Decimal("100000.00")
    assert non_retenue["1.1"] == Decimal("80000.00")
    assert "1.3" not in retenue
    assert non_retenue["1.3"] == Decimal("20000.00")
    assert len(retenue) == 6 and len(non_retenue) == 7
    en_vigueur = TableauEngagements.objects.get(convention=convention, en_vigueur=True)
    assert en_vigueur.libelle == RETENUE
    assert Engagement.objects.pour_convention_annee(convention, 2023).total() == Decimal(
        "694000.00"
    )


def test_bilan_2023_rapports_indicateurs_et_budget(documents):
    bilan = Bilan.objects.get(convention__slug=CALPA_2023, annee=2023)
    assert bilan.depenses_collectivite == Decimal("879505.00")
    assert bilan.financement_etat_recu == Decimal("347000.00")
    assert str(bilan.echeance) == "2024-03-31"
    operateurs = dict(bilan.rapports.values_list("action__code", "operateur"))
    assert operateurs == {
        "1.1": "",
        "1.2": "CESAM",
        "2.1": "MDPM",
        "3.1": "SDAT",
        "3.2": "SDAT",
        "3.3": "CESAM",
    }
    realisations = dict(bilan.rapports.values_list("action__code", "realisation"))
    assert realisations["2.1"] == RapportAction.Realisation.NON_RENSEIGNEE
    assert list(realisations.values()).count(RapportAction.Realisation.REALISEE) == 5
    assert Indicateur.objects.filter(action__convention__slug=CALPA_2023).count() == 19
    valeurs = {
        (m.indicateur.action.code, m.indicateur.code): m.valeur
        for m in Mesure.objects.filter(bilan=bilan).select_related("indicateur__action")
    }
    assert len(valeurs) == 19
    assert valeurs[("1.1", "entretiens")] == 5072
    assert valeurs[("1.1", "entretiens-agents-accueil")] == 2644
    assert valeurs[("1.2", "personnes-orientees")] == 48
    assert valeurs[("1.2", "personnes-orientees-femmes")] == 31
    assert valeurs[("2.1", "jeunes-accompagnes")] == 458
    assert valeurs[("3.2", "personnes-suivies")] == 269
    # 3.1: an exhaustive breakdown, 73 Maintien + 31 Accès = 104 accompagnements.
    parties = Indicateur.objects.filter(
        parent__code="accompagnements", partie_exhaustive=True
    ).values_list("code", flat=True)
    assert sorted(parties) == ["mesures-acces", "mesures-maintien"]
    assert valeurs[("3.1", "mesures-maintien")] + valeurs[("3.1", "mesures-acces")] == 104
    previsionnel = montants(CALPA_2023, bilan.tableau_previsionnel.libelle)
    assert previsionnel["3.1"] == Decimal("70000.00")
    assert previsionnel["3.2"] == Decimal("25000.00")


def test_lignee_des_actions_2023_vers_2020(documents):
    lignee = dict(
        Action.objects.filter(
            convention__slug=CALPA_2023, action_precedente__isnull=False
        ).values_list("code", "action_precedente__code")
    )
    assert lignee == {"1.1": "1.1", "3.1": "2.1", "3.2": "2.2"}
    assert (
        Action.objects.get(
            convention__slug=CALPA_2023, code="3.1"
        ).action_precedente.convention.slug
        == PACTE_2020
    )


def test_deliberation_tznr_seance_votes_et_tranche(documents):
    seance = Seance.objects.get(territoire__slug="dijon-metropole", date="2023-11-23")
    assert (seance.membres, seance.membres_en_exercice, seance.presents, seance.procurations) == (
        86,
        86,
        75,
        9,
    )
    presences = dict(
        MembreSeance.objects.filter(seance=seance)
        .values("presence")
        .annotate(n=Count("id"))
        .values_list("presence", "n")
    )
    assert presences == {"present": 75, "represente": 9, "absent": 2}
    tonot = MembreSeance.objects.get(seance=seance, nom="Céline TONOT")
    assert tonot.mandataire == "Monsieur Jean-Marc RETY"
    deliberation = Deliberation.objects.get(seance=seance)
    assert (deliberation.votes_pour, deliberation.votes_contre, deliberation.abstentions) == (
        84,
        0,
        0,
    )
    assert deliberation.votants == 84
    assert deliberation.procurations_votes == 9
    assert deliberation.convention.slug == TZNR
    montant = deliberation.montants.get()
    assert (montant.annee, montant.montant) == (2023, Decimal("171667.00"))
    pluriannuel = EngagementPluriannuel.objects.get(convention__slug=TZNR)
    assert pluriannuel.montant_total == Decimal("515000.00")
    assert (pluriannuel.annee_debut, pluriannuel.annee_fin) == (2023, 2025)
    assert pluriannuel.tranches.get(annee=2023).montant == Decimal("171667.00")


def test_contrat_de_ville_caf_hierarchie_et_dispositifs(documents):
    convention = Convention.objects.get(slug=CAF)
    niveaux = dict(
        convention.axes.values("niveau").annotate(n=Count("id")).values_list("niveau", "n")
    )
    assert niveaux == {1: 4, 2: 11, 3: 17}
    assert convention.actions.count() == 37
    assert Engagement.objects.filter(tableau__convention=convention).count() == 70
    clas = convention.actions.get(intitule="CLAS")
    assert clas.axe.code == "P3.1-a"
    assert clas.axe.parent.parent.intitule == "Pilier Cohésion sociale"
    assert clas.unite_compte == "plusieurs actions sur les différents sites prioritaires"
    flaij = convention.actions.get(intitule="FLAIJ")
    assert montants(CAF, "Estimation des aides en 2015", "caf-cote-d-or")[flaij.code] == Decimal(
        "650.00"
    )
    sans_montant = convention.actions.filter(engagements__isnull=True)
    assert sorted(sans_montant.values_list("intitule", flat=True)) == [
        "ASRE (NAP)",
        "EN PROJET :agence immobilière à vocation sociale",
    ]


def test_charger_deux_fois_ne_duplique_rien(documents):
    avant = compter_lignes()
    assert avant["conventions.Engagement"] == 20 + 12 + 14 + 12 + 70
    call_command("loaddata", *FIXTURES, verbosity=0)
    assert compter_lignes() == avant


@pytest.mark.parametrize(
    "ordre", [pytest.param(1, id="ordre-alphabetique"), pytest.param(-1, id="ordre-inverse")]
)
def test_chaque_fixture_se_charge_seule_dans_tous_les_ordres(db, ordre):
    for fixture in FIXTURES[::ordre]:
        call_command("loaddata", fixture, verbosity=0)
    assert Convention.objects.count() == 4
    assert Axe.objects.count() == 3 + 3 + 32
    assert Action.objects.count() == 10 + 7 + 37


def test_les_fichiers_json_sont_a_jour_de_leurs_transcriptions():
    assert generer.main(["--check"]) == 0


def modeles_par_cle_naturelle():
    return [
        modele
        for modele in apps.get_models()
        if isinstance(modele._default_manager, ParCleNaturelle)
    ]


def test_chaque_cle_naturelle_retrouve_son_objet(documents):
    """``cle_naturelle`` and ``natural_key()`` are written side by side on each model: a key
    that ``dumpdata`` writes must bring ``loaddata`` back to the same object."""
    # The documents hold no avenant.
    Avenant.objects.create(convention=Convention.objects.get(slug=CALPA_2023), numero=1)
    modeles = modeles_par_cle_naturelle()
    assert len(modeles) == 19
    for modele in modeles:
        objets = list(modele._default_manager.all())
        assert objets, f"aucun {modele._meta.label} dans les documents"
        for objet in objets:
            cle = objet.natural_key()
            assert len(cle) == len(modele.cle_naturelle), modele._meta.label
            assert modele._default_manager.get_by_natural_key(*cle) == objet


def test_une_cle_de_la_mauvaise_longueur_est_refusee(db):
    with pytest.raises(TypeError, match="takes 2 key elements but 1 were given"):
        Action.objects.get_by_natural_key("calpa-dijon-2023")


def test_le_chargement_annuel_lit_les_memes_chemins_que_les_modeles():
    """The yearly loader's table of keys (``fichiers.annuel.cles.CLES``) names the same lookup
    paths, the first of each element (a mesure's convention is reached two ways)."""
    for modele in modeles_par_cle_naturelle():
        premiers = tuple(
            chemin if isinstance(chemin, str) else chemin[0] for chemin in modele.cle_naturelle
        )
        assert cles.CLES[modele._meta.label_lower] == premiers
