"""The browser pages on the five documents: the figures shown, the roles, the territories."""

import pytest
from django.urls import reverse

from comptes import roles
from conventions.models import Convention, TableauEngagements, Territoire

NNBSP, NBSP = "\u202f", "\u00a0"


def euros(texte: str) -> str:
    """« 347 000 € » with the narrow and plain no-break spaces the pages use."""
    entier, _, reste = texte.partition(" €")
    return entier.replace(" ", NNBSP) + NBSP + "€" + reste


@pytest.fixture
def finances(documents, client_de):
    return client_de(roles.FINANCES, territoires=Territoire.objects.all())


@pytest.fixture
def agent(documents, client_de):
    return client_de(roles.AGENT, territoires=Territoire.objects.all())


def page(client, url, **params) -> str:
    reponse = client.get(url, params)
    assert reponse.status_code == 200, url
    return reponse.content.decode()


class TestTableauDeBord:
    def test_totaux_cofinancement_et_constats_par_convention_et_annee(self, finances):
        html = page(finances, "/")
        assert euros("347 000 €") in html
        assert euros("43 130 000 €") in html
        assert euros("129 530 000 €") in html
        assert "respecté (≥ 100" in html
        assert "sans règle" in html
        assert "3 erreurs · 4 avertissements · 1 information" in html
        assert "Bilan 2023 : échéance du 31 mars 2024 dépassée de" in html
        assert "Bilan 2020 : échéance du 31 mars 2021 dépassée de" in html

    def test_filtre_par_annee_et_dispositif(self, finances):
        html = page(finances, "/", annee=2020).split("<table")[1].split("</table>")[0]
        assert "Pacte de solidarité Dijon Métropole 2020" in html
        assert "Contrat de ville" not in html
        html = page(finances, "/", dispositif="contrat_de_ville")
        html = html.split("<table")[1].split("</table>")[0]
        assert "Contrat de ville du Grand Dijon" in html
        assert "Pacte de solidarité" not in html

    def test_tri_par_montant_de_l_etat(self, finances):
        html = page(finances, "/", sort="-total_etat").split("<table")[1]
        assert html.index("Convention d&#x27;appui") < html.index("Pacte de solidarité Dijon")


class TestConvention:
    url = "/conventions/calpa-dijon-2023/"

    def test_l_annexe_en_vigueur_avec_sous_totaux_total_et_cofinancement(self, finances):
        html = page(finances, self.url).split('id="titre-comparaisons"')[0]
        assert (
            "Version Dijon Métropole retenue sur le Territoire Zéro Non Recours (en vigueur)"
            in html
        )
        assert (
            "Sous-total Actions concernant l&#x27;accès aux droits</th>"
            f'<td class="montant" data-label="État">{euros("110 000 €")}' in html
        )
        assert f'Total</th><td class="montant" data-label="État">{euros("347 000 €")}' in html
        assert "Collectivité / État : 100" in html and "respectée" in html
        assert "l&#x27;accompagnement des publics en non demande" not in html

    def test_la_version_non_retenue_est_a_un_clic(self, finances):
        non_retenue = TableauEngagements.objects.get(libelle__contains="non retenue")
        html = page(finances, self.url)
        assert f"?periode=2023&amp;version={non_retenue.pk}" in html
        html = page(finances, self.url, periode="2023", version=non_retenue.pk)
        assert "(version non en vigueur)" in html
        assert euros("80 000 €") in html
        assert "en non demande" in html  # action 1.3, only in this version

    def test_l_annexe_du_contrat_de_ville_sur_trois_niveaux(self, finances):
        html = page(
            finances, "/conventions/contrat-de-ville-grand-dijon-2015-2020/", periode="2015-2017"
        )
        assert "Contrôles de cette version : 2 avertissements" in html
        assert 'class="ligne-axe niveau-3"' in html
        assert "Sous-total Pilier Cohésion sociale" in html
        caf = "Caisse d&#x27;allocations familiales de la Côte-d&#x27;Or"
        assert f'Total</th><td class="montant" data-label="{caf}">{euros("129 530 000 €")}' in html

    def test_une_autre_territoire_ne_voit_rien(self, documents, client_de):
        autre = Territoire.objects.create(slug="autre", nom="Autre métropole")
        client = client_de(roles.FINANCES, territoires=[autre])
        assert client.get(self.url).status_code == 404
        assert "Convention d&#x27;appui" not in page(client, "/")
        assert client.get("/conventions/calpa-dijon-2023/bilans/2023/").status_code == 404


