"""``manage.py exporter_engagements``: every engagement line, one row each, in one xlsx sheet."""

from django.core.management.base import BaseCommand, CommandError

from conventions.models import TableauEngagements, Territoire
from fichiers.classeurs.lignes import ecrire_lignes, lignes_d_engagement


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
        tableaux = TableauEngagements.objects.all()
        if territoire:
            if not Territoire.objects.filter(slug=territoire).exists():
                raise CommandError(f"Territoire inconnu : « {territoire} ».")
            tableaux = tableaux.filter(convention__territoire__slug=territoire)
        if annee is not None:
            tableaux = tableaux.pour_annee(annee)
        lignes = lignes_d_engagement(tableaux)
        with open(sortie, "wb") as fichier:
            nombre = ecrire_lignes(lignes, fichier)
        self.stdout.write(f"{sortie} : {nombre} ligne(s) d'engagement.")
