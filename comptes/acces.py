"""The role of a user and the conventions they may see.

Roles are Django groups (``conventions.roles``); territoires come from the user's ``Profil``.
Superusers see every territoire. An administrateur who is not a superuser is scoped to the
territoires of their profile, like everyone else: a département's administrator loads and edits
that département's conventions only.
"""

from django.core.exceptions import PermissionDenied

from conventions import roles
from conventions.models import Convention, Territoire


def role_de(utilisateur) -> str | None:
    if not utilisateur.is_authenticated:
        return None
    if utilisateur.is_superuser:
        return roles.ADMINISTRATEUR
    noms = {groupe.name for groupe in utilisateur.groups.all()}
    for role in (roles.ADMINISTRATEUR, roles.FINANCES, roles.AGENT):
        if role in noms:
            return role
    return None


def voit_tous_les_territoires(utilisateur) -> bool:
    return utilisateur.is_authenticated and utilisateur.is_superuser


def territoires_de(utilisateur):
    if voit_tous_les_territoires(utilisateur):
        return Territoire.objects.all()
    return Territoire.objects.filter(profils__utilisateur=utilisateur)


def conventions_de(utilisateur):
    """The conventions a user may see: those of the territoires they follow."""
    if role_de(utilisateur) is None:
        return Convention.objects.none()
    if voit_tous_les_territoires(utilisateur):
        return Convention.objects.all()
    return Convention.objects.filter(territoire__profils__utilisateur=utilisateur)


def peut_remplir_les_bilans(utilisateur) -> bool:
    return role_de(utilisateur) in {roles.AGENT, roles.ADMINISTRATEUR}


def peut_modifier_les_tableaux(utilisateur) -> bool:
    """Finance officers hold the tableau: they edit its amounts, copy it, put it en vigueur."""
    return role_de(utilisateur) in {roles.FINANCES, roles.ADMINISTRATEUR}


def peut_exporter(utilisateur) -> bool:
    return role_de(utilisateur) in {roles.FINANCES, roles.ADMINISTRATEUR}


def peut_charger_des_conventions(utilisateur) -> bool:
    """Loading a convention year (and preparing the next) is the administrators' work."""
    return role_de(utilisateur) == roles.ADMINISTRATEUR and utilisateur.has_perm(
        "conventions.add_convention"
    )


def exiger(condition: bool):
    if not condition:
        raise PermissionDenied("Votre rôle ne permet pas cette action.")


# How each model reaches its territoire, for the admin's lists and forms.
CHEMINS_TERRITOIRE = {
    "conventions.territoire": "pk__in",
    "conventions.convention": "territoire__in",
    "conventions.avenant": "convention__territoire__in",
    "conventions.axe": "convention__territoire__in",
    "conventions.action": "convention__territoire__in",
    "conventions.tableauengagements": "convention__territoire__in",
    "conventions.engagementpluriannuel": "convention__territoire__in",
    "conventions.tranche": "engagement__convention__territoire__in",
    "conventions.engagement": "tableau__convention__territoire__in",
    "conventions.totalimprime": "tableau__convention__territoire__in",
    "conventions.seance": "territoire__in",
    "conventions.membreseance": "seance__territoire__in",
    "conventions.deliberation": "seance__territoire__in",
    "conventions.montantdelibere": "deliberation__seance__territoire__in",
    "bilans.bilan": "convention__territoire__in",
    "bilans.rapportaction": "bilan__convention__territoire__in",
    "bilans.mesure": "bilan__convention__territoire__in",
    "bilans.indicateur": "action__convention__territoire__in",
}


def filtrer_par_territoire(queryset, utilisateur):
    """Keep the rows of the territoires the user follows (all of them for a superuser)."""
    if voit_tous_les_territoires(utilisateur):
        return queryset
    chemin = CHEMINS_TERRITOIRE[queryset.model._meta.label_lower]
    return queryset.filter(**{chemin: territoires_de(utilisateur)})


class TerritoireAdminMixin:
    """Admin screens show and edit only the objects of the user's territoires."""

    def get_queryset(self, request):
        return filtrer_par_territoire(super().get_queryset(request), request.user)