class TestAction:
    def test_lignee_montants_et_indicateurs(self, finances):
        html = page(finances, "/conventions/calpa-dijon-2023/actions/3.1/")
        assert (
            "Pacte de solidarité Dijon Métropole 2020 — convention d&#x27;appui à la lutte contre "
            "la pauvreté — action 2.1" in html
        )
        assert euros("66 500 €") in html  # 2020, as action 2.1
        assert euros("62 300 €") in html  # 2023
        assert "dont mesures Maintien" in html and ">73</td>" in html
        assert '<svg role="img"' in html

    def test_la_fiche_action_2020(self, finances):
        html = page(finances, "/conventions/pacte-solidarite-dijon-2020/actions/2.3/")
        assert "Périmètre du CLS" in html
        assert euros("10 450 €") in html


class TestComparaisons:
    def test_version_contre_version(self, finances):
        html = page(finances, "/conventions/calpa-dijon-2023/comparaison/versions/")
        assert "7 actions : 1 ajoutée, 5 identiques, 1 modifiée." in html
        assert f"−{euros('40 000 €')}" in html  # 1.1: 200 000 € → 160 000 €, both financeurs
        assert "−20,00 %" in html or "−20 %" in html or "-20 %" in html

    def test_annee_contre_annee_selon_la_lignee(self, finances):
        html = page(finances, "/conventions/calpa-dijon-2023/comparaison/annees/", annee=2023)
        assert f"+{euros('48 000 €')}" in html  # 1.1: 152 000 € in 2020 → 200 000 € in 2023
        assert f"−{euros('8 400 €')}" in html  # 3.1: 133 000 € (2020 2.1) → 124 600 €
        assert "nouvelle" in html  # 2.1 prévention spécialisée has no predecessor

    def test_engagements_contre_bilan(self, finances):
        html = page(finances, "/conventions/calpa-dijon-2023/bilans/2023/comparaison/")
        assert f"+{euros('15 400 €')}" in html  # 3.1: 124 600 € → 140 000 €
        assert f"−{euros('14 400 €')}" in html  # 3.2: 64 400 € → 50 000 €

    def test_exports_csv_et_xlsx(self, finances):
        reponse = finances.get(
            "/conventions/calpa-dijon-2023/comparaison/versions/", {"export": "csv"}
        )
        contenu = reponse.content.decode("utf-8")
        assert contenu.startswith("\ufeffCode;Intitulé;")
        assert "1.1;" in contenu and ";-40000,00" in contenu
        # Every amount with exactly two decimals, whatever the database summed.
        import re

        montants = re.findall(r";(-?\d+(?:,\d+)?)(?=;|\r?\n)", contenu)
        assert montants and all(re.fullmatch(r"-?\d+,\d{2}", m) for m in montants), montants
        reponse = finances.get("/", {"export": "xlsx"})
        assert reponse["Content-Type"].startswith("application/vnd.openxmlformats")

    def test_un_libelle_formule_est_neutralise_dans_les_telechargements(self, finances):
        from openpyxl import load_workbook

        TableauEngagements.objects.filter(libelle__contains="non retenue").update(
            libelle='=HYPERLINK("http://x")'
        )
        url = "/conventions/calpa-dijon-2023/comparaison/versions/"
        csv = finances.get(url, {"export": "csv"}).content.decode("utf-8")
        assert '\'=HYPERLINK(""http://x"")' in csv.splitlines()[0]
        import io

        xlsx = finances.get(url, {"export": "xlsx"}).content
        entetes = next(load_workbook(io.BytesIO(xlsx)).worksheets[0].iter_rows(max_row=1))
        formule = [c for c in entetes if str(c.value).startswith("=HYPERLINK")]
        assert formule and all(c.data_type == "s" for c in formule)


