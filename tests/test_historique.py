"""The audit trail: who changed which amount or indicator, when, from what to what."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from comptes import roles
from conventions.models import Convention, Engagement, Territoire
from fichiers.classeurs.chargement import importer
from fichiers.classeurs.export import classeur_des_tableaux, tableaux_de
from tests.bilans.formulaires import champ_de, formulaire_du_rapport

CALPA = "calpa-dijon-2023"


def engagement_11_etat():
    return Engagement.objects.get(
        tableau__convention__slug=CALPA,
        tableau__en_vigueur=True,
        action__code="1.1",
        financeur__slug="etat",
    )


def test_une_modification_dans_l_admin_est_tracee_sur_la_page_du_tableau(documents, client_de):
    client = client_de(roles.FINANCES, territoires=Territoire.objects.all())
    engagement = engagement_11_etat()
    client.post(
        reverse("admin:conventions_engagement_change", args=[engagement.pk]),
        {
            "tableau": engagement.tableau_id,
            "action": engagement.action_id,
            "financeur": engagement.financeur_id,
            "montant": "90000",
        },
    )
    html = client.get(f"/conventions/{CALPA}/").content.decode()
    assert "1.1 État : 100\u202f000\u00a0€ → 90\u202f000\u00a0€, par finances-0, le " in html
    historique = client.get(reverse("admin:conventions_engagement_history", args=[engagement.pk]))
    assert historique.status_code == 200


def test_un_import_garde_son_auteur_et_son_fichier(documents, client_de):
    client = client_de(roles.FINANCES, territoires=Territoire.objects.all())
    convention = Convention.objects.get(slug=CALPA)
    classeur = load_workbook(io.BytesIO(classeur_des_tableaux(tableaux_de(convention, 2023, 2023))))
    feuille = classeur["En vigueur"]
    ligne = next(r for r in range(13, feuille.max_row) if feuille.cell(r, 1).value == "1.1")
    feuille.cell(ligne, 3).value = 95000
    sortie = io.BytesIO()
    classeur.save(sortie)
    auteur = client.session["_auth_user_id"]
    from django.contrib.auth import get_user_model

    utilisateur = get_user_model().objects.get(pk=auteur)
    importer(sortie.getvalue(), utilisateur=utilisateur, nom_fichier="annexe-2023.xlsx")
    trace = Engagement.historique.filter(id=engagement_11_etat().pk).latest("history_date")
    assert trace.history_user == utilisateur
    assert trace.history_change_reason == "import de annexe-2023.xlsx"
    html = client.get(f"/conventions/{CALPA}/actions/1.1/").content.decode()
    assert "→ 95\u202f000\u00a0€, par finances-0" in html
    assert "(import de annexe-2023.xlsx)" in html


def test_un_indicateur_renseigne_par_un_agent_est_trace_sur_le_bilan(documents, client_de):
    client = client_de(roles.AGENT, territoires=Territoire.objects.all())
    donnees, rapport = formulaire_du_rapport("3.2")
    donnees[champ_de(rapport, "personnes-suivies")] = "272"
    html = client.post(f"/conventions/{CALPA}/bilans/2023/", donnees, follow=True)
    html = html.content.decode()
    assert "3.2 Personnes suivies sur l&#x27;année : 269 → 272, par agent-0, le " in html
