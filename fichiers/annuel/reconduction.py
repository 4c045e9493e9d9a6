"""Next year's convention, drafted from this year's: the file an administrator edits and loads.

Same territoire, parties, financeurs and rules; the same axes and actions under the same codes,
each action pointing at the one it continues, so that the year-over-year comparison works as
soon as the draft is loaded; the amounts of the tableau en vigueur as a starting point. The
wording of the convention and of its actions that speaks of the old period (« Année 2023. »,
« 347 000 € (bilan 2023) ») is not carried as if true: it is marked « [à réécrire pour 2024] »,
the old text kept after the mark as a reference (``a_reecrire.py``).
"""

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import yaml
from django.utils import timezone

from conventions.a_reecrire import MARQUE, champs_de_texte, est_marque, marquer, parle_de
from conventions.models import Convention, Engagement, TableauEngagements

# Fields the draft sets itself, or that belong to the signed document rather than to the next.
CHAMPS_DE_L_ANNEE = {"slug", "intitule", "annee_debut", "annee_fin", "statut"}
CHAMPS_DU_DOCUMENT = {"date_deliberation", "date_signature", "source"}
# Keys, never wording to rewrite: an action's code stays the one it continues.
JAMAIS_MARQUES = {"code"}


class ReconductionImpossible(ValueError):
    """The draft cannot be written; the message says why, in French."""


@dataclass
class Brouillon:
    objets: list[dict]
    convention: str
    annee_debut: int
    annee_fin: int
    axes: int
    actions: int
    tableau_source: TableauEngagements | None
    totaux: list[tuple[str, Decimal]]
    # Each text marked « [à réécrire pour …] »: « convention — durée et renouvellement »
    a_reecrire: list[str]

    def en_texte(self, format_: str = "yaml") -> str:
        if format_ == "json":
            return (
                json.dumps(self.objets, ensure_ascii=False, indent=1, default=_json_par_defaut)
                + "\n"
            )
        return self.entete() + yaml.dump(
            self.objets, Dumper=_Ecriture, allow_unicode=True, sort_keys=False, width=10_000
        )

    def entete(self) -> str:
        source = (
            f"les montants du tableau en vigueur « {self.tableau_source.libelle} » "
            f"({self.tableau_source.periode})"
            if self.tableau_source
            else "aucun montant (pas de tableau en vigueur)"
        )
        return (
            f"# Brouillon de la convention {self.convention} ({self.periode}), préparé le "
            f"{timezone.localdate():%d/%m/%Y}.\n"
            f"# Il reprend les axes et les actions (chacune prolonge celle de même code) et\n"
            f"# {source}.\n"
            + self._entete_a_reecrire()
            + "# Corrigez les montants, les intitulés, les dates, puis vérifiez et chargez :\n"
            "#   python manage.py charger_convention CE_FICHIER --dry-run\n"
            "#   python manage.py charger_convention CE_FICHIER\n"
            "# Montants : point décimal, sans espace, entre guillemets. Dates : AAAA-MM-JJ.\n"
        )

    def _entete_a_reecrire(self) -> str:
        if not self.a_reecrire:
            return ""
        marque = MARQUE.format(periode=self.periode)
        return (
            f"# {len(self.a_reecrire)} texte(s) de l'an passé (années, montants) sont marqués "
            f"« {marque} »,\n"
            "# l'ancien texte gardé après la marque pour mémoire : réécrivez-les et retirez la\n"
            "# marque ; tant qu'elle reste, la convention a le constat « texte à réécrire ».\n"
        )

    @property
    def periode(self) -> str:
        if self.annee_debut == self.annee_fin:
            return str(self.annee_debut)
        return f"{self.annee_debut}-{self.annee_fin}"


