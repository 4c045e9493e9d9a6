"""Every URL of the application × anonymous, agent, the État's reviewer (an agent of the État's
side), finances, administrateur and a user of another territory: allowed or refused. The list of
URLs comes from the URL configuration, so a new page without a rule here fails this test. The
moves of a bilan's cycle, which are POSTs to one URL, have their own matrix below."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from comptes import roles
from conventions.models import Territoire

PARAMETRES = {"slug": "calpa-dijon-2023", "annee": 2023, "code": "3.1"}
ANONYME, AGENT, ETAT, FINANCES, ADMIN, AILLEURS = (
    "anonyme",
    "agent",
    "etat",
    "finances",
    "admin",
    "ailleurs",
)

# name → expected status per user (GET)
REGLES = {
    "conventions:tableau_de_bord": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 200},
    "conventions:recherche": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 200},
    # The year's synthesis: every reader, on the territoires they follow (tests/test_synthese.py).
    "synthese:synthese": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 200},
    "conventions:detail": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "conventions:comparaison_versions": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "conventions:comparaison_annees": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "conventions:lignes_d_engagement": {AGENT: 403, FINANCES: 200, ADMIN: 200, AILLEURS: 200},
    "conventions:classeur": {AGENT: 403, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "conventions:action": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "bilans:detail": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    # The bilan's workbook and comparison: whoever reads the bilan downloads them.
    "bilans:classeur": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "bilans:comparaison": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    # The year's documents: the rapport d'exécution (PDF, DOCX draft) and the annexe financière
    # of a version, for every reader of the convention; every rapport of a year in one zip for
    # the État's filing: its services and the administrators (a side's rule: ETAT's own column).
    "bilans:rapport_d_execution": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "bilans:rapport_d_execution_docx": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "conventions:annexe_financiere": {AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "bilans:rapports_de_l_annee": {AGENT: 403, ETAT: 200, FINANCES: 403, ADMIN: 200, AILLEURS: 403},
    "conventions:modifier_tableau": {AGENT: 403, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    "conventions:nouvelle_version": {AGENT: 403, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    # Reads only: what « mettre en vigueur » would change, and its button.
    "conventions:confirmer_mise_en_vigueur": {AGENT: 403, FINANCES: 200, ADMIN: 200, AILLEURS: 404},
    # POST only: a GET changes nothing.
    "conventions:mettre_en_vigueur": {AGENT: 403, FINANCES: 405, ADMIN: 405, AILLEURS: 404},
    # POST only; who may change a bilan's status is tested from its table (tests/bilans).
    "bilans:statut": {AGENT: 405, FINANCES: 405, ADMIN: 405, AILLEURS: 405},
    # The health address, for a load balancer: open to all, anonymous included.
    "sante": {ANONYME: 200, AGENT: 200, FINANCES: 200, ADMIN: 200, AILLEURS: 200},
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


def connecter(client_de, client, utilisateur):
    """The client of ``utilisateur`` (anonymous: ``client`` as it is)."""
    dijon = Territoire.objects.filter(slug="dijon-metropole")
    if utilisateur == AGENT:
        return client_de(roles.AGENT, territoires=dijon)
    if utilisateur == ETAT:
        return client_de(roles.AGENT, territoires=dijon, cote="etat")
    if utilisateur == FINANCES:
        return client_de(roles.FINANCES, territoires=dijon)
    if utilisateur == ADMIN:
        return client_de(roles.ADMINISTRATEUR)
    if utilisateur == AILLEURS:
        autre = Territoire.objects.create(slug="autre", nom="Autre métropole")
        return client_de(roles.FINANCES, territoires=[autre])
    return client


def comme(utilisateur):
    """The État's reviewer (an agent of the État's side) has an agent's rights on every page:
    the side only says whose move it is in a bilan's cycle (``bilans/cycle.py``) — and who
    downloads the year's zip of rapports, the one rule with its own ``ETAT`` column."""
    return AGENT if utilisateur == ETAT else utilisateur


