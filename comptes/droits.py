"""What a user may do, in the pages as in the admin: one Django permission per thing.

Each thing a page offers is the Django permission the admin already asks for the same objects
(``comptes/roles.py`` gives them to the three roles as groups). Granting or removing one in the
admin — to a group or to one account — changes the page and the admin together; nothing reads
a role's name to decide. Django's ``ModelBackend`` reads a user's permissions once and keeps
them on the user object (``_perm_cache``) for the rest of the request.

Which territoires a user reaches is ``acces.py``; which side (collectivité or État) acts at
each step of a bilan is ``bilans/cycle.py``.
"""

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q

LIRE = "conventions.view_convention"
MODIFIER_LES_TABLEAUX = "conventions.change_engagement"  # the grid, new versions, en vigueur
EXPORTER = "conventions.export_engagement"  # the annex and the lists of amounts, downloaded
# A bilan's workbook and its comparison with the engagements, downloaded: the figures every
# reader of the bilan sees on its pages (the État's reviewer examines that workbook).
TELECHARGER_LE_BILAN = LIRE
# The year's documents as PDF (rapport d'exécution, annexe financière): every reader.
TELECHARGER_LES_DOCUMENTS = LIRE
REMPLIR_LES_BILANS = "bilans.change_rapportaction"  # reports and indicators of a bilan
EXAMINER_LES_BILANS = "bilans.view_bilan"  # the État's review: send back or validate
# Reopen a validated bilan, correct any bilan's transmission date: administrators.
CORRIGER_LE_SUIVI = "bilans.corriger_suivi_bilan"
CHARGER_DES_CONVENTIONS = "conventions.add_convention"  # « Charger une convention »
# Who follows which territoire is a user's profile: changing it is managing the accounts
# (superusers; no role's group holds it).
GERER_LES_COMPTES = "comptes.change_profil"


def peut(utilisateur, permission: str) -> bool:
    return bool(utilisateur.is_authenticated and utilisateur.has_perm(permission))


def qui_peut(permission: str) -> Q:
    """The active accounts holding ``permission`` (through a group, on their own, or as
    superusers), as a filter on users: who receives the reminders to fill a bilan."""
    application, nom = permission.split(".")
    tenue = Q(content_type__app_label=application, codename=nom)
    permissions = Permission.objects.filter(tenue)
    return Q(is_active=True) & (
        Q(is_superuser=True)
        | Q(user_permissions__in=permissions)
        | Q(groups__permissions__in=permissions)
    )


def peut_lire(utilisateur) -> bool:
    return peut(utilisateur, LIRE)


def peut_modifier_les_tableaux(utilisateur) -> bool:
    """Finance officers hold the tableau: they edit its amounts, copy it, put it en vigueur."""
    return peut(utilisateur, MODIFIER_LES_TABLEAUX)


def peut_exporter(utilisateur) -> bool:
    return peut(utilisateur, EXPORTER)


def peut_telecharger_le_bilan(utilisateur) -> bool:
    """Whoever reads a bilan downloads it (its workbook, its comparison as CSV or xlsx); which
    bilans they reach is ``acces.py``'s, as for its page."""
    return peut(utilisateur, TELECHARGER_LE_BILAN)


def peut_telecharger_les_documents(utilisateur) -> bool:
    """The year's documents — a bilan's rapport d'exécution, a tableau's annexe financière, as
    PDF — are the figures every reader of the convention sees on its pages; which conventions
    they reach is ``acces.py``'s."""
    return peut(utilisateur, TELECHARGER_LES_DOCUMENTS)


def peut_telecharger_les_rapports_de_l_annee(utilisateur) -> bool:
    """Every rapport d'exécution of a year in one zip, for the État's filing: its services
    (the État's side of the profile) and the administrators, in their territoires."""
    if not peut_lire(utilisateur):
        return False
    profil = getattr(utilisateur, "profil", None)  # no profile: the collectivité's side
    etat = profil is not None and profil.cote == "etat"
    return etat or peut_charger_des_conventions(utilisateur)


def peut_charger_des_conventions(utilisateur) -> bool:
    """Loading a convention year (and preparing the next) is the administrators' work."""
    return peut(utilisateur, CHARGER_DES_CONVENTIONS)


def peut_gerer_les_comptes(utilisateur) -> bool:
    """Giving an account a territoire to follow (after loading its first convention)."""
    return peut(utilisateur, GERER_LES_COMPTES)


def exiger(condition: bool):
    if not condition:
        raise PermissionDenied("Votre rôle ne permet pas cette action.")
