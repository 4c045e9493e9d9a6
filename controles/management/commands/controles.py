"""``manage.py controles``: the checks of every convention, as a report or as JSON.

With ``--strict`` the exit status is 1 when there is at least one erreur, for a nightly job;
with ``--regle CODE`` (repeatable) only those rules of the registry run.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from controles.constats import Resume, Severite
from controles.regles import REGLES
from controles.services import controler
from conventions.models import Convention


class Command(BaseCommand):
    help = "Contrôle les conventions : " + ", ".join(r.libelle for r in REGLES) + "."

    def add_arguments(self, parser):
        parser.add_argument("--convention", metavar="SLUG", help="une seule convention")
        parser.add_argument("--annee", type=int, metavar="N", help="une seule année")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--regle",
            action="append",
            choices=[str(r.code) for r in REGLES],
            metavar="CODE",
            help="une règle seulement, répétable : " + ", ".join(str(r.code) for r in REGLES),
        )
        parser.add_argument(
            "--strict", action="store_true", help="code de sortie 1 s'il y a au moins une erreur"
        )

    def handle(
        self,
        *args,
        convention=None,
        annee=None,
        format="text",
        strict=False,
        regle=None,
        **options,
    ):
        conventions = Convention.objects.all()
        if convention:
            conventions = conventions.filter(slug=convention)
            if not conventions.exists():
                raise CommandError(f"Convention inconnue : « {convention} ».")
        constats = controler(conventions if convention else None, annee=annee, regles=regle)
        if annee is not None:
            conventions = conventions.filter(annee_debut__lte=annee, annee_fin__gte=annee)
        if format == "json":
            self.stdout.write(
                json.dumps([c.en_json() for c in constats], ensure_ascii=False, indent=2)
            )
        else:
            self.stdout.write(rapport(constats, conventions.order_by("-annee_debut", "intitule")))
        if strict and any(c.severite == Severite.ERREUR for c in constats):
            raise SystemExit(1)


def rapport(constats, conventions) -> str:
    """A readable report grouped by convention."""
    lignes = []
    for convention in conventions:
        siens = [c for c in constats if c.convention_id == convention.pk]
        lignes.append(f"{convention.intitule} ({convention.periode}) : {Resume.de(siens)}")
        lignes += [_ligne(constat) for constat in siens]
        lignes.append("")
    autres = [c for c in constats if c.convention_id is None]
    if autres:
        lignes.append(f"Sans convention : {Resume.de(autres)}")
        lignes += [_ligne(constat) for constat in autres]
        lignes.append("")
    lignes.append(f"Total : {Resume.de(constats)}")
    return "\n".join(lignes)


def _ligne(constat) -> str:
    return f"  - {constat.severite.label.upper()} · {constat.code.label} · {constat.message}"
