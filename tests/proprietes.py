"""How hard the property tests (hypothesis) search, by profile.

Each property test states its own number of examples, chosen for what it explores (400 random
files for the yearly loader, 120 damaged workbooks…) and written as ``exemples(n)``. A profile
scales them all: ``HYPOTHESIS_PROFILE=rapide`` while iterating on one test, ``approfondi`` for a
deliberate deep search (``make test-approfondi``). CI and ``make test`` run ``ci``: every test's
full count, on SQLite and on PostgreSQL, so that no landing weakens a search.
"""

from hypothesis import settings

# max_examples is the scale, in percent of each test's own count.
PROFILS = {
    "ci": {"max_examples": 100},
    "rapide": {"max_examples": 25},
    "approfondi": {"max_examples": 1000},
}


def exemples(nombre: int) -> int:
    """``nombre`` examples scaled by the active profile (``nombre`` itself under « ci »)."""
    return max(1, nombre * settings.default.max_examples // 100)
