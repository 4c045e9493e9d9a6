"""The bilan's tracking tells the truth (issue « le suivi du bilan dit vrai »): the dates shown are
the ones entered, a validated bilan leaves « À traiter », the transmission date is corrected and
a validated bilan reopened with a reason in the timeline, readers download the bilan's files,
and a change of a rapport's text is in the history."""

import re
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from bilans import chronologie, gel
from bilans.models import Bilan, RapportAction
from commun.formats import date_longue
from comptes import roles
from conventions.models import Territoire

Statut = Bilan.Statut
CALPA = "calpa-dijon-2023"
ADRESSE = f"/conventions/{CALPA}/bilans/2023/"
STATUT = f"{ADRESSE}statut/"
AUJOURDHUI = timezone.localdate()
ROUVRIR = '<button type="submit">Rouvrir le bilan</button>'
CORRIGER = '<button type="submit">Corriger la date de transmission</button>'


def connecter(client, role, cote, identifiant, territoires=None):
    utilisateur = roles.creer_compte(
        identifiant,
        mot_de_passe="x",
        role=role,
        territoires=Territoire.objects.all() if territoires is None else territoires,
        cote=cote,
        nom=identifiant.capitalize(),
    )
    client.force_login(utilisateur)
    return utilisateur


def poster(client, transition, **donnees):
    return client.post(STATUT, {"transition": transition, "confirmer": "on", **donnees})


def dernier_message(reponse) -> str:
    return [str(m) for m in get_messages(reponse.wsgi_request)][-1]


def texte(html: str) -> str:
    """The page as read: tags removed, entities of quotes decoded, blanks collapsed."""
    sans_balises = re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").replace("&quot;", '"')
    return re.sub(r"\s+", " ", sans_balises)


def a_traiter(client) -> str:
    page = client.get("/").content.decode()
    debut = page.index('id="titre-a-traiter"')
    return texte(page[debut : page.index("</section>", debut)])


def suivi(client) -> str:
    page = client.get(ADRESSE).content.decode()
    debut = page.index('id="suivi"')
    return texte(page[debut : page.index("</section>", debut)])


def bilan_2023() -> Bilan:
    return Bilan.objects.get(convention__slug=CALPA, annee=2023)


@pytest.fixture
def comptes(client, documents):
    """The four people of the year, logged in in turn with ``comptes[nom]``."""
    personnes = {
        "agente": connecter(client, roles.AGENT, "collectivite", "agente"),
        "finances": connecter(client, roles.FINANCES, "collectivite", "financier"),
        "instructeur": connecter(client, roles.AGENT, "etat", "instructeur"),
        "admin": connecter(client, roles.ADMINISTRATEUR, "collectivite", "admin"),
    }

    def en_tant_que(nom):
        client.force_login(personnes[nom])
        return client

    return en_tant_que


def deliberer_transmettre_valider(comptes, transmission="2024-04-10"):
    agente = comptes("agente")
    poster(agente, "deliberer", date_deliberation="15/03/2024")
    poster(agente, "transmettre", date_transmission=transmission)
    poster(comptes("instructeur"), "valider", commentaire="Conforme.")
    assert bilan_2023().statut == Statut.VALIDE


# --- 1. The dates shown are the ones entered; a validated bilan leaves « À traiter » ------------


def test_les_dates_affichees_sont_celles_saisies(comptes):
    agente = comptes("agente")
    poster(agente, "deliberer", date_deliberation="15/03/2024")
    poster(agente, "transmettre", date_transmission="10/04/2024")
    bilan = bilan_2023()
    assert (bilan.date_deliberation, bilan.date_transmission) == (
        date(2024, 3, 15),
        date(2024, 4, 10),
    )
    retard = (
        "Bilan 2023 : délibéré le 15 mars 2024 et transmis le 10 avril 2024, 10 jours après "
        "l'échéance du 31 mars 2024."
    )
    instructeur = comptes("instructeur")
    lu = a_traiter(instructeur)
    assert "transmis au préfet le 10 avril 2024 : à valider ou à renvoyer à compléter" in lu
    assert "transmis en retard Bilan 2023 — Convention d'appui" in lu and retard in lu
    page = texte(instructeur.get(ADRESSE).content.decode())
    assert retard in page, "le constat du calendrier, sur la page du bilan"
    assert "Délibération 15 mars 2024 Transmission au préfet 10 avril 2024" in page
    assert "restent à renseigner" not in page, "les remarques ne disent plus l'inverse"
    lignes = suivi(instructeur)
    assert "15 mars 2024 (enregistrée le" in lignes and "en préparation → délibéré" in lignes
    assert "10 avril 2024 (enregistrée le" in lignes and "délibéré → transmis au préfet" in lignes


