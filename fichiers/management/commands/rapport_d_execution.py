"""``manage.py rapport_d_execution``: the rapport d'exécution of a bilan as a PDF/A-3b (or its
editable DOCX draft), or, with ``--tous``, every rapport of a year in one zip for the État's
filing. The documents are built by ``fichiers.documents``."""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bilans.models import Bilan
from fichiers.documents import docx as brouillon
from fichiers.documents import pdf
from fichiers.documents.rendu import MoteurPdfIndisponible


def auteur_par_defaut() -> str:
    try:
        return f"{getpass.getuser()} (ligne de commande)"
    except (KeyError, OSError):  # no user name in this environment
        return "ligne de commande"


class Command(BaseCommand):
    help = (
        "Écrit le rapport d'exécution d'un bilan en PDF (ou en DOCX), ou ceux de tous les "
        "bilans d'une année dans un zip (--tous)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--convention", metavar="SLUG", help="obligatoire sans --tous")
        parser.add_argument("--annee", required=True, type=int, metavar="N")
        parser.add_argument(
            "--tous",
            action="store_true",
            help="tous les bilans de l'année (un PDF par bilan) dans un zip",
        )
        parser.add_argument("--territoire", metavar="SLUG", help="avec --tous : un territoire")
        parser.add_argument("--docx", action="store_true", help="le brouillon modifiable")
        parser.add_argument("--auteur", default=None, help="le nom imprimé au pied des pages")
        parser.add_argument("-o", "--sortie", required=True, metavar="FICHIER")

    def handle(
        self, *args, convention, annee, tous, territoire, docx: bool, auteur, sortie, **options
    ):
        auteur = auteur or auteur_par_defaut()
        bilans = Bilan.objects.filter(annee=annee).select_related(
            "convention__territoire", "tableau_previsionnel"
        )
        try:
            if tous:
                if territoire:
                    bilans = bilans.filter(convention__territoire__slug=territoire)
                bilans = list(bilans.order_by("convention__territoire__nom", "convention__slug"))
                if not bilans:
                    raise CommandError(f"Aucun bilan {annee}.")
                Path(sortie).write_bytes(pdf.rapports_de_l_annee(bilans, auteur=auteur))
                self.stdout.write(f"{sortie} : {len(bilans)} rapport(s) d'exécution {annee}.")
                return
            if not convention:
                raise CommandError("--convention est obligatoire (ou --tous).")
            bilan = bilans.filter(convention__slug=convention).first()
            if bilan is None:
                raise CommandError(f"Aucun bilan {annee} pour la convention « {convention} ».")
            fabrique = brouillon.rapport_d_execution if docx else pdf.rapport_d_execution
            Path(sortie).write_bytes(fabrique(bilan, auteur=auteur))
        except MoteurPdfIndisponible as erreur:
            raise CommandError(str(erreur)) from None
        self.stdout.write(f"{sortie} : rapport d'exécution {annee} de « {convention} ».")
