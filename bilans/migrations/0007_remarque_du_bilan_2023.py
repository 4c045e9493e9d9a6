"""The transcription of the 2023 bilan of Dijon's CALPA said its deliberation and transmission
dates « restent à renseigner »: true when loaded, false once entered, and the page kept saying
it. The remark now says only what the document shows; the dates say whether they are entered."""

from django.db import migrations

AVANT = (
    "délibération de la convention, et les dates de délibération et de transmission du bilan "
    "restent à renseigner."
)
APRES = "délibération de la convention, pas comme celle du bilan."


def corriger(apps, schema_editor):
    Bilan = apps.get_model("bilans", "Bilan")
    for bilan in Bilan.objects.filter(remarques__endswith=AVANT):
        Bilan.objects.filter(pk=bilan.pk).update(
            remarques=bilan.remarques.removesuffix(AVANT) + APRES
        )


class Migration(migrations.Migration):
    dependencies = [("bilans", "0006_permission_corriger_le_suivi")]

    operations = [migrations.RunPython(corriger, migrations.RunPython.noop)]