def attendu_pour(regle: dict, utilisateur) -> int:
    return regle[utilisateur] if utilisateur in regle else regle[comme(utilisateur)]


def test_chaque_page_a_une_regle():
    noms = {nom for nom, _motif in noms_d_url()} - HORS_MATRICE
    assert noms == set(REGLES), "page sans règle de droits : " + ", ".join(
        sorted(noms ^ set(REGLES))
    )


@pytest.mark.parametrize("utilisateur", [ANONYME, AGENT, ETAT, FINANCES, ADMIN, AILLEURS])
def test_matrice(documents, client_de, client, utilisateur):
    client = connecter(client_de, client, utilisateur)
    ecarts = []
    for nom, motif in noms_d_url():
        if nom in HORS_MATRICE:
            continue
        url = adresse(nom, motif)
        reponse = client.get(url)
        attendu = (
            REGLES[nom].get(ANONYME, 302)  # anonymous: to the login page
            if utilisateur == ANONYME
            else attendu_pour(REGLES[nom], utilisateur)
        )
        if reponse.status_code != attendu:
            ecarts.append(f"{url} : {reponse.status_code} au lieu de {attendu}")
        if utilisateur == ANONYME and attendu == 302:
            assert reponse["Location"].startswith(reverse("login")), url
    assert ecarts == []


# The corrections of a bilan's cycle, POSTs to ``bilans:statut`` on Dijon's validated bilan:
# True, done; False, refused with the reason; 404, the bilan is out of reach.
CORRECTIONS = {
    "corriger_transmission": {
        AGENT: True,
        ETAT: False,
        FINANCES: False,
        ADMIN: True,
        AILLEURS: 404,
    },
    "rouvrir": {AGENT: False, ETAT: False, FINANCES: False, ADMIN: True, AILLEURS: 404},
}


@pytest.mark.parametrize("utilisateur", [ANONYME, AGENT, ETAT, FINANCES, ADMIN, AILLEURS])
def test_matrice_des_corrections_du_suivi(documents, client_de, client, utilisateur):
    from datetime import date

    from bilans.models import Bilan

    client = connecter(client_de, client, utilisateur)
    bilan = Bilan.objects.get(convention__slug=PARAMETRES["slug"], annee=PARAMETRES["annee"])
    url = reverse("bilans:statut", args=[PARAMETRES["slug"], PARAMETRES["annee"]])
    Bilan.objects.filter(pk=bilan.pk).update(date_deliberation=date(2024, 3, 15))
    ecarts = []
    for geste, attendus in CORRECTIONS.items():
        Bilan.objects.filter(pk=bilan.pk).update(  # what the cycle writes: status and date
            statut=Bilan.Statut.VALIDE, date_transmission=date(2024, 4, 10)
        )
        reponse = client.post(
            url,
            {
                "transition": geste,
                "commentaire": "Erreur de saisie.",
                "date_transmission": "20/03/2024",
            },
        )
        apres = Bilan.objects.filter(pk=bilan.pk).values_list("statut", "date_transmission")[0]
        fait = apres != (Bilan.Statut.VALIDE, date(2024, 4, 10))
        attendu = 302 if utilisateur == ANONYME else attendus[utilisateur]
        obtenu = reponse.status_code if reponse.status_code != 302 else fait
        if utilisateur == ANONYME:
            obtenu = 302 if not fait and reponse["Location"].startswith(reverse("login")) else fait
        if obtenu != attendu:
            ecarts.append(f"{geste} : {obtenu} au lieu de {attendu}")
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

    from conventions.models import Convention
    from fichiers.classeurs.export import classeur_des_tableaux, tableaux_de

    autre = Territoire.objects.create(slug="autre", nom="Autre métropole")
    client = client_de(roles.FINANCES, territoires=[autre])
    convention = Convention.objects.get(slug="calpa-dijon-2023")
    fichier = io.BytesIO(classeur_des_tableaux(tableaux_de(convention, 2023, 2023)))
    fichier.name = "dijon.xlsx"
    reponse = client.post(
        reverse("admin:conventions_tableauengagements_import"), {"fichier": fichier}
    )
    assert "convention inconnue « calpa-dijon-2023 »" in reponse.content.decode()


