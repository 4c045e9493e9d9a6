"""``manage.py generer_donnees``: a deterministic national-scale dataset (load tests, benchmarks).

Write it in a throw-away database: it adds territoires « territoire-001 »… next to the real ones.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from conventions.models import Territoire
from outils.generation import generer, rafraichir_les_statistiques


class Command(BaseCommand):
    help = "Génère un jeu de données national déterministe (territoires × années)."

    def add_arguments(self, parser):
        parser.add_argument("--territoires", type=int, default=120)
        parser.add_argument("--annees", type=int, default=6)
        parser.add_argument("--graine", type=int, default=1)

    def handle(self, *args, territoires, annees, graine, **options):
        if Territoire.objects.filter(slug="territoire-001").exists():
            raise CommandError("Un jeu généré est déjà dans cette base : utilisez une base vide.")
        debut = time.monotonic()
        compte = generer(territoires=territoires, annees=annees, graine=graine)
        rafraichir_les_statistiques()
        self.stdout.write(f"{compte} en {time.monotonic() - debut:.1f} s.")
