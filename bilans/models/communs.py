"""What the figures' models share: managers whose writes the freeze may refuse."""

from commun.ecritures import RequetesGardees
from conventions.models import (
    ParCleNaturelle,
)

# The figures of a transmitted bilan refuse every write, from every path (gel.py): their
# managers are built on guarded querysets, their save() and delete() ask gel.py first.
Figures = ParCleNaturelle.from_queryset(RequetesGardees)
