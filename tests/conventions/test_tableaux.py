"""Editing a tableau in the browser: the annex grid, a new version, « mettre en vigueur »."""

import html
import re
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from comptes import roles
from conventions.models import Engagement, Financeur, TableauEngagements, Territoire
from conventions.selectors.annexes import grille
from pages.conventions.forms import GrilleForm, nom_du_montant

CALPA = "calpa-dijon-2023"
NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.fixture
def finances(documents, client_de):
    return client_de(roles.FINANCES, territoires=Territoire.objects.all())


def retenue() -> TableauEngagements:
    return TableauEngagements.objects.get(convention__slug=CALPA, en_vigueur=True)


def url_grille(tableau) -> str:
    return reverse("conventions:modifier_tableau", args=[CALPA, tableau.pk])


def donnees_de_la_grille(tableau) -> dict:
    """What the browser posts when the grid is submitted untouched."""
    formulaire = GrilleForm(grille(tableau))
    donnees = {}
    for nom in formulaire.fields:
        valeur = formulaire[nom].value()
        donnees[nom] = "" if valeur is None else str(valeur).replace(".", ",")
    return donnees


def case(tableau, code, financeur) -> str:
    action = tableau.convention.actions.get(code=code)
    return nom_du_montant(action.pk, Financeur.objects.get(slug=financeur).pk)


def montant(tableau, code, financeur):
    ligne = tableau.engagements.filter(action__code=code, financeur__slug=financeur).first()
    return None if ligne is None else ligne.montant


def test_la_grille_change_un_montant_le_total_et_les_constats(finances):
    tableau = retenue()
    page = finances.get(url_grille(tableau)).content.decode()
    assert "Modifier le tableau 2023" in page
    assert 'inputmode="decimal"' in page
    assert "Action 3.3 — État" in page  # every cell labelled for screen readers
    avant = finances.get(tableau.get_absolute_url()).content.decode()
    assert "Cofinancement" in avant and "respectée" in avant

    donnees = donnees_de_la_grille(tableau)
    donnees[case(tableau, "3.3", "etat")] = "3 000"
    reponse = finances.post(url_grille(tableau), donnees)
    assert reponse.status_code == 302
    assert montant(tableau, "3.3", "etat") == Decimal("3000.00")
    page = finances.get(reponse["Location"]).content.decode()
    assert "1 montant(s) ajouté(s)" not in page
    assert "0 montant(s) ajouté(s), 1 modifié(s), 0 supprimé(s)" in page
    assert f"347{NNBSP}500{NBSP}€" in page  # the État's total, recomputed
    assert "non respectée" in page  # the collectivité now pays less than the État
    ligne = tableau.engagements.get(action__code="3.3", financeur__slug="etat")
    trace = ligne.historique.latest("history_date")
    assert trace.history_change_reason == "saisie de la grille dans le navigateur"
    assert trace.history_user.username.startswith("finances")


def test_une_action_ajoutee_et_une_case_videe(finances):
    tableau = retenue()
    donnees = donnees_de_la_grille(tableau)
    assert donnees[case(tableau, "1.3", "etat")] == ""  # 1.3 is only in the other version
    donnees[case(tableau, "1.3", "etat")] = "40 000"
    donnees[case(tableau, "1.3", "dijon-metropole")] = "40 000,50"
    donnees[case(tableau, "3.3", "dijon-metropole")] = ""
    assert finances.post(url_grille(tableau), donnees).status_code == 302
    assert montant(tableau, "1.3", "dijon-metropole") == Decimal("40000.50")
    assert montant(tableau, "3.3", "dijon-metropole") is None


