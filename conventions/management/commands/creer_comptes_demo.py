"""Create (or reset) one demo account per role and print their passwords.

Demo accounts are for a developer's machine: the command refuses to run when DEBUG is off.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from conventions import roles
from conventions.models import Territoire

COMPTES = [
    # (identifiant, mot de passe, rôle, nom affiché)
    ("admin", "demo-admin-2026", roles.ADMINISTRATEUR, "Administratrice de démonstration"),
    ("finances", "demo-finances-2026", roles.FINANCES, "Chargé de finances de démonstration"),
    ("agent", "demo-agent-2026", roles.AGENT, "Agente des services sociaux de démonstration"),
]


class Command(BaseCommand):
    help = "Crée un compte de démonstration par rôle (administrateur, finances, agent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Les comptes de démonstration ne sont créés que si DEBUG est actif.")
        # The demo accounts follow every territoire loaded (Dijon Métropole with the fixtures).
        territoires = list(Territoire.objects.all())
        with transaction.atomic():
            for identifiant, mot_de_passe, role, nom in COMPTES:
                roles.creer_compte(
                    identifiant,
                    mot_de_passe=mot_de_passe,
                    role=role,
                    nom=nom,
                    territoires=territoires,
                )
        self.stdout.write("Comptes de démonstration (identifiant / mot de passe / rôle) :")
        for identifiant, mot_de_passe, role, _nom in COMPTES:
            self.stdout.write(f"  {identifiant:<10} {mot_de_passe:<20} {role}")
