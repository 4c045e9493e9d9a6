"""Writes on bilans: an action's report and its indicators, saved together or not at all."""

from django.db import transaction

from bilans import decomposition
from bilans.models import Bilan, Mesure, RapportAction


@transaction.atomic
def enregistrer_rapport(*, bilan: Bilan, rapport: RapportAction, valeurs: dict) -> None:
    """Save the report and the values of its indicators (an empty value removes the mesure)."""
    rapport.bilan = bilan
    rapport.full_clean()
    rapport.save()
    lot = {indicateur.pk: valeur for indicateur, valeur in valeurs.items()}
    for indicateur, valeur in valeurs.items():
        if valeur is None:
            Mesure.objects.filter(indicateur=indicateur, bilan=bilan).delete()
            continue
        mesure, cree = Mesure.objects.select_for_update().get_or_create(
            indicateur=indicateur, bilan=bilan, defaults={"valeur": valeur}
        )
        if cree or mesure.valeur == valeur:
            continue
        mesure.valeur = valeur
        mesure.version += 1
        with decomposition.ensemble({bilan.pk: lot}):
            mesure.full_clean()
        mesure.save()
