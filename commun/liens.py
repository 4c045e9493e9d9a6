"""Links to objects deleted since: a history version keeps the ids its foreign keys had then
(the bilan's budget prévisionnel, an action's axe), and those objects may be gone. Restoring it
would follow a link to nothing: the door says which field, in French, and writes nothing."""

from collections import defaultdict

from django.core.exceptions import ObjectDoesNotExist
from django.db import models


def liens_disparus(objet: models.Model) -> list[str]:
    """One French sentence per foreign key of ``objet`` whose target no longer exists (one
    query per model pointed to, none when no key is set)."""
    par_modele = defaultdict(list)
    for champ in objet._meta.concrete_fields:
        if isinstance(champ, models.ForeignKey):
            valeur = getattr(objet, champ.attname)
            if valeur is not None:
                par_modele[champ.related_model].append((champ, valeur))
    disparus = []
    for modele, champs in par_modele.items():
        presents = set(
            modele._base_manager.filter(pk__in=[v for _c, v in champs]).values_list("pk", flat=True)
        )
        disparus += [
            f"{champ.verbose_name} (n° {valeur}) n'existe plus"
            for champ, valeur in champs
            if valeur not in presents
        ]
    return disparus


def nom_de_version(version) -> str:
    """A history version as its list names it: the object's own name, or, when that name
    follows a link to an object deleted since, its kind and number with what is gone."""
    objet = version.history_object
    try:
        return str(objet)
    except ObjectDoesNotExist:
        disparus = " ; ".join(liens_disparus(objet))
        return f"{objet._meta.verbose_name} n° {objet.pk} ({disparus})"
