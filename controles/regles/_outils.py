"""What several rules share: the zero amount, the two categories the cofinancement compares, and
how a sentence names a financeur, a tableau and the years a constat covers."""

from decimal import Decimal

from conventions.models import Financeur

ZERO = Decimal("0.00")
ETAT = Financeur.Categorie.ETAT
COLLECTIVITE = Financeur.Categorie.COLLECTIVITE


def nom_de(financeur) -> str:
    """« l'État », « Dijon Métropole »: the financeur as a sentence names it."""
    return "l'État" if financeur.categorie == ETAT else financeur.nom


def annees_de(objet) -> tuple[int, int]:
    """The years an object covers (a convention, a tableau, a multi-year engagement)."""
    return (objet.annee_debut, objet.annee_fin)


def periode_de(tableau) -> str:
    """« « Initial » (2023) »: a tableau as a sentence names it."""
    return f"« {tableau.libelle} » ({tableau.periode})"
