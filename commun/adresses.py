"""Addresses of a list's conventions, reversed once: ``reverse`` per row cost a tenth of a
millisecond each, for lists of a hundred conventions (the dashboard's page, the synthesis)."""

from collections.abc import Callable

from django.urls import reverse

SLUG = "--slug--"  # a valid slug, reversed once, replaced by each convention's


def par_slug(nom: str, *suite) -> Callable[[str], str]:
    """slug → the address of the view ``nom`` for that convention (``suite``: the arguments
    after the slug, the same for the whole list)."""
    modele = reverse(nom, args=[SLUG, *suite])
    return lambda slug: modele.replace(SLUG, slug)
