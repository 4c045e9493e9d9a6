"""Faults and arbitrary input: nothing half-written, a clear message, never a server error."""

import io
from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from commun.montants import MontantRefuse, lire_montant
from conventions.models import Convention, Engagement
from fichiers.classeurs.export import classeur_des_tableaux, tableaux_de
from pages.bilans.forms import MesuresForm
from tests.proprietes import exemples

CALPA = "calpa-dijon-2023"


def etat():
    return sorted(Engagement.objects.values_list("pk", "montant", "version"))


def test_la_base_qui_tombe_en_plein_import_ne_laisse_rien_a_moitie(documents, tmp_path):
    convention = Convention.objects.get(slug=CALPA)
    classeur = load_workbook(io.BytesIO(classeur_des_tableaux(tableaux_de(convention, 2023, 2023))))
    for feuille in classeur.worksheets:  # every sheet changes 1.1
        ligne = next(r for r in range(13, feuille.max_row) if feuille.cell(r, 1).value == "1.1")
        feuille.cell(ligne, 3).value = 1
    fichier = tmp_path / "annexe.xlsx"
    classeur.save(fichier)
    avant = etat()
    ecrits = []

    def panne(*args, **kwargs):
        # The amounts of the three sheets are already written; their history lines fail.
        ecrits.extend(Engagement.objects.filter(montant=1).values_list("pk", flat=True))
        raise OperationalError("server closed the connection unexpectedly")

    with (
        mock.patch("fichiers.classeurs.chargement.historiser_en_bloc", panne),
        pytest.raises(CommandError, match="rien n'a été écrit"),
    ):
        call_command("importer", str(fichier), stdout=StringIO(), stderr=StringIO())
    assert len(ecrits) == 3
    assert etat() == avant
    # The same command, run again once the database is back, goes through.
    call_command("importer", str(fichier), stdout=StringIO(), stderr=StringIO())
    assert Engagement.objects.filter(
        action__code="1.1", financeur__slug="etat", tableau__convention__slug=CALPA
    ).values_list("montant", flat=True).distinct().get() == Decimal("1.00")


@given(st.text(max_size=30))
def test_le_lecteur_de_montants_ne_leve_que_des_erreurs_francaises(texte):
    try:
        valeur = lire_montant(texte)
    except MontantRefuse as erreur:
        assert str(erreur).startswith(f"Montant « {texte.strip()} » ")
    else:
        assert isinstance(valeur, Decimal)


@given(st.decimals(min_value=0, max_value=10**11, places=2, allow_nan=False))
def test_un_montant_affiche_se_relit_a_l_identique(montant):
    from commun.formats import euros

    assert lire_montant(euros(montant)) == montant


@pytest.mark.django_db
@settings(max_examples=exemples(60), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=20), st.text(max_size=20))
def test_le_formulaire_des_indicateurs_ne_plante_jamais(tout, partie):
    from bilans.models import Bilan, Indicateur
    from tests.bilans.factories import BilanFactory
    from tests.conventions.factories import ActionFactory

    bilan = Bilan.objects.first() or BilanFactory()
    action = ActionFactory(convention=bilan.convention)
    parent = Indicateur.objects.create(action=action, code="tout", libelle="Tout", unite="p")
    enfant = Indicateur.objects.create(
        action=action, code="partie", libelle="Partie", unite="p", parent=parent
    )
    form = MesuresForm(
        {f"indicateur_{parent.pk}": tout, f"indicateur_{enfant.pk}": partie},
        bilan=bilan,
        indicateurs=[parent, enfant],
        valeurs={},
        versions={},
    )
    if form.is_valid():
        valeurs = form.valeurs()
        if valeurs[parent] is not None and valeurs[enfant] is not None:
            assert valeurs[enfant] <= valeurs[parent]
    else:
        assert all(isinstance(m, str) for erreurs in form.errors.values() for m in erreurs)


PARAMETRES_DE_PAGE = ["annee", "periode", "version", "page", "q", "territoire", "dispositif"]
PARAMETRES_DE_PAGE += ["statut", "export", "sort", "per_page", "avant", "apres"]


@settings(max_examples=exemples(120), deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.dictionaries(
        st.sampled_from(PARAMETRES_DE_PAGE),
        st.one_of(
            st.text(max_size=12),
            st.integers(min_value=-(10**20), max_value=10**20).map(str),
        ),
        max_size=4,
    ),
    st.integers(min_value=0, max_value=100),
)
def test_aucun_parametre_d_adresse_ne_fait_d_erreur_serveur(documents, client_admin, params, n):
    """Every page of the application, with arbitrary query parameters: never a 500."""
    from tests.test_matrice_des_droits import adresse, noms_d_url

    pages = [(nom, motif) for nom, motif in noms_d_url() if ":" in nom]
    nom, motif = pages[n % len(pages)]
    reponse = client_admin.get(adresse(nom, motif), params)
    assert reponse.status_code < 500, (nom, params)


@pytest.mark.parametrize("par_page", ["-1", "0", "1000000"])
def test_un_nombre_de_lignes_par_page_absurde(documents, client_admin, par_page):
    """Found by the property test above on PostgreSQL: ``?per_page=-1`` was a server error."""
    normale = client_admin.get("/").content.decode()
    reponse = client_admin.get("/", {"per_page": par_page})
    assert reponse.status_code == 200
    # The same rows as without the parameter (the five documents fit on one page of 25).
    assert reponse.content.decode().count("<tr") == normale.count("<tr") > 4
