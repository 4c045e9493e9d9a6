"""Every engagement line the user may see, one row each, for the State's services who pivot
them in Excel across territoires and years.

The rows stream from the database (``iterator``) into a ``write_only`` workbook written to a
file: a national export (about 100 000 lines) never sits in memory.
"""

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from commun.telechargements import texte_xlsx
from conventions.models import Engagement

from .export import FORMAT_EUROS, GRAS

COLONNES = [
    "Territoire",
    "Convention",
    "Début",
    "Fin",
    "Version",
    "En vigueur",
    "Code action",
    "Action",
    "Financeur",
    "Montant (€)",
]
CHAMPS = [
    "tableau__convention__territoire__nom",
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
LARGEURS = {"A": 24, "B": 30, "E": 24, "G": 12, "H": 60, "I": 24, "J": 16}


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


def ecrire_lignes(lignes, fichier) -> int:
    """Write ``lignes`` (from ``lignes_d_engagement``) to ``fichier``; return how many."""
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet("Engagements")
    for colonne, largeur in LARGEURS.items():
        feuille.column_dimensions[colonne].width = largeur
    feuille.freeze_panes = "A2"
    entetes = []
    for titre in COLONNES:
        cellule = WriteOnlyCell(feuille, value=titre)
        cellule.font = GRAS
        entetes.append(cellule)
    feuille.append(entetes)
    # One styled cell reused for every amount: write_only serialises it at append time.
    montant = WriteOnlyCell(feuille)
    montant.number_format = FORMAT_EUROS
    nombre = 0
    append = feuille.append
    for ligne in lignes.iterator(chunk_size=2000):
        terr, conv, debut, fin, version, vigueur, code, action, financeur, valeur = ligne
        montant.value = valeur
        append(
            [
                texte_xlsx(feuille, terr),
                conv,
                debut,
                fin,
                texte_xlsx(feuille, version),
                "oui" if vigueur else "non",
                texte_xlsx(feuille, code),
                texte_xlsx(feuille, action),
                texte_xlsx(feuille, financeur),
                montant,
            ]
        )
        nombre += 1
    classeur.save(fichier)
    return nombre
