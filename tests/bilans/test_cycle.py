"""A bilan from preparation to validation (``bilans.cycle``): every transition allowed and
refused, per side and role, generated from the state machine's table; the figures locked once
transmitted; the timeline; the confirmation asked when the bilan still has errors."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from bilans import chronologie, cycle
from bilans.models import Bilan, Mesure
from comptes import roles
from conventions.models import Territoire
from tests.bilans.factories import BilanFactory

Statut = Bilan.Statut
CALPA = "calpa-dijon-2023"
ADRESSE = f"/conventions/{CALPA}/bilans/2023/"

# What the conventions say, written by hand: who may do what, from which status. A transition
# added to the table without its rule here fails ``test_chaque_transition_a_sa_regle``.
# (depuis, vers, côté (None: l'un ou l'autre), rôles de ce côté, rôles des deux côtés)
ATTENDU = {
    "deliberer": (
        {"en_preparation"},
        "delibere",
        "collectivite",
        {"agent", "administrateur"},
        set(),
    ),
    "transmettre": (
        {"delibere", "a_completer"},
        "transmis",
        "collectivite",
        {"agent", "administrateur"},
        set(),
    ),
    "renvoyer": (
        {"transmis"},
        "a_completer",
        "etat",
        {"agent", "finances", "administrateur"},
        set(),
    ),
    "valider": ({"transmis"}, "valide", "etat", {"agent", "finances", "administrateur"}, set()),
    # Corrections: the transmission date (status unchanged), a validated bilan reopened.
    "corriger_transmission": (
        {"transmis", "a_completer", "valide"},
        None,
        "collectivite",
        {"agent", "administrateur"},
        {"administrateur"},
    ),
    "rouvrir": ({"valide"}, "a_completer", None, {"administrateur"}, set()),
}
ROLES = [roles.AGENT, roles.FINANCES, roles.ADMINISTRATEUR]
COTES = ["collectivite", "etat"]


def test_chaque_transition_a_sa_regle():
    assert set(cycle.PAR_NOM) == set(ATTENDU)
    for transition in cycle.TRANSITIONS:
        depuis, vers, cote, qui, aussi = ATTENDU[transition.nom]
        assert set(transition.depuis) == depuis
        assert transition.vers == vers
        assert transition.cote == cote
        assert set(transition.roles) == qui
        assert (transition.aussi is not None) == bool(aussi)


def cas():
    for nom, (depuis, _vers, cote_permis, roles_permis, aussi) in ATTENDU.items():
        for statut in Statut.values:
            for cote in COTES:
                for role in ROLES:
                    permis = statut in depuis and (
                        (cote_permis in (None, cote) and role in roles_permis) or role in aussi
                    )
                    yield pytest.param(
                        nom, statut, cote, role, permis, id=f"{nom}-{statut}-{cote}-{role}"
                    )


def connecter(client, role, cote, identifiant=None):
    utilisateur = roles.creer_compte(
        identifiant or f"{cote}-{role}",
        mot_de_passe="mot-de-passe-test",
        role=role,
        territoires=Territoire.objects.all(),
        cote=cote,
    )
    client.force_login(utilisateur)
    return utilisateur


def poster(client, transition, **donnees):
    return client.post(
        f"{ADRESSE}statut/",
        {"transition": transition, "confirmer": "on", **donnees},
    )


def dernier_message(reponse) -> str:
    """The message this response added (earlier ones wait in the storage until displayed)."""
    return [str(m) for m in get_messages(reponse.wsgi_request)][-1]


@pytest.mark.parametrize("nom, statut, cote, role, permis", list(cas()))
def test_transition_permise_ou_refusee(client, db, nom, statut, cote, role, permis):
    bilan = BilanFactory(statut=statut, date_deliberation=date(2024, 3, 14))
    utilisateur = roles.creer_compte(
        "compte", mot_de_passe="x", role=role, territoires=[bilan.convention.territoire], cote=cote
    )
    client.force_login(utilisateur)
    reponse = client.post(
        reverse("bilans:statut", args=[bilan.convention.slug, bilan.annee]),
        {
            "transition": nom,
            "confirmer": "on",
            "commentaire": "Il manque l'action 3.1.",
            "date_transmission": "2024-03-20",
        },
    )
    bilan.refresh_from_db()
    assert reponse.status_code == 302
    if permis:
        assert bilan.statut == (ATTENDU[nom][1] or statut)
        assert nom not in {"transmettre", "corriger_transmission"} or (
            bilan.date_transmission == date(2024, 3, 20)
        ), "la date saisie"
        assert dernier_message(reponse).startswith(f"{cycle.PAR_NOM[nom].libelle} : fait.")
    else:
        assert bilan.statut == statut, "un changement refusé ne change rien"
        motif = dernier_message(reponse)
        assert "impossible : le bilan" in motif or "revient aux" in motif


def test_renvoyer_sans_commentaire_est_refuse(client, documents):
    Bilan.objects.filter(convention__slug=CALPA).update(statut=Statut.TRANSMIS)
    connecter(client, roles.AGENT, "etat")
    reponse = poster(client, "renvoyer", commentaire="  ")
    assert Bilan.objects.get(convention__slug=CALPA).statut == Statut.TRANSMIS
    assert dernier_message(reponse) == (
        "« Renvoyer à compléter » demande un commentaire : dites à la collectivité ce qu'elle "
        "doit compléter."
    )


def test_deliberer_demande_une_date_passee_et_lisible(client, documents):
    connecter(client, roles.AGENT, "collectivite")
    sans_date = poster(client, "deliberer")
    assert dernier_message(sans_date) == "Indiquez la date de la délibération du conseil."
    illisible = poster(client, "deliberer", date_deliberation="31/02/2024")
    assert dernier_message(illisible) == (
        "Date de la délibération du conseil illisible : écrivez-la JJ/MM/AAAA."
    )
    future = poster(client, "deliberer", date_deliberation="2999-01-01")
    assert "est dans le futur" in dernier_message(future)
    assert Bilan.objects.get(convention__slug=CALPA).statut == Statut.EN_PREPARATION
    poster(client, "deliberer", date_deliberation="14/03/2024")
    bilan = Bilan.objects.get(convention__slug=CALPA)
    assert (bilan.statut, bilan.date_deliberation) == (Statut.DELIBERE, date(2024, 3, 14))


def test_transmettre_avec_des_erreurs_demande_confirmation(client, documents):
    Bilan.objects.filter(convention__slug=CALPA).update(
        statut=Statut.DELIBERE, date_deliberation=date(2024, 3, 14)
    )
    # The real 2023 bilan has errors: its État budget (347 500 €) above what was paid
    # (347 000 €), and a breakdown of action 3.2 that adds up to 272 for 269.
    connecter(client, roles.AGENT, "collectivite")
    reponse = client.post(f"{ADRESSE}statut/", {"transition": "transmettre"})
    texte = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Transmettre le bilan 2023 malgré ses erreurs ?" in texte
    assert "Transmettre quand même" in texte
    assert "totalise 347\u202f500\u00a0€ pour l&#x27;État, qui a versé 347\u202f000\u00a0€" in texte
    assert "= 272 (écart +3 personnes)" in texte
    assert Bilan.objects.get(convention__slug=CALPA).statut == Statut.DELIBERE
    client.post(f"{ADRESSE}statut/", {"transition": "transmettre", "confirmer": "on"})
    assert Bilan.objects.get(convention__slug=CALPA).statut == Statut.TRANSMIS


def test_apres_transmission_les_chiffres_sont_en_lecture_seule(client, documents):
    bilan = Bilan.objects.get(convention__slug=CALPA)
    Bilan.objects.filter(pk=bilan.pk).update(
        statut=Statut.TRANSMIS, date_transmission=date(2024, 3, 20)
    )
    mesure = Mesure.objects.filter(bilan=bilan).select_related("indicateur__action").first()
    avant = Mesure.objects.get(pk=mesure.pk).valeur
    connecter(client, roles.AGENT, "collectivite")
    page = client.get(ADRESSE).content.decode()
    assert "Lecture seule :" in page and "transmis au préfet le 20/03/2024" in page
    assert "Renseigner l'action" not in page
    code = mesure.indicateur.action.code
    reponse = client.post(ADRESSE, {"action": code, "realisation": "realisee"})
    assert reponse.status_code == 302
    assert "ne sont plus modifiables" in dernier_message(reponse)
    assert Mesure.objects.get(pk=mesure.pk).valeur == avant


def test_le_parcours_complet_et_sa_chronologie(
    client, documents, django_capture_on_commit_callbacks
):
    collectivite = connecter(client, roles.AGENT, "collectivite", "agente")
    poster(client, "deliberer", date_deliberation="2024-03-14")
    poster(client, "transmettre")
    etat = connecter(client, roles.AGENT, "etat", "instructeur")
    poster(client, "renvoyer", commentaire="Le nombre de ménages accompagnés (action 3.1) manque.")
    client.force_login(collectivite)
    page = client.get(ADRESSE).content.decode()
    assert "À compléter</strong>" in page and "ménages accompagnés (action 3.1) manque" in page
    assert "Renseigner l'action" in page, "renvoyé, le bilan est de nouveau modifiable"
    poster(client, "transmettre")
    client.force_login(etat)
    poster(client, "valider", commentaire="Conforme.")
    bilan = Bilan.objects.get(convention__slug=CALPA)
    assert bilan.statut == Statut.VALIDE
    etapes = [(e.qui, e.avant, e.apres, e.commentaire) for e in chronologie.chronologie(bilan)]
    assert etapes == [
        ("agente", "en préparation", "délibéré", ""),
        ("agente", "délibéré", "transmis au préfet", ""),
        (
            "instructeur",
            "transmis au préfet",
            "à compléter",
            "Le nombre de ménages accompagnés (action 3.1) manque.",
        ),
        ("agente", "à compléter", "transmis au préfet", ""),
        ("instructeur", "transmis au préfet", "validé", "Conforme."),
    ]
    page = client.get(ADRESSE).content.decode()
    assert "Chronologie du bilan 2023" in page
    assert page.count("→ <strong>") == 5
    assert "validé par les services de l'État : ses chiffres sont définitifs" not in page
    assert "Bilan validé : il n&#x27;y a plus rien à faire." in page


def test_le_compte_de_demonstration_etat(db, settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("creer_comptes_demo", verbosity=0)
    from django.contrib.auth import get_user_model

    etat = get_user_model().objects.get(username="etat")
    assert etat.check_password("demo-etat-2026")
    assert etat.profil.cote == "etat"
    assert get_user_model().objects.get(username="agent").profil.cote == "collectivite"


def test_montants_du_bilan_inchanges_par_un_refus(client, documents):
    bilan = Bilan.objects.get(convention__slug=CALPA)
    depenses = bilan.depenses_collectivite
    connecter(client, roles.FINANCES, "collectivite")
    poster(client, "transmettre")
    bilan.refresh_from_db()
    assert (bilan.statut, bilan.depenses_collectivite) == (Statut.EN_PREPARATION, depenses)
    assert isinstance(depenses, Decimal)


def test_le_classeur_du_bilan_porte_son_statut_et_sa_transmission(client, documents):
    import io
    from datetime import datetime

    from openpyxl import load_workbook

    agente = connecter(client, roles.AGENT, "collectivite", "agente")
    poster(client, "deliberer", date_deliberation="2024-03-14")
    bilan = Bilan.objects.get(convention__slug=CALPA)
    cycle.appliquer(agente, bilan, "transmettre", aujourdhui=date(2024, 3, 20))
    connecter(client, roles.FINANCES, "collectivite", "finances")
    reponse = client.get(f"{ADRESSE}classeur/")
    feuille = load_workbook(io.BytesIO(reponse.content))["Suivi"]
    valeurs = {
        ligne[0]: ligne[1] for ligne in feuille.iter_rows(min_row=2, max_row=5, values_only=True)
    }
    assert valeurs == {
        "Statut": "transmis au préfet",
        "Échéance": datetime(2024, 3, 31),
        "Délibération": datetime(2024, 3, 14),
        "Transmission au préfet": datetime(2024, 3, 20),
    }
    etapes = list(feuille.iter_rows(min_row=8, values_only=True))
    assert [(e[1], e[2]) for e in etapes] == [
        ("agente", "en préparation → délibéré"),
        ("agente", "délibéré → transmis au préfet"),
    ]
    # Dated as entered (the deliberation of the 14th, recorded today), then recorded when.
    assert [e[0] for e in etapes] == [datetime(2024, 3, 14), datetime(2024, 3, 20)]
    assert all(isinstance(e[4], datetime) for e in etapes)


def test_a_traiter_selon_le_cote(client, documents):
    agente = connecter(client, roles.AGENT, "collectivite", "agente")
    poster(client, "deliberer", date_deliberation="2024-03-14")
    poster(client, "transmettre")
    etat = connecter(client, roles.AGENT, "etat", "instructeur")
    page = client.get("/").content.decode()
    assert "bilan à examiner</span>" in page and "Bilan 2023 — " in page
    assert "bilan à compléter</span>" not in page
    poster(client, "renvoyer", commentaire="Joindre la délibération signée.")
    page = client.get("/").content.decode()
    assert "bilan à examiner</span>" not in page
    client.force_login(agente)
    page = client.get("/").content.decode()
    assert "bilan à compléter</span>" in page
    assert "renvoyé par les services de l'État le " in page
    assert "« Joindre la délibération signée. »" in page
    assert etat.profil.cote == "etat"


def test_dans_l_administration_un_bilan_transmis_est_en_lecture_seule(
    documents, administrateur_restreint
):
    client = administrateur_restreint(Territoire.objects.all())
    bilan = Bilan.objects.get(convention__slug=CALPA)
    mesure = Mesure.objects.filter(bilan=bilan).first()
    Bilan.objects.filter(pk=bilan.pk).update(statut=Statut.TRANSMIS)
    page = client.get(f"/admin/bilans/bilan/{bilan.pk}/change/").content.decode()
    assert 'name="_save"' not in page, "pas de bouton Enregistrer"
    reponse = client.post(f"/admin/bilans/mesure/{mesure.pk}/change/", {"valeur": "1"})
    assert reponse.status_code == 403
    assert Mesure.objects.get(pk=mesure.pk).valeur == mesure.valeur
    Bilan.objects.filter(pk=bilan.pk).update(statut=Statut.A_COMPLETER)
    page = client.get(f"/admin/bilans/bilan/{bilan.pk}/change/").content.decode()
    assert 'name="_save"' in page


def test_un_bilan_charge_sans_historique_garde_son_premier_changement(db):
    bilan = BilanFactory(statut=Statut.EN_PREPARATION)
    bilan.historique.all().delete()
    agente = roles.creer_compte(
        "agente", mot_de_passe="x", role=roles.AGENT, territoires=[bilan.convention.territoire]
    )
    cycle.appliquer(agente, bilan, "deliberer", date_deliberation=date(2024, 3, 14))
    etapes = [(e.qui, e.avant, e.apres) for e in chronologie.chronologie(bilan)]
    assert etapes == [("agente", "en préparation", "délibéré")]
