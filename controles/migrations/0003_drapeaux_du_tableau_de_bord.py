"""The dashboard's two flags in each convention's stored state. The states stored before have
not computed them: they are all made out of date, and computed again at their next read."""

from django.db import migrations, models


def perimer(apps, schema_editor):
    apps.get_model("controles", "EtatDesConstats").objects.update(calcule_pour=0)


class Migration(migrations.Migration):
    dependencies = [
        ("controles", "0002_montants_avec_dispositif_et_departement"),
    ]

    operations = [
        migrations.AddField(
            model_name="etatdesconstats",
            name="periodes_sans_version_en_vigueur",
            field=models.PositiveIntegerField(
                default=0, verbose_name="périodes sans version en vigueur"
            ),
        ),
        migrations.AddField(
            model_name="etatdesconstats",
            name="sans_tableau_en_vigueur",
            field=models.BooleanField(default=False, verbose_name="sans tableau en vigueur"),
        ),
        migrations.RunPython(perimer, migrations.RunPython.noop, elidable=True),
    ]