class TestRecherche:
    def test_operateurs_actions_indicateurs(self, finances):
        html = page(finances, "/recherche/", q="CESAM")
        assert "Opérateurs (2)" in html
        html = page(finances, "/recherche/", q="logement")
        assert "Actions (" in html and "3.1 Promouvoir un accompagnement renforcé" in html
        html = page(finances, "/recherche/", q="entretiens")
        assert "Indicateurs (2)" in html


class TestRoles:
    def test_l_agent_n_exporte_pas(self, agent):
        assert agent.get("/", {"export": "csv"}).status_code == 403

    def test_les_finances_ne_remplissent_pas_les_bilans(self, finances):
        url = "/conventions/calpa-dijon-2023/bilans/2023/"
        assert "Renseigner l'action" not in page(finances, url)
        assert finances.post(url, {"action": "3.1"}).status_code == 403

    def test_anonyme_redirige_vers_la_connexion(self, documents, client):
        for url in [
            "/",
            "/conventions/calpa-dijon-2023/",
            "/recherche/",
            "/conventions/calpa-dijon-2023/bilans/2023/",
        ]:
            reponse = client.get(url)
            assert reponse.status_code == 302 and reponse["Location"].startswith(
                "/compte/connexion/"
            )

    def test_mot_de_passe_oublie(self, documents, client, mailoutbox):
        from django.contrib.auth import get_user_model

        get_user_model().objects.create_user("oubli", email="oubli@example.org", password="x" * 12)
        reponse = client.post(reverse("password_reset"), {"email": "oubli@example.org"})
        assert reponse.status_code == 302
        assert len(mailoutbox) == 1
        assert "Réinitialisation de votre mot de passe" in mailoutbox[0].subject


@pytest.mark.parametrize(
    "url",
    [
        "/conventions/calpa-dijon-2023/comparaison/versions/",
        "/conventions/calpa-dijon-2023/bilans/2023/comparaison/",
    ],
    ids=["versions", "bilan"],
)
def test_les_comparaisons_ont_un_total_et_masquent_les_identiques(documents, client_de, url):
    client = client_de(roles.FINANCES, territoires=Territoire.objects.all())
    html = page(client, url)
    assert "<tfoot>" in html and "Total</th>" in html
    assert f"694{NNBSP}000{NBSP}€" in html or f"695{NNBSP}000{NBSP}€" in html
    assert 'class="avec-ecart"' in html
    masque = page(client, url, identiques="masquer")
    assert masque.count("<tr") < html.count("<tr")
    assert "Afficher les" in masque and "Masquer les" in html
    xlsx_ou_csv = client.get(url, {"export": "csv"}).content.decode("utf-8")
    assert ";Total;" in xlsx_ou_csv


@pytest.mark.parametrize(
    "saisie, attendu",
    [
        ("accès", "accès"),
        ("acces", "accès"),
        ("ACCES", "accès"),
        ("zero non recours", None),
        ("TZNR", None),
    ],
    ids=["accent", "sans-accent", "majuscules", "zero-non-recours", "sigle"],
)
def test_la_recherche_ignore_accents_et_casse(documents, client_de, saisie, attendu):
    from pages.recherche import rechercher as recherche

    client = client_de(roles.AGENT, territoires=Territoire.objects.all())
    r = recherche(Convention.objects.all(), saisie)
    actions, indicateurs, conventions = r.actions, r.indicateurs, r.conventions
    if attendu:
        reference = recherche(Convention.objects.all(), "accès")
        assert [a.pk for a in actions] == [a.pk for a in reference.actions]
        assert len(actions) == 5 and "CAF-34" in [a.code for a in actions]
        assert [i.pk for i in indicateurs] == [i.pk for i in reference.indicateurs]
    else:
        assert [c.slug for c in conventions] == ["tznr-dijon-2023-2025"]
    html = page(client, "/recherche/", q=saisie)
    assert "Conventions (" in html
    assert 'role="search"' in html.split("</header>")[0]  # a box in the header too


