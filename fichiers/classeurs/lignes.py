"""Every engagement line the user may see, one row each, for the State's services who pivot
them in Excel across territoires and years.

The rows stream from the database (``iterator``) into an xlsx sent while it is written
(``commun.flux_xlsx``): a national export (about 100 000 lines) starts downloading at once and
never sits in memory.
"""

from collections.abc import Iterator

from commun.cellules import Genre
from commun.flux_xlsx import Colonne, feuille_en_flux
from conventions.models import Engagement

COLONNES = [
    Colonne("Territoire", 24),
    Colonne("Convention", 50),
    Colonne("Identifiant de la convention", 24),
    Colonne("Début", genre=Genre.ANNEE),
    Colonne("Fin", genre=Genre.ANNEE),
    Colonne("Version", 24),
    Colonne("En vigueur"),
    Colonne("Code action", 12),
    Colonne("Action", 60),
    Colonne("Financeur", 24),
    Colonne("Montant (€)", 16, Genre.EUROS),
]
CHAMPS = [
    "tableau__convention__territoire__nom",
    "tableau__convention__intitule",
    "tableau__convention__slug",
    "tableau__annee_debut",
    "tableau__annee_fin",
    "tableau__libelle",
    "tableau__en_vigueur",
    "action__code",
    "action__intitule",
    "financeur__nom",
    "montant",
]


def lignes_d_engagement(tableaux):
    """The rows of the export (the lines of ``tableaux``) as tuples, in the order of the annex."""
    lignes = Engagement.objects.filter(tableau__in=tableaux)
    return lignes.order_by(
        "tableau__convention__territoire__nom",
        "tableau__convention__annee_debut",
        "tableau__convention__slug",
        "tableau__annee_debut",
        "-tableau__en_vigueur",
        "tableau__libelle",
        "action__ordre",
        "action__code",
        "financeur__ordre",
        "financeur__nom",
    ).values_list(*CHAMPS)


def _rangees(lignes, compte: list[int]):
    for ligne in lignes.iterator(chunk_size=2000):
        compte[0] += 1
        # « En vigueur » reads oui / non, as on the pages, rather than Excel's VRAI / FAUX.
        yield (*ligne[:6], "oui" if ligne[6] else "non", *ligne[7:])


def flux_des_lignes(lignes, compte: list[int] | None = None) -> Iterator[bytes]:
    """The xlsx of ``lignes`` (from ``lignes_d_engagement``), in pieces as it is written;
    ``compte[0]`` counts the lines written."""
    compte = [0] if compte is None else compte
    return feuille_en_flux("Engagements", COLONNES, _rangees(lignes, compte))


def ecrire_lignes(lignes, fichier) -> int:
    """Write ``lignes`` (from ``lignes_d_engagement``) to ``fichier``; return how many."""
    compte = [0]
    for morceau in flux_des_lignes(lignes, compte):
        fichier.write(morceau)
    return compte[0]
