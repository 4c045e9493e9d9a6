"""The admin's flat lists as files: xlsx and CSV only, measured before they are parsed (the annex
reader's caps), numbers read by the one amount reader, texts never written as formulas, each
column written with its kind."""

import csv
import io
import logging
from decimal import Decimal

import tablib
from django.conf import settings
from import_export.formats import base_formats
from openpyxl import Workbook

from commun.cellules import FORMULE, Genre, texte_propre, valeur_csv
from commun.formats import nombre
from commun.telechargements import GRAS, cellule_xlsx
from fichiers.classeurs import ouverture

journal = logging.getLogger(__name__)

ERREURS_AFFICHEES = 50
# Lines under the header. django-import-export validates and saves each line (in a rolled-back
# transaction for the preview) at about 4 ms a line: 5 000 lines kept a worker 20 s. One
# territoire's year is about 140 engagements; its six years, 850.
LIGNES_MAX = 500
TROP_DE_LIGNES = (
    f"Plus de {nombre(LIGNES_MAX)} lignes sous l'en-tête : découpez le fichier (un territoire ou "
    "une année à la fois)."
)
NON_UTF8 = (
    "Ce fichier n'est pas un CSV en UTF-8 (un classeur xlsx ? choisissez alors le format "
    "xlsx ; sinon, dans Excel, enregistrez-le en « CSV UTF-8 »)."
)


class FichierRefuse(ouverture.ClasseurInvalide):
    """The file is refused as a whole; ``erreurs`` lists the problems, each naming its line."""

    def __init__(self, erreurs: list[str]):
        if len(erreurs) > ERREURS_AFFICHEES:
            reste = len(erreurs) - ERREURS_AFFICHEES
            erreurs = [*erreurs[:ERREURS_AFFICHEES], f"… et {reste} autre(s) problème(s)."]
        super().__init__(erreurs)


class LigneRefusee(Exception):
    """One line cannot be imported; ``messages`` say why, without the line number."""

    def __init__(self, messages_: list[str]):
        self.messages = messages_
        super().__init__("; ".join(messages_))


# --- Formats: xlsx and CSV, read within the annex reader's caps --------------------------------


def vide(valeur) -> bool:
    return valeur is None or (isinstance(valeur, str) and not valeur.strip())


def _jeu(lignes: list[list]) -> tablib.Dataset:
    """The first row names the columns. Blank rows are kept, so that row n of the dataset is
    line n + 1 of the file, the number the user sees in the spreadsheet."""
    if not lignes or all(vide(v) for v in lignes[0]):
        raise FichierRefuse(["Le fichier est vide ou sa première ligne ne nomme pas les colonnes."])
    entetes = ["" if v is None else str(v).strip() for v in lignes[0]]
    while entetes and not entetes[-1]:
        entetes.pop()
    erreurs = []
    for rang, nom in enumerate(entetes, start=1):
        if not nom:
            erreurs.append(f"Ligne 1 : la colonne {rang} n'a pas de nom.")
        elif nom in entetes[: rang - 1]:
            erreurs.append(f"Ligne 1 : la colonne « {nom} » est présente deux fois.")
    if len(lignes) > LIGNES_MAX + 1:
        raise FichierRefuse([TROP_DE_LIGNES])
    largeur = len(entetes)
    jeu = tablib.Dataset(headers=entetes)
    for numero, ligne in enumerate(lignes[1:], start=2):
        surplus = [v for v in ligne[largeur:] if not vide(v)]
        if surplus:
            erreurs.append(f"Ligne {numero} : « {surplus[0]} » est hors de toute colonne nommée.")
        jeu.append([*ligne[:largeur], *[None] * (largeur - len(ligne))])
    if erreurs:
        raise FichierRefuse(erreurs)
    return jeu


def _sans_apostrophe(cellule: str) -> str:
    """Undo the quote ``commun.cellules.texte_csv`` puts before a text a spreadsheet would run."""
    if cellule.startswith("'") and cellule[1:].startswith(FORMULE):
        return cellule[1:]
    return cellule


