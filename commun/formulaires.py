"""Form fields shared by the admin and the pages: numbers typed the French way."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from commun.formats import lire_nombre


class NombreFrancais(forms.DecimalField):
    """« 1,00 », « 442 932 », « 347 000 € » or « 1234.5 »: read by the annex import's own
    reader, so that « 1.234 » is refused as ambiguous here too; shown with a decimal comma."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("localize", True)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return lire_nombre(str(value))
        except ValueError as erreur:
            raise ValidationError(str(erreur), code="invalid") from None


class NombresFrancaisMixin:
    """Admin screens: every decimal field typed the French way."""

    formfield_overrides = {models.DecimalField: {"form_class": NombreFrancais}}
