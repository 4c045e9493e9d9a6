"""``manage.py exporter``: the workbook of a convention's tableaux for one year (or period);
with ``--vierge``, the blank annex of a period to fill in Excel and import back."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from conventions.models import Convention
from fichiers.classeurs.export import classeur_des_tableaux, classeur_vierge, tableaux_de


class Command(BaseCommand):
    help = "Exporte le tableau des engagements d'une convention et d'une année en xlsx."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version names a version of the tableau here: it replaces Django's own --version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--convention", required=True, metavar="SLUG")
        parser.add_argument(
            "--annee", required=True, metavar="N", help="année (2023) ou période (2015-2017)"
        )
        parser.add_argument(
            "--version", dest="libelle", metavar="LIBELLE", help="une seule version"
        )
        parser.add_argument("-o", "--sortie", required=True, metavar="FICHIER.xlsx")
        parser.add_argument(
            "--vierge",
            action="store_true",
            help="l'annexe sans montant (toutes les actions, les financeurs de la convention), "
            "à remplir puis importer : pour une année qui n'a pas encore de tableau",
        )

    def handle(self, *args, convention, annee, libelle=None, sortie, vierge=False, **options):
        objet = Convention.objects.filter(slug=convention).first()
        if objet is None:
            raise CommandError(f"Convention inconnue : « {convention} ».")
        debut, _, fin = annee.partition("-")
        try:
            debut, fin = int(debut), int(fin or debut)
        except ValueError:
            raise CommandError(f"Année ou période illisible : « {annee} ».") from None
        if fin < debut:
            raise CommandError(f"Période à l'envers : « {annee} ».")
        if vierge:
            Path(sortie).write_bytes(classeur_vierge(objet, debut, fin))
            self.stdout.write(
                f"{sortie} : annexe vierge {annee} — {objet.actions.count()} action(s) à "
                "remplir, puis : python manage.py importer " + sortie
            )
            return
        tableaux = tableaux_de(objet, debut, fin, libelle)
        if not tableaux:
            raise CommandError(
                f"Aucun tableau pour « {convention} » en {annee}"
                + (f", version « {libelle} »." if libelle else ".")
                + " Pour en commencer un dans Excel : --vierge."
            )
        Path(sortie).write_bytes(classeur_des_tableaux(tableaux))
        self.stdout.write(
            f"{sortie} : {len(tableaux)} feuille(s) — " + ", ".join(t.libelle for t in tableaux)
        )