def test_le_previsionnel_du_bilan_n_est_pas_une_version_du_tableau(documents, client_de):
    client = client_de(roles.FINANCES, territoires=Territoire.objects.all())
    html = page(client, "/conventions/calpa-dijon-2023/")
    onglets = html.split('aria-label="Versions de la période"')[1].split("</nav>")[0]
    assert "non retenue" in onglets and "Budget prévisionnel" not in onglets
    assert onglets.count('class="marque-vigueur"') == 1
    assert "(affichée)" not in html
    comparaison = page(client, "/conventions/calpa-dijon-2023/comparaison/versions/")
    assert "Budget prévisionnel 2023 par action" not in comparaison.split("<table")[0]
    tznr = page(client, "/conventions/tznr-dijon-2023-2025/")
    assert "Version contre version" not in tznr and "Rien à comparer" in tznr


def test_le_tableau_de_bord_commence_par_a_traiter_et_montre_la_tznr(documents, client_de):
    client = client_de(roles.FINANCES, territoires=Territoire.objects.all())
    html = page(client, "/")
    a_traiter = html.split('id="titre-a-traiter"')[1].split("</section>")[0]
    assert html.index('id="titre-a-traiter"') < html.index("<table")
    assert "bilan en retard" in a_traiter and "Bilan 2023 : échéance du 31 mars 2024" in a_traiter
    assert 'href="/conventions/calpa-dijon-2023/bilans/2023/"' in a_traiter
    assert "le budget prévisionnel par action totalise" in a_traiter  # an erreur, as a link
    assert "tranches à répartir" in a_traiter and "Territoire Zéro Non Recours" in a_traiter
    assert f"343{NNBSP}333{NBSP}€ sur 515{NNBSP}000{NBSP}€ (2023-2025)" in a_traiter
    pluriannuels = html.split('id="titre-pluriannuels"')[1].split("</section>")[0]
    assert "Territoire Zéro Non Recours" in pluriannuels
    assert f"515{NNBSP}000{NBSP}€ sur 2023-2025" in pluriannuels
    assert f"2023 : 171{NNBSP}667{NBSP}€" in pluriannuels
    assert f"reste 343{NNBSP}333{NBSP}€" in pluriannuels
    # The filters apply to every block.
    tznr = page(client, "/", dispositif="tznr")
    assert "bilan en retard" not in tznr and "Territoire Zéro Non Recours" in tznr
    calpa = page(client, "/", dispositif="calpa")
    assert 'id="titre-pluriannuels"' not in calpa
    # The constats badges lead to the convention's constats.
    assert "#titre-constats" in html


def test_les_bilans_dus_suivent_le_filtre_territoire(documents, client_de):
    """« À traiter » counts the bilans of the territoire chosen in the filter, not of all."""
    from tests.conventions.factories import ConventionFactory

    dijon = Territoire.objects.get(slug="dijon-metropole")
    haute_saone = Territoire.objects.create(
        slug="haute-saone", nom="Département de la Haute-Saône", nature="departement"
    )
    ConventionFactory(
        territoire=haute_saone,
        slug="calpa-haute-saone-2022",
        intitule="CALPA Haute-Saône 2022",
        annee_debut=2022,
        annee_fin=2022,
    )
    client = client_de(roles.FINANCES, territoires=Territoire.objects.all())

    def bilans_dus(**params) -> tuple[int, int]:
        html = page(client, "/", **params)
        a_traiter = html.split('id="titre-a-traiter"')[1].split("</section>")[0]
        return a_traiter.count("bilan en retard"), a_traiter.count("Haute-Saône")

    assert bilans_dus() == (3, 1)  # Dijon : 2020 et 2023 ; Haute-Saône : 2022
    assert bilans_dus(territoire=dijon.pk) == (2, 0)
    assert bilans_dus(territoire=haute_saone.pk) == (1, 1)
