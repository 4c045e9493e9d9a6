"""Create (or reset) one demo account per role and print their passwords.

Demo accounts are for a developer's machine: the command refuses to run when DEBUG is off,
unless LOCAL is on (``make run``: DEBUG off, served on this machine only).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from comptes import roles
from conventions.models import Territoire

COMPTES = [
    # (identifiant, mot de passe, rôle, côté, nom affiché)
    (
        "admin",
        "demo-admin-2026",
        roles.ADMINISTRATEUR,
        "collectivite",
        "Administratrice de démonstration",
    ),
    (
        "finances",
        "demo-finances-2026",
        roles.FINANCES,
        "collectivite",
        "Chargé de finances de démonstration",
    ),
    (
        "agent",
        "demo-agent-2026",
        roles.AGENT,
        "collectivite",
        "Agente des services sociaux de démonstration",
    ),
    (
        "etat",
        "demo-etat-2026",
        roles.AGENT,
        "etat",
        "Instructeur des services de l'État (démonstration)",
    ),
]


class Command(BaseCommand):
    help = (
        "Crée un compte de démonstration par rôle (administrateur, finances, agent) et un "
        "compte des services de l'État (etat)."
    )

    def handle(self, *args, **options):
        if not (settings.DEBUG or getattr(settings, "LOCAL", False)):
            raise CommandError(
                "Les comptes de démonstration ne sont créés que si DEBUG est actif, ou LOCAL "
                "(make run, sur cette machine)."
            )
        # The demo accounts follow every territoire loaded (Dijon Métropole with the fixtures).
        territoires = list(Territoire.objects.all())
        with transaction.atomic():
            for identifiant, mot_de_passe, role, cote, nom in COMPTES:
                roles.creer_compte(
                    identifiant,
                    mot_de_passe=mot_de_passe,
                    role=role,
                    nom=nom,
                    territoires=territoires,
                    cote=cote,
                    courriel=f"{identifiant}@demo.invalid",
                )
        self.stdout.write("Comptes de démonstration (identifiant / mot de passe / rôle / côté) :")
        for identifiant, mot_de_passe, role, cote, _nom in COMPTES:
            self.stdout.write(f"  {identifiant:<10} {mot_de_passe:<20} {role:<15} {cote}")
