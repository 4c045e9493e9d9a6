"""The ``fr`` collation (commun/collation.py) on PostgreSQL: ICU's French order, in which
« Département » sorts before « Dijon » and « École » among the E. SQLite gets the same name from
a Python function registered on each connection: nothing to create there."""

import django.db.models.functions.comparison
from django.db import migrations, models


def creer_la_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE COLLATION IF NOT EXISTS \"fr\" (provider = icu, locale = 'fr')"
        )


def supprimer_la_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP COLLATION IF EXISTS "fr"')


class Migration(migrations.Migration):

    dependencies = [
        ("conventions", "0006_previsionnel_jamais_en_vigueur"),
    ]

    operations = [
        migrations.RunPython(creer_la_collation, supprimer_la_collation, elidable=False),
        migrations.AlterModelOptions(
            name="territoire",
            options={
                "ordering": [
                    models.OrderBy(
                        django.db.models.functions.comparison.Collate(models.F("nom"), "fr")
                    )
                ],
                "permissions": [
                    ("import_territoire", "Peut importer des territoires (fichier)"),
                    ("export_territoire", "Peut exporter des territoires (fichier)"),
                ],
                "verbose_name": "territoire",
                "verbose_name_plural": "territoires",
            },
        ),
    ]
