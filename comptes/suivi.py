"""Who follows a territoire, and giving it to more accounts.

A convention loaded for a new territoire is seen by the superusers only: nobody follows that
territoire yet (``Profil.territoires``, read by ``acces.py``). The load's result screen says so,
names who follows it otherwise, and lets whoever manages the accounts (``droits.GERER_LES_COMPTES``)
give it to chosen accounts in one go.
"""

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction

from comptes.acces import role_de, territoires_de
from comptes.droits import exiger, peut_gerer_les_comptes
from comptes.models import Profil


def comptes_actifs():
    """Active accounts other than the superusers (who see every territoire anyway), with what
    their label reads (role, side)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False)
        .select_related("profil")
        .prefetch_related("groups")
        .order_by("username")
    )


def suiveurs(territoire):
    return comptes_actifs().filter(profil__territoires=territoire)


def a_qui_l_accorder(territoire):
    return comptes_actifs().exclude(profil__territoires=territoire)


def libelle(utilisateur) -> str:
    """« Agente de démonstration (agent) — agent, services de l'État »."""
    nom, identifiant = utilisateur.get_full_name().strip(), utilisateur.get_username()
    texte = f"{nom} ({identifiant})" if nom else identifiant
    role = role_de(utilisateur) or "sans rôle"
    profil = getattr(utilisateur, "profil", None)
    cote = f", {profil.get_cote_display()}" if profil is not None and profil.cote == "etat" else ""
    return f"{texte} — {role}{cote}"


@transaction.atomic
def accorder(*, territoire, utilisateurs, par) -> list:
    """Add ``territoire`` to the territoires each of ``utilisateurs`` follows; all or nothing.
    Only who manages the accounts, and only a territoire they reach themselves."""
    exiger(peut_gerer_les_comptes(par))
    if not territoires_de(par).filter(pk=territoire.pk).exists():
        raise PermissionDenied("Ce territoire n'est pas parmi les vôtres.")
    accordes = []
    for utilisateur in utilisateurs:
        profil, _ = Profil.objects.get_or_create(utilisateur=utilisateur)
        profil.territoires.add(territoire)
        accordes.append(utilisateur)
    if accordes:
        LogEntry.objects.log_actions(
            par.pk,
            Profil.objects.filter(utilisateur__in=accordes),
            CHANGE,
            change_message=f"Territoire suivi ajouté : {territoire}.",
        )
    return accordes