@pytest.mark.parametrize(
    "saisie, message",
    [
        ("-5", "Montant « -5 » négatif : positif ou nul attendu."),
        ("1.234", "Montant « 1.234 » ambigu"),
        ("douze", "Montant « douze » illisible"),
        ("0,125", "Montant « 0,125 » au-delà du centime"),
    ],
    ids=["negatif", "ambigu", "texte", "trois-decimales"],
)
def test_une_saisie_fautive_est_nommee_et_rien_n_est_ecrit(finances, saisie, message):
    tableau = retenue()
    avant = sorted(Engagement.objects.values_list("pk", "montant", "version"))
    donnees = donnees_de_la_grille(tableau)
    donnees[case(tableau, "3.1", "etat")] = saisie
    donnees[case(tableau, "1.1", "etat")] = "1"
    reponse = finances.post(url_grille(tableau), donnees)
    page = reponse.content.decode()
    assert reponse.status_code == 200
    assert "1 case à corriger, rien n'a été enregistré" in page
    assert "Action 3.1 — État</a> :" in page and message in page
    assert sorted(Engagement.objects.values_list("pk", "montant", "version")) == avant


def test_un_second_onglet_perime_est_refuse_avec_la_valeur_du_collegue(finances):
    tableau = retenue()
    premier_onglet = donnees_de_la_grille(tableau)
    second_onglet = donnees_de_la_grille(tableau)
    second_onglet[case(tableau, "3.3", "etat")] = "3 500"
    assert finances.post(url_grille(tableau), second_onglet).status_code == 302
    premier_onglet[case(tableau, "3.3", "etat")] = "3 000"
    premier_onglet[case(tableau, "1.1", "etat")] = "1"
    reponse = finances.post(url_grille(tableau), premier_onglet)
    page = reponse.content.decode()
    assert reponse.status_code == 409
    assert (
        f"3.3 — État : Modifié entre-temps par finances-0 : la valeur est maintenant 3{NNBSP}500"
        in page
    )
    assert f"(votre saisie : 3{NNBSP}000{NBSP}€)" in page
    assert montant(tableau, "3.3", "etat") == Decimal("3500.00")
    assert montant(tableau, "1.1", "etat") == Decimal("100000.00")  # nothing else written


def test_une_nouvelle_version_puis_sa_mise_en_vigueur(finances):
    tableau = retenue()
    url = reverse("conventions:nouvelle_version", args=[CALPA, tableau.pk])
    reponse = finances.post(url, {"libelle": "Variante 2023 bis"})
    copie = TableauEngagements.objects.get(convention__slug=CALPA, libelle="Variante 2023 bis")
    assert reponse["Location"] == url_grille(copie)
    assert (copie.en_vigueur, copie.nature, copie.engagements.count()) == (False, "variante", 12)
    assert copie.engagements.aggregate(total=Sum("montant"))["total"] == Decimal("694000.00")

    refus = finances.post(url, {"libelle": "Variante 2023 bis"}).content.decode()
    assert "Cette convention a déjà un tableau de ce libellé pour cette période." in refus

    bascule = reverse("conventions:mettre_en_vigueur", args=[CALPA, copie.pk])
    page = finances.post(bascule, follow=True).content.decode()
    assert "« Variante 2023 bis » est en vigueur pour 2023 ; « Version Dijon Métropole" in page
    vigueur = TableauEngagements.objects.filter(
        convention__slug=CALPA, annee_debut=2023, annee_fin=2023, en_vigueur=True
    )
    assert list(vigueur.values_list("libelle", flat=True)) == ["Variante 2023 bis"]
    trace = tableau.historique.latest("history_date")
    assert trace.history_change_reason == "« Variante 2023 bis » mis en vigueur"
    assert not trace.en_vigueur


