"""Restricting a query to the rows of another, without a semi-join when there is nothing to
restrict.

The État's national services and the administrators see every convention: their queryset is
the whole table. ``convention__in=<every convention>`` still makes the database read and hash
every convention, in every query of a page that sums many tables (the synthesis, the
dashboard): a cost that grows with the number of conventions for no row filtered out."""

from django.db.models import Q


def entiere(requete) -> bool:
    """Whether ``requete`` is its model's whole table: no condition, no slice, no union."""
    query = requete.query
    return not query.where and not query.is_sliced and not query.combinator


def parmi(champ: str, requete) -> Q:
    """``champ`` among the rows of ``requete`` (``Q(convention__in=…)``), or no condition when
    ``requete`` is the whole table."""
    if entiere(requete):
        return Q()
    if not requete.query.is_sliced:  # a slice keeps its order: it says which rows
        requete = requete.order_by()
    return Q(**{f"{champ}__in": requete.values("pk")})
