"""Every URL of the application × anonymous, agent, finances, administrateur and a user of
another territory: allowed or refused. The list of URLs comes from the URL configuration, so a
new page without a rule here fails this test."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conventions import roles
from conventions.models import Territoire

PARAMETRES = {"slug": "calpa-dijon-2023", "annee": 2023, "code": "3.1"}
ANONYME, AGENT, FINANCES, ADMIN, AILLEURS = "anonyme", "agent", "finances", "admin", "ailleurs"

# name → expected status per user (GET)
REGLES = {
    "conventions:tableau_de_bord": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 200},
    "conventions:recherche": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 200},
    "conventions:detail": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "conventions:comparaison_versions": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "conventions:comparaison_annees": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "conventions:lignes_d_engagement": {AGENT: 403, FINANCES: 200, ADMIN: 200, AILLEURS: 200},
    "conventions:classeur": {AGENT: 403, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "conventions:action": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "bilans:detail": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "bilans:classeur": {AGENT: 403, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "bilans:comparaison": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "conventions:modifier_tableau": {AGENT: 403, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "conventions:nouvelle_version": {AGENT: 403, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    # POST only: a GET changes nothing.
    "conventions:mettre_en_vigueur": {AGENT: 403, FINANCES: 405, ADMIN: 405, AILLEURS: 404},
}
# Pages open to everyone (authentication itself) and the admin, tested elsewhere.
HORS_MATRICE = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "password_change",
    "password_change_done",
}


def noms_d_url(motifs=None, espace=""):
    for motif in motifs if motifs is not None else get_resolver().url_patterns:
        if isinstance(motif, URLResolver):
            if motif.namespace == "admin":
                continue
            prefixe = f"{espace}{motif.namespace}:" if motif.namespace else espace
            yield from noms_d_url(motif.url_patterns, prefixe)
        elif isinstance(motif, URLPattern) and motif.name:
            yield f"{espace}{motif.name}", motif


def parametre(cle):
    if cle == "pk":  # the tableau en vigueur of the CALPA 2023, whatever its id
        from conventions.models import TableauEngagements

        return TableauEngagements.objects.get(
            convention__slug=PARAMETRES["slug"], en_vigueur=True, annee_debut=2023
        ).pk
    return PARAMETRES[cle]


def adresse(nom, motif) -> str:
    cles = set(motif.pattern.regex.groupindex)
    return reverse(nom, kwargs={cle: parametre(cle) for cle in cles})


def test_chaque_page_a_une_regle():
    noms = {nom for nom, _motif in noms_d_url()} - HORS_MATRICE
    assert noms == set(REGLES), "page sans règle de droits : " + ", ".join(
        sorted(noms ^ set(REGLES))
    )


@pytest.mark.parametrize("utilisateur", [ANONYME, AGENT, FINANCES, ADMIN, AILLEURS])
def test_matrice(documents, client_de, client, utilisateur):
    dijon = Territoire.objects.filter(slug="dijon-metropole")
    if utilisateur == AGENT:
        client = client_de(roles.AGENT, territoires=dijon)
    elif utilisateur == FINANCES:
        client = client_de(roles.FINANCES, territoires=dijon)
    elif utilisateur == ADMIN:
        client = client_de(roles.ADMINISTRATEUR)
    elif utilisateur == AILLEURS:
        autre = Territoire.objects.create(slug="autre", nom="Autre métropole")
        client = client_de(roles.FINANCES, territoires=[autre])
    ecarts = []
    for nom, motif in noms_d_url():
        if nom in HORS_MATRICE:
            continue
        url = adresse(nom, motif)
        reponse = client.get(url)
        attendu = 302 if utilisateur == ANONYME else REGLES[nom][utilisateur]
        if reponse.status_code != attendu:
            ecarts.append(f"{url} : {reponse.status_code} au lieu de {attendu}")
        if utilisateur == ANONYME:
            assert reponse["Location"].startswith(reverse("login")), url
    assert ecarts == []


def test_l_administration_ne_montre_que_son_territoire(documents, client_de):
    from conventions.models import Convention, Engagement

    autre = Territoire.objects.create(slug="autre", nom="Autre métropole")
    Convention.objects.create(
        slug="calpa-autre-2023",
        intitule="Convention d'une autre métropole",
        dispositif="calpa",
        territoire=autre,
        annee_debut=2023,
        annee_fin=2023,
    )
    client = client_de(roles.FINANCES, territoires=[autre])
    liste = client.get(reverse("admin:conventions_convention_changelist")).content.decode()
    assert "Convention d&#x27;une autre métropole" in liste
    assert "Pacte de solidarité" not in liste
    engagement = Engagement.objects.first()
    url = reverse("admin:conventions_engagement_change", args=[engagement.pk])
    assert client.get(url).status_code == 302  # « n'existe pas » : back to the list


def test_un_import_ne_touche_pas_un_autre_territoire(documents, client_de):
    import io

    from conventions.classeurs.export import classeur_des_tableaux, tableaux_de
    from conventions.models import Convention

    autre = Territoire.objects.create(slug="autre", nom="Autre métropole")
    client = client_de(roles.FINANCES, territoires=[autre])
    convention = Convention.objects.get(slug="calpa-dijon-2023")
    fichier = io.BytesIO(classeur_des_tableaux(tableaux_de(convention, 2023, 2023)))
    fichier.name = "dijon.xlsx"
    reponse = client.post(
        reverse("admin:conventions_tableauengagements_import"), {"fichier": fichier}
    )
    assert "convention inconnue « calpa-dijon-2023 »" in reponse.content.decode()