def test_la_page_de_la_convention_offre_les_trois_gestes_aux_finances(finances, client_de):
    page = finances.get(f"/conventions/{CALPA}/").content.decode()
    assert "Modifier les montants de cette version" in page
    assert "Nouvelle version (copie de celle-ci)" in page
    assert "Mettre cette version en vigueur" not in page  # the displayed one already is
    non_retenue = TableauEngagements.objects.get(libelle__contains="non retenue")
    page = finances.get(non_retenue.get_absolute_url()).content.decode()
    assert "Mettre cette version en vigueur" in page
    agent = client_de(roles.AGENT, territoires=Territoire.objects.all())
    page = agent.get(f"/conventions/{CALPA}/").content.decode()
    assert "Modifier les montants" not in page
    assert agent.post(url_grille(retenue()), {}).status_code == 403


# --- Two people on the same grid (issue: different cells, typed values kept) ----------------

CHAMP = re.compile(r'<input type="(?:text|hidden)" name="([^"]+)"(?: value="([^"]*)")?')


def champs_affiches(page: str) -> dict:
    """The grid's inputs as the page shows them: what the browser would send back."""
    return {nom: html.unescape(valeur or "") for nom, valeur in CHAMP.findall(page)}


def test_deux_personnes_sur_des_cases_differentes_enregistrent_toutes_deux(finances):
    tableau = retenue()
    alice, bruno = donnees_de_la_grille(tableau), donnees_de_la_grille(tableau)
    bruno[case(tableau, "3.3", "etat")] = "3 500"
    assert finances.post(url_grille(tableau), bruno).status_code == 302
    alice[case(tableau, "1.1", "etat")] = "90 000"
    reponse = finances.post(url_grille(tableau), alice, follow=True)
    assert reponse.redirect_chain[0][1] == 302  # not a 409 about 3.3, which Alice never touched
    page = reponse.content.decode()
    assert "0 montant(s) ajouté(s), 1 modifié(s), 0 supprimé(s)" in page
    assert montant(tableau, "1.1", "etat") == Decimal("90000.00")
    assert montant(tableau, "3.3", "etat") == Decimal("3500.00")  # Bruno's value stays
    trace = tableau.engagements.get(action__code="3.3", financeur__slug="etat").historique
    assert trace.count() == 2  # the baseline and Bruno's change: Alice's save left it alone


def test_la_meme_case_changee_par_deux_est_refusee_et_les_saisies_restent(finances):
    tableau = retenue()
    alice, bruno = donnees_de_la_grille(tableau), donnees_de_la_grille(tableau)
    bruno[case(tableau, "3.3", "etat")] = "3 500"
    bruno[case(tableau, "3.2", "etat")] = "30 000"
    assert finances.post(url_grille(tableau), bruno).status_code == 302
    alice[case(tableau, "3.3", "etat")] = "3 000"
    alice[case(tableau, "1.1", "etat")] = "90 000"
    reponse = finances.post(url_grille(tableau), alice)
    page = reponse.content.decode()
    assert reponse.status_code == 409
    assert "rien n'a été enregistré : un collègue a changé entre-temps une case" in page
    assert (
        f"3.3 — État : Modifié entre-temps par finances-0 : la valeur est maintenant "
        f"3{NNBSP}500{NBSP}€ (votre saisie : 3{NNBSP}000{NBSP}€)." in page
    )
    assert montant(tableau, "1.1", "etat") == Decimal("100000.00")  # nothing written
    affiches = champs_affiches(page)
    assert affiches[case(tableau, "3.3", "etat")] == "3 000"  # what Alice typed…
    assert affiches[case(tableau, "1.1", "etat")] == "90 000"
    assert affiches[case(tableau, "3.2", "etat")] == "30000,00"  # …and Bruno's other change
    # Saving the page as shown is now a deliberate choice: Alice's 3 000 replaces Bruno's.
    assert finances.post(url_grille(tableau), affiches).status_code == 302
    assert montant(tableau, "3.3", "etat") == Decimal("3000.00")
    assert montant(tableau, "1.1", "etat") == Decimal("90000.00")
    assert montant(tableau, "3.2", "etat") == Decimal("30000.00")