def test_un_bilan_valide_quitte_a_traiter_pour_chacun(comptes):
    deliberer_transmettre_valider(comptes)
    for nom in ("agente", "finances", "instructeur", "admin"):
        lu = a_traiter(comptes(nom))
        assert "Bilan 2023 — Convention d'appui" not in lu, nom
        assert "transmis en retard" not in lu and date_longue(AUJOURDHUI) not in lu, nom
        assert "Bilan 2020 : échéance du 31 mars 2021 dépassée" in lu, "le reste y demeure"
    page = texte(comptes("agente").get(ADRESSE).content.decode())
    assert "Bilan validé : il n'y a plus rien à faire." in page
    assert "délibéré le 15 mars 2024 et transmis le 10 avril 2024" in page, "le constat reste"
    assert "restent à renseigner" not in page


def test_les_remarques_du_document_ne_disent_pas_l_etat_des_dates(documents):
    """The transcription's remark is about the document (its 22 June 2023 is the convention's
    deliberation); whether the bilan's dates are entered is said by the dates themselves."""
    remarque = bilan_2023().remarques
    assert "22 juin 2023" in remarque and "restent à renseigner" not in remarque


# --- 2. Correct the transmission date; reopen a validated bilan -----------------------------


def test_corriger_la_date_de_transmission(comptes):
    agente = comptes("agente")
    poster(agente, "deliberer", date_deliberation="15/03/2024")
    poster(agente, "transmettre")  # the day of the click
    assert bilan_2023().date_transmission == AUJOURDHUI
    page = agente.get(ADRESSE).content.decode()
    assert CORRIGER in page
    reponse = poster(
        agente,
        "corriger_transmission",
        date_transmission="20/03/2024",
        commentaire="Transmise par courrier le 20 mars, enregistrée en ligne ce jour.",
    )
    assert dernier_message(reponse).startswith("Corriger la date de transmission : fait.")
    bilan = bilan_2023()
    assert (bilan.statut, bilan.date_transmission) == (Statut.TRANSMIS, date(2024, 3, 20))
    lignes = suivi(agente)
    assert f"Date de transmission corrigée : {date_longue(AUJOURDHUI)}" in lignes
    assert "→ 20 mars 2024" in lignes
    assert "Transmise par courrier le 20 mars, enregistrée en ligne ce jour." in lignes
    etapes = chronologie.chronologie(bilan)
    assert [(e.intitule, e.apres, e.commentaire) for e in etapes][-1] == (
        "Date de transmission corrigée",
        "20 mars 2024",
        "Transmise par courrier le 20 mars, enregistrée en ligne ce jour.",
    )
    assert "transmis au préfet le 20 mars 2024" in a_traiter(comptes("instructeur"))


@pytest.mark.parametrize(
    "donnees, message",
    [
        (
            {"date_transmission": "20/03/2024", "commentaire": " "},
            "« Corriger la date de transmission » demande un motif : dites pourquoi la date "
            "change.",
        ),
        (
            {"date_transmission": "", "commentaire": "Erreur."},
            "Indiquez la date de transmission au préfet.",
        ),
        (
            {"date_transmission": "31/02/2024", "commentaire": "Erreur."},
            "Date de transmission au préfet illisible : écrivez-la JJ/MM/AAAA.",
        ),
        (
            {"date_transmission": "01/01/2999", "commentaire": "Erreur."},
            "La date de transmission au préfet (01/01/2999) est dans le futur.",
        ),
        (
            {"date_transmission": "01/03/2024", "commentaire": "Erreur."},
            "La date de transmission au préfet (01/03/2024) précède la délibération du conseil "
            "(15/03/2024) : un bilan est transmis une fois délibéré.",
        ),
    ],
    ids=["sans-motif", "sans-date", "illisible", "future", "avant-la-deliberation"],
)
def test_une_correction_refusee_ne_change_rien(comptes, donnees, message):
    agente = comptes("agente")
    poster(agente, "deliberer", date_deliberation="15/03/2024")
    poster(agente, "transmettre", date_transmission="2024-04-10")
    lignes = bilan_2023().historique.count()
    reponse = poster(agente, "corriger_transmission", **donnees)
    assert dernier_message(reponse) == message
    assert bilan_2023().date_transmission == date(2024, 4, 10)
    assert bilan_2023().historique.count() == lignes