def reconduire(convention: Convention, annee: int, *, slug: str | None = None) -> Brouillon:
    """The draft of ``convention`` renewed for a period starting in ``annee``."""
    if annee <= convention.annee_fin:
        raise ReconductionImpossible(
            f"La convention {convention.slug} couvre déjà {convention.periode} : l'année "
            f"suivante commence en {convention.annee_fin + 1} au plus tôt."
        )
    decalage = annee - convention.annee_debut
    fin = convention.annee_fin + decalage
    periode = str(annee) if annee == fin else f"{annee}-{fin}"
    marquage = _Marquage(range(convention.annee_debut, convention.annee_fin + 1), periode)
    slug = slug or _avec_annee(convention.slug, convention.annee_debut, annee, separateur="-")
    if Convention.objects.filter(slug=slug).exists():
        raise ReconductionImpossible(
            f"La convention « {slug} » existe déjà : choisissez un autre identifiant "
            "(--slug) ou modifiez-la directement."
        )
    nouvelle = [slug]
    objets = [_objet_convention(convention, slug, annee, fin, marquage)]

    axes = sorted(convention.axes.select_related("parent"), key=lambda a: (a.niveau, a.ordre))
    for axe in axes:
        objets.append(
            _objet(
                "conventions.axe",
                axe,
                {
                    "convention": nouvelle,
                    "parent": [slug, axe.parent.code] if axe.parent else None,
                },
            )
        )
    actions = list(convention.actions.select_related("axe").order_by("ordre", "code"))
    for action in actions:
        objets.append(
            _objet(
                "conventions.action",
                action,
                {
                    "convention": nouvelle,
                    "axe": [slug, action.axe.code] if action.axe else None,
                    "action_precedente": [convention.slug, action.code],
                },
                marquage=marquage,
            )
        )

    source = _tableau_en_vigueur(convention)
    totaux: dict[str, Decimal] = {}
    if source is not None:
        libelle = f"Projet {annee if annee == fin else f'{annee}-{fin}'}"
        objets.append(
            {
                "model": "conventions.tableauengagements",
                "fields": {
                    "convention": nouvelle,
                    "annee_debut": annee,
                    "annee_fin": fin,
                    "nature": TableauEngagements.Nature.INITIAL.value,
                    "libelle": libelle,
                    "en_vigueur": True,
                    "source": f"reconduit de « {source.libelle} » ({source.periode})",
                },
            }
        )
        lignes = (
            Engagement.objects.filter(tableau=source)
            .select_related("action", "financeur")
            .order_by("action__ordre", "action__code", "financeur__ordre", "financeur__nom")
        )
        for ligne in lignes:
            objets.append(
                {
                    "model": "conventions.engagement",
                    "fields": {
                        "tableau": [slug, annee, fin, libelle],
                        "action": [slug, ligne.action.code],
                        "financeur": [ligne.financeur.slug],
                        "montant": f"{ligne.montant:.2f}",
                    },
                }
            )
            totaux[ligne.financeur.nom] = totaux.get(ligne.financeur.nom, Decimal("0.00")) + (
                ligne.montant
            )
    return Brouillon(
        objets=objets,
        convention=slug,
        annee_debut=annee,
        annee_fin=fin,
        axes=len(axes),
        actions=len(actions),
        tableau_source=source,
        totaux=list(totaux.items()),
        a_reecrire=marquage.marques,
    )


def _tableau_en_vigueur(convention: Convention) -> TableauEngagements | None:
    """The tableau en vigueur of the convention's whole period, else of its last year."""
    en_vigueur = convention.tableaux.filter(en_vigueur=True)
    return (
        en_vigueur.filter(
            annee_debut=convention.annee_debut, annee_fin=convention.annee_fin
        ).first()
        or en_vigueur.filter(annee_fin=convention.annee_fin).order_by("-annee_debut").first()
    )


def _avec_annee(texte: str, ancienne: int, nouvelle: int, *, separateur: str) -> str:
    """« calpa-dijon-2023 » → « calpa-dijon-2024 »; without the old year, the new one added."""
    if str(ancienne) in texte:
        debut, _, fin = texte.rpartition(str(ancienne))
        return f"{debut}{nouvelle}{fin}"
    return f"{texte}{separateur}{nouvelle}"