def test_la_page_refusee_demande_avant_d_etre_quittee(finances):
    tableau = retenue()
    page = finances.get(url_grille(tableau)).content.decode()
    assert 'data-non-enregistre="non"' in page
    assert '<script src="/static/js/grille.js" defer></script>' in page
    donnees = donnees_de_la_grille(tableau)
    donnees[case(tableau, "3.1", "etat")] = "douze"
    page = finances.post(url_grille(tableau), donnees).content.decode()
    assert 'data-non-enregistre="oui"' in page  # typed, not saved: leaving asks first


# --- The total printed in the signed document -----------------------------------------------


def constats_des_totaux(client, tableau) -> list[str]:
    page = client.get(tableau.get_absolute_url()).content.decode()
    return [ligne for ligne in re.findall(r"<li>.*?</li>", page) if "mais ses lignes font" in ligne]


def total_imprime(tableau, financeur):
    return tableau.totaux_imprimes.get(financeur__slug=financeur).montant


def test_le_total_imprime_se_met_a_jour_dans_la_grille(finances):
    tableau = retenue()
    page = finances.get(url_grille(tableau)).content.decode()
    assert "Total imprimé (document signé) — État" in page  # each input labelled
    assert "le total que le document signé imprime, tel qu'il y figure" in page
    donnees = donnees_de_la_grille(tableau)
    etat = Financeur.objects.get(slug="etat")
    # Thousands apart, as the pages write them, not « 347000,00 ».
    assert donnees[f"total_imprime_{etat.pk}"] == "347\u202f000,00"
    donnees[case(tableau, "3.3", "etat")] = "3 000"
    assert finances.post(url_grille(tableau), donnees).status_code == 302
    assert constats_des_totaux(finances, tableau) == [
        '<li><span class="constats-badge constats-erreur">erreur</span> Tableau « Version Dijon '
        "Métropole retenue sur le Territoire Zéro Non Recours » (2023) : le total imprimé pour "
        f"l&#x27;État est 347{NNBSP}000{NBSP}€, mais ses lignes font 347{NNBSP}500{NBSP}€ "
        f"(écart +500{NBSP}€).</li>"
    ]
    page = finances.get(url_grille(tableau)).content.decode()
    assert f"écart des lignes +500{NBSP}€" in page  # the grid says it next to the field

    donnees = donnees_de_la_grille(tableau)
    donnees[f"total_imprime_{etat.pk}"] = "347 500"
    reponse = finances.post(url_grille(tableau), donnees, follow=True)
    page = reponse.content.decode()
    assert f"total imprimé État 347{NNBSP}000{NBSP}€ → 347{NNBSP}500{NBSP}€" in page
    assert total_imprime(tableau, "etat") == Decimal("347500.00")
    assert total_imprime(tableau, "dijon-metropole") == Decimal("347000.00")
    assert constats_des_totaux(finances, tableau) == []
    assert (
        f"Total imprimé État : 347{NNBSP}000{NBSP}€ → 347{NNBSP}500{NBSP}€, par finances-0" in page
    )  # in the version's history, with who and why
    assert "(total imprimé saisi dans la grille)" in page


def test_reprendre_le_total_des_lignes(finances):
    tableau = retenue()
    donnees = donnees_de_la_grille(tableau)
    donnees[case(tableau, "3.3", "etat")] = "3 000"
    donnees[case(tableau, "3.3", "dijon-metropole")] = "2 000,50"
    donnees["reprendre_les_totaux"] = "on"
    assert finances.post(url_grille(tableau), donnees).status_code == 302
    assert total_imprime(tableau, "etat") == Decimal("347500.00")
    assert total_imprime(tableau, "dijon-metropole") == Decimal("346500.50")
    assert constats_des_totaux(finances, tableau) == []
    trace = tableau.totaux_imprimes.get(financeur__slug="etat").historique.latest("history_date")
    assert trace.history_change_reason == "total imprimé repris des lignes dans la grille"


