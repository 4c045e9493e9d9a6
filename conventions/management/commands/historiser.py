"""``manage.py historiser``: a first history line for objects loaded without one (loaddata)."""

from django.core.management.base import BaseCommand

from commun.historique import poser_le_socle


class Command(BaseCommand):
    help = "Crée la première ligne d'historique des objets chargés par loaddata."

    def handle(self, *args, **options):
        self.stdout.write(f"{poser_le_socle()} ligne(s) d'historique initiale(s).")
