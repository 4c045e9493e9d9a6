"""The stored amounts carry their convention's dispositif and département (the synthesis groups
them without joins). The rows stored before have neither: every stored summary is dropped, and
each convention's is computed again on its first read (``controles.enregistres.a_jour``)."""

import django.db.models.deletion
from django.db import migrations, models


def tout_recalculer(apps, schema_editor):
    for modele in (
        "EtatDesConstats",
        "ConstatEnregistre",
        "MontantEnregistre",
        "EcheanceEnregistree",
    ):
        apps.get_model("controles", modele).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("controles", "0001_constats_montants_et_echeances_enregistres"),
        ("conventions", "0012_index_des_territoires_en_francais"),
    ]

    operations = [
        migrations.AddField(
            model_name="montantenregistre",
            name="dispositif",
            field=models.CharField(default="", max_length=30, verbose_name="dispositif"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="montantenregistre",
            name="departement",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="conventions.departement",
                verbose_name="département",
            ),
        ),
        migrations.RunPython(tout_recalculer, migrations.RunPython.noop, elidable=True),
    ]
