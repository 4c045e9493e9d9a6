"""Read a convention file (a Django fixture in JSON or YAML) that an administrator hands in.

The file is measured before it is parsed, parsed without building anything but plain data (no
YAML tags, anchors or aliases), and every object keeps the line it starts on, so that each
message can say where to look.
"""

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml

TAILLE_MAX = 2 * 1024 * 1024  # 2 Mio: the five documents' fixtures weigh 180 kio together
OBJETS_MAX = 20_000

FORMATS = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


class FichierInvalide(Exception):
    """The file is refused; ``erreurs`` lists every problem found, in French."""

    def __init__(self, erreurs: list[str]):
        super().__init__(erreurs)
        self.erreurs = erreurs

    def __str__(self):
        return "\n".join(f"- {erreur}" for erreur in self.erreurs)


@dataclass
class ObjetLu:
    """One element of the file's list, with its rank (from 1) and the line it starts on."""

    position: int
    ligne: int | None
    donnees: Any

    def ou(self) -> str:
        return f"objet n° {self.position}" + (f" (ligne {self.ligne})" if self.ligne else "")


def format_de(nom: str, texte: str) -> str:
    """« json » or « yaml », from the file's extension, else from its first character."""
    for extension, nom_format in FORMATS.items():
        if nom.lower().endswith(extension):
            return nom_format
    return "json" if texte.lstrip().startswith("[") else "yaml"


def lire(contenu: bytes, nom: str = "") -> list[ObjetLu]:
    """The objects of the file, or ``FichierInvalide`` naming the line and column at fault."""
    if len(contenu) > TAILLE_MAX:
        raise FichierInvalide(
            [
                f"Le fichier pèse {len(contenu) // 1024} kio : {TAILLE_MAX // 1024 // 1024} Mio "
                "au plus. Découpez-le (une convention par fichier)."
            ]
        )
    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError as erreur:
        ligne = contenu[: erreur.start].count(b"\n") + 1
        raise FichierInvalide(
            [
                f"Le fichier n'est pas en UTF-8 (ligne {ligne}, octet n° {erreur.start + 1}) : "
                "enregistrez-le en UTF-8 depuis votre éditeur."
            ]
        ) from None
    if not texte.strip():
        raise FichierInvalide(["Le fichier est vide."])
    try:
        lecteur = _lire_json if format_de(nom, texte) == "json" else _lire_yaml
        objets = lecteur(texte)
    except RecursionError:
        raise FichierInvalide(
            ["Le fichier imbrique trop de listes ou d'objets les uns dans les autres."]
        ) from None
    if len(objets) > OBJETS_MAX:
        raise FichierInvalide(
            [f"Le fichier décrit {len(objets)} objets : {OBJETS_MAX} au plus par fichier."]
        )
    return objets


# --- JSON -----------------------------------------------------------------------------------

MESSAGES_JSON = {
    "Expecting value": "valeur attendue",
    "Expecting ',' delimiter": "virgule attendue",
    "Expecting ':' delimiter": "deux-points attendus",
    "Expecting property name enclosed in double quotes": "nom de champ entre guillemets "
    "doubles attendu (une virgule en trop avant « } » ?)",
    "Unterminated string starting at": "texte sans guillemet fermant",
    "Invalid control character at": "caractère de contrôle dans un texte (une tabulation ?)",
    "Invalid \\escape": "échappement « \\ » invalide",
    "Extra data": "texte après la fin de la liste",
}


class _CleEnDouble(ValueError):
    pass


def _sans_doublon(paires):
    vues = {}
    for cle, valeur in paires:
        if cle in vues:
            raise _CleEnDouble(cle)
        vues[cle] = valeur
    return vues


def _refuser_constante(nom):
    raise ValueError(f"« {nom} » n'est pas un nombre accepté")


def _erreur_json(erreur: json.JSONDecodeError) -> FichierInvalide:
    raison = next((fr for en, fr in MESSAGES_JSON.items() if erreur.msg.startswith(en)), erreur.msg)
    return FichierInvalide(
        [f"JSON mal formé, ligne {erreur.lineno}, colonne {erreur.colno} : {raison}."]
    )


