"""Template filters for amounts: ``{{ montant|euros }}`` → « 347 000 € »."""

from django import template

from conventions import formats

register = template.Library()


@register.filter
def euros(montant):
    return formats.euros(montant)


@register.filter
def nombre(valeur):
    return "—" if valeur is None else formats.nombre(valeur)
