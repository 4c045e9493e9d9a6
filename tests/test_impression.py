"""Printing: every page carries « Imprimé le … à … par Prénom Nom (identifiant) », hidden on
screen and shown on paper by css/impression.css (tests/e2e/test_impression.py looks at both)."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from commun.formats import date_et_heure, date_longue
from comptes import roles
from conventions.models import Territoire


def test_chaque_page_dit_quand_et_par_qui_elle_est_imprimee(documents, client):
    utilisateur = roles.creer_compte(
        "cmartin",
        mot_de_passe="mot-de-passe-test",
        role=roles.FINANCES,
        territoires=Territoire.objects.all(),
    )
    utilisateur.first_name, utilisateur.last_name = "Camille", "Martin"
    utilisateur.save()
    client.force_login(get_user_model().objects.get(username="cmartin"))
    aujourd_hui = date_longue(timezone.localdate())
    for adresse in (
        "/",
        "/conventions/calpa-dijon-2023/",
        "/conventions/calpa-dijon-2023/bilans/2023/",
    ):
        page = client.get(adresse).content.decode()
        debut = page.index('<p class="mention-impression">')
        mention = page[debut : page.index("</p>", debut)]
        assert f"Imprimé le {aujourd_hui} à " in mention, adresse
        assert mention.endswith(" par Camille Martin (cmartin)"), mention
    assert '<link rel="stylesheet" href="/static/css/impression.css">' in page


def test_la_date_et_l_heure_a_la_francaise():
    moment = timezone.make_aware(datetime(2026, 12, 5, 14, 3))
    assert date_et_heure(moment) == "5 décembre 2026 à 14 h 03"
    assert (
        date_et_heure(timezone.make_aware(datetime(2026, 6, 1, 9, 0))) == "1er juin 2026 à 9 h 00"
    )


def test_sans_compte_la_mention_ne_nomme_personne(client, db):
    """The login page, and the 500 page rendered without the request's context."""
    page = client.get("/compte/connexion/").content.decode()
    debut = page.index('<p class="mention-impression">')
    mention = page[debut : page.index("</p>", debut)]
    assert "Imprimé le " in mention and " par " not in mention
