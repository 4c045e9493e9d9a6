"""The dashboard's rows come in the order its header announces: text in French order
(« Département » before « Dijon », « École » among the E, capitals with small letters), the
years as periods (2015, 2015-2017, 2020), ties broken the same way at each load."""

import lxml.html
import pytest

from commun.collation import cle_francaise
from comptes import roles
from conventions.models import Territoire
from tests.conventions.factories import ConventionFactory, TableauFactory, TerritoireFactory

AUTRES = [
    ("cote-d-or", "Département de la Côte-d'Or", 2022),
    ("ecole", "École test", 2021),
    ("eure", "eurométropole de test", 2024),
]


@pytest.fixture
def client(documents, client_de):
    for slug, nom, annee in AUTRES:
        convention = ConventionFactory(
            territoire=TerritoireFactory(slug=slug, nom=nom), annee_debut=annee, annee_fin=annee
        )
        TableauFactory(convention=convention)
    return client_de(roles.FINANCES, territoires=Territoire.objects.all())


def tableau(client, **params):
    """(headers, [(territoire, année)], caption) of the dashboard table."""
    reponse = client.get("/", params)
    assert reponse.status_code == 200
    arbre = lxml.html.fromstring(reponse.content.decode())
    table = arbre.xpath("//main//table")[0]
    entetes = [" ".join(th.text_content().split()) for th in table.xpath("thead//th")]
    # Columns found by their header, so that the test reads the page as it is laid out.
    colonnes = [e.split(" (")[0] for e in entetes]
    territoire, annee = colonnes.index("Territoire"), colonnes.index("Année")
    lignes = [
        (tr[territoire].text_content().strip(), tr[annee].text_content().strip())
        for tr in table.xpath("tbody/tr")
    ]
    options = [o.text_content() for o in arbre.xpath("//select[@id='id_territoire']/option")]
    return entetes, lignes, table.xpath("caption")[0].text_content(), options


def test_par_defaut_par_territoire_en_ordre_francais_puis_par_annee(client):
    entetes, lignes, legende, options = tableau(client)
    assert [e for e in entetes if "tri" in e] == ["Territoire (tri croissant)"]
    assert (
        "lignes triées par Territoire (ordre croissant), puis par Année (ordre décroissant)"
        in legende
    )
    assert lignes == [
        ("Département de la Côte-d'Or", "2022"),
        ("Dijon Métropole", "2023"),
        ("Dijon Métropole", "2020"),
        ("Dijon Métropole", "2015-2017"),
        ("Dijon Métropole", "2015"),
        ("École test", "2021"),
        ("eurométropole de test", "2024"),
    ]
    # The filter's list of territoires in the same order.
    assert options == [
        "Tous",
        "Département de la Côte-d'Or",
        "Dijon Métropole",
        "École test",
        "eurométropole de test",
    ]


def test_territoire_decroissant(client):
    entetes, lignes, _legende, _options = tableau(client, sort="-territoire")
    assert [e for e in entetes if "tri" in e] == ["Territoire (tri décroissant)"]
    assert [t for t, _a in lignes] == [
        "eurométropole de test",
        "École test",
        "Dijon Métropole",
        "Dijon Métropole",
        "Dijon Métropole",
        "Dijon Métropole",
        "Département de la Côte-d'Or",
    ]
    assert [a for t, a in lignes if t == "Dijon Métropole"] == ["2023", "2020", "2015-2017", "2015"]


@pytest.mark.parametrize(
    "tri, annees",
    [
        ("periode", ["2015", "2015-2017", "2020", "2021", "2022", "2023", "2024"]),
        ("-periode", ["2024", "2023", "2022", "2021", "2020", "2015-2017", "2015"]),
    ],
)
def test_les_annees_comme_des_periodes(client, tri, annees):
    entetes, lignes, legende, _options = tableau(client, sort=tri)
    sens = "décroissant" if tri.startswith("-") else "croissant"
    assert [e for e in entetes if "tri" in e] == [f"Année (tri {sens})"]
    assert [a for _t, a in lignes] == annees
    assert f"lignes triées par Année (ordre {sens}), puis par Territoire" in legende


def test_le_dispositif_par_son_libelle(client):
    _entetes, lignes, _legende, _options = tableau(client, sort="dispositif")
    # « CALPA / pacte de solidarité » before « contrat de ville », whatever the stored codes.
    assert lignes[-2:] == [("Dijon Métropole", "2015-2017"), ("Dijon Métropole", "2015")]


def test_la_cle_francaise():
    noms = ["eure", "Dijon", "École", "Département", "dijon", "Œuvre", "Oeuvre", "Ecole"]
    assert sorted(noms, key=cle_francaise) == [
        "Département",
        "Dijon",
        "dijon",
        "Ecole",
        "École",
        "eure",
        "Oeuvre",
        "Œuvre",
    ]


def test_postgresql_lit_les_territoires_dans_l_ordre_d_un_index(db):
    """On PostgreSQL the territoires' names have an index in French order (migration
    ``conventions/0012``): the dashboard walks its first territoires instead of sorting every
    tableau en vigueur. SQLite has none (its ``fr`` is a Python function)."""
    from django.db import connection

    with connection.cursor() as curseur:
        if connection.vendor != "postgresql":
            pytest.skip("index propre à PostgreSQL")
        curseur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'territoire_nom_fr'")
        (definition,) = curseur.fetchone()
    assert "(nom COLLATE fr)" in definition and "conventions_territoire" in definition
