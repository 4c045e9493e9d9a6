"""Template filters for amounts: ``{{ montant|euros }}`` → « 347 000 € »."""

from django import template

from commun import formats

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


@register.filter
def soustraire(montant, autre):
    """What remains of a multi-year commitment once its tranches are spread."""
    if montant is None:
        return None
    return montant - (autre or 0)


@register.filter
def par_colonne(montants, financeurs):
    """``(financeur, montant)`` pairs of an annex line, so that each cell names its column
    (``data-label``, written before the figure when a phone shows the rows as blocks)."""
    return zip(financeurs, montants, strict=False)
