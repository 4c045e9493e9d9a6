"""What every aggregate's models share: the amount fields, their totals, the natural-key manager."""

from decimal import Decimal

from django.db import models
from django.db.models import Q, Sum, Value
from django.db.models.functions import Coalesce

from commun.ecritures import RequetesSuivies

MONTANT = {"max_digits": 14, "decimal_places": 2}
ZERO = Value(Decimal("0.00"), output_field=models.DecimalField(**MONTANT))


# Above every amount a field holds (14 digits, 2 decimals). PostgreSQL's numeric also holds
# « NaN », which compares above every number: bounded above, a check refuses it, so no amount
# read from the database is ever a number no cell or total can hold (commun/flux_xlsx.py).
PLAFOND = Decimal(10) ** 12


def montant_positif(champ: str, nom: str) -> models.CheckConstraint:
    """A database check that an amount is a finite number, not negative, with the message
    users read."""
    return models.CheckConstraint(
        condition=Q(**{f"{champ}__gte": 0, f"{champ}__lt": PLAFOND})
        | Q(**{f"{champ}__isnull": True}),
        name=f"%(app_label)s_%(class)s_{champ}_positif",
        violation_error_message=f"Le montant « {nom} » ne peut pas être négatif.",
    )


def somme(champ: str, filtre: Q | None = None):
    """``Coalesce(Sum(...), 0)``: a total that is 0,00 rather than NULL when there is no line."""
    return Coalesce(Sum(champ, filter=filtre), ZERO, output_field=models.DecimalField(**MONTANT))


class ParCleNaturelle(models.Manager.from_queryset(RequetesSuivies)):
    """Finds an object from its natural key, as ``loaddata`` and the yearly loader do.

    The model lists in ``cle_naturelle`` the lookup path of each element its ``natural_key()``
    returns, in the same order, so that a key and the way back from it are read side by side
    rather than in one manager class per model. An element that two paths must both match (a
    mesure's convention, through its indicateur and through its bilan) is a tuple of paths. A
    model with a queryset of its own uses ``ParCleNaturelle.from_queryset(SonQuerySet)()``.
    """

    def get_by_natural_key(self, *cle):
        return self.get(**self.filtres_de_cle(*cle))

    def filtres_de_cle(self, *cle) -> dict:
        """The lookups a natural key stands for, to apply to any queryset (one limited to a
        user's territoires, for the yearly loader)."""
        chemins = self.model.cle_naturelle
        if len(cle) != len(chemins):
            # What calling the former per-model signatures with a wrong key raised.
            raise TypeError(
                f"{self.model.__name__}.get_by_natural_key() takes {len(chemins)} key elements "
                f"but {len(cle)} were given"
            )
        filtres = {}
        for chemin, element in zip(chemins, cle, strict=True):
            for un_chemin in (chemin,) if isinstance(chemin, str) else chemin:
                filtres[un_chemin] = element
        return filtres
