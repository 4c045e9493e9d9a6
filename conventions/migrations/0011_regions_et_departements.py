"""The régions and départements of the Code officiel géographique (conventions/referentiel/
cog.json), and the territoire's département as one of them rather than a free text: each
existing text is matched to a département by its code or its name, without accents nor case;
a text that matches none is reported and left empty."""

import django.db.models.deletion
from django.db import migrations, models

import django.db.models.functions.comparison


def charger(apps, schema_editor):
    from conventions.models.geographie import charger_le_referentiel

    charger_le_referentiel(apps.get_model("conventions", "Region"), apps.get_model("conventions", "Departement"))


def relier(apps, schema_editor):
    from conventions.models.geographie import DepartementInconnu, DepartementManager

    Territoire = apps.get_model("conventions", "Territoire")
    Departement = apps.get_model("conventions", "Departement")
    connus = list(Departement.objects.all())
    lecteur = DepartementManager()
    for territoire in Territoire.objects.exclude(ancien_departement=""):
        try:
            territoire.departement = lecteur.lire(territoire.ancien_departement, connus)
        except DepartementInconnu as inconnu:
            print(f"\n  Territoire « {territoire.slug} » : {inconnu} ; laissé vide.")
            continue
        territoire.save(update_fields=["departement"])


def delier(apps, schema_editor):
    Territoire = apps.get_model("conventions", "Territoire")
    for territoire in Territoire.objects.exclude(departement=None).select_related("departement"):
        territoire.ancien_departement = territoire.departement.nom
        territoire.save(update_fields=["ancien_departement"])


class Migration(migrations.Migration):

    dependencies = [
        ("conventions", "0010_montants_finis"),
    ]

    operations = [
        migrations.CreateModel(
            name="Region",
            fields=[
                ("code", models.CharField(max_length=3, primary_key=True, serialize=False, verbose_name="code officiel")),
                ("nom", models.CharField(max_length=100, verbose_name="nom")),
            ],
            options={
                "verbose_name": "région",
                "verbose_name_plural": "régions",
                "ordering": [models.OrderBy(django.db.models.functions.comparison.Collate(models.F("nom"), "fr"))],
            },
        ),
        migrations.CreateModel(
            name="Departement",
            fields=[
                ("code", models.CharField(max_length=3, primary_key=True, serialize=False, verbose_name="code officiel")),
                ("nom", models.CharField(max_length=100, verbose_name="nom")),
                ("region", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="departements", to="conventions.region", verbose_name="région")),
            ],
            options={
                "verbose_name": "département",
                "verbose_name_plural": "départements",
                "ordering": ["code"],
            },
        ),
        migrations.RunPython(charger, migrations.RunPython.noop),
        migrations.RenameField(model_name="territoire", old_name="departement", new_name="ancien_departement"),
        migrations.AddField(
            model_name="territoire",
            name="departement",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="territoires", to="conventions.departement", verbose_name="département"),
        ),
        migrations.RunPython(relier, delier),
        migrations.RemoveField(model_name="territoire", name="ancien_departement"),
    ]
