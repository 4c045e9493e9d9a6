"""``manage.py sauvegarder DOSSIER``: a dated dump of every datum, with natural keys.

Restore into an empty, migrated database with ``manage.py loaddata FICHIER``: the totals and the
constats are the same (tested). Content types, permissions, sessions and the admin log are left
out: migrations recreate the first two, the others are not data.
"""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

EXCLUS = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]


class Command(BaseCommand):
    help = "Écrit une sauvegarde datée (JSON, clés naturelles) dans DOSSIER."

    def add_arguments(self, parser):
        parser.add_argument("dossier")

    def handle(self, *args, dossier, **options):
        chemin = Path(dossier) / f"pauvrete-{timezone.localtime():%Y%m%d-%H%M%S}.json"
        chemin.parent.mkdir(parents=True, exist_ok=True)
        call_command(
            "dumpdata",
            natural_foreign=True,
            natural_primary=True,
            exclude=EXCLUS,
            indent=1,
            output=str(chemin),
        )
        self.stdout.write(f"Sauvegarde écrite : {chemin}")
