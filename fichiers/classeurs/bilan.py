"""The bilan's workbook: its indicators per action with their breakdowns, its budget
prévisionnel laid out as the annex, and its follow-up (status, transmission, history)."""

from datetime import date

from django.utils import timezone

from commun.cellules import Genre
from fichiers.classeurs.export import Classeur, cellule, ecrire_feuille

FORMAT_EUROS = Genre.EUROS.format_xlsx
FORMAT_POURCENT = Genre.POURCENT.format_xlsx
LIGNE_ENTETE = 11
LIGNE_IDENTIFIANTS = 12
GROUPE = "#E4E9F0"
CHAMPS = ["Convention", "Période", "Version", "Nature", "En vigueur", "Source"]


def classeur_du_bilan(bilan) -> bytes:
    """The bilan in two sheets: indicators per action with their breakdowns, and its budget
    prévisionnel par action laid out as the annex."""
    from bilans.models import Mesure

    classeur = Classeur()
    feuille = classeur.create_sheet("Indicateurs")
    feuille.largeurs(1, 2, 60)
    feuille.feuille.freeze_panes(2, 0)
    feuille.append(
        [cellule(feuille, f"Bilan {bilan.annee} — {bilan.convention.intitule}", gras=True)]
    )
    feuille.append(
        [
            cellule(feuille, t, gras=True)
            for t in [
                "Action",
                "Intitulé de l'action",
                "Indicateur",
                "Partie de",
                "Unité",
                "Valeur",
            ]
        ]
    )
    mesures = (
        Mesure.objects.filter(bilan=bilan)
        .select_related("indicateur__action", "indicateur__parent")
        .order_by("indicateur__action__ordre", "indicateur__ordre")
    )
    for mesure in mesures:
        indicateur = mesure.indicateur
        feuille.append(
            [
                cellule(feuille, indicateur.action.code),
                cellule(feuille, indicateur.action.intitule),
                cellule(feuille, indicateur.libelle),
                cellule(feuille, indicateur.parent.libelle if indicateur.parent else ""),
                cellule(feuille, indicateur.unite),
                cellule(feuille, mesure.valeur, format_="#,##0.##"),
            ]
        )
    if bilan.tableau_previsionnel:
        ecrire_feuille(classeur, bilan.tableau_previsionnel, {"Indicateurs", "Suivi"}, date.today())
    _feuille_de_suivi(classeur, bilan)
    return classeur.octets()


def _feuille_de_suivi(classeur, bilan) -> None:
    """Where the bilan stands (status in words, deliberation, transmission, due date) and its
    timeline (changes of status, corrections), so that a workbook passed around says which
    state its figures are in; dates as entered, and the day each was recorded."""
    from bilans.chronologie import chronologie

    feuille = classeur.create_sheet("Suivi")
    feuille.largeur("A", 28)
    feuille.largeur("B", 30)
    feuille.largeur("D", 60)
    feuille.append([cellule(feuille, f"Suivi du bilan {bilan.annee}", gras=True)])
    for libelle, valeur in [
        ("Statut", bilan.get_statut_display()),
        ("Échéance", bilan.echeance),
        ("Délibération", bilan.date_deliberation),
        ("Transmission au préfet", bilan.date_transmission),
    ]:
        feuille.append(
            [
                cellule(feuille, libelle, gras=True),
                cellule(
                    feuille,
                    valeur if valeur is not None else "non renseignée",
                    format_="DD/MM/YYYY",
                ),
            ]
        )
    feuille.append([])
    feuille.largeur("E", 18)
    feuille.append(
        [
            cellule(feuille, t, gras=True)
            for t in ["Date", "Par", "Changement", "Commentaire ou motif", "Enregistré le"]
        ]
    )
    for etape in chronologie(bilan):
        enregistre = timezone.localtime(etape.quand).replace(tzinfo=None)
        feuille.append(
            [
                # The date entered (deliberation, transmission), else the day it was done.
                cellule(feuille, etape.le, format_="DD/MM/YYYY")
                if etape.le
                else cellule(feuille, enregistre, format_="DD/MM/YYYY HH:MM"),
                cellule(feuille, etape.qui),
                cellule(
                    feuille,
                    (f"{etape.intitule} : " if etape.intitule else "")
                    + f"{etape.avant} → {etape.apres}",
                ),
                cellule(feuille, etape.commentaire),
                cellule(feuille, enregistre, format_="DD/MM/YYYY HH:MM"),
            ]
        )