def test_transmettre_refuse_une_date_future_ou_avant_la_deliberation(comptes):
    agente = comptes("agente")
    poster(agente, "deliberer", date_deliberation="15/03/2024")
    future = poster(agente, "transmettre", date_transmission="2999-01-01")
    assert dernier_message(future) == (
        "La date de transmission au préfet (01/01/2999) est dans le futur."
    )
    avant = poster(agente, "transmettre", date_transmission="2024-03-01")
    assert "précède la délibération du conseil (15/03/2024)" in dernier_message(avant)
    assert bilan_2023().statut == Statut.DELIBERE


@pytest.mark.parametrize(
    "qui, permis",
    [
        ("agente", True),
        ("admin", True),
        ("admin-etat", True),
        ("finances", False),
        ("instructeur", False),
    ],
)
def test_qui_corrige_la_date_de_transmission(client, comptes, qui, permis):
    agente = comptes("agente")
    poster(agente, "deliberer", date_deliberation="15/03/2024")
    poster(agente, "transmettre", date_transmission="2024-04-10")
    if qui == "admin-etat":
        connecter(client, roles.ADMINISTRATEUR, "etat", "admin-etat")
    else:
        comptes(qui)
    page = client.get(ADRESSE).content.decode()
    assert (CORRIGER in page) is permis
    reponse = poster(
        client, "corriger_transmission", date_transmission="2024-03-20", commentaire="Erreur."
    )
    attendu = date(2024, 3, 20) if permis else date(2024, 4, 10)
    assert bilan_2023().date_transmission == attendu
    if not permis:
        assert "revient aux" in dernier_message(reponse)


def test_rouvrir_un_bilan_valide(comptes):
    deliberer_transmettre_valider(comptes)
    assert gel.est_gele(bilan_2023())
    refus = {}
    for nom in ("agente", "finances", "instructeur"):
        client = comptes(nom)
        assert ROUVRIR not in client.get(ADRESSE).content.decode(), nom
        refus[nom] = dernier_message(poster(client, "rouvrir", commentaire="Erreur de saisie."))
    assert all("« Rouvrir le bilan » revient aux administrateurs" in m for m in refus.values())
    assert bilan_2023().statut == Statut.VALIDE
    admin = comptes("admin")
    assert ROUVRIR in admin.get(ADRESSE).content.decode()
    sans_motif = poster(admin, "rouvrir", commentaire="")
    assert dernier_message(sans_motif) == (
        "« Rouvrir le bilan » demande un motif : dites pourquoi le bilan validé est rouvert et "
        "ce que la collectivité doit compléter."
    )
    assert bilan_2023().statut == Statut.VALIDE
    motif = "Le réalisé de l'action 3.1 a été corrigé par l'opérateur après la validation."
    reponse = poster(admin, "rouvrir", commentaire=motif)
    assert dernier_message(reponse).startswith("Rouvrir le bilan : fait.")
    bilan = bilan_2023()
    assert bilan.statut == Statut.A_COMPLETER and not gel.est_gele(bilan)
    agente = comptes("agente")
    lignes = suivi(agente)
    rouvert = f"À compléter (bilan rouvert le {date_longue(AUJOURDHUI)} par Admin)"
    assert f"{rouvert} : « {motif} »" in lignes
    assert "Bilan rouvert : validé → à compléter" in lignes
    assert "Prochaine étape, pour la collectivité : « Transmettre au préfet »" in lignes
    assert "bilan à compléter Bilan 2023" in a_traiter(agente)
    assert "rouvert par Admin le " in a_traiter(agente) and motif in a_traiter(agente)
    # The figures are open again to the collectivité.
    rapport = RapportAction.objects.get(bilan=bilan, action__code="1.1")
    agente.post(ADRESSE, {"action": "1.1", f"r{rapport.pk}-realisation": "partielle"})
    assert RapportAction.objects.get(pk=rapport.pk).realisation == "partielle"


