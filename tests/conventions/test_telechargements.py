"""Every download of every page, opened as a finance officer would: plain text and numbers, no
HTML, amounts as euros, a frozen bold header."""

import csv
import io

import pytest
from openpyxl import load_workbook

from comptes import roles
from conventions.models import Territoire

PAGES = [
    "/",
    "/conventions/calpa-dijon-2023/",
    "/conventions/calpa-dijon-2023/comparaison/versions/",
    "/conventions/calpa-dijon-2023/comparaison/annees/?annee=2023",
    "/conventions/calpa-dijon-2023/bilans/2023/comparaison/",
]
FICHIERS = [
    "/conventions/calpa-dijon-2023/classeur/?periode=2023",
    "/conventions/calpa-dijon-2023/classeur/?vierge=1",
    "/conventions/calpa-dijon-2023/bilans/2023/classeur/",
    "/engagements.xlsx",
]


@pytest.fixture
def finances(documents, client_de):
    return client_de(roles.FINANCES, territoires=Territoire.objects.all())


def avec(url: str, export: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}export={export}"


@pytest.mark.parametrize("url", PAGES)
def test_le_csv_de_chaque_page_n_a_que_du_texte_et_des_nombres(finances, url):
    reponse = finances.get(avec(url, "csv"))
    assert reponse["Content-Type"].startswith("text/csv")
    lignes = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))
    assert len(lignes) > 1
    cellules = [cellule for ligne in lignes for cellule in ligne]
    assert not [c for c in cellules if "<" in c or "&#x27;" in c], url


@pytest.mark.parametrize("url", PAGES)
def test_le_xlsx_de_chaque_page_est_une_feuille_de_travail(finances, url):
    reponse = finances.get(avec(url, "xlsx"))
    feuille = load_workbook(io.BytesIO(reponse.content)).worksheets[0]
    assert feuille.freeze_panes == "A2"
    assert all(c.font.bold for c in feuille[1] if c.value is not None)
    montants = 0
    for ligne in feuille.iter_rows(min_row=2):
        for cellule in ligne:
            assert not (isinstance(cellule.value, str) and "<" in cellule.value), (url, cellule)
            if cellule.data_type == "n" and cellule.number_format.endswith('"€"'):
                montants += 1
    assert montants > 0, url
    assert feuille.column_dimensions["B"].width > 10


def test_l_annee_du_tableau_de_bord_est_un_nombre(finances):
    feuille = load_workbook(io.BytesIO(finances.get("/?export=xlsx").content)).worksheets[0]
    entetes = [c.value for c in feuille[1]]
    annee = entetes.index("Année") + 1
    convention = entetes.index("Convention") + 1
    valeurs = [feuille.cell(r, annee).value for r in range(2, feuille.max_row + 1)]
    assert 2023 in valeurs and all(isinstance(v, int | str) for v in valeurs)
    assert feuille.cell(2, convention).value.startswith(("Convention", "Pacte", "Contrat"))


@pytest.mark.parametrize("url", FICHIERS)
def test_les_classeurs_s_ouvrent_sans_html(finances, url):
    reponse = finances.get(url)
    assert reponse.status_code == 200, url
    classeur = load_workbook(
        io.BytesIO(b"".join(reponse) if reponse.streaming else reponse.content)
    )
    for feuille in classeur.worksheets:
        for ligne in feuille.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and "<a " in v for v in ligne), url


def test_chaque_telechargement_a_son_propre_nom(finances):
    noms = set()
    for url in PAGES:
        for export in ("csv", "xlsx"):
            noms.add(finances.get(avec(url, export))["Content-Disposition"])
    for url in FICHIERS:
        noms.add(finances.get(url)["Content-Disposition"])
    assert len(noms) == 2 * len(PAGES) + len(FICHIERS)


