"""Open a workbook a user hands in, as a hostile file until proven otherwise.

The zip's central directory is measured before any XML is parsed (size, entries, what they
inflate to), then each entry's XML is counted without being parsed (its « < » and « = », the
tags and attributes a parser would build, and its longest run of text): a parser's time and
memory follow those counts, not the file's size (48 Mio of tiny shared strings, 3 Mio
compressed, kept openpyxl busy 36 s). The sheets' declared dimensions are never trusted: rows
are read as they come and the reading stops at the caps. Every failure of the zip, zlib or XML
layers (defusedxml refuses entity tricks) becomes a French refusal saying what is known of where.
"""

import logging
import zipfile
from io import BytesIO

from openpyxl import load_workbook

from commun.formats import nombre

journal = logging.getLogger(__name__)

MIO = 1024 * 1024
TAILLE_MAX = 5 * MIO  # compressed: a real annex weighs a few dozen kio
DECOMPRESSE_MAX = 50 * MIO  # the 181-sheet national import inflates to about 4 Mio
RATIO_MAX = 100  # XML compresses 5 to 20 times; a bomb, hundreds of times
ENTREES_MAX = 2_000
FEUILLES_MAX = 500
LIGNES_MAX = 5_000  # per sheet: an annex has a few dozen actions
COLONNES_MAX = 200
CELLULES_MAX = 1_000_000  # per workbook
# Tags and attributes (« < » and « = ») of the sheets and shared strings: openpyxl reads them at
# 1 to 3.5 µs each; the national import of 181 sheets and 10 011 lines has 256 000.
CONSTRUCTIONS_MAX = 500_000
# Everything else (styles, workbook, relationships…) becomes openpyxl objects at about 25 µs and
# 1.7 kio each; a real workbook has a few thousand (the national import 3 300).
AUTRES_MAX = 50_000
# Excel's own limit is 32 767 characters a cell (up to 4 bytes each in UTF-8): a longer run of
# text, or a tag with thousands of attributes, is not a spreadsheet's.
TEXTE_MAX = 256 * 1024
TYPES_FEUILLES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
)

ILLISIBLE = "Le fichier n'est pas un classeur lisible"


class ClasseurInvalide(Exception):
    """The workbook cannot be imported; ``erreurs`` lists every problem found."""

    def __init__(self, erreurs: list[str]):
        self.erreurs = erreurs
        super().__init__("\n".join(erreurs))


def mesurer(contenu: bytes) -> None:
    """Refuse, from the zip's directory alone, what is too big or inflates too much."""
    if len(contenu) > TAILLE_MAX:
        raise ClasseurInvalide(
            [
                f"Le fichier fait {len(contenu) // 1024} kio : la limite est de "
                f"{TAILLE_MAX // MIO} Mio."
            ]
        )
    try:
        with zipfile.ZipFile(BytesIO(contenu)) as archive:
            entrees = archive.infolist()
    except Exception:  # BadZipFile, NotImplementedError (unknown zip version), struct.error…
        raise ClasseurInvalide(
            [
                f"{ILLISIBLE} : ce n'est pas une archive xlsx — un CSV renommé ou un "
                "fichier tronqué ne peut pas être importé."
            ]
        ) from None
    if len(entrees) > ENTREES_MAX:
        raise ClasseurInvalide(
            [f"{ILLISIBLE} : {len(entrees)} éléments dans l'archive, {ENTREES_MAX} au plus."]
        )
    total = sum(entree.file_size for entree in entrees)
    if total > DECOMPRESSE_MAX:
        raise ClasseurInvalide(
            [
                f"{ILLISIBLE} : une fois décompressé il ferait {total // MIO} Mio "
                f"({total // max(len(contenu), 1)} fois sa taille) ; {DECOMPRESSE_MAX // MIO} Mio "
                "au plus."
            ]
        )
    for entree in entrees:
        if entree.file_size > MIO and entree.file_size > RATIO_MAX * max(entree.compress_size, 1):
            raise ClasseurInvalide(
                [
                    f"{ILLISIBLE} : l'élément « {entree.filename} » se décompresse "
                    f"{entree.file_size // max(entree.compress_size, 1)} fois ({RATIO_MAX} au "
                    "plus) : ce n'est pas un classeur ordinaire."
                ]
            )
    _compter_les_constructions(contenu, entrees)


