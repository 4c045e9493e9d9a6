"""``manage.py charger_convention FICHIER [--dry-run]``: load a convention year from a fixture
file (JSON or YAML, natural keys) that an administrator wrote or got from ``reconduire``.

Every problem of the file is listed, each with its object, line and field; nothing is written
unless the whole file is right. The work is done by ``fichiers.annuel.chargement``.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from fichiers.annuel.chargement import charger
from fichiers.annuel.fichier import LIMITE, TAILLE_MAX, FichierInvalide, poids


class Command(BaseCommand):
    help = "Charge une convention depuis un fichier JSON ou YAML (clés naturelles)."

    def add_arguments(self, parser):
        parser.add_argument("fichier", metavar="FICHIER")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="vérifie et affiche ce qui serait créé ou modifié, sans rien écrire",
        )

    def handle(self, *args, fichier, dry_run=False, **options):
        chemin = Path(fichier)
        if not chemin.is_file():
            raise CommandError(f"Fichier introuvable : {fichier}")
        if chemin.stat().st_size > TAILLE_MAX:
            raise CommandError(
                f"Chargement refusé : {chemin.name} pèse {poids(chemin.stat().st_size)}, {LIMITE}."
            )
        try:
            rapport = charger(chemin.read_bytes(), nom_fichier=chemin.name, essai=dry_run)
        except FichierInvalide as refus:
            nombre = len(refus.erreurs)
            raise CommandError(
                f"Chargement refusé, rien n'a été écrit : {nombre} problème(s) dans "
                f"{chemin.name}.\n{refus}"
            ) from None
        except DatabaseError as erreur:
            raise CommandError(
                "La base de données a cessé de répondre pendant le chargement : rien n'a été "
                f"écrit (transaction annulée). Relancez la même commande. Détail : {erreur}"
            ) from None
        titre = "Essai (--dry-run), rien n'a été écrit :" if dry_run else f"{chemin.name} chargé :"
        self.stdout.write(titre)
        self.stdout.write(str(rapport))
