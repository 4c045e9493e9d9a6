"""The three roles of the application, as Django groups with their permissions.

- agent: reads everything; fills in the bilans (per-action reports, indicators, mesures), and
  may import and export the mesures as a file in the admin (never the amounts);
- finances: reads everything; edits tableaux des engagements, engagements, avenants, tranches;
  imports and exports the engagement lines, exports mesures, territoires and financeurs;
- administrateur: everything, users included (superuser).
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

AGENT = "agent"
FINANCES = "finances"
ADMINISTRATEUR = "administrateur"
LIBELLES = {AGENT: "agents", FINANCES: "chargés de finances", ADMINISTRATEUR: "administrateurs"}

MODELES = {
    "conventions": [
        "territoire",
        "financeur",
        "convention",
        "avenant",
        "axe",
        "action",
        "tableauengagements",
        "totalimprime",
        "engagement",
        "engagementpluriannuel",
        "tranche",
        "seance",
        "membreseance",
        "deliberation",
        "montantdelibere",
    ],
    "bilans": ["bilan", "rapportaction", "indicateur", "mesure"],
}

ECRITURE = {
    AGENT: {
        "bilans": {"bilan": "c", "rapportaction": "acd", "indicateur": "acd", "mesure": "acdie"}
    },
    FINANCES: {
        "bilans": {"mesure": "e"},
        "conventions": {
            "territoire": "e",
            "financeur": "e",
            "tableauengagements": "acd",
            "engagement": "acdie",
            "totalimprime": "acd",
            "avenant": "acd",
            "engagementpluriannuel": "acd",
            "tranche": "acd",
        },
    },
}
# a: add, c: change, d: delete; i, e: import, export a file in the admin (django-import-export)
ACTIONS = {"a": "add", "c": "change", "d": "delete", "i": "import", "e": "export"}


def _codenames(role: str) -> set[tuple[str, str]]:
    voulues = {(app, f"view_{modele}") for app, modeles in MODELES.items() for modele in modeles}
    for app, modeles in ECRITURE.get(role, {}).items():
        for modele, droits in modeles.items():
            voulues |= {(app, f"{ACTIONS[lettre]}_{modele}") for lettre in droits}
    return voulues


@transaction.atomic
def creer_groupes() -> dict[str, Group]:
    """Create or update the three groups; their permissions are set to exactly the list above."""
    toutes = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.filter(content_type__app_label__in=MODELES).select_related(
            "content_type"
        )
    }
    groupes = {}
    for role in (AGENT, FINANCES, ADMINISTRATEUR):
        groupe, _ = Group.objects.get_or_create(name=role)
        if role == ADMINISTRATEUR:
            groupe.permissions.set(toutes.values())
        else:
            groupe.permissions.set([toutes[cle] for cle in sorted(_codenames(role))])
        groupes[role] = groupe
    return groupes


@transaction.atomic
def creer_compte(
    identifiant: str,
    *,
    mot_de_passe: str,
    role: str,
    nom: str = "",
    territoires=(),
    administration: bool | None = None,
    cote: str = "collectivite",
    courriel: str = "",
):
    """Create or reset an account with exactly one role and the territoires it follows;
    administrators are superusers and see every territoire. Agents work in the pages: they
    reach the admin only when ``administration`` is granted (an administrator can also tick
    « statut équipe » on their account). ``cote`` is the side the user works for
    (« collectivite » or « etat »); ``courriel`` receives the reminders about bilans."""
    from django.contrib.auth import get_user_model

    from comptes.models import Profil

    groupes = creer_groupes()
    utilisateur, _ = get_user_model().objects.get_or_create(username=identifiant)
    utilisateur.first_name = nom
    utilisateur.email = courriel
    utilisateur.is_staff = role != AGENT if administration is None else administration
    utilisateur.is_superuser = role == ADMINISTRATEUR
    utilisateur.set_password(mot_de_passe)
    utilisateur.save()
    utilisateur.groups.set([groupes[role]])
    profil, _ = Profil.objects.get_or_create(utilisateur=utilisateur)
    profil.cote = cote
    profil.save()
    profil.territoires.set(territoires)
    return utilisateur