def test_un_total_imprime_change_par_un_collegue_est_un_conflit(finances):
    tableau = retenue()
    etat = Financeur.objects.get(slug="etat")
    alice, bruno = donnees_de_la_grille(tableau), donnees_de_la_grille(tableau)
    bruno[f"total_imprime_{etat.pk}"] = "347 100"
    assert finances.post(url_grille(tableau), bruno).status_code == 302
    alice[f"total_imprime_{etat.pk}"] = "347 200"
    reponse = finances.post(url_grille(tableau), alice)
    assert reponse.status_code == 409
    assert (
        f"Total imprimé — État : Modifié entre-temps par finances-0 : la valeur est maintenant "
        f"347{NNBSP}100{NBSP}€ (votre saisie : 347{NNBSP}200{NBSP}€)."
    ) in reponse.content.decode()
    assert total_imprime(tableau, "etat") == Decimal("347100.00")


# --- « Mettre cette version en vigueur » asks first -----------------------------------------


def url_confirmation(tableau) -> str:
    return reverse("conventions:confirmer_mise_en_vigueur", args=[CALPA, tableau.pk])


def sans_balises(page: str) -> str:
    """The page's text, as read: tags gone, runs of spaces as one (not the no-break ones)."""
    return html.unescape(re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", page)))


def en_vigueur_2023() -> list[str]:
    return list(
        TableauEngagements.objects.filter(
            convention__slug=CALPA, annee_debut=2023, annee_fin=2023, en_vigueur=True
        ).values_list("libelle", flat=True)
    )


RETENUE = "Version Dijon Métropole retenue sur le Territoire Zéro Non Recours"
NON_RETENUE = "Version Dijon Métropole non retenue sur le Territoire Zéro Non Recours"


def test_la_confirmation_dit_ce_qui_change_et_les_constats_sans_rien_ecrire(finances):
    non_retenue = TableauEngagements.objects.get(libelle=NON_RETENUE)
    lien = finances.get(non_retenue.get_absolute_url()).content.decode()
    assert f'href="{url_confirmation(non_retenue)}">Mettre cette version en vigueur…</a>' in lien
    reponse = finances.get(url_confirmation(non_retenue))
    page = sans_balises(reponse.content.decode())
    assert f"En vigueur aujourd'hui « {RETENUE} » Le serait à la place « {NON_RETENUE} »" in page
    assert (
        f"Cofinancement respecté : la collectivité engagerait 347{NNBSP}000{NBSP}€ pour "
        f"347{NNBSP}000{NBSP}€ de l'État (au moins 100{NBSP}% requis)." in page
    )
    assert f"État 347{NNBSP}000{NBSP}€ 347{NNBSP}000{NBSP}€ 0{NBSP}€" in page
    assert "2 actions changent ; 5 autres gardent les mêmes montants." in page
    assert f"100{NNBSP}000{NBSP}€ → devient 80{NNBSP}000{NBSP}€" in page  # 1.1, each side
    assert f"0{NBSP}€ → devient 20{NNBSP}000{NBSP}€" in page  # 1.3, only in this version
    apparaitraient = page.split("Apparaîtraient (5)")[1].split("Resteraient")[0]
    assert (
        f"Action 1.1 : le budget prévisionnel du bilan 2023 indique 100{NNBSP}000{NBSP}€ pour "
        f"l'État, le tableau en vigueur « {NON_RETENUE} » 80{NNBSP}000{NBSP}€ "
        f"(écart +20{NNBSP}000{NBSP}€)." in apparaitraient
    )
    assert "Action 1.3 : le bilan 2023 n'en rend pas compte." in apparaitraient
    disparaitraient = page.split("Ne seraient plus signalés (1)")[1]
    assert f"Action 1.3 : absente du tableau en vigueur « {RETENUE} » (2023)" in disparaitraient
    assert "Mettre en vigueur Annuler" in page
    assert en_vigueur_2023() == [RETENUE]  # reading the page wrote nothing


def test_la_confirmation_dit_quand_le_cofinancement_serait_rompu(finances):
    from conventions.versions import nouvelle_version

    utilisateur = finances.get("/").wsgi_request.user
    copie = nouvelle_version(
        tableau=retenue(), libelle="Variante État +500", utilisateur=utilisateur
    )
    copie.engagements.filter(action__code="3.3", financeur__slug="etat").update(montant=3000)
    reponse = finances.get(url_confirmation(copie))
    page = sans_balises(reponse.content.decode())
    assert (
        "Cofinancement non respecté : cette version enfreint la règle de cofinancement de la "
        "convention. Tableau « Variante État +500 » (2023) : la collectivité engage "
        f"347{NNBSP}000{NBSP}€, moins que les 347{NNBSP}500{NBSP}€ requis (100{NBSP}% des "
        f"347{NNBSP}500{NBSP}€ de l'État) ; il manque 500{NBSP}€." in page
    )
    assert f"État 347{NNBSP}000{NBSP}€ 347{NNBSP}500{NBSP}€ +500{NBSP}€" in page
    assert f"Total 694{NNBSP}000{NBSP}€ 694{NNBSP}500{NBSP}€ +500{NBSP}€" in page
    assert "1 action change ; 5 autres gardent les mêmes montants." in page
    assert (
        f"Action 3.3, tableau « Variante État +500 » (2023) : la collectivité engage "
        f"2{NNBSP}500{NBSP}€ pour 3{NNBSP}000{NBSP}€ de l'État, au lieu d'au moins "
        f"3{NNBSP}000{NBSP}€ (100{NBSP}%)." in page.split("Apparaîtraient")[1]
    )
    # Confirmed as shown: the button sends the version it replaces.
    assert f'name="remplace" value="{retenue().pk}"' in reponse.content.decode()
    bascule = reverse("conventions:mettre_en_vigueur", args=[CALPA, copie.pk])
    apres = finances.post(bascule, {"remplace": retenue().pk}, follow=True).content.decode()
    assert "« Variante État +500 » est en vigueur pour 2023" in apres
    assert en_vigueur_2023() == ["Variante État +500"]


def test_une_confirmation_perimee_est_refusee(finances):
    non_retenue = TableauEngagements.objects.get(libelle=NON_RETENUE)
    ancienne = retenue().pk  # what the confirmation page showed
    finances.post(reverse("conventions:mettre_en_vigueur", args=[CALPA, non_retenue.pk]))
    variante = TableauEngagements.objects.get(libelle=RETENUE)
    reponse = finances.post(
        reverse("conventions:mettre_en_vigueur", args=[CALPA, variante.pk]),
        {"remplace": ancienne + 1000},
        follow=True,
    )
    page = html.unescape(reponse.content.decode())
    assert (
        f"Entre-temps, la version en vigueur de 2023 a changé (aujourd'hui : « {NON_RETENUE} ») "
        ": rien n'a été modifié, relisez la confirmation." in page
    )
    assert reponse.redirect_chain[-1][0] == url_confirmation(variante)
    assert en_vigueur_2023() == [NON_RETENUE]


def test_rien_a_confirmer_pour_la_version_en_vigueur_ou_le_previsionnel(finances):
    page = sans_balises(finances.get(url_confirmation(retenue())).content.decode())
    assert "cette version est déjà en vigueur pour 2023 : rien à confirmer." in page
    assert "Mettre en vigueur Annuler" not in page
    previsionnel = TableauEngagements.objects.get(
        convention__slug=CALPA, nature="previsionnel_bilan"
    )
    page = sans_balises(finances.get(url_confirmation(previsionnel)).content.decode())
    assert "cette version ne peut pas être mise en vigueur. Le budget prévisionnel" in page
    assert "Mettre en vigueur Annuler" not in page
