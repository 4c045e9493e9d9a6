"""One lock order for a tableau's amounts: every writer of a tableau's engagements (the grid,
the workbook import, the admin, the yearly loader) locks the tableau's row first, inside its
transaction, then reads the engagements, then writes an existing one only if its version is
still the one it read. Two writers of the same tableau therefore take turns; the second reads
what the first wrote and is refused (409, or a refusal in an import's report), never a lost
update. On SQLite, where ``select_for_update`` does nothing, transactions open ``IMMEDIATE``
(pauvrete/settings.py) and take the same turns on the whole file.
"""

from django.db import transaction

from .models import Engagement, TableauEngagements


def verrouiller_le_tableau(tableau_id) -> None:
    """Lock the tableau's row until the end of the current transaction (PostgreSQL); called
    first by every writer of its engagements, inside its atomic block."""
    if tableau_id is None:
        return
    assert transaction.get_connection().in_atomic_block, "verrou hors transaction"
    list(
        TableauEngagements._base_manager.select_for_update()
        .filter(pk=tableau_id)
        .values_list("pk", flat=True)
    )


def prendre_la_version(engagement_id, version_lue: int) -> bool:
    """``UPDATE … SET version = lue + 1 WHERE pk = … AND version = lue``: False (nothing
    written) when someone changed the engagement since it was read, or deleted it."""
    return bool(
        Engagement._base_manager.filter(pk=engagement_id, version=version_lue).update(
            version=version_lue + 1
        )
    )