# --- The admin, for a user who follows Dijon Métropole only ---------------------------------

AUTRE = "Haute-Saône"  # in the name of every object of the other territoire


@pytest.fixture
def haute_saone(documents):
    """A second territoire with one object of every admin model, each named « … Haute-Saône »;
    returns them by model."""
    from datetime import date
    from decimal import Decimal

    from bilans.models import Bilan, Indicateur, Mesure, RapportAction
    from conventions.models import (
        Avenant,
        Deliberation,
        EngagementPluriannuel,
        Financeur,
        MembreSeance,
        MontantDelibere,
        Seance,
        TotalImprime,
        Tranche,
    )
    from tests.conventions.factories import (
        ActionFactory,
        AxeFactory,
        ConventionFactory,
        EngagementFactory,
        TableauFactory,
    )

    territoire = Territoire.objects.create(
        slug="haute-saone", nom=f"Département de la {AUTRE}", nature="departement"
    )
    financeur = Financeur.objects.create(
        slug="haute-saone",
        nom=f"Département de la {AUTRE}",
        categorie="collectivite",
        territoire=territoire,
    )
    convention = ConventionFactory(
        territoire=territoire, slug="calpa-haute-saone-2023", intitule=f"CALPA {AUTRE} 2023"
    )
    axe = AxeFactory(convention=convention, code="1", intitule=f"Axe {AUTRE}")
    action = ActionFactory(convention=convention, axe=axe, code="1.1", intitule=f"Action {AUTRE}")
    tableau = TableauFactory(convention=convention, libelle=f"Tableau {AUTRE}")
    engagement = EngagementFactory(tableau=tableau, action=action, financeur=financeur)
    avenant = Avenant.objects.create(convention=convention, numero=1, objet=AUTRE)
    pluriannuel = EngagementPluriannuel.objects.create(
        convention=convention,
        financeur=financeur,
        montant_total=Decimal("3000"),
        annee_debut=2023,
        annee_fin=2025,
    )
    seance = Seance.objects.create(
        territoire=territoire,
        organe=f"Conseil départemental de la {AUTRE}",
        date=date(2023, 6, 1),
        membres_en_exercice=34,
        presents=30,
    )
    deliberation = Deliberation.objects.create(
        seance=seance, reference="HS-1", objet=f"Délibération {AUTRE}", convention=convention
    )
    bilan = Bilan.objects.create(convention=convention, annee=2023)
    indicateur = Indicateur.objects.create(
        action=action, code="hs", libelle=f"Personnes de {AUTRE}", unite="personnes"
    )
    return {
        modele: objet
        for objet in (
            territoire,
            financeur,
            convention,
            axe,
            action,
            tableau,
            engagement,
            avenant,
            pluriannuel,
            Tranche.objects.create(engagement=pluriannuel, annee=2023, montant=Decimal("1000")),
            TotalImprime.objects.create(tableau=tableau, financeur=financeur, montant=1000),
            seance,
            MembreSeance.objects.create(seance=seance, nom=f"Membre {AUTRE}"),
            deliberation,
            MontantDelibere.objects.create(
                deliberation=deliberation, financeur=financeur, annee=2023, montant=1000
            ),
            bilan,
            RapportAction.objects.create(bilan=bilan, action=action, operateur=AUTRE),
            indicateur,
            Mesure.objects.create(indicateur=indicateur, bilan=bilan, valeur=Decimal("12")),
        )
        for modele in [type(objet)]
    }


@pytest.fixture
def dijon_seulement(haute_saone, administrateur_restreint):
    """An administrateur (not a superuser: every permission, every admin page) of Dijon."""
    return administrateur_restreint(Territoire.objects.filter(slug="dijon-metropole"))


def administres(objets: dict) -> dict:
    """Those with their own admin pages (tranches and montants délibérés are inlines)."""
    from django.contrib import admin

    return {modele: objet for modele, objet in objets.items() if modele in admin.site._registry}