def _lire_json(texte: str) -> list[ObjetLu]:
    """Read the top-level list one element at a time, to know the line each object starts on."""
    decodeur = json.JSONDecoder(
        object_pairs_hook=_sans_doublon,
        parse_float=Decimal,
        parse_constant=_refuser_constante,
    )
    espaces = re.compile(r"[ \t\n\r]*")
    position = espaces.match(texte).end()
    if texte[position : position + 1] != "[":
        ligne = texte.count("\n", 0, position) + 1
        raise FichierInvalide(
            [
                f"JSON, ligne {ligne} : le fichier doit être une liste d'objets, entre « [ » et "
                "« ] », comme ceux que produit dumpdata."
            ]
        )
    position = espaces.match(texte, position + 1).end()
    objets: list[ObjetLu] = []
    while texte[position : position + 1] != "]":
        ligne = texte.count("\n", 0, position) + 1
        try:
            valeur, position = decodeur.raw_decode(texte, position)
        except json.JSONDecodeError as erreur:
            raise _erreur_json(erreur) from None
        except _CleEnDouble as cle:
            raise FichierInvalide(
                [
                    f"Objet n° {len(objets) + 1} (ligne {ligne}) : le champ « {cle} » est écrit "
                    "deux fois ; gardez-en un seul."
                ]
            ) from None
        except ValueError as erreur:
            raise FichierInvalide(
                [f"Objet n° {len(objets) + 1} (ligne {ligne}) : {erreur}."]
            ) from None
        objets.append(ObjetLu(len(objets) + 1, ligne, valeur))
        if len(objets) > OBJETS_MAX:
            break
        position = espaces.match(texte, position).end()
        if texte[position : position + 1] == ",":
            position = espaces.match(texte, position + 1).end()
            if texte[position : position + 1] == "]":
                raise _erreur_position(texte, position, "virgule en trop avant « ] »")
        elif texte[position : position + 1] != "]":
            raise _erreur_position(texte, position, "virgule ou « ] » attendu")
    reste = texte[position + 1 :]
    if reste.strip():
        raise _erreur_position(
            texte,
            position + 1 + (len(reste) - len(reste.lstrip())),
            "texte après la fin de la liste",
        )
    return objets


def _erreur_position(texte: str, position: int, raison: str) -> FichierInvalide:
    ligne = texte.count("\n", 0, position) + 1
    colonne = position - (texte.rfind("\n", 0, position) + 1) + 1
    return FichierInvalide([f"JSON mal formé, ligne {ligne}, colonne {colonne} : {raison}."])


# --- YAML -----------------------------------------------------------------------------------

MESSAGES_YAML = {
    "mapping values are not allowed here": "deux-points inattendu (un texte contenant « : » "
    "doit être entre guillemets)",
    "could not find expected ':'": "deux-points attendu après le nom du champ",
    "found character '\\t' that cannot start any token": "tabulation : indentez avec des espaces",
    "found undefined alias": "alias inconnu",
    "expected <block end>, but found": "indentation incohérente",
    "expected <block mapping start>, but found": "indentation incohérente",
    "found unexpected end of stream": "fin de fichier inattendue (guillemet non fermé ?)",
    "while scanning a quoted scalar": "guillemet non fermé",
    "expected ',' or ']', but got": "virgule ou « ] » attendu",
    "expected ',' or '}', but got": "virgule ou « } » attendu",
    "found duplicate anchor": "ancre en double",
    "expected a single document": "un seul document attendu (pas de « --- » au milieu)",
}


class _ChargeurSur(yaml.SafeLoader):
    """SafeLoader that also refuses anchors and aliases (a few lines could expand to gigabytes)
    and a field written twice in one object (YAML would silently keep the last)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent) or (
            self.check_event(yaml.NodeEvent) and self.peek_event().anchor is not None
        ):
            evenement = self.peek_event()
            raise yaml.MarkedYAMLError(
                problem="ancres et alias (« & », « * ») non acceptés : écrivez chaque valeur",
                problem_mark=evenement.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        vues = set()
        for cle, _valeur in node.value:
            nom = cle.value
            if nom in vues:
                raise yaml.MarkedYAMLError(
                    problem=f"le champ « {nom} » est écrit deux fois ; gardez-en un seul",
                    problem_mark=cle.start_mark,
                )
            vues.add(nom)
        return super().construct_mapping(node, deep=deep)


def _erreur_yaml(erreur: yaml.YAMLError) -> FichierInvalide:
    marque = getattr(erreur, "problem_mark", None) or getattr(erreur, "context_mark", None)
    probleme = str(getattr(erreur, "problem", "") or getattr(erreur, "context", "") or erreur)
    raison = next((fr for en, fr in MESSAGES_YAML.items() if probleme.startswith(en)), None)
    if raison is None:
        contexte = str(getattr(erreur, "context", "") or "")
        raison = next((fr for en, fr in MESSAGES_YAML.items() if contexte.startswith(en)), probleme)
    ou = f", ligne {marque.line + 1}, colonne {marque.column + 1}" if marque else ""
    return FichierInvalide([f"YAML mal formé{ou} : {raison}."])


def _lire_yaml(texte: str) -> list[ObjetLu]:
    chargeur = _ChargeurSur(texte)
    try:
        racine = chargeur.get_single_node()
        if racine is None:
            raise FichierInvalide(["Le fichier est vide."])
        if not isinstance(racine, yaml.SequenceNode):
            raise FichierInvalide(
                [
                    f"YAML, ligne {racine.start_mark.line + 1} : le fichier doit être une liste "
                    "d'objets, chacun commençant par « - model: ».",
                ]
            )
        lignes = [noeud.start_mark.line + 1 for noeud in racine.value]
        valeurs = chargeur.construct_document(racine)
    except yaml.YAMLError as erreur:
        raise _erreur_yaml(erreur) from None
    finally:
        chargeur.dispose()
    return [
        ObjetLu(position, ligne, valeur)
        for position, (ligne, valeur) in enumerate(zip(lignes, valeurs, strict=True), start=1)
    ]
