"""``manage.py reconduire --convention SLUG --annee N -o FICHIER.yaml``: write the draft of next
year's convention from this year's (``fichiers.annuel.reconduction``), to edit and load with
``charger_convention``."""

from difflib import get_close_matches
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commun.formats import euros
from conventions.models import Convention
from fichiers.annuel.reconduction import ReconductionImpossible, reconduire


class Command(BaseCommand):
    help = "Écrit le brouillon de la convention de l'année N à partir d'une convention existante."

    def add_arguments(self, parser):
        parser.add_argument("--convention", required=True, metavar="SLUG")
        parser.add_argument("--annee", required=True, type=int, metavar="N")
        parser.add_argument(
            "-o", "--sortie", required=True, metavar="FICHIER.yaml", help="ou FICHIER.json"
        )
        parser.add_argument(
            "--slug", help="identifiant de la nouvelle convention (par défaut, l'année remplacée)"
        )

    def handle(self, *args, convention, annee, sortie, slug=None, **options):
        source = Convention.objects.filter(slug=convention).first()
        if source is None:
            proches = get_close_matches(
                convention, list(Convention.objects.values_list("slug", flat=True)), n=1
            )
            conseil = f" Vouliez-vous dire « {proches[0]} » ?" if proches else ""
            raise CommandError(f"Convention « {convention} » introuvable.{conseil}")
        try:
            brouillon = reconduire(source, annee, slug=slug)
        except ReconductionImpossible as erreur:
            raise CommandError(str(erreur)) from None
        chemin = Path(sortie)
        format_ = "json" if chemin.suffix.lower() == ".json" else "yaml"
        try:
            chemin.write_text(brouillon.en_texte(format_), encoding="utf-8")
        except OSError as erreur:
            raise CommandError(f"Impossible d'écrire {chemin} : {erreur.strerror}.") from None
        totaux = " ; ".join(f"{nom} {euros(montant)}" for nom, montant in brouillon.totaux)
        self.stdout.write(
            f"Brouillon de {brouillon.convention} ({brouillon.periode}) écrit dans {chemin} : "
            f"{brouillon.axes} axe(s), {brouillon.actions} action(s) prolongeant celles de "
            f"{source.slug}" + (f", montants repris : {totaux}." if totaux else ", sans montant.")
        )
        if brouillon.a_reecrire:
            self.stdout.write(
                f"{len(brouillon.a_reecrire)} texte(s) de {source.periode} à réécrire, marqués "
                f"« [à réécrire pour {brouillon.periode}] » : " + " ; ".join(brouillon.a_reecrire)
            )
        self.stdout.write(
            f"Modifiez-le, puis : python manage.py charger_convention {chemin} --dry-run"
        )
