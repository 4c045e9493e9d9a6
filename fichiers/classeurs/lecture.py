"""Read back a workbook in the layout of ``export``: natural keys and amounts, or French errors.

Every problem names its sheet, row and column; one problem refuses the whole workbook.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl.utils import get_column_letter

from commun.montants import lire_montant
from conventions.models import Action, Convention, Financeur, TableauEngagements
from conventions.models.engagements import financeur_permis
from fichiers.classeurs import ouverture
from fichiers.classeurs.export import CHAMPS, LIGNE_ENTETE, LIGNE_IDENTIFIANTS
from fichiers.classeurs.ouverture import TAILLE_MAX, ClasseurInvalide

__all__ = ["TAILLE_MAX", "ClasseurInvalide", "FeuilleLue", "lire"]

LIGNES_IGNOREES = {"sous-total", "total", "cofinancement", "identifiant"}
NATURES = {choix for choix, _ in TableauEngagements.Nature.choices}


@dataclass
class FeuilleLue:
    nom: str
    convention: Convention
    annee_debut: int
    annee_fin: int
    libelle: str
    nature: str
    en_vigueur: bool
    source: str
    # (action code, financeur slug) → montant; a blank cell has no entry (« unchanged »)
    montants: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    # The action rows and financeur columns the sheet has: an amount outside them was removed.
    codes: set[str] = field(default_factory=set)
    financeurs: set[str] = field(default_factory=set)


def _ou(feuille: str, ligne: int, colonne: int | None = None) -> str:
    cellule = f", colonne {get_column_letter(colonne)}" if colonne else ""
    return f"Feuille « {feuille} », ligne {ligne}{cellule}"


def _texte(valeur) -> str:
    return "" if valeur is None else str(valeur).strip()


def _periode(texte: str) -> tuple[int, int]:
    debut, _, fin = texte.partition("-")
    return int(debut), int(fin or debut)


def lire(contenu: bytes, conventions=None) -> list[FeuilleLue]:
    """Parse the workbook; raise ``ClasseurInvalide`` with every problem found.

    ``conventions`` restricts what a sheet may name (the user's territoires): another
    territory's convention reads as unknown.
    """
    brutes = ouverture.feuilles(contenu)
    erreurs: list[str] = []
    feuilles = []
    financeurs = {f.slug: f for f in Financeur.objects.all()}
    # The conventions and action codes the sheets name, read once for the whole workbook
    # rather than once per sheet.
    references = _References(brutes, conventions)
    for nom, lignes in brutes:
        lue = _lire_feuille(nom, lignes, financeurs, erreurs, references)
        if lue:
            feuilles.append(lue)
    if not brutes:
        erreurs.append("Le classeur ne contient aucune feuille.")
    cles = {}
    for lue in feuilles:
        cle = (lue.convention.pk, lue.annee_debut, lue.annee_fin, lue.libelle)
        if cle in cles:
            erreurs.append(
                f"Feuilles « {cles[cle]} » et « {lue.nom} » : même version « {lue.libelle} » "
                f"de la même période."
            )
        cles[cle] = lue.nom
    if erreurs:
        raise ClasseurInvalide(erreurs)
    return feuilles


class _References:
    """The conventions the sheets name (among those the user may reach) and their action
    codes, in two queries."""

    def __init__(self, brutes, conventions=None):
        slugs = {
            _texte(lignes[3][1])
            for _nom, lignes in brutes
            if len(lignes) > 3 and len(lignes[3]) > 1
        }
        conventions = Convention.objects.all() if conventions is None else conventions
        self.conventions = {c.slug: c for c in conventions.filter(slug__in=slugs)}
        self.codes: dict[int, set[str]] = {c.pk: set() for c in self.conventions.values()}
        for convention_id, code in Action.objects.filter(
            convention__in=[c.pk for c in self.conventions.values()]
        ).values_list("convention_id", "code"):
            self.codes[convention_id].add(code)


def _lire_feuille(nom, lignes, financeurs, erreurs, references) -> FeuilleLue | None:
    if not any(any(v is not None for v in ligne) for ligne in lignes):
        erreurs.append(f"Feuille « {nom} » : la feuille est vide.")
        return None

    def cellule(ligne, colonne):
        if ligne - 1 < len(lignes) and colonne - 1 < len(lignes[ligne - 1]):
            return lignes[ligne - 1][colonne - 1]
        return None

    avant = len(erreurs)
    valeurs = {}
    for rang, champ in enumerate(CHAMPS):
        ligne = 4 + rang
        if _texte(cellule(ligne, 1)) != champ:
            erreurs.append(
                f"{_ou(nom, ligne, 1)} : « {champ} » attendu, « {_texte(cellule(ligne, 1))} » "
                f"trouvé (ligne manquante ou renommée)."
            )
        valeurs[champ] = _texte(cellule(ligne, 2))
    convention = references.conventions.get(valeurs["Convention"])
    if convention is None and len(erreurs) == avant:
        erreurs.append(f"{_ou(nom, 4, 2)} : convention inconnue « {valeurs['Convention']} ».")
    try:
        debut, fin = _periode(valeurs["Période"])
        if fin < debut:
            erreurs.append(
                f"{_ou(nom, 5, 2)} : période « {valeurs['Période']} » à l'envers (l'année de fin "
                "précède l'année de début)."
            )
    except ValueError:
        erreurs.append(
            f"{_ou(nom, 5, 2)} : période « {valeurs['Période']} » illisible "
            "(attendu « 2023 » ou « 2023-2025 »)."
        )
        debut = fin = 0
    if not valeurs["Version"]:
        erreurs.append(f"{_ou(nom, 6, 2)} : la version n'a pas de libellé.")
    if valeurs["Nature"] not in NATURES:
        erreurs.append(
            f"{_ou(nom, 7, 2)} : nature « {valeurs['Nature']} » inconnue "
            f"({', '.join(sorted(NATURES))})."
        )
    if valeurs["En vigueur"] not in {"oui", "non"}:
        erreurs.append(f"{_ou(nom, 8, 2)} : « oui » ou « non » attendu.")

    if _texte(cellule(LIGNE_ENTETE, 1)) != "Code" or _texte(cellule(LIGNE_ENTETE, 2)) != "Intitulé":
        erreurs.append(
            f"{_ou(nom, LIGNE_ENTETE)} : colonnes « Code » et « Intitulé » attendues "
            "(colonne manquante ou renommée)."
        )
    if _texte(cellule(LIGNE_IDENTIFIANTS, 1)) != "Identifiant":
        erreurs.append(
            f"{_ou(nom, LIGNE_IDENTIFIANTS, 1)} : « Identifiant » attendu, suivi des "
            "identifiants des financeurs."
        )
    colonnes = {}
    colonne = 3
    while _texte(cellule(LIGNE_IDENTIFIANTS, colonne)):
        slug = _texte(cellule(LIGNE_IDENTIFIANTS, colonne))
        # Another collectivité's financeur reads as unknown, as in every other door.
        if slug not in financeurs or (
            convention is not None and not financeur_permis(financeurs[slug], convention)
        ):
            erreurs.append(
                f"{_ou(nom, LIGNE_IDENTIFIANTS, colonne)} : financeur inconnu « {slug} »."
            )
        elif slug in colonnes.values():
            erreurs.append(
                f"{_ou(nom, LIGNE_IDENTIFIANTS, colonne)} : financeur « {slug} » en double."
            )
        colonnes[colonne] = slug
        colonne += 1
    if not colonnes and len(erreurs) == avant:
        erreurs.append(f"{_ou(nom, LIGNE_IDENTIFIANTS)} : aucune colonne de financeur.")
    if len(erreurs) > avant:
        return None

    codes = references.codes[convention.pk]
    lue = FeuilleLue(
        nom,
        convention,
        debut,
        fin,
        valeurs["Version"],
        valeurs["Nature"],
        valeurs["En vigueur"] == "oui",
        valeurs["Source"],
    )
    vues: dict[str, int] = {}
    for numero in range(LIGNE_IDENTIFIANTS + 1, len(lignes) + 1):
        code = _texte(cellule(numero, 1))
        if not code or code.lower() in LIGNES_IGNOREES or code.startswith("Axe "):
            continue
        if code not in codes:
            erreurs.append(
                f"{_ou(nom, numero, 1)} : action inconnue « {code} » dans la "
                f"convention « {convention.slug} »."
            )
            continue
        if code in vues:
            erreurs.append(
                f"{_ou(nom, numero, 1)} : action « {code} » en double (déjà ligne {vues[code]})."
            )
            continue
        vues[code] = numero
        for colonne, slug in colonnes.items():
            valeur = cellule(numero, colonne)
            if valeur is None or _texte(valeur) == "":
                continue
            try:
                lue.montants[(code, slug)] = lire_montant(valeur)
            except ValueError as erreur:
                erreurs.append(f"{_ou(nom, numero, colonne)} : {erreur}")
    if not vues and len(erreurs) == avant:
        erreurs.append(f"Feuille « {nom} » : aucune ligne d'action sous l'en-tête.")
    lue.codes = set(vues)
    lue.financeurs = set(colonnes.values())
    return lue if len(erreurs) == avant else None
