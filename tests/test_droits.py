"""One permission system (``comptes/droits.py``): the pages read the Django permissions the admin
reads, so that granting or removing one — to a group or to one account, in the admin — changes
both; « who fills a bilan » is one permission and one side; a user's permissions are read once
per request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bilans import cycle
from bilans.relances import _destinataires
from comptes import droits, roles
from conventions.models import Engagement, TableauEngagements, Territoire

CALPA = "calpa-dijon-2023"


def permission(nom: str) -> Permission:
    application, codename = nom.split(".")
    return Permission.objects.get(content_type__app_label=application, codename=codename)


def compte(identifiant, role, **options):
    return roles.creer_compte(
        identifiant,
        mot_de_passe="x",
        role=role,
        territoires=Territoire.objects.all(),
        courriel=f"{identifiant}@exemple.invalid",
        **options,
    )


def test_une_permission_donnee_dans_l_administration_ouvre_la_page(documents, client):
    """An agent granted « change engagement » on their account edits the grid; without it, the
    page refuses them, as the admin does."""
    agent = compte("agente", roles.AGENT)
    client.force_login(agent)
    tableau = TableauEngagements.objects.get(convention__slug=CALPA, en_vigueur=True)
    grille = f"/conventions/{CALPA}/tableaux/{tableau.pk}/modifier/"
    assert client.get(grille).status_code == 403
    assert (
        "Modifier les montants de cette version"
        not in client.get(f"/conventions/{CALPA}/").content.decode()
    )
    agent.user_permissions.add(permission(droits.MODIFIER_LES_TABLEAUX))
    assert client.get(grille).status_code == 200
    assert (
        "Modifier les montants de cette version"
        in client.get(f"/conventions/{CALPA}/").content.decode()
    )
    engagement = tableau.engagements.order_by("pk").first()
    formulaire = client.get(grille).context["form"]
    donnees = {nom: champ.initial for nom, champ in formulaire.fields.items()}
    donnees = {nom: "" if valeur is None else valeur for nom, valeur in donnees.items()}
    donnees[f"montant_{engagement.action_id}_{engagement.financeur_id}"] = "12 345"
    assert client.post(grille, donnees).status_code == 302
    assert str(Engagement.objects.get(pk=engagement.pk).montant) == "12345.00"


def test_une_permission_retiree_au_groupe_ferme_la_page_et_l_administration(documents, client):
    finances = compte("financier", roles.FINANCES)
    client.force_login(finances)
    export = f"/conventions/{CALPA}/classeur/"
    assert client.get(export).status_code == 200
    Group.objects.get(name=roles.FINANCES).permissions.remove(permission(droits.EXPORTER))
    assert client.get(export).status_code == 403
    assert client.get("/admin/conventions/engagement/export/").status_code == 403


def test_remplir_un_bilan_est_une_permission_et_un_cote(documents, client):
    finances = compte("financiere", roles.FINANCES)
    assert not cycle.remplit_les_bilans(finances)
    finances.user_permissions.add(permission(droits.REMPLIR_LES_BILANS))
    finances = get_user_model().objects.get(pk=finances.pk)  # a new request
    assert cycle.remplit_les_bilans(finances)
    etat = compte("reviseur", roles.ADMINISTRATEUR, cote=cycle.ETAT)
    assert not cycle.remplit_les_bilans(etat)  # the État's side reviews, never fills
    # The reminders to fill a bilan go to whoever may fill it, and only to them.
    agent = compte("agent-relance", roles.AGENT)
    territoire = Territoire.objects.get(slug="dijon-metropole").pk
    assert {u.username for u in _destinataires(territoire, cycle.COLLECTIVITE)} >= {
        "financiere",
        "agent-relance",
    }
    agent.user_permissions.clear()
    agent.groups.clear()
    assert "agent-relance" not in {
        u.username for u in _destinataires(territoire, cycle.COLLECTIVITE)
    }


def test_les_roles_d_une_transition_sont_ceux_qui_en_ont_la_permission(db):
    groupes = roles.creer_groupes()
    for transition in cycle.TRANSITIONS:
        application, codename = transition.permission.split(".")
        tenants = {
            role
            for role, groupe in groupes.items()
            if groupe.permissions.filter(
                content_type__app_label=application, codename=codename
            ).exists()
        }
        assert tenants == set(transition.roles), transition.nom


def test_les_permissions_sont_lues_une_fois_par_requete(db):
    agent = compte("agent-cache", roles.AGENT)
    agent = get_user_model().objects.get(pk=agent.pk)
    with CaptureQueriesContext(connection) as requetes:
        for _ in range(10):
            for nom in (droits.LIRE, droits.EXPORTER, droits.REMPLIR_LES_BILANS):
                droits.peut(agent, nom)
    assert len(requetes) == 2  # its own permissions, its groups' permissions


def test_le_lien_vers_l_import_du_classeur_suit_la_permission(documents, client):
    """« à recharger par « Importer un classeur » » is a link for who may import (issue 24)."""
    finances = compte("financier-lien", roles.FINANCES)
    client.force_login(finances)
    page = client.get(f"/conventions/{CALPA}/").content.decode()
    assert 'href="/admin/conventions/tableauengagements/importer/">« Importer un classeur »' in page
    agent = compte("agent-lien", roles.AGENT)
    agent.user_permissions.add(permission(droits.EXPORTER))  # sees the blank annex, not the import
    client.force_login(agent)
    page = client.get(f"/conventions/{CALPA}/").content.decode()
    assert "« Importer un classeur », chez un chargé de finances" in page
    assert "/admin/conventions/tableauengagements/importer/" not in page
