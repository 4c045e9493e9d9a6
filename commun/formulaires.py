"""Form fields shared by the admin and the pages: numbers typed the French way, and a select
written without a template per option (the dashboard's list of territoires)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.safestring import mark_safe

from commun.echappement import echapper
from commun.formats import nombre
from commun.montants import MontantRefuse, lire_montant


def option(valeur, libelle, choisie: bool = False) -> str:
    """One ``<option>``, escaped, as Django's template writes it: the lists written in Python
    (``ListeDeChoix``, the synthesis's filters) all write it here."""
    selection = " selected" if choisie else ""
    return f'<option value="{echapper(valeur)}"{selection}>{echapper(libelle)}</option>'


class ListeDeChoix(forms.Select):
    """A ``<select>`` whose options are written in Python: Django renders each option through
    its own template, and builds a dictionary per option first, which for the hundred-odd
    territoires of a national list cost more than the rest of the form. The same markup
    (attributes, ``selected``, option groups)."""

    @staticmethod
    def attributs(attrs: dict) -> str:
        """`` id="…" required``: as Django's ``attrs.html`` writes them, in their order."""
        return "".join(
            f" {nom}" if valeur is True else f' {nom}="{echapper(valeur)}"'
            for nom, valeur in attrs.items()
            if valeur is not False
        )

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        choisies = {str(v) for v in self.format_value(value)}
        deja = False  # one option selected at most, as Django's (unless multiple)

        def une_option(valeur, libelle) -> str:
            nonlocal deja
            choisie = (not deja or self.allow_multiple_selected) and str(valeur) in choisies
            deja = deja or choisie
            return option(valeur, libelle, choisie)

        html = []
        for valeur, libelle in self.choices:
            if isinstance(libelle, list | tuple):
                html.append(f'<optgroup label="{echapper(valeur)}">')
                html += [une_option(v, texte) for v, texte in libelle]
                html.append("</optgroup>")
            else:
                html.append(une_option(valeur, libelle))
        return mark_safe(
            f'<select name="{echapper(name)}"{self.attributs(attrs)}>{"".join(html)}</select>'
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
