"""Login throttling (django-axes): five wrong passwords for one identifiant from one address
lock that pair for 15 minutes on both login pages, with a French page; a success resets the
count; an administrator unlocks from the admin."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from comptes import roles

PAGES = ["/compte/connexion/", "/admin/login/"]


@pytest.fixture
def compte(db):
    return roles.creer_compte(
        "admin-dijon", mot_de_passe="bon-mot-de-passe-2026", role=roles.ADMINISTRATEUR
    )


def essayer(client, page, mot_de_passe, adresse="10.0.0.1", identifiant="admin-dijon"):
    return client.post(
        page, {"username": identifiant, "password": mot_de_passe}, REMOTE_ADDR=adresse
    )


@pytest.mark.parametrize("page", PAGES)
def test_le_cinquieme_echec_bloque_avec_un_message_en_francais(client, compte, page):
    for _ in range(4):
        assert essayer(client, page, "mauvais").status_code == 200
    bloquee = essayer(client, page, "mauvais")
    assert bloquee.status_code == 429
    texte = bloquee.content.decode()
    assert "Connexion bloquée" in texte
    assert "5 mots de passe erronés de suite pour l'identifiant « admin-dijon »" in texte
    assert "pendant 15 minutes" in texte
    # Even the right password is refused while the lock holds, and no session is opened.
    assert essayer(client, page, "bon-mot-de-passe-2026").status_code == 429
    assert "_auth_user_id" not in client.session


def test_le_blocage_vaut_pour_les_deux_pages_de_connexion(client, compte):
    for _ in range(5):
        essayer(client, "/compte/connexion/", "mauvais")
    assert essayer(client, "/admin/login/", "bon-mot-de-passe-2026").status_code == 429


def test_une_autre_adresse_ou_un_autre_identifiant_n_est_pas_bloque(client, compte):
    for _ in range(5):
        essayer(client, "/compte/connexion/", "mauvais")
    roles.creer_compte("agent-dijon", mot_de_passe="autre-mot-de-passe-2026", role=roles.AGENT)
    assert (
        essayer(
            client, "/compte/connexion/", "autre-mot-de-passe-2026", identifiant="agent-dijon"
        ).status_code
        == 302
    )
    client.logout()
    reponse = essayer(client, "/compte/connexion/", "bon-mot-de-passe-2026", adresse="10.0.0.2")
    assert reponse.status_code == 302


def test_une_connexion_reussie_remet_le_compte_a_zero(client, compte):
    for _ in range(4):
        essayer(client, "/compte/connexion/", "mauvais")
    assert essayer(client, "/compte/connexion/", "bon-mot-de-passe-2026").status_code == 302
    client.logout()
    for _ in range(4):
        assert essayer(client, "/compte/connexion/", "mauvais").status_code == 200
    assert essayer(client, "/compte/connexion/", "bon-mot-de-passe-2026").status_code == 302


def test_le_blocage_tombe_apres_15_minutes(client, compte):
    for _ in range(5):
        essayer(client, "/compte/connexion/", "mauvais")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert essayer(client, "/compte/connexion/", "bon-mot-de-passe-2026").status_code == 302


def test_un_administrateur_debloque_depuis_l_administration(client, compte, django_user_model):
    for _ in range(5):
        essayer(client, "/compte/connexion/", "mauvais")
    tentative = AccessAttempt.objects.get(username="admin-dijon")
    assert tentative.failures_since_start == 5
    superviseur = django_user_model.objects.create_superuser("superviseur", password="x")
    administration = type(client)()
    administration.force_login(superviseur)
    liste = administration.get("/admin/axes/accessattempt/")
    assert "admin-dijon" in liste.content.decode()
    reponse = administration.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [tentative.pk], "post": "yes"},
    )
    assert reponse.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert essayer(client, "/compte/connexion/", "bon-mot-de-passe-2026").status_code == 302


def test_derriere_un_proxy_l_adresse_est_celle_que_le_proxy_a_vue(client, compte, settings):
    settings.PROXIES_DE_CONFIANCE = 1
    for numero in range(5):
        # The client writes whatever it likes on the left; the proxy appends the real address.
        client.post(
            "/compte/connexion/",
            {"username": "admin-dijon", "password": "mauvais"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{numero}, 203.0.113.9",
        )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    reponse = client.post(
        "/compte/connexion/",
        {"username": "admin-dijon", "password": "bon-mot-de-passe-2026"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.9",
    )
    assert reponse.status_code == 429


def test_la_page_dit_identifiant_et_previent_avant_le_blocage(client, compte):
    """The refusal uses the field's own word, and from the third failure says how many tries
    remain (issue 24); the admin's login keeps Django's own page."""
    page = essayer(client, "/compte/connexion/", "mauvais").content.decode()
    assert "Identifiant ou mot de passe incorrect" in page
    assert "nom d’utilisateur" not in page and "Encore" not in page
    essayer(client, "/compte/connexion/", "mauvais")
    troisieme = essayer(client, "/compte/connexion/", "mauvais").content.decode()
    assert (
        "Encore 2 essais avant que cet identifiant soit bloqué pour 15 minutes depuis cet "
        "ordinateur." in troisieme
    )
    quatrieme = essayer(client, "/compte/connexion/", "mauvais").content.decode()
    assert "Encore 1 essai avant que cet identifiant soit bloqué" in quatrieme
    assert essayer(client, "/compte/connexion/", "mauvais").status_code == 429
