"""``manage.py importer``: load a workbook in the export's layout; ``--dry-run`` writes nothing.

One problem anywhere refuses the whole workbook, with its sheet, row and column. A blank cell
leaves its amount as it is; an amount whose action row or financeur column was removed is
deleted only with ``--supprimer``.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from fichiers.classeurs.chargement import importer
from fichiers.classeurs.lecture import ClasseurInvalide


class Command(BaseCommand):
    help = "Importe un classeur xlsx au format de l'export (tableaux des engagements)."

    def add_arguments(self, parser):
        parser.add_argument("fichier", metavar="FICHIER.xlsx")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="affiche ce qui serait créé ou modifié, sans rien écrire",
        )
        parser.add_argument(
            "--supprimer",
            action="store_true",
            help="supprime les montants dont la ligne d'action ou la colonne de financeur a été "
            "retirée du classeur (sans cette option, l'import est refusé s'il y en a)",
        )

    def handle(self, *args, fichier, dry_run=False, supprimer=False, **options):
        chemin = Path(fichier)
        if not chemin.is_file():
            raise CommandError(f"Fichier introuvable : {fichier}")

        def progression(numero, total, feuille):
            self.stderr.write(f"[{numero}/{total}] feuille « {feuille} » lue")

        try:
            rapport = importer(
                chemin.read_bytes(),
                essai=dry_run,
                progression=progression,
                nom_fichier=f"{chemin.name} (ligne de commande)",
                supprimer=supprimer,
            )
        except ClasseurInvalide as erreur:
            raise CommandError("Import refusé, rien n'a été écrit :\n" + str(erreur)) from None
        except DatabaseError as erreur:
            raise CommandError(
                "La base de données a cessé de répondre pendant l'import : rien n'a été écrit "
                f"(transaction annulée). Relancez la même commande. Détail : {erreur}"
            ) from None
        titre = "Essai (--dry-run), rien n'a été écrit :" if dry_run else "Import effectué :"
        self.stdout.write(titre)
        self.stdout.write(str(rapport))
