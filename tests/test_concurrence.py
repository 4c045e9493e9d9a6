"""Two people editing the same amount or indicator: the second save is refused with the other's
value, and nothing is overwritten silently. Runs on SQLite and, in CI, on PostgreSQL; the last
test runs on a SQLite file served by two gunicorn workers, as a small installation would."""

import io
import re
import threading
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from bilans.models import Mesure
from commun.formats import euros
from comptes import roles
from conventions.models import Convention, Engagement, Territoire
from fichiers.classeurs.export import classeur_des_tableaux, tableaux_de
from tests.bilans.formulaires import champ_de, formulaire_du_rapport
from tests.serveur import Visiteur, instance, texte

CALPA = "calpa-dijon-2023"


def connecte(role, identifiant):
    roles.creer_compte(
        identifiant,
        mot_de_passe="mot-de-passe-test",
        role=role,
        territoires=Territoire.objects.all(),
    )
    client = Client()
    client.force_login(get_user_model().objects.get(username=identifiant))
    return client


def engagement_11():
    return Engagement.objects.get(
        tableau__convention__slug=CALPA,
        tableau__en_vigueur=True,
        action__code="1.1",
        financeur__slug="etat",
    )


def test_deux_chargees_de_finances_sur_le_meme_engagement(documents):
    alice, bruno = connecte(roles.FINANCES, "alice"), connecte(roles.FINANCES, "bruno")
    engagement = engagement_11()
    url = reverse("admin:conventions_engagement_change", args=[engagement.pk])
    formulaire = {
        "tableau": engagement.tableau_id,
        "action": engagement.action_id,
        "financeur": engagement.financeur_id,
        "version_lue": engagement.version,  # both opened the form at this version
    }
    assert 'name="version_lue"' in alice.get(url).content.decode()
    assert alice.post(url, {**formulaire, "montant": "90000"}).status_code == 302
    reponse = bruno.post(url, {**formulaire, "montant": "95000"})
    html = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Modifié entre-temps par alice : la valeur est maintenant 90\u202f000\u00a0€ " in html
    assert "(votre saisie : 95\u202f000\u00a0€)" in html
    assert engagement_11().montant == Decimal("90000.00")
    # Bruno reloads the page (new version) and can then save his amount.
    formulaire["version_lue"] = engagement_11().version
    assert bruno.post(url, {**formulaire, "montant": "95000"}).status_code == 302
    assert engagement_11().montant == Decimal("95000.00")


def test_deux_agents_sur_la_meme_mesure(documents):
    claire, david = connecte(roles.AGENT, "claire"), connecte(roles.AGENT, "david")
    donnees, rapport = formulaire_du_rapport("3.2")
    mesure = Mesure.objects.get(indicateur__code="personnes-suivies")
    url = f"/conventions/{CALPA}/bilans/2023/"
    champ = champ_de(rapport, "personnes-suivies")
    claire.post(url, {**donnees, champ: "272"})
    reponse = david.post(url, {**donnees, champ: "270"})
    html = reponse.content.decode()
    assert (
        "Modifié entre-temps par claire : la valeur est maintenant 272 (votre saisie : 270)."
        in html
    )
    assert Mesure.objects.get(pk=mesure.pk).valeur == Decimal("272")


def test_deux_imports_du_meme_tableau_apres_apercu(documents):
    emma = connecte(roles.FINANCES, "emma")
    convention = Convention.objects.get(slug=CALPA)
    exporte = classeur_des_tableaux(tableaux_de(convention, 2023, 2023))

    def classeur(montant):
        contenu = load_workbook(io.BytesIO(exporte))
        feuille = contenu["En vigueur"]
        ligne = next(r for r in range(13, feuille.max_row) if feuille.cell(r, 1).value == "1.1")
        feuille.cell(ligne, 3).value = montant
        sortie = io.BytesIO()
        contenu.save(sortie)
        sortie.seek(0)
        sortie.name = f"annexe-{montant}.xlsx"
        return sortie

    url = reverse("admin:conventions_tableauengagements_import")
    emma.post(url, {"fichier": classeur(91000)})  # Emma previews her workbook…
    from fichiers.classeurs.chargement import importer

    importer(classeur(92000).getvalue(), nom_fichier="autre.xlsx")  # …another import lands…
    reponse = emma.post(url, {"confirmer": "1"}, follow=True)  # …then Emma confirms.
    assert "ont été modifiés depuis l&#x27;aperçu" in reponse.content.decode()
    assert engagement_11().montant == Decimal("92000.00")


def test_sur_sqlite_deux_enregistrements_simultanes_donnent_409_jamais_500(tmp_path):
    """Two finance officers save the same cell of the grid at the same instant, on two gunicorn
    workers sharing SQLite's file (the default database): one wins, the other gets the 409 with
    the colleague's value; none gets « database is locked » as a 500. Twelve rounds."""
    with instance(tmp_path, documents=True, workers=2) as adresse:
        alice, bruno = Visiteur(adresse), Visiteur(adresse)
        for visiteur in (alice, bruno):
            visiteur.connecter("finances", "demo-finances-2026")
        _statut, page = alice.ouvrir(f"/conventions/{CALPA}/")
        grille = re.search(rf'href="(/conventions/{CALPA}/tableaux/\d+/modifier/)"', page)[1]
        for tour in range(12):
            formulaires = [Visiteur.champs(v.ouvrir(grille)[1]) for v in (alice, bruno)]
            cellule = next(n for n, v in sorted(formulaires[0].items()) if n.startswith("montant_"))
            saisies = [Decimal(1000 + tour), Decimal(2000 + tour)]
            envois = [
                (visiteur, grille, {**formulaire, cellule: str(saisie)})
                for visiteur, formulaire, saisie in zip(
                    (alice, bruno), formulaires, saisies, strict=True
                )
            ]
            reponses = en_meme_temps(envois)
            statuts = [statut for statut, _page in reponses]
            assert sorted(statuts) == [302, 409], (tour, statuts)
            gagnant, perdant = (0, 1) if statuts[0] == 302 else (1, 0)
            assert (
                f"Modifié entre-temps par finances : la valeur est maintenant "
                f"{euros(saisies[gagnant])} (votre saisie : {euros(saisies[perdant])})"
            ) in texte(reponses[perdant][1])


def en_meme_temps(envois) -> list[tuple[int, str]]:
    """Each ``(visiteur, chemin, données)`` posted by its own thread, released together."""
    depart, reponses = threading.Barrier(len(envois)), [None] * len(envois)

    def envoyer(rang, visiteur, chemin, donnees):
        depart.wait()
        reponses[rang] = visiteur.ouvrir(chemin, donnees)

    fils = [
        threading.Thread(target=envoyer, args=(rang, *envoi)) for rang, envoi in enumerate(envois)
    ]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    return reponses
