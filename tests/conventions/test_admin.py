"""The admin: every list page with a bounded number of queries, French errors, the totals."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bilans.models import Bilan, Indicateur, Mesure, RapportAction, Relance
from commun.formats import nombre
from conventions.models import (
    Avenant,
    Deliberation,
    Engagement,
    EngagementPluriannuel,
    MembreSeance,
    MontantDelibere,
    Seance,
    TableauEngagements,
    TotalImprime,
    Tranche,
)
from tests.conventions.factories import FinanceurFactory, convention_complete

MODELES_ADMIN = sorted(
    (
        modele
        for modele in admin.site._registry
        if modele._meta.app_label in {"conventions", "bilans"}
    ),
    key=lambda modele: modele._meta.label,
)


def peupler(taille: int):
    """``taille`` conventions, each with ``taille + 1`` actions and every related object."""
    etat = FinanceurFactory()
    for _ in range(taille):
        convention = convention_complete(taille + 1)
        tableau = convention.tableaux.get()
        for financeur in (etat, FinanceurFactory(collectivite=True)):
            TotalImprime.objects.create(tableau=tableau, financeur=financeur, montant=Decimal("1"))
        Avenant.objects.create(convention=convention, numero=1, annee=2023)
        pluriannuel = EngagementPluriannuel.objects.create(
            convention=convention,
            financeur=etat,
            montant_total=Decimal("515000"),
            annee_debut=2023,
            annee_fin=2025,
        )
        for annee in (2023, 2024):
            Tranche.objects.create(engagement=pluriannuel, annee=annee, montant=Decimal("171667"))
        bilan = Bilan.objects.create(
            convention=convention, annee=2023, tableau_previsionnel=tableau
        )
        seance = Seance.objects.create(
            territoire=convention.territoire,
            organe="Conseil",
            date=date(2023, 11, 23) + timedelta(days=convention.pk),
            membres_en_exercice=86,
            presents=75,
            procurations=9,
        )
        deliberation = Deliberation.objects.create(
            seance=seance, reference="d", objet="Objet", convention=convention, votes_pour=84
        )
        MontantDelibere.objects.create(
            deliberation=deliberation, financeur=etat, annee=2023, montant=Decimal("171667")
        )
        for numero, action in enumerate(convention.actions.all()):
            RapportAction.objects.create(bilan=bilan, action=action, operateur="CESAM")
            MembreSeance.objects.create(seance=seance, nom=f"Membre {numero}", presence="present")
            tout = Indicateur.objects.create(action=action, code="tout", libelle="Tout", unite="p")
            partie = Indicateur.objects.create(
                action=action, code="partie", libelle="dont", unite="p", parent=tout
            )
            for indicateur in (tout, partie):
                Mesure.objects.create(indicateur=indicateur, bilan=bilan, valeur=Decimal("3"))
        destinataire = get_user_model().objects.create(username=f"agent-{convention.pk}")
        Relance.objects.create(
            convention=convention,
            annee=2023,
            motif=Relance.Motif.RETARD,
            destinataire=destinataire,
            date=date(2024, 4, 14),
        )


def requetes_de_la_liste(client, modele) -> tuple[int, str]:
    url = reverse(f"admin:{modele._meta.app_label}_{modele._meta.model_name}_changelist")
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(url)
    assert reponse.status_code == 200
    return len(requetes), reponse.content.decode()


@pytest.mark.parametrize("modele", MODELES_ADMIN, ids=lambda modele: modele._meta.model_name)
def test_chaque_liste_a_un_nombre_de_requetes_independant_du_nombre_de_lignes(client_admin, modele):
    peupler(1)
    petite, _ = requetes_de_la_liste(client_admin, modele)
    peupler(4)
    grande, page = requetes_de_la_liste(client_admin, modele)
    assert modele.objects.count() > 1
    assert grande == petite, f"{modele._meta.label}: {petite} requêtes puis {grande}"
    assert grande <= 35  # the checks of the page (constats column) take about 17
    assert "Erreur" not in page


@pytest.mark.parametrize("modele", MODELES_ADMIN, ids=lambda modele: modele._meta.model_name)
def test_les_filtres_d_un_administrateur_restreint_ne_coutent_pas_une_requete_par_ligne(
    administrateur_restreint, modele
):
    """The lists of an administrator scoped to territoires: their filters read their choices
    among the user's territoires in one query each, whatever the number of rows."""
    from conventions.models import Territoire

    peupler(1)
    client = administrateur_restreint(Territoire.objects.all())
    petite, _ = requetes_de_la_liste(client, modele)
    peupler(4)
    client = administrateur_restreint(Territoire.objects.all())
    grande, page = requetes_de_la_liste(client, modele)
    assert grande == petite, f"{modele._meta.label}: {petite} requêtes puis {grande}"
    assert "Erreur" not in page