def _compter_les_constructions(contenu: bytes, entrees) -> None:
    """Each entry inflated once, in 1 Mio blocks, never parsed: a tenth of a second for the
    50 Mio the directory allows."""
    feuilles_et_textes = _parties_des_feuilles(contenu, entrees)
    totaux = {True: 0, False: 0}
    with zipfile.ZipFile(BytesIO(contenu)) as archive:
        for entree in entrees:
            try:
                constructions, plus_long = _compter(archive, entree)
            except Exception as erreur:  # zlib, CRC, encryption, unknown compression
                raise ClasseurInvalide(
                    [f"{ILLISIBLE} : {_raison(erreur)} (élément « {entree.filename} »)."]
                ) from None
            if plus_long > TEXTE_MAX:
                raise ClasseurInvalide(
                    [
                        f"{ILLISIBLE} : l'élément « {entree.filename} » contient un texte ou une "
                        f"balise de plus de {TEXTE_MAX // 1024} kio (Excel s'arrête à 32 767 "
                        "caractères par cellule) : ce n'est pas un classeur ordinaire."
                    ]
                )
            feuille = entree.filename in feuilles_et_textes
            totaux[feuille] += constructions
            plafond = CONSTRUCTIONS_MAX if feuille else AUTRES_MAX
            if totaux[feuille] > plafond:
                quoi = "les feuilles et leurs textes" if feuille else "les styles et autres parties"
                raise ClasseurInvalide(
                    [
                        f"{ILLISIBLE} : {quoi} comptent plus de {nombre(plafond)} balises et "
                        f"attributs XML (dépassé dans l'élément « {entree.filename} ») : "
                        "découpez le classeur, ou copiez ses cellules dans un classeur neuf."
                    ]
                )


def _parties_des_feuilles(contenu: bytes, entrees) -> set[str]:
    """The entries ``[Content_Types].xml`` declares as sheets or shared strings, and as nothing
    else: they get the larger count; any other entry, wherever it is, the smaller."""
    from defusedxml.ElementTree import fromstring

    types = next((e for e in entrees if e.filename == "[Content_Types].xml"), None)
    if types is None or types.file_size > MIO:
        return set()
    try:
        with zipfile.ZipFile(BytesIO(contenu)) as archive:
            racine = fromstring(archive.read(types))
    except Exception:
        return set()  # openpyxl refuses it in its turn, in French (feuilles)
    declares: dict[str, set[str]] = {}
    for element in racine.iter():
        if element.tag.rpartition("}")[2] == "Override":
            partie = (element.get("PartName") or "").lstrip("/")
            declares.setdefault(partie, set()).add(element.get("ContentType") or "")
    return {partie for partie, genres in declares.items() if genres <= set(TYPES_FEUILLES)}


