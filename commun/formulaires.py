"""Form fields shared by the admin and the pages: numbers typed the French way, and a select
written without a template per option (the dashboard's list of territoires)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import format_html, format_html_join

from commun.formats import nombre
from commun.montants import MontantRefuse, lire_montant


class ListeDeChoix(forms.Select):
    """A ``<select>`` whose options are written in Python: Django renders each option through
    its own template, which for the hundred-odd territoires of a national list cost more than
    the rest of the form. The same markup (attributes, ``selected``, option groups)."""

    @staticmethod
    def attributs(attrs: dict) -> str:
        """`` id="…" required``: as Django's ``attrs.html`` writes them, in their order."""
        return format_html_join(
            "",
            " {}{}",
            (
                (nom, "" if valeur is True else format_html('="{}"', valeur))
                for nom, valeur in attrs.items()
                if valeur is not False
            ),
        )

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groupes = []
        for nom_du_groupe, options, _index in widget["optgroups"]:
            html = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (option["value"], self.attributs(option["attrs"]), option["label"])
                    for option in options
                ),
            )
            if nom_du_groupe:
                html = format_html('<optgroup label="{}">{}</optgroup>', nom_du_groupe, html)
            groupes.append(html)
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            self.attributs(widget["attrs"]),
            format_html_join("", "{}", ((groupe,) for groupe in groupes)),
        )


class NombreFrancais(forms.DecimalField):
    """The form field of every amount and indicator value (pages, grid, admin): « 1,00 »,
    « 442 932 », « 347 000 € » or « 1234.5 », read by ``lire_montant`` as the imports read
    them; shown with a decimal comma. ``nature="valeur"`` for an indicator's words."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, *args, nature: str = "montant", **kwargs):
        kwargs.setdefault("localize", True)
        self.nature = nature
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        """A stored amount with its thousands apart (« 100 000,00 », not « 100000,00 »); what
        the person typed is shown as typed."""
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            texte = nombre(value)
            return texte if "," in texte else f"{texte},00"
        return super().prepare_value(value)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
        try:
            return lire_montant(value, nature=self.nature)
        except MontantRefuse as erreur:
            raise ValidationError(str(erreur), code="invalid") from None


class NombresFrancaisMixin:
    """Admin screens: every decimal field typed the French way."""

    formfield_overrides = {models.DecimalField: {"form_class": NombreFrancais}}
