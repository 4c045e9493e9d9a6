"""The bar charts' geometry: every text fits the drawing and no two graduations touch (the
browser check, on the pages, is tests/e2e/test_ecrans.py)."""

from decimal import Decimal

from commun.graphiques import (
    LARGEUR,
    TAILLE_TEXTE,
    barres,
    graduations,
    largeur_du_texte,
)

NNBSP, NBSP = "\u202f", "\u00a0"


def test_les_graduations_raccourcissent_quand_la_place_manque():
    assert [g["texte"] for g in graduations(Decimal(500_000), 290)] == [
        f"0{NBSP}€",
        f"125{NBSP}k€",
        f"250{NBSP}k€",
        f"375{NBSP}k€",
        f"500{NBSP}k€",
    ]
    assert [g["texte"] for g in graduations(Decimal(1000), 290)] == [
        f"0{NBSP}€",
        f"250{NBSP}€",
        f"500{NBSP}€",
        f"750{NBSP}€",
        f"1{NNBSP}000{NBSP}€",
    ]
    assert [g["texte"] for g in graduations(Decimal(250_000_000), 150)] == [
        f"0{NBSP}€",
        f"125{NBSP}M€",
        f"250{NBSP}M€",
    ]


def test_chaque_texte_tient_dans_le_dessin():
    intitule = "Identifier des professionnels dédiés à l'accompagnement des publics " * 2
    dessin = barres(
        [intitule, "1.2"],
        [
            (
                "Version Dijon Métropole retenue sur le Territoire Zéro Non Recours",
                [129_530_000, 5],
            ),
            ("Prévisionnel", [None, 20_000]),
        ],
    )
    assert dessin["groupes"][0]["categorie"].endswith("…")
    assert dessin["groupes"][0]["titre"] == intitule
    assert dessin["legende"][0]["court"].endswith("…")
    for groupe in dessin["groupes"]:
        assert largeur_du_texte(groupe["categorie"], TAILLE_TEXTE, gras=True) <= LARGEUR
        for rect in groupe["rects"]:
            assert rect["texte_x"] + largeur_du_texte(rect["texte"], TAILLE_TEXTE) <= LARGEUR
    for serie in dessin["legende"]:
        assert 18 + largeur_du_texte(serie["court"], TAILLE_TEXTE) <= LARGEUR
    assert dessin["echelle"] == f"200{NNBSP}000{NNBSP}000{NBSP}€"
