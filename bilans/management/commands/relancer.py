"""``manage.py relancer [--dry-run] [--date AAAA-MM-JJ]``: the day's reminders about bilans,
by e-mail (run daily by cron). What was sent is recorded and never sent twice; ``--dry-run``
prints what would be sent and writes nothing. The rules are in ``bilans.relances``."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bilans.relances import a_envoyer, envoyer


def jour(texte: str) -> date:
    try:
        return date.fromisoformat(texte)
    except ValueError:
        raise CommandError(
            f"Date illisible : « {texte} ». Écrivez-la AAAA-MM-JJ, par exemple 2024-03-01."
        ) from None


class Command(BaseCommand):
    help = "Envoie les relances du jour sur les bilans (échéances, retards, transmissions)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="affiche les relances sans rien envoyer"
        )
        parser.add_argument(
            "--date", metavar="AAAA-MM-JJ", help="le jour à considérer (par défaut : aujourd'hui)"
        )

    def handle(self, *args, dry_run=False, date=None, **options):
        aujourdhui = jour(date) if date else timezone.localdate()
        courriels = a_envoyer(aujourdhui)
        if not courriels:
            self.stdout.write(f"Aucune relance à envoyer le {aujourdhui:%d/%m/%Y}.")
            return
        nombre = sum(len(c.destinataires) for c in courriels)
        entete = "Relances qui seraient envoyées" if dry_run else "Relances"
        self.stdout.write(f"{entete} le {aujourdhui:%d/%m/%Y} : {len(courriels)} bilan(s).")
        for courriel in courriels:
            adresses = ", ".join(d.email for d in courriel.destinataires)
            self.stdout.write(f"- {courriel.sujet}")
            if adresses:
                self.stdout.write(f"  à : {adresses}")
            else:
                self.stdout.write(
                    self.style.WARNING(
                        f"  aucun destinataire avec une adresse électronique parmi les "
                        f"utilisateurs qui suivent {courriel.convention.territoire} : "
                        "relance non envoyée."
                    )
                )
        if dry_run:
            self.stdout.write(f"{nombre} courriel(s) seraient envoyés ; rien n'a été envoyé.")
            return
        envoyes, echecs = envoyer(courriels, aujourdhui)
        for echec in echecs:
            self.stderr.write(echec)
        self.stdout.write(f"{envoyes} courriel(s) envoyé(s).")
        if echecs:
            raise CommandError(f"{len(echecs)} courriel(s) non envoyé(s) : voir ci-dessus.")