def test_chaque_version_se_telecharge_sous_son_nom_et_dit_laquelle_elle_est(finances):
    """Issue 24: the 2023 versions all downloaded as « calpa-dijon-2023-2023.csv », nothing inside
    said which one, and summing the amount column counted each action three times."""
    from decimal import Decimal

    from conventions.models import TableauEngagements

    noms = {}
    for tableau in TableauEngagements.objects.filter(
        convention__slug="calpa-dijon-2023", annee_debut=2023
    ).exclude(nature="previsionnel_bilan"):
        reponse = finances.get(
            f"/conventions/calpa-dijon-2023/?periode=2023&version={tableau.pk}&export=csv"
        )
        noms[tableau.libelle] = reponse["Content-Disposition"]
        lignes = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))
        assert lignes[0][:4] == ["Version", "Ligne", "Code", "Intitulé"]
        assert {ligne[0] for ligne in lignes[1:]} == {
            tableau.libelle + (" (en vigueur)" if tableau.en_vigueur else "")
        }
        assert {ligne[1] for ligne in lignes[1:]} <= {"axe", "action", "sous-total", "total"}
        etat = lignes[0].index("État")

        def montant(cellule):
            return Decimal(cellule.replace("\u202f", "").replace(" ", "").replace(",", ".") or 0)

        actions = sum(montant(ligne[etat]) for ligne in lignes[1:] if ligne[1] == "action")
        total = next(montant(ligne[etat]) for ligne in lignes[1:] if ligne[1] == "total")
        assert actions == total > 0
    assert len(noms) == 2 and len(set(noms.values())) == 2, noms
    assert all(
        nom.startswith('attachment; filename="calpa-dijon-2023-2023-version-dijon')
        for nom in noms.values()
    )


def test_le_tableau_de_bord_telecharge_compte_les_constats_par_gravite(finances):
    """The page's badge says « 1 erreur · 2 avertissements »: the download says the same, one
    column per severity, rather than a bare count."""
    from controles.constats import Resume

    page = finances.get("/?per_page=100")
    table = page.context["table"]
    attendus = [Resume.de(table.constats_de(ligne.record)) for ligne in table.paginated_rows]
    feuille = load_workbook(io.BytesIO(finances.get("/?export=xlsx").content)).worksheets[0]
    entetes = [c.value for c in feuille[1]]
    assert "Constats" not in entetes
    colonnes = [entetes.index(nom) + 1 for nom in ("Erreurs", "Avertissements", "Informations")]
    lus = [
        Resume(*(feuille.cell(rang, colonne).value for colonne in colonnes))
        for rang in range(2, feuille.max_row + 1)
    ]
    assert lus == attendus
    assert sum(r.erreurs for r in lus) >= 1 and sum(r.avertissements for r in lus) >= 1


COMPARAISONS = [u for u in PAGES if "comparaison" in u]


@pytest.mark.parametrize("url", COMPARAISONS)
def test_l_ecart_en_pourcent_n_est_pas_en_euros(finances, url):
    """« Écart (%) » was written with the euros' format (« -20,00 € ») because it is a Decimal."""
    feuille = load_workbook(io.BytesIO(finances.get(avec(url, "xlsx")).content)).worksheets[0]
    colonne = [c.value for c in feuille[1]].index("Écart (%)") + 1
    ecarts = [feuille.cell(r, colonne) for r in range(2, feuille.max_row + 1)]
    ecarts = [c for c in ecarts if c.value is not None]
    assert ecarts, url
    assert all(c.number_format == "0.00%" for c in ecarts), url
    # −20 % is the fraction −0.2, as Excel counts percents.
    assert all(-10 < c.value < 10 for c in ecarts), url
    assert "€" not in feuille.cell(1, colonne).number_format

    texte = finances.get(avec(url, "csv")).content.decode("utf-8-sig")
    lignes = list(csv.reader(io.StringIO(texte), delimiter=";"))
    rang = lignes[0].index("Écart (%)")
    valeurs = [ligne[rang] for ligne in lignes[1:] if ligne[rang]]
    assert valeurs and not [v for v in valeurs if "€" in v], url


def test_le_tableau_de_bord_declare_le_genre_de_chaque_colonne(finances):
    """The table says each column's kind once: the page's amounts are euros in the xlsx, the
    counts of constats counts, the year a bare number (never « 2 023 » nor euros)."""
    feuille = load_workbook(io.BytesIO(finances.get("/?export=xlsx").content)).worksheets[0]
    formats = {c.value: feuille.cell(2, c.column).number_format for c in feuille[1]}
    assert formats["État"] == formats["Collectivité"] == '#,##0.00\\ "€";-#,##0.00\\ "€"'
    assert formats["Erreurs"] == formats["Informations"] == "#,##0"
    assert formats["Année"] == "General" and formats["Territoire"] == "General"
