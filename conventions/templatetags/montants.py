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


@register.filter
def pourcentage(taux):
    return "—" if taux is None else formats.pourcentage(taux)


@register.filter
def ecart_euros(montant):
    return formats.ecart_euros(montant)


@register.filter
def mois(numero):
    """3 → « mars »."""
    return formats.MOIS[int(numero) - 1]
