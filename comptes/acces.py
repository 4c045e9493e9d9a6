"""The role of a user and the conventions they may see.

Roles are Django groups (``conventions.roles``); territoires come from the user's ``Profil``.
Administrators see every territoire.
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


def territoires_de(utilisateur):
    if role_de(utilisateur) == roles.ADMINISTRATEUR:
        return Territoire.objects.all()
    return Territoire.objects.filter(profils__utilisateur=utilisateur)


def conventions_de(utilisateur):
    """The conventions a user may see: those of the territoires they follow."""
    if role_de(utilisateur) is None:
        return Convention.objects.none()
    if role_de(utilisateur) == roles.ADMINISTRATEUR:
        return Convention.objects.all()
    return Convention.objects.filter(territoire__profils__utilisateur=utilisateur)


def peut_remplir_les_bilans(utilisateur) -> bool:
    return role_de(utilisateur) in {roles.AGENT, roles.ADMINISTRATEUR}


def peut_exporter(utilisateur) -> bool:
    return role_de(utilisateur) in {roles.FINANCES, roles.ADMINISTRATEUR}


def exiger(condition: bool):
    if not condition:
        raise PermissionDenied("Votre rôle ne permet pas cette action.")