def _compter(archive: zipfile.ZipFile, entree: zipfile.ZipInfo) -> tuple[int, int]:
    """The « < » and « = » of an entry, and its longest run without « < » if it is XML (an
    image or a binary part may have long runs; a parser refuses it as XML anyway)."""
    constructions = plus_long = courant = 0
    xml = None
    with archive.open(entree) as flux:
        while bloc := flux.read(MIO):
            if xml is None:
                debut = bloc.lstrip(b" \t\r\n")
                xml = debut.startswith((b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
            constructions += bloc.count(b"<") + bloc.count(b"=")
            if not xml:
                continue
            morceaux = bloc.split(b"<")
            if len(morceaux) == 1:
                courant += len(bloc)
            else:
                interieur = max(map(len, morceaux[1:-1]), default=0)
                plus_long = max(plus_long, courant + len(morceaux[0]), interieur)
                courant = len(morceaux[-1])
            plus_long = max(plus_long, courant)
    return constructions, plus_long


def feuilles(contenu: bytes) -> list[tuple[str, list[list]]]:
    """Each sheet's title and rows of values, read within the caps; ``ClasseurInvalide`` for
    anything else, in French."""
    mesurer(contenu)
    ou = "à l'ouverture"
    try:
        classeur = load_workbook(BytesIO(contenu), read_only=True, data_only=False)
        try:
            if len(classeur.worksheets) > FEUILLES_MAX:
                raise ClasseurInvalide(
                    [f"Le classeur a {len(classeur.worksheets)} feuilles : {FEUILLES_MAX} au plus."]
                )
            declarees = _feuilles_declarees(contenu)
            if declarees is not None and declarees > len(classeur.sheetnames):
                raise ClasseurInvalide(
                    [
                        f"{ILLISIBLE} : {declarees - len(classeur.sheetnames)} feuille(s) "
                        "déclarée(s) dans le classeur mais absente(s) de l'archive (fichier "
                        "endommagé)."
                    ]
                )
            lues, cellules = [], 0
            for feuille in classeur.worksheets:
                ou = f"dans la feuille « {feuille.title} »"
                lignes, cellules = _lignes(feuille, cellules)
                lues.append((feuille.title, lignes))
            return lues
        finally:
            classeur.close()
    except ClasseurInvalide:
        raise
    except MemoryError:
        raise ClasseurInvalide([f"{ILLISIBLE} : trop volumineux une fois lu ({ou})."]) from None
    except Exception as erreur:  # zip, zlib, XML, encodings: every parser's own failure
        journal.info("Classeur illisible %s : %r", ou, erreur)
        raise ClasseurInvalide([f"{ILLISIBLE} : {_raison(erreur)} ({ou})."]) from None


def _feuilles_declarees(contenu: bytes) -> int | None:
    """How many sheets ``xl/workbook.xml`` lists (openpyxl skips a missing one silently)."""
    from defusedxml.ElementTree import fromstring

    try:
        with zipfile.ZipFile(BytesIO(contenu)) as archive:
            racine = fromstring(archive.read("xl/workbook.xml"))
    except KeyError:
        return None  # a workbook part elsewhere: openpyxl found it through the relationships
    return sum(1 for element in racine.iter() if element.tag.rpartition("}")[2] == "sheet")


def _lignes(feuille, cellules: int) -> tuple[list[list], int]:
    feuille.reset_dimensions()  # never pad rows to a declared dimension
    lignes = []
    for numero, valeurs in enumerate(feuille.iter_rows(values_only=True), start=1):
        if numero > LIGNES_MAX:
            raise ClasseurInvalide(
                [
                    f"Feuille « {feuille.title} » : plus de {LIGNES_MAX} lignes, ce n'est pas une "
                    "annexe (lignes remplies très loin sous le tableau ?)."
                ]
            )
        ligne = list(valeurs)
        while ligne and ligne[-1] is None:
            ligne.pop()
        if len(ligne) > COLONNES_MAX:
            raise ClasseurInvalide(
                [
                    f"Feuille « {feuille.title} », ligne {numero} : une cellule au-delà de la "
                    f"colonne {COLONNES_MAX} ; ce n'est pas une annexe."
                ]
            )
        cellules += len(ligne)
        if cellules > CELLULES_MAX:
            raise ClasseurInvalide(
                [f"Le classeur dépasse {nombre(CELLULES_MAX)} cellules remplies : découpez-le."]
            )
        lignes.append(ligne)
    while lignes and not lignes[-1]:
        lignes.pop()
    return lignes, cellules


def _raison(erreur: Exception) -> str:
    """What kind of damage, in words: the parsers' own messages are English and technical."""
    import xml.etree.ElementTree
    import zlib
    from xml.parsers.expat import ExpatError

    from defusedxml import DefusedXmlException

    causes = []
    while erreur is not None and erreur not in causes:  # openpyxl wraps the parser's error
        causes.append(erreur)
        erreur = erreur.__cause__ or erreur.__context__
    erreur = next((cause for cause in causes if isinstance(cause, DefusedXmlException)), causes[-1])
    if isinstance(erreur, DefusedXmlException):
        return "il contient des entités XML (construction réservée aux attaques)"
    if isinstance(erreur, xml.etree.ElementTree.ParseError | ExpatError | SyntaxError):
        return f"XML mal formé ({erreur})"
    if isinstance(erreur, zlib.error | zipfile.BadZipFile | EOFError):
        return "données compressées endommagées"
    if isinstance(erreur, KeyError):
        return f"élément manquant dans l'archive ({erreur})"
    if isinstance(erreur, UnicodeError):
        return "texte dans un encodage illisible"
    return f"contenu inattendu ({type(erreur).__name__})"
