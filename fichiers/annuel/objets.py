"""What the loader asks of one object: its validation in steps, whether a field changes, the
convention and the territoire it belongs to, the version en vigueur it would displace."""

from django.core.exceptions import NON_FIELD_ERRORS

from commun.validation import erreurs_des_etapes, valider_par_etapes
from conventions.models import TableauEngagements
from conventions.versions import en_vigueur_de_la_periode

# The path from each kind of object to its convention.
CHEMINS_CONVENTION = {
    "conventions.convention": "",
    "conventions.avenant": "convention",
    "conventions.axe": "convention",
    "conventions.action": "convention",
    "conventions.tableauengagements": "convention",
    "conventions.engagement": "tableau.convention",
    "conventions.totalimprime": "tableau.convention",
    "conventions.engagementpluriannuel": "convention",
    "conventions.tranche": "engagement.convention",
    "conventions.deliberation": "convention",
    "bilans.bilan": "convention",
    "bilans.rapportaction": "bilan.convention",
    "bilans.indicateur": "action.convention",
    "bilans.mesure": "bilan.convention",
}


class DependDUnRefus(Exception):
    """The object points at an object of the file that was refused: that refusal says why."""


def valider(instance, cles_resolues: list[str]):
    """``full_clean`` without re-reading the related objects just found, but with every
    uniqueness and database constraint (``full_clean(exclude=…)`` would skip those)."""
    erreurs = erreurs_des_etapes(
        [lambda: instance.clean_fields(exclude=cles_resolues), instance.clean]
    )
    # As ``full_clean`` does, a field already refused is left out of the uniqueness and
    # constraint checks: its value (an integer beyond 64 bits…) cannot even be queried, and
    # ``clean`` already said why (a due date of 31 April), which the constraint would repeat.
    refuses = set(erreurs) - {NON_FIELD_ERRORS}
    valider_par_etapes(
        [
            lambda: instance.validate_unique(exclude=refuses),
            lambda: instance.validate_constraints(exclude=refuses),
        ],
        erreurs,
    )


def differe(instance, nom_champ: str, valeur) -> bool:
    if instance.pk is None:
        return True
    champ = instance._meta.get_field(nom_champ)
    if champ.many_to_one:
        return getattr(instance, champ.attname) != (valeur.pk if valeur is not None else None)
    return getattr(instance, nom_champ) != valeur


def suivre(instance, chemin: str):
    for attribut in filter(None, chemin.split(".")):
        instance = getattr(instance, attribut, None)
        if instance is None:
            return None
    return instance


def convention_de(label: str, instance):
    if label not in CHEMINS_CONVENTION:
        return None
    return suivre(instance, CHEMINS_CONVENTION[label])


def territoire_de(label: str, instance) -> int | None:
    from comptes.acces import CHEMINS_TERRITOIRE

    chemin = CHEMINS_TERRITOIRE.get(label)
    if chemin is None:
        return None
    territoire = suivre(instance, chemin.removesuffix("__in").replace("__", "."))
    return territoire.pk if territoire is not None else None


def autre_en_vigueur(tableau: TableauEngagements) -> str:
    autre = en_vigueur_de_la_periode(tableau)
    return f" (« {autre.libelle} ») : un seul tableau en vigueur par période" if autre else ""