def _lignes_csv(texte: str) -> list[list]:
    premiere = texte.partition("\n")[0]
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=";" if ";" in premiere else ",")
    lignes, cellules = [], 0
    try:
        for numero, ligne in enumerate(lecteur, start=1):
            if numero > LIGNES_MAX + 1:
                raise FichierRefuse([TROP_DE_LIGNES])
            if len(ligne) > ouverture.COLONNES_MAX:
                raise FichierRefuse(
                    [f"Ligne {numero} : plus de {ouverture.COLONNES_MAX} colonnes."]
                )
            cellules += len(ligne)
            if cellules > ouverture.CELLULES_MAX:
                raise FichierRefuse(
                    [f"Plus de {nombre(ouverture.CELLULES_MAX)} cellules : découpez le fichier."]
                )
            lignes.append([_sans_apostrophe(cellule) for cellule in ligne])
    except csv.Error:
        raise FichierRefuse(
            [
                f"CSV illisible vers la ligne {lecteur.line_num} : guillemet non fermé, "
                "caractère nul ou cellule démesurée."
            ]
        ) from None
    while lignes and all(vide(cellule) for cellule in lignes[-1]):
        lignes.pop()
    return lignes


def _echapper_les_formules() -> bool:
    return getattr(settings, "IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT", False) is True


def _genres(dataset) -> list[Genre | None]:
    """Each column's kind, as its resource declares it (``Champ``); none for another dataset."""
    return list(getattr(dataset, "genres", None) or [None] * len(dataset.headers or []))


def _cellule_csv(valeur, echapper: bool, genre: Genre | None = None):
    """Without the setting, a text is written as it is (a spreadsheet may run it)."""
    if isinstance(valeur, str) and not echapper:
        return texte_propre(valeur)
    if genre is None and isinstance(valeur, int | float) and not isinstance(valeur, bool):
        return valeur
    return valeur_csv(valeur, genre if genre is not None and genre.numerique else None)


def _cellule_xlsx(feuille, valeur, echapper: bool, genre: Genre | None = None):
    """Without the setting, a text is written as it is (openpyxl runs « =… » as a formula).
    A number carries its column's format: euros in euros, a year without separator…"""
    if isinstance(valeur, str) and not echapper:
        return texte_propre(valeur)
    if genre is None and isinstance(valeur, Decimal):
        genre = Genre.DECIMAL
    return cellule_xlsx(feuille, valeur, genre if genre is not None and genre.numerique else None)


class Csv(base_formats.CSV):
    """Semicolon-separated, UTF-8 with BOM, decimal comma: the pages' CSV downloads, which open
    as they are in a French Excel. Reads « ; » or « , » separators."""

    def create_dataset(self, in_stream, **kwargs):
        if len(in_stream) > ouverture.TAILLE_MAX:
            raise FichierRefuse(
                [f"Le fichier dépasse {ouverture.TAILLE_MAX // ouverture.MIO} Mio."]
            )
        if isinstance(in_stream, bytes):
            try:
                in_stream = in_stream.decode(self.encoding or "utf-8-sig")
            except UnicodeDecodeError:
                raise FichierRefuse([NON_UTF8]) from None
        return _jeu(_lignes_csv(in_stream.removeprefix("\ufeff")))

    def export_data(self, dataset, **kwargs):
        echapper = _echapper_les_formules()
        tampon = io.StringIO()
        tampon.write("\ufeff")
        ecrivain = csv.writer(tampon, delimiter=";")
        ecrivain.writerow([_cellule_csv(entete, echapper) for entete in dataset.headers])
        genres = _genres(dataset)
        for ligne in dataset:
            ecrivain.writerow(
                [
                    _cellule_csv(valeur, echapper, genre)
                    for valeur, genre in zip(ligne, genres, strict=False)
                ]
            )
        return tampon.getvalue()


class Xlsx(base_formats.XLSX):
    """The first sheet, read by the annex reader (size and zip measured before any XML is
    parsed, rows and cells capped); written with a bold frozen header, numbers as numbers."""

    def create_dataset(self, in_stream):
        feuilles = ouverture.feuilles(in_stream)
        if not feuilles:
            raise FichierRefuse(["Le classeur ne contient aucune feuille."])
        return _jeu(feuilles[0][1])

    def export_data(self, dataset, **kwargs):
        echapper = _echapper_les_formules()
        classeur = Workbook(write_only=True)
        feuille = classeur.create_sheet((dataset.title or "export")[:31])
        feuille.freeze_panes = "A2"
        entetes = []
        for entete in dataset.headers:
            cellule = cellule_xlsx(feuille, str(entete))
            cellule.font = GRAS
            entetes.append(cellule)
        feuille.append(entetes)
        genres = _genres(dataset)
        for ligne in dataset:
            feuille.append(
                [
                    _cellule_xlsx(feuille, valeur, echapper, genre)
                    for valeur, genre in zip(ligne, genres, strict=False)
                ]
            )
        tampon = io.BytesIO()
        classeur.save(tampon)
        return tampon.getvalue()


# Each format the settings allow, replaced by its guarded version; any other is not offered.
FORMATS_PROTEGES = {base_formats.CSV: Csv, base_formats.XLSX: Xlsx}
