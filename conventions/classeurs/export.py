"""Write the tableaux of a convention and year as the annex: one sheet per version.

Layout of a sheet (what ``lecture`` expects back):

    A1  title (convention)                      A2  period, version, export date
    A4:B9  « Convention » slug, « Période », « Version », « Nature », « En vigueur », « Source »
    row 11  Code | Intitulé | one column per financeur (its name)
    row 12  « Identifiant » | | financeur slugs
    then    « Axe 1 » group rows, action rows, « Sous-total » rows (SUM), « Total » (SUM),
            « Cofinancement » (collectivité / État)
"""

from datetime import date
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from commun.formats import couper_aux_mots
from conventions.models import TableauEngagements
from conventions.selectors import annexe, annexe_vierge

FORMAT_EUROS = '#,##0.00\\ "€";-#,##0.00\\ "€"'
FORMAT_POURCENT = "0.00%"
LIGNE_ENTETE = 11
LIGNE_IDENTIFIANTS = 12
GRAS = Font(bold=True)
GROUPE = PatternFill("solid", fgColor="E4E9F0")
CHAMPS = ["Convention", "Période", "Version", "Nature", "En vigueur", "Source"]


def tableaux_de(convention, annee_debut: int, annee_fin: int, libelle: str | None = None):
    """The versions of a period, en vigueur first."""
    tableaux = TableauEngagements.objects.filter(
        convention=convention, annee_debut=annee_debut, annee_fin=annee_fin
    ).select_related("convention")
    if libelle:
        tableaux = tableaux.filter(libelle=libelle)
    return list(tableaux.order_by("-en_vigueur", "libelle"))


def _cellule(feuille, valeur, *, gras=False, format_=None, fond=None, formule=False):
    """A cell; only our own totals are formulas, every other text is a text cell."""
    if not formule and isinstance(valeur, str):
        valeur = ILLEGAL_CHARACTERS_RE.sub("", valeur)
    cellule = WriteOnlyCell(feuille, value=valeur)
    if not formule and isinstance(valeur, str):
        cellule.data_type = "s"  # « =HYPERLINK(…) » shown as typed, read back as typed
    if gras:
        cellule.font = GRAS
    if format_:
        cellule.number_format = format_
    if fond:
        cellule.fill = fond
    return cellule


def _nom_de_feuille(tableau, pris: set[str]) -> str:
    """The version's libellé in Excel's 31 characters, cut after a whole word, unique in the
    workbook (« … 2 » when two versions start alike)."""
    base = ILLEGAL_CHARACTERS_RE.sub("", "En vigueur" if tableau.en_vigueur else tableau.libelle)
    for caractere in "[]:*?/\\":
        base = base.replace(caractere, " ")
    base = base.strip() or "Version"
    nom, numero = couper_aux_mots(base, 31), 2
    while nom in pris:
        nom, numero = f"{couper_aux_mots(base, 28)} {numero}", numero + 1
    pris.add(nom)
    return nom