def admin_url(modele, vue, *args) -> str:
    return reverse(f"admin:{modele._meta.app_label}_{modele._meta.model_name}_{vue}", args=args)


def test_chaque_modele_de_l_administration_est_limite_a_ses_territoires():
    """A new admin (or inline) without the territoire mixin fails here, as a new page without
    a rule fails ``test_chaque_page_a_une_regle``."""
    from django.contrib import admin

    from comptes.acces import CHEMINS_TERRITOIRE, ChoixDuTerritoireMixin, TerritoireAdminMixin

    oublis = []
    for modele, modele_admin in admin.site._registry.items():
        if modele._meta.app_label not in {"conventions", "bilans"}:
            continue
        if not isinstance(modele_admin, TerritoireAdminMixin):
            oublis.append(type(modele_admin).__name__)
        if modele._meta.label_lower not in CHEMINS_TERRITOIRE:
            oublis.append(f"{modele._meta.label_lower} sans chemin vers son territoire")
        oublis += [
            inline.__name__
            for inline in modele_admin.inlines
            if not issubclass(inline, ChoixDuTerritoireMixin)
        ]
    assert oublis == []


def test_les_listes_et_leurs_filtres_ne_nomment_que_son_territoire(haute_saone, dijon_seulement):
    """Every list of the admin — its rows and the choices of its filters (territoire,
    convention, séance, financeur…) — and the raw-id lookup popups, which are these lists."""
    fuites = []
    for modele in administres(haute_saone):
        for suffixe in ("", "?_to_field=id&_popup=1"):
            url = admin_url(modele, "changelist") + suffixe
            reponse = dijon_seulement.get(url)
            if reponse.status_code != 200 or AUTRE in reponse.content.decode():
                fuites.append(f"{url} : {reponse.status_code}")
    assert fuites == []
    conventions = dijon_seulement.get(admin_url(Territoire, "changelist")).content.decode()
    assert "Dijon Métropole" in conventions


def test_le_superutilisateur_voit_les_filtres_de_tous_les_territoires(haute_saone, client_admin):
    """The other side of the test above: the names are there to be hidden."""
    from conventions.models import Convention

    page = client_admin.get(admin_url(Convention, "changelist")).content.decode()
    filtres = page.split('id="changelist-filter"')[1]
    assert f"Département de la {AUTRE}" in filtres and "Dijon Métropole" in filtres


def test_les_formulaires_ne_proposent_que_son_territoire(haute_saone, dijon_seulement):
    """Selects of every add form, and of the inlines of a Dijon convention and tableau (whose
    empty rows list the choices too)."""
    from conventions.models import Convention, Seance, TableauEngagements

    calpa = Convention.objects.get(slug="calpa-dijon-2023")
    tableau = TableauEngagements.objects.filter(convention=calpa).first()
    urls = [admin_url(modele, "add") for modele in administres(haute_saone)] + [
        admin_url(Convention, "change", calpa.pk),
        admin_url(TableauEngagements, "change", tableau.pk),
        admin_url(Seance, "change", Seance.objects.exclude(territoire__slug="haute-saone")[0].pk),
    ]
    fuites = []
    for url in urls:
        reponse = dijon_seulement.get(url)
        # The COG's list of départements is everyone's: « Haute-Saône (70) » among its choices
        # names no object of the other territoire.
        contenu = reponse.content.decode().replace(f'<option value="70">{AUTRE} (70)</option>', "")
        if reponse.status_code != 200 or AUTRE in contenu:
            fuites.append(f"{url} : {reponse.status_code}")
    assert fuites == []


