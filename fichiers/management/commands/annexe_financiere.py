"""``manage.py annexe_financiere``: one version of a convention's tableau des engagements as
the annexe financière to sign, a PDF/A-3b built by ``fichiers.documents``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from conventions.models import TableauEngagements
from fichiers.documents import pdf
from fichiers.documents.rendu import MoteurPdfIndisponible
from fichiers.management.commands.rapport_d_execution import auteur_par_defaut


class Command(BaseCommand):
    help = "Écrit l'annexe financière d'une version d'un tableau des engagements en PDF."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version names a version of the tableau here: it replaces Django's own --version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--convention", required=True, metavar="SLUG")
        parser.add_argument("--annee", required=True, type=int, metavar="N")
        parser.add_argument(
            "--version",
            dest="libelle",
            metavar="LIBELLE",
            help="le libellé de la version (par défaut : celle en vigueur)",
        )
        parser.add_argument("--auteur", default=None, help="le nom imprimé au pied des pages")
        parser.add_argument("-o", "--sortie", required=True, metavar="FICHIER.pdf")

    def handle(self, *args, convention, annee, libelle=None, auteur, sortie, **options):
        tableaux = TableauEngagements.objects.filter(convention__slug=convention).pour_annee(annee)
        tableau = (
            tableaux.filter(libelle=libelle) if libelle else tableaux.filter(en_vigueur=True)
        ).first()
        if tableau is None:
            versions = ", ".join(f"« {t.libelle} »" for t in tableaux) or "aucune"
            raise CommandError(
                f"Aucun tableau {'« ' + libelle + ' »' if libelle else 'en vigueur'} pour "
                f"« {convention} » en {annee}. Versions de l'année : {versions}."
            )
        try:
            contenu = pdf.annexe_financiere(tableau, auteur=auteur or auteur_par_defaut())
        except MoteurPdfIndisponible as erreur:
            raise CommandError(str(erreur)) from None
        Path(sortie).write_bytes(contenu)
        self.stdout.write(f"{sortie} : annexe financière « {tableau.libelle} ».")