def ecrire_feuille(classeur, tableau, pris, aujourdhui, mise_en_page=None):
    mise_en_page = mise_en_page or annexe(tableau)
    feuille = classeur.create_sheet(_nom_de_feuille(tableau, pris))
    nb = len(mise_en_page.financeurs)
    feuille.column_dimensions["A"].width = 12
    feuille.column_dimensions["B"].width = 80
    for rang in range(nb):
        feuille.column_dimensions[get_column_letter(3 + rang)].width = 18
    feuille.freeze_panes = f"C{LIGNE_IDENTIFIANTS + 1}"
    feuille.page_setup.orientation = "landscape"
    feuille.page_setup.fitToWidth = 1
    feuille.page_setup.fitToHeight = 0
    feuille.sheet_properties.pageSetUpPr.fitToPage = True
    feuille.print_title_rows = f"{LIGNE_ENTETE}:{LIGNE_ENTETE}"

    convention = tableau.convention
    feuille.append([_cellule(feuille, convention.intitule, gras=True)])
    feuille.append(
        [
            _cellule(
                feuille,
                f"{tableau.periode} — {tableau.libelle}"
                f"{' (en vigueur)' if tableau.en_vigueur else ''} — exporté le "
                f"{aujourdhui:%d/%m/%Y}",
            )
        ]
    )
    feuille.append([])
    for champ, valeur in zip(
        CHAMPS,
        [
            convention.slug,
            tableau.periode,
            tableau.libelle,
            tableau.nature,
            "oui" if tableau.en_vigueur else "non",
            tableau.source,
        ],
        strict=True,
    ):
        feuille.append([_cellule(feuille, champ, gras=True), _cellule(feuille, valeur)])
    feuille.append([])
    feuille.append(
        [_cellule(feuille, t, gras=True) for t in ["Code", "Intitulé"]]
        + [_cellule(feuille, f.nom, gras=True) for f in mise_en_page.financeurs]
    )
    feuille.append(["Identifiant", ""] + [f.slug for f in mise_en_page.financeurs])

    ligne = LIGNE_IDENTIFIANTS
    lignes_actions: list[int] = []
    ouverts: list[tuple[int, int]] = []  # (niveau, first action row) of the axes being written
    for contenu in mise_en_page.lignes:
        ligne += 1
        if contenu.nature == "axe":
            ouverts.append((contenu.niveau, ligne + 1))
            feuille.append(
                [
                    _cellule(feuille, f"Axe {contenu.code}", gras=True, fond=GROUPE),
                    _cellule(feuille, contenu.intitule, gras=True, fond=GROUPE),
                ]
            )
        elif contenu.nature == "action":
            lignes_actions.append(ligne)
            feuille.append(
                [_cellule(feuille, contenu.code), _cellule(feuille, contenu.intitule)]
                + [_cellule(feuille, m, format_=FORMAT_EUROS) for m in contenu.montants]
            )
        else:  # sous_total: SUM of this axe's action rows (sub-axes included)
            _niveau, debut = ouverts.pop()
            dedans = [r for r in lignes_actions if r >= debut]
            feuille.append(
                [_cellule(feuille, "Sous-total", gras=True), _cellule(feuille, contenu.intitule)]
                + [
                    _cellule(
                        feuille,
                        _somme(get_column_letter(3 + rang), dedans),
                        gras=True,
                        format_=FORMAT_EUROS,
                        formule=True,
                    )
                    for rang in range(nb)
                ]
            )
    ligne += 1
    ligne_total = ligne
    feuille.append(
        [_cellule(feuille, "Total", gras=True), _cellule(feuille, "Total", gras=True)]
        + [
            _cellule(
                feuille,
                _somme(get_column_letter(3 + rang), lignes_actions),
                gras=True,
                format_=FORMAT_EUROS,
                formule=True,
            )
            for rang in range(nb)
        ]
    )
    etat = next((i for i, f in enumerate(mise_en_page.financeurs) if f.categorie == "etat"), None)
    coll = next(
        (i for i, f in enumerate(mise_en_page.financeurs) if f.categorie == "collectivite"), None
    )
    if etat is not None and coll is not None:
        c_etat, c_coll = get_column_letter(3 + etat), get_column_letter(3 + coll)
        regle = convention.taux_cofinancement
        feuille.append(
            [
                _cellule(feuille, "Cofinancement", gras=True),
                _cellule(
                    feuille,
                    "Part de la collectivité rapportée à l'État"
                    + (f" (règle : au moins {regle * 100:.0f} %)" if regle is not None else ""),
                ),
                _cellule(
                    feuille,
                    f'=IF({c_etat}{ligne_total}=0,"",{c_coll}{ligne_total}/{c_etat}{ligne_total})',
                    format_=FORMAT_POURCENT,
                    formule=True,
                ),
            ]
        )


def _somme(colonne: str, lignes: list[int]) -> str:
    if not lignes:
        return "=0"
    # Contiguous runs as ranges, so that a formula stays short on a long tableau.
    plages, debut, precedent = [], lignes[0], lignes[0]
    for numero in lignes[1:] + [None]:
        if numero is not None and numero == precedent + 1:
            precedent = numero
            continue
        plages.append(
            f"{colonne}{debut}" if debut == precedent else f"{colonne}{debut}:{colonne}{precedent}"
        )
        if numero is not None:
            debut = precedent = numero
    return f"=SUM({','.join(plages)})"