def test_la_liste_des_tableaux_montre_les_totaux_par_financeur(documents, client_admin):
    _, page = requetes_de_la_liste(client_admin, TableauEngagements)
    assert "347\u202f000\u00a0€" in page
    assert "347\u202f500\u00a0€" in page
    assert "43\u202f130\u202f000\u00a0€" in page
    assert "129\u202f530\u202f000\u00a0€" in page


def test_la_liste_des_conventions_montre_les_totaux_en_vigueur_par_annee(documents, client_admin):
    _, page = requetes_de_la_liste(client_admin, Bilan.convention.field.related_model)
    assert "2023 — État : 347\u202f000\u00a0€" in page
    assert "2020 — Dijon Métropole : 200\u202f000\u00a0€" in page
    assert (
        "2015-2017 — Caisse d&#x27;allocations familiales de la Côte-d&#x27;Or : "
        "129\u202f530\u202f000\u00a0€" in page
    )


def test_la_liste_des_bilans_montre_depenses_et_financement(documents, client_admin):
    _, page = requetes_de_la_liste(client_admin, Bilan)
    assert "879\u202f505\u00a0€" in page
    assert "31/03/2024" in page


def test_un_montant_negatif_saisi_dans_l_admin_affiche_le_message(documents, client_admin):
    engagement = (
        Engagement.objects.select_related("tableau")
        .filter(tableau__libelle__startswith="Version Dijon Métropole retenue")
        .order_by("pk")
        .first()
    )
    url = reverse("admin:conventions_engagement_change", args=[engagement.pk])
    reponse = client_admin.post(
        url,
        {
            "tableau": engagement.tableau_id,
            "action": engagement.action_id,
            "financeur": engagement.financeur_id,
            "montant": "-100",
        },
    )
    assert reponse.status_code == 200
    assert "Montant « -100 » négatif : positif ou nul attendu." in reponse.content.decode()
    engagement.refresh_from_db()
    assert engagement.montant > 0


def test_un_doublon_saisi_dans_l_admin_affiche_le_message(documents, client_admin):
    engagement = Engagement.objects.order_by("pk").first()
    reponse = client_admin.post(
        reverse("admin:conventions_engagement_add"),
        {
            "tableau": engagement.tableau_id,
            "action": engagement.action_id,
            "financeur": engagement.financeur_id,
            "montant": "1",
        },
    )
    assert reponse.status_code == 200
    assert (
        "Ce tableau a déjà un montant pour cette action et ce financeur."
        in reponse.content.decode()
    )


def test_la_fiche_d_un_tableau_s_ouvre_avec_ses_engagements(documents, client_admin):
    def requetes(libelle):
        tableau = TableauEngagements.objects.get(libelle=libelle)
        with CaptureQueriesContext(connection) as capture:
            reponse = client_admin.get(
                reverse("admin:conventions_tableauengagements_change", args=[tableau.pk])
            )
        assert reponse.status_code == 200
        return len(capture), reponse.content.decode()

    requetes("Annexe 1 — Tableau des engagements")  # warms the content types' cache
    petite, _ = requetes("Annexe 1 — Tableau des engagements")  # 20 engagements
    grande, page = requetes("Projection finale sur 2015-2017")  # 70 engagements
    assert page.count('name="engagements-') >= 35 * 3
    # Choices of the action and financeur selects are computed once, not once per row.
    assert grande == petite


def test_les_pages_de_l_admin_demandent_une_connexion(client, documents):
    reponse = client.get(reverse("admin:conventions_convention_changelist"))
    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("admin:login"))