def _objet_convention(
    convention: Convention, slug: str, annee: int, fin: int, marquage: "_Marquage"
) -> dict:
    periode = str(annee) if annee == fin else f"{annee}-{fin}"
    objet = _objet(
        "conventions.convention",
        convention,
        {
            "slug": slug,
            "intitule": _avec_annee(
                convention.intitule, convention.annee_debut, annee, separateur=" "
            )
            if str(convention.annee_debut) in convention.intitule
            else f"{convention.intitule} — {periode}",
            "annee_debut": annee,
            "annee_fin": fin,
            "statut": Convention.Statut.PROJET.value,
            "source": f"brouillon préparé à partir de {convention.slug}",
        },
        exclus=CHAMPS_DU_DOCUMENT - {"source"},
        marquage=marquage,
    )
    return objet


class _Marquage:
    """Marks the texts that speak of the old period (``annees``), and lists them."""

    def __init__(self, annees: range, periode: str):
        self.annees, self.periode, self.marques = annees, periode, []

    def texte(self, instance, champ, valeur: str) -> str:
        if champ.name in JAMAIS_MARQUES or not (
            est_marque(valeur) or parle_de(valeur, self.annees)
        ):
            return valeur
        code = getattr(instance, "code", None)
        nom = f"{instance._meta.verbose_name}{f' {code}' if code else ''}"
        self.marques.append(f"{nom} — {champ.verbose_name}")
        return marquer(valeur, self.periode)


def _objet(label: str, instance, remplacements: dict, *, exclus=frozenset(), marquage=None) -> dict:
    """A fixture object with every field the draft carries over, keys as natural keys; with
    ``marquage``, the wording of the old period marked « à réécrire »."""
    champs = {}
    textes = {champ.name for champ in champs_de_texte(type(instance))}
    for champ in instance._meta.concrete_fields:
        if champ.primary_key or not champ.editable or champ.name in exclus:
            continue
        if champ.name in remplacements:
            champs[champ.name] = remplacements[champ.name]
            continue
        valeur = getattr(instance, champ.name)
        if marquage is not None and champ.name in textes and valeur:
            valeur = marquage.texte(instance, champ, valeur)
        if champ.many_to_one:
            valeur = list(valeur.natural_key()) if valeur is not None else None
        elif isinstance(valeur, Decimal):
            valeur = f"{valeur:.2f}"
        if valeur in ("", None):
            continue  # a draft lists what there is to edit, not every empty field
        champs[champ.name] = valeur
    return {"model": label, "fields": champs}


def _json_par_defaut(valeur):
    if isinstance(valeur, date):
        return valeur.isoformat()
    raise TypeError(valeur)


class _Ecriture(yaml.SafeDumper):
    """Keys in flow style (``[calpa-dijon-2024, "1.1"]``), long texts as blocks, one line per
    field, and no anchors: the loader refuses them."""

    def ignore_aliases(self, data):
        return True


def _liste(dumper, valeur):
    cle = all(not isinstance(element, list | dict) for element in valeur)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", valeur, flow_style=cle)


def _dictionnaire(dumper, valeur):
    # Objects and their fields one per line; nothing else in a draft is a mapping.
    return dumper.represent_mapping("tag:yaml.org,2002:map", valeur, flow_style=False)


def _chaine(dumper, valeur):
    style = "|" if "\n" in valeur else None
    if re.fullmatch(r"\d+(\.\d+)?", valeur):
        style = '"'  # « 1.1 » or « 100000.00 » stay texts, not numbers
    return dumper.represent_scalar("tag:yaml.org,2002:str", valeur, style=style)


_Ecriture.add_representer(list, _liste)
_Ecriture.add_representer(dict, _dictionnaire)
_Ecriture.add_representer(str, _chaine)
