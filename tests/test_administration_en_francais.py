"""The admin's words in French (issue 24): the history's « Modifications » column and its values
(« En vigueur : non → oui »), django-axes' section named apart from the conventions' « Axes »,
the bulk deletion agreeing with its model (« conventions sélectionnées »), and an account
without administration access told so, in French, instead of being shown a login form."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from commun.historique import valeur_lisible
from comptes import roles
from conventions.models import Convention, Engagement, Seance, TableauEngagements, Territoire
from conventions.versions import mettre_en_vigueur

CALPA = "calpa-dijon-2023"


def test_l_historique_dit_ses_modifications_en_francais(documents, client_de):
    client = client_de(roles.ADMINISTRATEUR)
    tableau = TableauEngagements.objects.get(
        convention__slug=CALPA, en_vigueur=False, libelle__contains="non retenue"
    )
    mettre_en_vigueur(tableau=tableau, utilisateur=get_user_model().objects.get())
    page = client.get(
        reverse("admin:conventions_tableauengagements_history", args=[tableau.pk])
    ).content.decode()
    assert '<th scope="col">Modifications</th>' in page
    assert "Changes" not in page
    assert "<strong>En vigueur&nbsp;:</strong>" in page
    assert "non\n" in page and "&rarr;&nbsp;&nbsp;oui" in page
    assert "False" not in page and "True" not in page
    # the first line, loaded by a command: no « Aucun(e) »
    assert "une commande" in page and "Aucun(e)" not in page


def test_un_montant_modifie_se_lit_a_la_francaise_dans_l_historique(documents, client_de):
    client = client_de(roles.ADMINISTRATEUR)
    engagement = Engagement.objects.get(
        tableau__convention__slug=CALPA,
        tableau__en_vigueur=True,
        action__code="1.1",
        financeur__slug="etat",
    )
    engagement.montant = Decimal("90000")
    engagement.save()
    page = client.get(
        reverse("admin:conventions_engagement_history", args=[engagement.pk])
    ).content.decode()
    assert "<strong>Montant&nbsp;:</strong>" in page
    assert "100\u202f000" in page and "90\u202f000" in page
    assert "100000.00" not in page


def test_les_valeurs_de_l_historique():
    assert valeur_lisible(True) == "oui" and valeur_lisible(False) == "non"
    assert valeur_lisible(None) == "(vide)" and valeur_lisible("") == "(vide)"
    assert valeur_lisible(Decimal("347000.00")) == "347\u202f000"
    assert valeur_lisible(date(2024, 3, 1)) == "1er mars 2024"
    statut = Convention._meta.get_field("statut")
    assert valeur_lisible("projet", statut) == str(dict(statut.flatchoices)["projet"])


def test_django_axes_a_sa_section_distincte_des_axes(client_admin):
    page = client_admin.get(reverse("admin:index")).content.decode()
    assert ">Connexions bloquées (django-axes)</a>" in page
    assert ">Axes</a></caption>" not in page  # the application's, named as django-axes named it
    assert 'href="/admin/conventions/axe/">Axes</a>' in page  # the conventions' axes stay


@pytest.mark.parametrize(
    "modele, attendu, faux",
    [
        ("convention", "Supprimer les conventions sélectionnées", "conventions sélectionnés"),
        ("seance", "Supprimer les séances sélectionnées", "séances sélectionnés"),
        ("engagement", "Supprimer les engagements sélectionnés", None),
        ("tableauengagements", "Supprimer les tableaux des engagements sélectionnés", None),
    ],
)
def test_la_suppression_en_bloc_s_accorde(documents, client_admin, modele, attendu, faux):
    page = client_admin.get(reverse(f"admin:conventions_{modele}_changelist")).content.decode()
    assert f">{attendu}</option>" in page
    if faux:
        assert faux not in page


def test_les_tentatives_de_connexion_aussi(client_admin):
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(username="x", ip_address="127.0.0.1", failures_since_start=1)
    page = client_admin.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "Supprimer les tentatives de connexion sélectionnées" in page


def test_la_suppression_en_bloc_confirme_puis_supprime(documents, client_admin):
    """Django's action under its French label: its confirmation page, then the deletion."""
    dijon = Territoire.objects.get(slug="dijon-metropole")
    seance = Seance.objects.create(
        territoire=dijon,
        organe="Bureau de test",
        date=date(2026, 1, 5),
        membres_en_exercice=3,
        presents=3,
    )
    liste = reverse("admin:conventions_seance_changelist")
    choix = {"action": "delete_selected", "_selected_action": [seance.pk]}
    confirmation = client_admin.post(liste, choix)
    assert confirmation.status_code == 200
    assert "Bureau de test" in confirmation.content.decode()
    assert Seance.objects.filter(pk=seance.pk).exists()
    client_admin.post(liste, {**choix, "post": "yes"})
    assert not Seance.objects.filter(pk=seance.pk).exists()


def test_un_compte_sans_administration_le_lit_en_francais(documents, client):
    agent = roles.creer_compte("agent-sans", mot_de_passe="mot-de-passe-test", role=roles.AGENT)
    client.force_login(agent)
    for adresse in (
        reverse("admin:index"),
        reverse("admin:login"),
        reverse("admin:conventions_convention_changelist"),
    ):
        reponse = client.get(adresse)
        page = reponse.content.decode()
        assert reponse.status_code == 403, adresse
        assert "Ce compte n&#x27;a pas accès à l&#x27;administration." in page
        assert '<a href="/">Retour au tableau de bord</a>' in page
        assert 'name="password"' not in page  # not the admin's login form
    # Logging in as another account from the admin's form still works.
    roles.creer_compte("admin-autre", mot_de_passe="mot-de-passe-test", role=roles.ADMINISTRATEUR)
    reponse = client.post(
        reverse("admin:login"),
        {"username": "admin-autre", "password": "mot-de-passe-test", "next": "/admin/"},
    )
    assert reponse.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_un_visiteur_anonyme_va_toujours_a_la_connexion(client, db):
    reponse = client.get(reverse("admin:index"))
    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("admin:login"))
