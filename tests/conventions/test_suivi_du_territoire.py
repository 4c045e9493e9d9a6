"""After loading a convention for a new territoire: nobody but the superusers sees it, the
result screen says so and, for whoever manages the accounts, gives the territoire to chosen
accounts in the same screen (issue 24)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from comptes import roles
from conventions.models import Convention, Territoire
from tests.conventions.test_chargement_annuel import EXEMPLE_YAML, SLUG, URL, deposer

SUIVI = reverse("admin:conventions_convention_charger_suivi")
HAUTE_SAONE = "Département de la Haute-Saône"
INTITULE = (
    "Convention d'appui à la lutte contre la pauvreté et d'accès à l'emploi — Haute-Saône 2021"
)


@pytest.fixture
def agent(documents):
    """The agent of Dijon Métropole, and a client logged in as him."""
    from django.test import Client

    utilisateur = roles.creer_compte(
        "agent",
        mot_de_passe="mot-de-passe-test",
        role=roles.AGENT,
        nom="Agente",
        territoires=Territoire.objects.filter(slug="dijon-metropole"),
    )
    client = Client()
    client.force_login(utilisateur)
    return utilisateur, client


def charger_la_haute_saone(client):
    deposer(client, EXEMPLE_YAML.read_bytes())
    reponse = client.post(URL, {"confirmer": "1"})
    assert reponse.status_code == 302
    assert reponse["Location"] == f"{SUIVI}?convention={SLUG}"
    return reponse["Location"]


def test_le_nouveau_territoire_n_est_suivi_par_personne_et_s_accorde_a_l_agent(agent, client_admin):
    utilisateur, client_agent = agent
    page = client_admin.get(charger_la_haute_saone(client_admin)).content.decode()
    assert (
        f"Personne ne suit encore le territoire {HAUTE_SAONE} : seuls les superutilisateurs "
        "voient cette convention." in page
    )
    assert "Fichier convention.yaml chargé" in page  # the load's own message, on this screen
    assert f"<legend>Accorder le territoire {HAUTE_SAONE} à :</legend>" in page
    assert "Agente (agent) — agent" in page  # each account with its role
    assert "admin-test" not in page.split("<legend>")[1]  # superusers see it already
    assert client_agent.get(f"/conventions/{SLUG}/").status_code == 404

    territoire = Territoire.objects.get(slug="departement-haute-saone")
    reponse = client_admin.post(
        f"{SUIVI}?convention={SLUG}",
        {"territoire": territoire.pk, "utilisateurs": [utilisateur.pk]},
        follow=True,
    )
    page = reponse.content.decode()
    assert f"Le territoire {HAUTE_SAONE} est maintenant suivi par agent." in page
    assert "Personne ne suit encore" not in page
    assert "<li>Agente (agent) — agent</li>" in page
    assert "Tous les comptes actifs suivent déjà ce territoire." in page

    vue = client_agent.get(f"/conventions/{SLUG}/")
    assert vue.status_code == 200
    assert f"<h1>{INTITULE}</h1>" in vue.content.decode().replace("&#x27;", "'")
    # He still follows Dijon Métropole: the territoire is added, not swapped.
    assert client_agent.get("/conventions/calpa-dijon-2023/").status_code == 200


def test_un_territoire_deja_suivi_nomme_ceux_qui_le_suivent(agent, client_admin):
    page = client_admin.get(f"{SUIVI}?convention=calpa-dijon-2023").content.decode()
    assert "Personne ne suit encore" not in page
    assert "Suivent le territoire Dijon Métropole, et voient donc cette convention" in page
    assert "<li>Agente (agent) — agent</li>" in page


def test_rien_coche_rien_d_ecrit(agent, client_admin):
    charger_la_haute_saone(client_admin)
    territoire = Territoire.objects.get(slug="departement-haute-saone")
    page = client_admin.post(
        f"{SUIVI}?convention={SLUG}", {"territoire": territoire.pk}
    ).content.decode()
    assert "Cochez au moins un compte." in page
    assert not territoire.profils.exists()


def test_un_administrateur_qui_ne_gere_pas_les_comptes_voit_sans_accorder(
    agent, client_admin, administrateur_restreint
):
    """A département's administrator loads his conventions but does not manage the accounts:
    the screen names who follows, without the form; a forged POST is refused, nothing written."""
    charger_la_haute_saone(client_admin)
    territoire = Territoire.objects.get(slug="departement-haute-saone")
    client = administrateur_restreint(Territoire.objects.filter(pk=territoire.pk))
    page = client.get(f"{SUIVI}?convention={SLUG}").content.decode()
    assert "administrateur-restreint" in page  # he follows it himself
    assert "<legend>" not in page
    assert "Seul un administrateur qui gère les comptes peut accorder ce territoire" in page
    utilisateur, _client = agent
    reponse = client.post(
        f"{SUIVI}?convention={SLUG}",
        {"territoire": territoire.pk, "utilisateurs": [utilisateur.pk]},
    )
    assert reponse.status_code == 403
    assert not get_user_model().objects.filter(profil__territoires=territoire, username="agent")
    assert Convention.objects.filter(slug=SLUG).exists()


def test_la_permission_de_gerer_les_comptes_ouvre_le_formulaire(agent, administrateur_restreint):
    """Who may give a territoire is a Django permission (droits.GERER_LES_COMPTES), not a role:
    given to a département's administrator, it opens the form, for his territoire."""
    from django.contrib.auth.models import Permission

    from comptes import droits

    dijon = Territoire.objects.filter(slug="dijon-metropole")
    client = administrateur_restreint(dijon)
    restreint = get_user_model().objects.get(username="administrateur-restreint")
    application, nom = droits.GERER_LES_COMPTES.split(".")
    restreint.user_permissions.add(
        Permission.objects.get(content_type__app_label=application, codename=nom)
    )
    finances = roles.creer_compte("finances-hs", mot_de_passe="x", role=roles.FINANCES)
    page = client.get(f"{SUIVI}?convention=calpa-dijon-2023").content.decode()
    assert "<legend>Accorder le territoire Dijon Métropole à :</legend>" in page
    client.post(
        f"{SUIVI}?convention=calpa-dijon-2023",
        {"territoire": dijon.get().pk, "utilisateurs": [finances.pk]},
    )
    assert finances.profil.territoires.filter(slug="dijon-metropole").exists()
