"""Every model of the admin has its gender in the lexicon of commun/accords.py."""

from django.contrib import admin

from commun.accords import GENRES, premier_nom


def test_chaque_modele_de_l_administration_a_son_genre():
    inconnus = sorted(
        f"{modele._meta.label} (« {premier_nom(modele)} »)"
        for modele in admin.site._registry
        if premier_nom(modele) not in GENRES
    )
    assert inconnus == [], "genre à ajouter dans commun/accords.py : " + ", ".join(inconnus)
