"""``manage.py relancer``: reminders by e-mail about the bilans, sent once and recorded."""

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from bilans import cycle
from bilans.models import Bilan, Relance
from comptes import roles
from conventions.models import Territoire


@pytest.fixture
def comptes(documents):
    territoires = Territoire.objects.all()
    agente = roles.creer_compte(
        "agente",
        mot_de_passe="x",
        role=roles.AGENT,
        territoires=territoires,
        courriel="agente@dijon.example",
    )
    roles.creer_compte(
        "finances",
        mot_de_passe="x",
        role=roles.FINANCES,
        territoires=territoires,
        courriel="finances@dijon.example",
    )
    instructeur = roles.creer_compte(
        "instructeur",
        mot_de_passe="x",
        role=roles.AGENT,
        territoires=territoires,
        cote="etat",
        courriel="instructeur@prefecture.example",
    )
    return agente, instructeur


def relancer(*arguments) -> str:
    sortie = StringIO()
    call_command("relancer", *arguments, stdout=sortie, stderr=StringIO())
    return sortie.getvalue()


def test_le_1er_mars_2024_deux_bilans_sont_relances_une_seule_fois(comptes):
    sortie = relancer("--date", "2024-03-01")
    assert "Relances le 01/03/2024 : 2 bilan(s)." in sortie
    assert "Le bilan 2023 « " in sortie and "est attendu le 31 mars 2024" in sortie
    assert "Le bilan 2020 « " in sortie and "est en retard" in sortie
    assert "2 courriel(s) envoyé(s)." in sortie
    # The collectivité's agent only: not the finance officer, not the État.
    assert [m.to for m in mail.outbox] == [["agente@dijon.example"], ["agente@dijon.example"]]
    bilan_2023 = next(m for m in mail.outbox if "2023" in m.subject)
    assert "l'échéance du 31 mars 2024 tombe dans 30 jours" in bilan_2023.body
    assert "/conventions/calpa-dijon-2023/bilans/2023/" in bilan_2023.body
    retard = next(m for m in mail.outbox if "2020" in m.subject)
    assert "en retard depuis 1066 jours (échéance du 31 mars 2021)" in retard.body
    # Never recorded, it has no page: the link is the convention's.
    assert "pas encore enregistré dans l'application" in retard.body
    assert retard.body.split("\n")[-3].endswith("/conventions/pacte-solidarite-dijon-2020/")
    assert Relance.objects.count() == 2
    # The same day again: nothing more.
    assert relancer("--date", "2024-03-01") == "Aucune relance à envoyer le 01/03/2024.\n"
    assert len(mail.outbox) == 2


def test_le_calendrier_des_relances(comptes):
    relancer("--date", "2024-03-01")
    # 30 days before: sent once, not again the next days.
    assert "Aucune relance" in relancer("--date", "2024-03-02")
    # On the day: the 2023 bilan.
    assert "est attendu aujourd'hui" in relancer("--date", "2024-03-31")
    # Overdue: 14 days after the previous reminder, then every 14 days.
    assert "Aucune relance" in relancer("--date", "2024-04-13")
    assert "Le bilan 2023" in relancer("--date", "2024-04-14")
    assert "Le bilan 2023" not in relancer("--date", "2024-04-20")
    assert "Le bilan 2023" in relancer("--date", "2024-04-28")


def test_essai_sans_envoi(comptes):
    sortie = relancer("--dry-run", "--date", "2024-03-01")
    assert "Relances qui seraient envoyées le 01/03/2024 : 2 bilan(s)." in sortie
    assert "à : agente@dijon.example" in sortie
    assert "2 courriel(s) seraient envoyés ; rien n'a été envoyé." in sortie
    assert mail.outbox == [] and not Relance.objects.exists()


def test_un_bilan_transmis_n_est_plus_relance_et_l_etat_est_prevenu(
    comptes, client, django_capture_on_commit_callbacks
):
    agente, _instructeur = comptes
    bilan = Bilan.objects.get(convention__slug="calpa-dijon-2023")
    Bilan.objects.filter(pk=bilan.pk).update(
        statut=Bilan.Statut.DELIBERE, date_deliberation=date(2024, 2, 20)
    )
    with django_capture_on_commit_callbacks(execute=True):
        cycle.appliquer(agente, bilan, "transmettre", aujourdhui=date(2024, 2, 28))
    assert [m.to for m in mail.outbox] == [["instructeur@prefecture.example"]]
    assert "vous a été transmis" in mail.outbox[0].subject
    assert "le valider ou le renvoyer à compléter" in mail.outbox[0].body
    sortie = relancer("--date", "2024-03-01")
    assert "Le bilan 2023" not in sortie, "transmis : plus de relance, ni de second avis"
    assert "Le bilan 2020" in sortie


def test_sans_destinataire_la_relance_est_signalee_et_pas_enregistree(documents):
    sortie = relancer("--date", "2024-03-01")
    assert "aucun destinataire avec une adresse électronique" in sortie
    assert "0 courriel(s) envoyé(s)." in sortie
    assert not Relance.objects.exists()


@pytest.mark.parametrize("texte", ["01/03/2024", "2024-02-30", "demain"])
def test_une_date_illisible_est_refusee_en_francais(db, texte):
    with pytest.raises(CommandError, match=f"Date illisible : « {texte} »"):
        relancer("--date", texte)
