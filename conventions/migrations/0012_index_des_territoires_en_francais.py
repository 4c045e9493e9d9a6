"""An index of the territoires' names in French order (the ``fr`` collation), on PostgreSQL:
the dashboard sorts its rows by territoire and shows 25 of them; with the index, the database
walks the first territoires in order instead of sorting every tableau en vigueur (the sort
grew with the number of conventions). SQLite compares with a Python function registered on
each connection, which an index would need on every connection that writes: none there."""

from django.db import migrations


def creer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'CREATE INDEX IF NOT EXISTS "territoire_nom_fr" '
            'ON "conventions_territoire" ("nom" COLLATE "fr")'
        )


def supprimer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "territoire_nom_fr"')


class Migration(migrations.Migration):
    dependencies = [
        ("conventions", "0011_regions_et_departements"),
    ]

    operations = [migrations.RunPython(creer, supprimer, elidable=False)]
