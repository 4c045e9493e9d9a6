"""Read a convention file (a Django fixture in JSON or YAML) that an administrator hands in.

The file is measured before it is parsed, parsed without building anything but plain data (no
YAML tags, anchors or aliases), and every object keeps the line it starts on, so that each
message can say where to look.

The caps are what a yearly file needs, not what a worker can survive: a convention of a year is
a few hundred objects (the worked example 33, the largest of the five documents 148), and every
object costs the loader a few milliseconds (validation, lookups, history), so 20 000 objects
kept a worker busy for a minute. YAML is scanned by libyaml (shipped inside PyYAML's wheels):
the pure-Python scanner took 13 s for 1.5 Mio.
"""

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.cyaml import CParser
from yaml.resolver import Resolver

from commun.formats import nombre

KIO = 1024
TAILLE_MAX = 512 * KIO  # the five documents' fixtures weigh 180 kio together, the largest 57
OBJETS_MAX = 600  # a yearly convention has a few hundred objects; each costs a few ms to load

FORMATS = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}
LIMITE = f"{TAILLE_MAX // KIO} kio au plus"


def poids(octets: int) -> str:
    """« 513 kio », rounded up: a file just over the cap must not read as equal to it."""
    return f"{-(-octets // KIO)} kio"


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
                f"Le fichier pèse {poids(len(contenu))} : {LIMITE}. Découpez-le (une convention "
                "par fichier)."
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
            [
                f"Le fichier décrit {nombre(len(objets))} objets : {nombre(OBJETS_MAX)} au plus "
                "par fichier. Découpez-le (une convention par fichier)."
            ]
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

# libyaml's sentences (scanner and parser), and PyYAML's for what its composer says.
MESSAGES_YAML = {
    "mapping values are not allowed": "deux-points inattendu (un texte contenant « : » "
    "doit être entre guillemets)",
    "could not find expected ':'": "deux-points attendu après le nom du champ",
    "found a tab character that violates indentation": "tabulation : indentez avec des espaces",
    "found character that cannot start any token": "caractère qui ne peut pas commencer une "
    "valeur (« @ », « ` », « % »…) : mettez le texte entre guillemets",
    "found undefined alias": "alias inconnu",
    "did not find expected key": "indentation incohérente",
    "did not find expected '-' indicator": "indentation incohérente",
    "did not find expected <document start>": "indentation incohérente",
    "found unexpected end of stream": "fin de fichier inattendue (guillemet non fermé ?)",
    "while scanning a quoted scalar": "guillemet non fermé",
    "did not find expected ',' or ']'": "virgule ou « ] » attendu",
    "did not find expected ',' or '}'": "virgule ou « } » attendu",
    "found duplicate anchor": "ancre en double",
    "expected a single document": "un seul document attendu (pas de « --- » au milieu)",
    "control characters are not allowed": "caractère de contrôle interdit dans un fichier texte",
}


class _ChargeurSur(Composer, SafeConstructor, Resolver, CParser):
    """SafeLoader that also refuses anchors and aliases (a few lines could expand to gigabytes),
    a field written twice in one object (YAML would silently keep the last) and any tag it does
    not know (``!!python/…``), in French.

    libyaml (``CParser``) scans and parses; composing nodes stays PyYAML's own Python code,
    listed first so that it wins over ``CParser``'s C composer: ``compose_node`` below sees
    every event, anchors included, which the C composer would resolve out of sight. Three
    times faster than the pure-Python loader on a whole file, with the same guarantees."""

    def __init__(self, texte: str):
        CParser.__init__(self, texte)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    def compose_node(self, parent, index):
        # libyaml's check_event compares exact classes: name each node event, not NodeEvent.
        if self.check_event(yaml.AliasEvent) or (
            self.check_event(yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)
            and self.peek_event().anchor is not None
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

    def refuser_la_balise(self, node):
        """SafeConstructor's own refusal is an English sentence with the tag's long form."""
        balise = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise yaml.MarkedYAMLError(
            problem=f"balise « {balise} » refusée : un fichier de convention ne contient que des "
            "textes, des nombres, des dates, des listes et des objets (retirez la balise, qui "
            "commence par « ! »)",
            problem_mark=node.start_mark,
        )


_ChargeurSur.add_constructor(None, _ChargeurSur.refuser_la_balise)


def _erreur_yaml(erreur: yaml.YAMLError) -> FichierInvalide:
    marque = getattr(erreur, "problem_mark", None) or getattr(erreur, "context_mark", None)
    probleme = str(
        getattr(erreur, "problem", "")
        or getattr(erreur, "context", "")
        or getattr(erreur, "reason", "")  # libyaml's reader: a control character
        or erreur
    )
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