def classeur_vierge(convention, annee_debut: int, annee_fin: int) -> bytes:
    """A workbook to fill in Excel for a period that has no tableau yet: the annex layout with
    every action and financeur and empty amounts; importing it creates the tableau."""
    periode = str(annee_debut) if annee_debut == annee_fin else f"{annee_debut}-{annee_fin}"
    existants = set(
        convention.tableaux.filter(annee_debut=annee_debut, annee_fin=annee_fin).values_list(
            "libelle", flat=True
        )
    )
    libelle, numero = f"Tableau initial {periode}", 2
    while libelle in existants:  # a new version, never an existing one emptied by mistake
        libelle, numero = f"Tableau initial {periode} ({numero})", numero + 1
    tableau = TableauEngagements(
        convention=convention,
        annee_debut=annee_debut,
        annee_fin=annee_fin,
        nature=TableauEngagements.Nature.INITIAL,
        libelle=libelle,
        en_vigueur=not convention.tableaux.filter(
            annee_debut=annee_debut, annee_fin=annee_fin, en_vigueur=True
        ).exists(),
        source="classeur vierge rempli dans Excel",
    )
    classeur = Workbook(write_only=True)
    ecrire_feuille(classeur, tableau, set(), date.today(), annexe_vierge(tableau))
    sortie = BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def classeur_des_tableaux(tableaux, aujourdhui: date | None = None) -> bytes:
    """The workbook of these tableaux (one sheet each), as bytes."""
    classeur = Workbook(write_only=True)
    pris: set[str] = set()
    for tableau in tableaux:
        ecrire_feuille(classeur, tableau, pris, aujourdhui or date.today())
    tampon = BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def classeur_du_bilan(bilan) -> bytes:
    """The bilan in two sheets: indicators per action with their breakdowns, and its budget
    prévisionnel par action laid out as the annex."""
    from bilans.models import Mesure

    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet("Indicateurs")
    feuille.column_dimensions["B"].width = 60
    feuille.column_dimensions["C"].width = 60
    feuille.freeze_panes = "A3"
    feuille.append(
        [_cellule(feuille, f"Bilan {bilan.annee} — {bilan.convention.intitule}", gras=True)]
    )
    feuille.append(
        [
            _cellule(feuille, t, gras=True)
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
                _cellule(feuille, indicateur.action.code),
                _cellule(feuille, indicateur.action.intitule),
                _cellule(feuille, indicateur.libelle),
                _cellule(feuille, indicateur.parent.libelle if indicateur.parent else ""),
                _cellule(feuille, indicateur.unite),
                _cellule(feuille, mesure.valeur, format_="#,##0.##"),
            ]
        )
    if bilan.tableau_previsionnel:
        ecrire_feuille(classeur, bilan.tableau_previsionnel, {"Indicateurs", "Suivi"}, date.today())
    _feuille_de_suivi(classeur, bilan)
    tampon = BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def _feuille_de_suivi(classeur, bilan) -> None:
    """Where the bilan stands (status in words, deliberation, transmission, due date) and every
    change of status, so that a workbook passed around says which state its figures are in."""
    from bilans.cycle import chronologie

    feuille = classeur.create_sheet("Suivi")
    feuille.column_dimensions["A"].width = 28
    feuille.column_dimensions["B"].width = 30
    feuille.column_dimensions["D"].width = 60
    feuille.append([_cellule(feuille, f"Suivi du bilan {bilan.annee}", gras=True)])
    for libelle, valeur in [
        ("Statut", bilan.get_statut_display()),
        ("Échéance", bilan.echeance),
        ("Délibération", bilan.date_deliberation),
        ("Transmission au préfet", bilan.date_transmission),
    ]:
        feuille.append(
            [
                _cellule(feuille, libelle, gras=True),
                _cellule(
                    feuille,
                    valeur if valeur is not None else "non renseignée",
                    format_="DD/MM/YYYY",
                ),
            ]
        )
    feuille.append([])
    feuille.append(
        [
            _cellule(feuille, t, gras=True)
            for t in ["Date", "Par", "Changement de statut", "Commentaire"]
        ]
    )
    for etape in chronologie(bilan):
        feuille.append(
            [
                _cellule(
                    feuille,
                    timezone.localtime(etape.quand).replace(tzinfo=None),
                    format_="DD/MM/YYYY HH:MM",
                ),
                _cellule(feuille, etape.qui),
                _cellule(feuille, f"{etape.avant} → {etape.apres}"),
                _cellule(feuille, etape.commentaire),
            ]
        )
