"""One lock order for a tableau's amounts: every writer of a tableau's engagements (the grid,
the workbook import, the admin, the yearly loader) locks the tableau's row first, inside its
transaction, then reads the engagements, then writes an existing one only if its version is
still the one it read. Two writers of the same tableau therefore take turns; the second reads
what the first wrote and is refused (409, or a refusal in an import's report), never a lost
update. On SQLite, where ``select_for_update`` does nothing, transactions open ``IMMEDIATE``
(pauvrete/settings.py) and take the same turns on the whole file.

A writer of several tableaux (the annex import, the yearly loader, the admin's list import)
locks them all at once, before writing any, in the order of their keys
(``tableaux_verrouilles``): two such writers wait for each other, and never each hold a tableau
the other waits for (a deadlock, which PostgreSQL ends by failing one of them).
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q, QuerySet

from .models import Engagement, TableauEngagements


def tableaux_verrouilles(filtre: Q) -> QuerySet:
    """The tableaux ``filtre`` selects, each row locked until the end of the current
    transaction (PostgreSQL), in the order of their keys: the one lock order of every writer
    of several tableaux. Evaluate it inside the writer's atomic block, before any write."""
    assert transaction.get_connection().in_atomic_block, "verrou hors transaction"
    return TableauEngagements._base_manager.select_for_update().filter(filtre).order_by("pk")


def verrouiller_les_tableaux(tableau_ids: Iterable) -> list[int]:
    """Lock these tableaux (in key order, whatever the order given); their keys, in that
    order. Called first by every writer of their engagements, inside its atomic block."""
    ids = {pk for pk in tableau_ids if pk is not None}
    if not ids:
        return []
    return list(tableaux_verrouilles(Q(pk__in=ids)).values_list("pk", flat=True))


def verrouiller_le_tableau(tableau_id) -> None:
    """Lock one tableau's row (see ``verrouiller_les_tableaux``)."""
    verrouiller_les_tableaux([tableau_id])


def prendre_la_version(engagement_id, version_lue: int, modele=Engagement) -> bool:
    """``UPDATE … SET version = lue + 1 WHERE pk = … AND version = lue``: False (nothing
    written) when someone changed the engagement since it was read, or deleted it. ``modele``:
    another model with a ``version`` (a bilan's mesure, for the admin's list import)."""
    return bool(
        modele._base_manager.filter(pk=engagement_id, version=version_lue).update(
            version=version_lue + 1
        )
    )