def test_rouvrir_demande_un_bilan_valide(comptes):
    agente = comptes("agente")
    poster(agente, "deliberer", date_deliberation="15/03/2024")
    poster(agente, "transmettre", date_transmission="2024-04-10")
    reponse = poster(comptes("admin"), "rouvrir", commentaire="Erreur.")
    assert dernier_message(reponse) == (
        "« Rouvrir le bilan » est impossible : le bilan 2023 est « transmis au préfet », il "
        "faudrait qu'il soit « validé »."
    )
    assert bilan_2023().statut == Statut.TRANSMIS


# --- 3. Readers download the bilan's workbook and comparison -----------------------------------


@pytest.mark.parametrize("qui", ["agente", "instructeur"])
def test_les_lecteurs_telechargent_le_bilan_et_sa_comparaison(comptes, qui):
    client = comptes(qui)
    page = client.get(ADRESSE).content.decode()
    assert "Télécharger le bilan (xlsx : indicateurs et budget)" in page
    classeur = client.get(f"{ADRESSE}classeur/")
    assert classeur.status_code == 200
    assert classeur["Content-Disposition"] == f'attachment; filename="{CALPA}-bilan-2023.xlsx"'
    comparaison = client.get(f"{ADRESSE}comparaison/").content.decode()
    assert 'href="?export=csv"' in comparaison and 'href="?export=xlsx"' in comparaison
    csv = client.get(f"{ADRESSE}comparaison/", {"export": "csv"})
    assert csv.status_code == 200
    lignes = csv.content.decode("utf-8-sig").splitlines()
    assert lignes[0].startswith("Code;Intitulé;Tableau en vigueur;Prévisionnel du bilan")
    assert lignes[-1].startswith(";Total;")
    xlsx = client.get(f"{ADRESSE}comparaison/", {"export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_un_lecteur_d_un_autre_territoire_ne_telecharge_rien(client, documents):
    autre = Territoire.objects.create(slug="autre", nom="Autre métropole")
    for cote in ("collectivite", "etat"):
        connecter(client, roles.AGENT, cote, f"agent-{cote}", territoires=[autre])
        assert client.get(f"{ADRESSE}classeur/").status_code == 404
        assert client.get(f"{ADRESSE}comparaison/", {"export": "csv"}).status_code == 404


# --- 4. A change of a rapport's text is in the history ------------------------------------------


def test_un_changement_de_realisation_est_dans_l_historique(comptes):
    agente = comptes("agente")
    rapport = RapportAction.objects.get(bilan=bilan_2023(), action__code="1.2")
    prefixe = f"r{rapport.pk}"
    reponse = agente.post(
        ADRESSE,
        {
            "action": "1.2",
            f"{prefixe}-realisation": "partielle",
            f"{prefixe}-operateur": "CESAM et MDPM",
            # As a browser sends a textarea: line breaks as CR LF.
            f"{prefixe}-texte": rapport.texte.replace("48 personnes", "50 personnes").replace(
                "\n", "\r\n"
            ),
        },
    )
    assert reponse.status_code == 302
    page = texte(agente.get(ADRESSE).content.decode())
    assert (
        "1.2 Réalisation : action réalisée → action partiellement réalisée, par agente, le "
    ) in page
    assert "1.2 Opérateur : CESAM → CESAM et MDPM, par agente" in page
    assert "1.2 Compte rendu : « … 48 personnes ont été orientées" in page
    assert "» → « … 50 personnes ont été orientées" in page
    action = texte(agente.get(f"/conventions/{CALPA}/actions/1.2/").content.decode())
    assert "1.2 Réalisation : action réalisée → action partiellement réalisée" in action
    assert "\r" not in RapportAction.objects.get(pk=rapport.pk).texte


def test_enregistrer_une_action_sans_toucher_a_son_compte_rendu_ne_le_change_pas(comptes):
    """The browser's line breaks (CR LF) are not a change of the compte rendu."""
    agente = comptes("agente")
    rapport = RapportAction.objects.get(bilan=bilan_2023(), action__code="1.2")
    assert "\n" in rapport.texte
    agente.post(
        ADRESSE,
        {
            "action": "1.2",
            f"r{rapport.pk}-realisation": rapport.realisation,
            f"r{rapport.pk}-operateur": rapport.operateur,
            f"r{rapport.pk}-texte": rapport.texte.replace("\n", "\r\n"),
        },
    )
    assert RapportAction.objects.get(pk=rapport.pk).texte == rapport.texte
    assert "Compte rendu :" not in texte(agente.get(ADRESSE).content.decode())
