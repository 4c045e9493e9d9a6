from django.apps import AppConfig
from django.db import connection
from django.db.models.signals import post_migrate


def completer_le_referentiel(sender, **kwargs):
    """After ``migrate`` and after a ``flush`` (a transactional test empties every table): the
    régions and départements of the COG are back, the migration that loaded them is not rerun."""
    from .models import Departement, Region
    from .models.geographie import charger_le_referentiel

    utilisee = kwargs.get("using") or "default"
    if utilisee != connection.alias:
        return
    with connection.cursor() as curseur:
        tables = set(connection.introspection.table_names(curseur))
    if {Region._meta.db_table, Departement._meta.db_table} <= tables:
        charger_le_referentiel(Region, Departement)


class ConventionsConfig(AppConfig):
    name = "conventions"
    verbose_name = "Conventions et engagements"

    def ready(self):
        post_migrate.connect(completer_le_referentiel, sender=self)
