"""Write the tableaux of a convention and year as the annex: one sheet per version.

Layout of a sheet (what ``lecture`` expects back):

    A1  title (convention)                      A2  period, version, export date
    A4:B9  « Convention » slug, « Période », « Version », « Nature », « En vigueur », « Source »
    row 11  Code | Intitulé | one column per financeur (its name)
    row 12  « Identifiant » | | financeur slugs
    then    « Axe 1 » group rows, action rows, « Sous-total » rows (SUM), « Total » (SUM),
            « Cofinancement » (collectivité / État)
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import xlsxwriter
from openpyxl.utils import get_column_letter

from commun.cellules import Genre, texte_propre, verifier
from commun.formats import couper_aux_mots
from conventions.models import TableauEngagements
from conventions.selectors.annexes import annexe, annexe_vierge

FORMAT_EUROS = Genre.EUROS.format_xlsx
FORMAT_POURCENT = Genre.POURCENT.format_xlsx
LIGNE_ENTETE = 11
LIGNE_IDENTIFIANTS = 12
GROUPE = "#E4E9F0"
CHAMPS = ["Convention", "Période", "Version", "Nature", "En vigueur", "Source"]


def tableaux_de(convention, annee_debut: int, annee_fin: int, libelle: str | None = None):
    """The versions of a period, en vigueur first."""
    tableaux = TableauEngagements.objects.filter(
        convention=convention, annee_debut=annee_debut, annee_fin=annee_fin
    ).select_related("convention")
    if libelle:
        tableaux = tableaux.filter(libelle=libelle)
    return list(tableaux.order_by("-en_vigueur", "libelle"))


@dataclass(frozen=True)
class _Cellule:
    valeur: object
    gras: bool = False
    format_: str | None = None
    fond: str | None = None
    formule: bool = False
    # A formula's value as computed by the database, stored with it: readers that do not
    # recalculate (previews, pandas, openpyxl, mail clients) show it instead of a blank.
    calculee: object = None


def cellule(feuille, valeur, *, gras=False, format_=None, fond=None, formule=False, calculee=None):
    """A cell; only our own totals are formulas, every other text is a text cell."""
    return _Cellule(valeur, gras, format_, fond, formule, calculee)


class Classeur:
    """An XlsxWriter workbook written in memory, its cell formats made once each."""

    def __init__(self):
        self.tampon = BytesIO()
        self.classeur = xlsxwriter.Workbook(
            self.tampon, {"in_memory": True, "strings_to_formulas": False}
        )
        self._formats: dict[tuple, object] = {}

    def format_de(self, cellule: _Cellule):
        cle = (cellule.gras, cellule.format_, cellule.fond)
        if cle not in self._formats:
            proprietes = {"bold": cellule.gras}
            if cellule.format_:
                proprietes["num_format"] = cellule.format_
            if cellule.fond:
                proprietes.update(pattern=1, bg_color=cellule.fond)
            self._formats[cle] = self.classeur.add_format(proprietes)
        return self._formats[cle]

    def create_sheet(self, nom: str) -> "_Feuille":
        return _Feuille(self, self.classeur.add_worksheet(nom))

    def octets(self) -> bytes:
        self.classeur.close()
        return self.tampon.getvalue()


class _Feuille:
    """A sheet filled row after row, as the annex reads from top to bottom."""

    def __init__(self, classeur: Classeur, feuille):
        self.classeur, self.feuille, self.rang = classeur, feuille, 0

    def largeur(self, lettre: str, largeur: float) -> None:
        colonne = ord(lettre) - ord("A")
        self.feuille.set_column(colonne, colonne, largeur)

    def largeurs(self, premiere: int, derniere: int, largeur: float) -> None:
        self.feuille.set_column(premiere, derniere, largeur)

    def append(self, cellules) -> None:
        for colonne, cellule in enumerate(cellules):
            if not isinstance(cellule, _Cellule):
                cellule = _Cellule(cellule)
            self._ecrire(colonne, cellule)
        self.rang += 1

    def _ecrire(self, colonne: int, cellule: _Cellule) -> None:
        valeur, format_ = cellule.valeur, self.classeur.format_de(cellule)
        if cellule.formule:
            calculee = cellule.calculee
            if isinstance(calculee, Decimal):
                calculee = float(calculee)
            self.feuille.write_formula(self.rang, colonne, valeur, format_, calculee)
        elif valeur is None or valeur == "":
            if cellule.gras or cellule.fond or cellule.format_:
                self.feuille.write_blank(self.rang, colonne, None, format_)
        elif isinstance(valeur, str):
            # « =HYPERLINK(…) » shown as typed, read back as typed: a text, never a formula.
            # XlsxWriter escapes a literal « _x0041_ » itself (``commun.cellules``).
            self.feuille.write_string(self.rang, colonne, texte_propre(valeur), format_)
        elif isinstance(valeur, bool):
            self.feuille.write_boolean(self.rang, colonne, valeur, format_)
        elif isinstance(valeur, datetime | date):
            self.feuille.write_datetime(self.rang, colonne, valeur, format_)
        else:
            self.feuille.write_number(self.rang, colonne, verifier(valeur, Genre.NOMBRE), format_)


def _nom_de_feuille(tableau, pris: set[str]) -> str:
    """The version's libellé in Excel's 31 characters, cut after a whole word, unique in the
    workbook (« … 2 » when two versions start alike)."""
    base = texte_propre("En vigueur" if tableau.en_vigueur else tableau.libelle)
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
    feuille.largeur("A", 12)
    feuille.largeur("B", 80)
    if nb:
        feuille.largeurs(2, 2 + nb - 1, 18)
    feuille.feuille.freeze_panes(LIGNE_IDENTIFIANTS, 2)
    feuille.feuille.set_landscape()
    feuille.feuille.fit_to_pages(1, 0)
    feuille.feuille.repeat_rows(LIGNE_ENTETE - 1)

    convention = tableau.convention
    feuille.append([cellule(feuille, convention.intitule, gras=True)])
    feuille.append(
        [
            cellule(
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
        feuille.append([cellule(feuille, champ, gras=True), cellule(feuille, valeur)])
    feuille.append([])
    feuille.append(
        [cellule(feuille, t, gras=True) for t in ["Code", "Intitulé"]]
        + [cellule(feuille, f.nom, gras=True) for f in mise_en_page.financeurs]
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
                    cellule(feuille, f"Axe {contenu.code}", gras=True, fond=GROUPE),
                    cellule(feuille, contenu.intitule, gras=True, fond=GROUPE),
                ]
            )
        elif contenu.nature == "action":
            lignes_actions.append(ligne)
            feuille.append(
                [cellule(feuille, contenu.code), cellule(feuille, contenu.intitule)]
                + [cellule(feuille, m, format_=FORMAT_EUROS) for m in contenu.montants]
            )
        else:  # sous_total: SUM of this axe's action rows (sub-axes included)
            _niveau, debut = ouverts.pop()
            dedans = [r for r in lignes_actions if r >= debut]
            feuille.append(
                [cellule(feuille, "Sous-total", gras=True), cellule(feuille, contenu.intitule)]
                + [
                    cellule(
                        feuille,
                        _somme(get_column_letter(3 + rang), dedans),
                        gras=True,
                        format_=FORMAT_EUROS,
                        formule=True,
                        calculee=montant,
                    )
                    for rang, montant in enumerate(contenu.montants)
                ]
            )
    ligne += 1
    ligne_total = ligne
    feuille.append(
        [cellule(feuille, "Total", gras=True), cellule(feuille, "Total", gras=True)]
        + [
            cellule(
                feuille,
                _somme(get_column_letter(3 + rang), lignes_actions),
                gras=True,
                format_=FORMAT_EUROS,
                formule=True,
                calculee=montant,
            )
            for rang, montant in enumerate(mise_en_page.total.montants)
        ]
    )
    etat = next((i for i, f in enumerate(mise_en_page.financeurs) if f.categorie == "etat"), None)
    coll = next(
        (i for i, f in enumerate(mise_en_page.financeurs) if f.categorie == "collectivite"), None
    )
    if etat is not None and coll is not None:
        c_etat, c_coll = get_column_letter(3 + etat), get_column_letter(3 + coll)
        regle = convention.taux_cofinancement
        total_etat = mise_en_page.total.montants[etat] or 0
        total_coll = mise_en_page.total.montants[coll] or 0
        feuille.append(
            [
                cellule(feuille, "Cofinancement", gras=True),
                cellule(
                    feuille,
                    "Part de la collectivité rapportée à l'État"
                    + (f" (règle : au moins {regle * 100:.0f} %)" if regle is not None else ""),
                ),
                cellule(
                    feuille,
                    f'=IF({c_etat}{ligne_total}=0,"",{c_coll}{ligne_total}/{c_etat}{ligne_total})',
                    format_=FORMAT_POURCENT,
                    formule=True,
                    calculee=total_coll / total_etat if total_etat else "",
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
    classeur = Classeur()
    ecrire_feuille(classeur, tableau, set(), date.today(), annexe_vierge(tableau))
    return classeur.octets()


def classeur_des_tableaux(tableaux, aujourdhui: date | None = None) -> bytes:
    """The workbook of these tableaux (one sheet each), as bytes."""
    classeur = Classeur()
    pris: set[str] = set()
    for tableau in tableaux:
        ecrire_feuille(classeur, tableau, pris, aujourdhui or date.today())
    return classeur.octets()
