"""``manage.py exporter_engagements``: every engagement line, one row each, in one xlsx sheet."""

from django.core.management.base import BaseCommand, CommandError

from conventions.classeurs.lignes import ecrire_lignes, lignes_d_engagement
from conventions.models import Convention, Territoire


class Command(BaseCommand):
    help = (
        "Exporte toutes les lignes d'engagement (toutes conventions et versions, ou une année, "
        "un territoire) en xlsx, une ligne par action et financeur."
    )

    def add_arguments(self, parser):
        parser.add_argument("--annee", type=int, metavar="N")
        parser.add_argument("--territoire", metavar="SLUG")
        parser.add_argument("-o", "--sortie", required=True, metavar="FICHIER.xlsx")

    def handle(self, *args, annee=None, territoire=None, sortie, **options):
        choisi = None
        if territoire:
            choisi = Territoire.objects.filter(slug=territoire).first()
            if choisi is None:
                raise CommandError(f"Territoire inconnu : « {territoire} ».")
        lignes = lignes_d_engagement(Convention.objects.all(), annee=annee, territoire=choisi)
        with open(sortie, "wb") as fichier:
            nombre = ecrire_lignes(lignes, fichier)
        self.stdout.write(f"{sortie} : {nombre} ligne(s) d'engagement.")