def test_l_id_d_un_autre_territoire_est_refuse_a_l_enregistrement(haute_saone, dijon_seulement):
    """Typed into a raw-id input or posted by hand, it is « not one of the available choices »
    and nothing is written."""
    from bilans.models import Bilan
    from conventions.models import Action, Deliberation, Engagement, TableauEngagements

    engagement = Engagement.objects.filter(tableau__convention__slug="calpa-dijon-2023").first()
    reponse = dijon_seulement.post(
        admin_url(Engagement, "change", engagement.pk),
        {
            "tableau": haute_saone[TableauEngagements].pk,
            "action": haute_saone[Action].pk,
            "financeur": haute_saone[type(haute_saone[Territoire].financeurs.get())].pk,
            "montant": "1",
            "version_lue": engagement.version,
        },
    )
    assert reponse.status_code == 200
    erreurs = reponse.context["adminform"].form.errors
    assert set(erreurs) == {"tableau", "action", "financeur"}
    engagement.refresh_from_db()
    assert engagement.tableau.convention.slug == "calpa-dijon-2023"

    deliberation = Deliberation.objects.exclude(convention__slug="calpa-haute-saone-2023")[0]
    reponse = dijon_seulement.post(
        admin_url(Deliberation, "change", deliberation.pk),
        {
            "seance": deliberation.seance_id,
            "reference": deliberation.reference,
            "objet": deliberation.objet,
            "convention": haute_saone[Bilan].convention_id,
        },
    )
    assert "convention" in reponse.context["adminform"].form.errors
    deliberation.refresh_from_db()
    assert deliberation.convention_id != haute_saone[Bilan].convention_id


def test_l_autocompletion_ne_renvoie_que_son_territoire(haute_saone, dijon_seulement):
    """``/admin/autocomplete/`` for every foreign key of every model: the related admin's
    queryset answers, so the other territoire's ids never come back."""
    from django.contrib import admin

    fuites, interrogees = [], 0
    for modele in haute_saone:
        for champ in modele._meta.get_fields():
            if not (champ.many_to_one or champ.many_to_many) or not champ.concrete:
                continue
            lie = admin.site._registry.get(champ.related_model)
            if lie is None or not lie.search_fields:
                continue
            reponse = dijon_seulement.get(
                reverse("admin:autocomplete"),
                {
                    "app_label": modele._meta.app_label,
                    "model_name": modele._meta.model_name,
                    "field_name": champ.name,
                    "term": "",
                },
            )
            interrogees += 1
            ids = {int(resultat["id"]) for resultat in reponse.json()["results"]}
            autre = haute_saone.get(champ.related_model)
            if AUTRE in reponse.content.decode() or (autre and autre.pk in ids):
                fuites.append(f"{modele._meta.label}.{champ.name}")
    assert interrogees >= 10
    assert fuites == []


def test_les_adresses_directes_d_un_autre_territoire_sont_refusees(haute_saone, dijon_seulement):
    """Change, delete and history pages (Django's and django-simple-history's, a version
    included): « n'existe pas » (302 to the admin's index) or 404, never the object."""
    from django.contrib import admin
    from simple_history.admin import SimpleHistoryAdmin

    ecarts = []
    for modele, objet in administres(haute_saone).items():
        modele_admin = admin.site._registry[modele]
        urls = {
            admin_url(modele, "change", objet.pk): 302,
            admin_url(modele, "delete", objet.pk): 302,
            admin_url(modele, "history", objet.pk): 302,
        }
        if isinstance(modele_admin, SimpleHistoryAdmin):
            urls[admin_url(modele, "history", objet.pk)] = 404
            version = objet.historique.latest("history_date").history_id
            urls[admin_url(modele, "simple_history", objet.pk, version)] = 404
        for url, attendu in urls.items():
            reponse = dijon_seulement.get(url)
            if reponse.status_code != attendu or AUTRE in reponse.content.decode():
                ecarts.append(f"{url} : {reponse.status_code} au lieu de {attendu}")
    assert ecarts == []


def test_l_historique_d_un_objet_supprime_reste_dans_son_territoire(haute_saone, dijon_seulement):
    """django-simple-history shows a deleted object's history from its last copy: for the
    other territoire's, 404; for one's own, the page."""
    from conventions.models import Engagement

    autre = haute_saone[Engagement]
    sien = Engagement.objects.filter(tableau__convention__slug="calpa-dijon-2023").first()
    ids = autre.pk, sien.pk
    for engagement in (autre, sien):
        engagement.delete()
    assert dijon_seulement.get(admin_url(Engagement, "history", ids[0])).status_code == 404
    page = dijon_seulement.get(admin_url(Engagement, "history", ids[1]))
    assert page.status_code == 200


