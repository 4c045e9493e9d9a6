"""The bilan page: agents fill in an action's report and indicators; the checks follow."""

import re
from decimal import Decimal

import pytest

from bilans.models import Mesure
from comptes import roles
from conventions.models import Territoire
from tests.bilans.formulaires import champ_de, formulaire_du_rapport

URL = "/conventions/calpa-dijon-2023/bilans/2023/"


@pytest.fixture
def agent(documents, client_de):
    return client_de(roles.AGENT, territoires=Territoire.objects.all())


def test_la_page_montre_rapports_indicateurs_et_constats(agent):
    html = agent.get(URL).content.decode()
    assert "Action 3.1 — Promouvoir un accompagnement renforcé" in html
    assert "opérateur : SDAT" in html
    assert "dont mesures Maintien" in html
    assert "Contrôles : 3 erreurs · 4 avertissements · 1 information" not in html  # bilan scope
    assert "Contrôles : 3 erreurs · 4 avertissements" in html
    assert "Renseigner l'action 3.2" in html


def test_corriger_un_indicateur_fait_disparaitre_son_constat(agent):
    donnees, rapport = formulaire_du_rapport("3.2")
    donnees[champ_de(rapport, "personnes-suivies")] = "272"
    reponse = agent.post(URL, donnees, follow=True)
    html = reponse.content.decode()
    assert "Action 3.2 enregistrée. Contrôles du bilan : 2 erreurs · 4 avertissements." in html
    assert Mesure.objects.get(
        indicateur__code="personnes-suivies", bilan__annee=2023
    ).valeur == Decimal("272")


def test_un_enregistrement_fait_tourner_les_controles_une_fois_par_requete(agent, monkeypatch):
    """The save's message words the checks of the page it redirects to: the checks run once
    for the save and its page, not once to word the message and again on the redirect."""
    from pages.bilans import views

    appels = []
    controler = views.controler
    monkeypatch.setattr(views, "controler", lambda *a: appels.append(1) or controler(*a))
    donnees, rapport = formulaire_du_rapport("3.2")
    donnees[champ_de(rapport, "personnes-suivies")] = "272"
    reponse = agent.post(URL, donnees)
    assert reponse.status_code == 302 and appels == []
    html = agent.get(reponse["Location"]).content.decode()
    assert appels == [1]
    assert "Action 3.2 enregistrée. Contrôles du bilan : 2 erreurs · 4 avertissements." in html
    assert "Action 3.2 enregistrée" not in agent.get(URL).content.decode()  # said once


def test_un_nombre_a_la_francaise_est_compris(agent):
    donnees, rapport = formulaire_du_rapport("1.1")
    donnees[champ_de(rapport, "entretiens")] = "5\u202f100"
    donnees[f"r{rapport.pk}-operateur"] = "Dijon métropole"
    agent.post(URL, donnees)
    assert Mesure.objects.get(indicateur__code="entretiens").valeur == Decimal("5100")
    rapport.refresh_from_db()
    assert rapport.operateur == "Dijon métropole"


@pytest.mark.parametrize(
    "code, indicateur, saisie, message",
    [
        pytest.param(
            "1.2",
            "personnes-orientees-femmes",
            "49",
            "« dont femmes » (49) ne peut pas dépasser « Personnes orientées par la plateforme "
            "VIA Numérique » (48).",
            id="partie-superieure-au-tout",
        ),
        pytest.param(
            "1.2",
            "personnes-orientees",
            "quarante",
            "Valeur « quarante » illisible : attendu par exemple",
            id="pas-un-nombre",
        ),
        pytest.param(
            "1.2",
            "personnes-orientees",
            "-3",
            "Valeur « -3 » négative : positif ou nul attendu.",
            id="negatif",
        ),
    ],
)
def test_une_saisie_invalide_est_refusee_avec_son_message(agent, code, indicateur, saisie, message):
    donnees, rapport = formulaire_du_rapport(code)
    donnees[champ_de(rapport, indicateur)] = saisie
    avant = list(Mesure.objects.order_by("pk").values_list("valeur", flat=True))
    reponse = agent.post(URL, donnees)
    html = reponse.content.decode()
    assert reponse.status_code == 200
    assert message in html
    assert "action 1.2 non enregistrée, 1 point à corriger" in html
    # The summary links to the field, which the browser opens on (autofocus).
    champ = f"id_{champ_de(rapport, indicateur)}"
    assert f'<a href="#{champ}">' in html
    champ_html = re.search(rf'<input[^>]*id="{champ}"[^>]*>', html)[0]
    assert html.count("autofocus") == 1 and "autofocus" in champ_html
    assert 'inputmode="decimal"' in html
    assert list(Mesure.objects.order_by("pk").values_list("valeur", flat=True)) == avant


def test_le_sommaire_marque_les_actions_a_completer(agent):
    html = agent.get(URL).content.decode()
    sommaire = html.split('aria-label="Actions du bilan"')[1].split("</nav>")[0]
    assert sommaire.count("<li>") == 6
    assert "à compléter" in sommaire or "complète" in sommaire


def test_une_action_inconnue_est_signalee(agent):
    reponse = agent.post(URL, {"action": "9.9"}, follow=True)
    assert "Action inconnue dans ce bilan : « 9.9 »." in reponse.content.decode()


def test_l_administration_refuse_une_partie_plus_grande_que_son_tout(documents, client_admin):
    """The breakdown rule lives in the model: the admin enforces it like the bilan's form."""
    from django.urls import reverse

    from bilans.models import Mesure

    partie = Mesure.objects.get(
        indicateur__code="mesures-maintien", bilan__convention__slug="calpa-dijon-2023"
    )
    url = reverse("admin:bilans_mesure_change", args=[partie.pk])
    reponse = client_admin.post(
        url,
        {"indicateur": partie.indicateur_id, "bilan": partie.bilan_id, "valeur": "500"},
    )
    assert reponse.status_code == 200
    assert (
        "« dont mesures Maintien » (500) ne peut pas dépasser « Accompagnements ASLL "
        "proposés » (104)." in reponse.content.decode()
    )
    partie.refresh_from_db()
    assert partie.valeur == 73


def test_un_tout_abaisse_sous_sa_partie_est_refuse_mais_pas_avec_elle(documents):
    from django.core.exceptions import ValidationError

    from bilans import decomposition
    from bilans.models import Mesure

    tout = Mesure.objects.get(
        indicateur__code="accompagnements", bilan__convention__slug="calpa-dijon-2023"
    )
    tout.valeur = 70
    with pytest.raises(ValidationError, match="dépasserait"):
        tout.full_clean()
    parties = {
        m.indicateur_id: m.valeur
        for m in Mesure.objects.filter(indicateur__parent=tout.indicateur, bilan=tout.bilan)
    }
    lot = {**{pk: min(v, 30) for pk, v in parties.items()}, tout.indicateur_id: 70}
    with decomposition.ensemble({tout.bilan_id: lot}):
        tout.full_clean()  # lowered together with its parts: accepted
    with pytest.raises(ValidationError, match="dépasserait"):
        tout.full_clean()  # the batch ends with its block
