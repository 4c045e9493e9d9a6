"""The admin's « Recent actions » without the objects of territoires the user no longer follows.

Django lists a user's own actions only, but a profile changes: an administrator moved to another
département would still read the names of the first one's conventions there.
"""

from django import template
from django.contrib.admin.models import LogEntry

from comptes.acces import est_rattache_a_un_territoire, filtrer_par_territoire

register = template.Library()


@register.simple_tag(takes_context=True)
def journal_visible(context, limite=10):
    utilisateur = context["user"]
    entrees = list(
        LogEntry.objects.filter(user=utilisateur).select_related("content_type")[:limite]
    )
    ids_par_modele = {}
    for entree in entrees:
        modele = entree.content_type.model_class() if entree.content_type else None
        if est_rattache_a_un_territoire(modele):
            ids_par_modele.setdefault(modele, set()).add(entree.object_id)
    visibles = {
        (modele, str(pk))
        for modele, ids in ids_par_modele.items()
        for pk in filtrer_par_territoire(
            modele._default_manager.filter(pk__in=ids), utilisateur
        ).values_list("pk", flat=True)
    }
    return [
        entree
        for entree in entrees
        if entree.content_type is None
        or not est_rattache_a_un_territoire(entree.content_type.model_class())
        or (entree.content_type.model_class(), entree.object_id) in visibles
    ]