def test_les_actions_recentes_ne_nomment_que_son_territoire(haute_saone, dijon_seulement):
    """The admin's index lists the user's own actions; after a change of territoires, those
    about the former territoire's objects are no longer named."""
    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.auth import get_user_model
    from django.utils.html import escape

    from conventions.models import Convention

    utilisateur = get_user_model().objects.get(username="administrateur-restreint")
    for convention in (haute_saone[Convention], Convention.objects.get(slug="calpa-dijon-2023")):
        LogEntry.objects.log_actions(utilisateur.pk, [convention], ADDITION, single_object=True)
    index = dijon_seulement.get(reverse("admin:index")).content.decode()
    recentes = index.split('id="recent-actions-module"')[1]
    assert escape(Convention.objects.get(slug="calpa-dijon-2023").intitule) in recentes
    assert AUTRE not in recentes


def test_un_agent_n_atteint_l_administration_que_si_on_la_lui_donne(documents, client):
    """An agent works in the pages: not staff, told so in French (403, not the admin's login
    form, which read as if the login had been lost); granted, he reads."""
    from django.contrib.auth import get_user_model

    agent = roles.creer_compte("agent-sans", mot_de_passe="mot-de-passe-test", role=roles.AGENT)
    assert not agent.is_staff
    client.force_login(agent)
    reponse = client.get(reverse("admin:index"))
    assert reponse.status_code == 403
    assert "Ce compte n&#x27;a pas accès à l&#x27;administration." in reponse.content.decode()
    assert client.get(reverse("admin:conventions_convention_changelist")).status_code == 403
    roles.creer_compte(
        "agent-sans", mot_de_passe="mot-de-passe-test", role=roles.AGENT, administration=True
    )
    client.force_login(get_user_model().objects.get(username="agent-sans"))
    assert client.get(reverse("admin:conventions_convention_changelist")).status_code == 200


def test_l_ecran_qui_suit_un_territoire_charge(haute_saone, client_de):
    """The load's result screen (« qui la voit », giving a territoire): read by whoever loads
    conventions, for his territoires only; the form and its POST for whoever manages the
    accounts (superusers), never for an administrator of another territoire."""
    from django.contrib.auth import get_user_model

    suivi = reverse("admin:conventions_convention_charger_suivi") + "?convention=calpa-dijon-2023"
    dijon = Territoire.objects.get(slug="dijon-metropole")
    autre = Territoire.objects.get(slug="haute-saone")
    attendus = {
        roles.AGENT: (dijon, 403),
        roles.FINANCES: (dijon, 403),
    }
    for role, (territoire, statut) in attendus.items():
        client = client_de(role, territoires=[territoire])
        assert client.get(suivi).status_code == statut, role
        assert client.post(suivi, {"territoire": dijon.pk}).status_code == statut, role

    administrateur = roles.creer_compte(
        "admin-hs", mot_de_passe="x", role=roles.ADMINISTRATEUR, territoires=[autre]
    )
    administrateur.is_superuser = False
    administrateur.save()
    client = client_de(roles.AGENT)  # a fresh login, then switched to the administrator
    client.force_login(administrateur)
    page = client.get(suivi)
    assert page.status_code == 200
    assert "Dijon" not in page.content.decode()  # another territoire's convention: not there
    envoi = client.post(suivi, {"territoire": dijon.pk, "utilisateurs": [administrateur.pk]})
    assert envoi.status_code == 403
    assert not get_user_model().objects.filter(pk=administrateur.pk, profil__territoires=dijon)

    client = client_de(roles.ADMINISTRATEUR)  # a superuser: manages the accounts
    page = client.get(suivi).content.decode()
    assert "<legend>Accorder le territoire Dijon Métropole à :</legend>" in page