def test_les_constats_en_colonne_et_sur_la_page_des_objets(documents, client_admin):
    _, liste = requetes_de_la_liste(client_admin, Bilan.convention.field.related_model)
    assert "3 erreurs · 4 avertissements · 1 information" in liste
    assert "4 avertissements" in liste  # the contrat de ville
    _, bilans = requetes_de_la_liste(client_admin, Bilan)
    assert "3 erreurs · 4 avertissements" in bilans
    bilan = Bilan.objects.get()
    page = client_admin.get(reverse("admin:bilans_bilan_change", args=[bilan.pk])).content.decode()
    assert "Contrôles : 3 erreurs · 4 avertissements" in page
    assert "<caption>Constats des contrôles, du plus grave au moins grave</caption>" in page
    assert "+7\u202f700\u00a0€" in page
    assert "31 mars 2024" in page
    retard = (timezone.localdate() - date(2024, 3, 31)).days  # relative to today
    assert f"+{nombre(retard)} jours" in page
    tableau = TableauEngagements.objects.get(libelle="Estimation des aides en 2015")
    page = client_admin.get(
        reverse("admin:conventions_tableauengagements_change", args=[tableau.pk])
    ).content.decode()
    assert "Contrôles : 2 avertissements" in page
    action = tableau.convention.actions.get(code="CAF-27")
    page = client_admin.get(
        reverse("admin:conventions_action_change", args=[action.pk])
    ).content.decode()
    assert "Contrôles : 2 avertissements" in page
    assert "aucun montant dans le tableau en vigueur" in page


@pytest.mark.parametrize("modele", MODELES_ADMIN, ids=lambda m: m._meta.label)
def test_chaque_champ_decimal_de_l_admin_se_saisit_a_la_francaise(rf, admin_user, modele):
    """Every decimal of every admin form and inline reads « 1,00 » and « 442 932 »."""
    from commun.formulaires import NombreFrancais

    requete = rf.get("/")
    requete.user = admin_user
    modele_admin = admin.site._registry[modele]
    formulaires = [modele_admin.get_form(requete)]
    formulaires += [
        inline.get_formset(requete).form for inline in modele_admin.get_inline_instances(requete)
    ]
    for formulaire in formulaires:
        for nom, champ in formulaire.base_fields.items():
            champ_modele = next(
                (f for f in formulaire._meta.model._meta.fields if f.name == nom), None
            )
            if champ_modele is not None and champ_modele.get_internal_type() == "DecimalField":
                assert isinstance(champ, NombreFrancais), f"{formulaire._meta.model} {nom}"
                assert champ.clean("1,05") == Decimal("1.05")
                if champ.max_digits > 8:
                    assert champ.clean("442 932,01") == Decimal("442932.01")


def test_le_taux_de_cofinancement_se_saisit_comme_son_aide_l_ecrit(documents, client_admin):
    from conventions.models import Convention

    convention = Convention.objects.get(slug="calpa-dijon-2023")
    page = client_admin.get(reverse("admin:conventions_convention_change", args=[convention.pk]))
    assert 'name="taux_cofinancement" value="1,00" inputmode="decimal"' in page.content.decode()
    montant = TotalImprime.objects.filter(tableau__convention=convention).first()
    url = reverse("admin:conventions_totalimprime_change", args=[montant.pk])
    reponse = client_admin.post(
        url,
        {"tableau": montant.tableau_id, "financeur": montant.financeur_id, "montant": "442 932"},
    )
    assert reponse.status_code == 302
    montant.refresh_from_db()
    assert montant.montant == Decimal("442932.00")
    reponse = client_admin.post(
        url,
        {"tableau": montant.tableau_id, "financeur": montant.financeur_id, "montant": "1.234"},
    )
    assert "Montant « 1.234 » ambigu" in reponse.content.decode()


def test_un_nouveau_financeur_vient_apres_l_etat_et_la_collectivite(db):
    from conventions.models import Financeur

    FinanceurFactory()
    FinanceurFactory(collectivite=True)
    Financeur.objects.create(slug="ars", nom="ARS", categorie="ars")
    assert list(Financeur.objects.values_list("slug", flat=True)) == [
        "etat",
        "collectivite-test",
        "ars",
    ]
