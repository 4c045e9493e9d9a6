"""A part (« dont … ») never exceeds its whole, whoever saves it: the bilan's page, the admin, a
list import or a loaded file. The rule takes the batch of values saved together as an argument
(``{indicateur id: valeur}``): they count instead of the database's, so that lowering a whole
and its part at once is not refused.

A door that saves several values at once names its batch for the time of its checks
(``with ensemble({bilan id: valeurs})``); a value saved alone is a batch of one, read against
the database. ``Mesure.clean()`` asks ``verifier`` with the batch of its bilan, so every door
meets the rule."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError

from commun.formats import nombre

_ENSEMBLES: ContextVar[Mapping[int, Mapping[int, object]] | None] = ContextVar(
    "ensembles", default=None
)


@contextmanager
def ensemble(lots: Mapping[int, Mapping[int, object]]) -> Iterator[None]:
    """During the block, the values of ``lots`` (``{bilan id: {indicateur id: valeur}}``)
    are saved together: each counts for the others' check. ``lots`` may still be filled
    during the block (an import reads its lines one by one)."""
    jeton = _ENSEMBLES.set(lots)
    try:
        yield
    finally:
        _ENSEMBLES.reset(jeton)


def lot_de(bilan_id: int) -> Mapping[int, object]:
    """The values saved together with those of ``bilan_id`` now (none outside a batch)."""
    return (_ENSEMBLES.get() or {}).get(bilan_id, {})


def verifier(mesure, lot: Mapping[int, object]) -> None:
    """Refuse ``mesure`` if its value exceeds its whole, or a part exceeds it; the values of
    ``lot`` count instead of the database's."""
    from bilans.models import Mesure

    def valeur_de(indicateur_id):
        if indicateur_id in lot:
            return lot[indicateur_id]
        return (
            Mesure.objects.filter(indicateur_id=indicateur_id, bilan_id=mesure.bilan_id)
            .values_list("valeur", flat=True)
            .first()
        )

    indicateur = mesure.indicateur
    if indicateur.parent_id:
        tout = valeur_de(indicateur.parent_id)
        if tout is not None and mesure.valeur > tout:
            raise ValidationError(
                {
                    "valeur": f"« {indicateur.libelle} » ({nombre(mesure.valeur)}) ne peut pas "
                    f"dépasser « {indicateur.parent.libelle} » ({nombre(tout)})."
                }
            )
    for partie in indicateur.parties.all():
        valeur = valeur_de(partie.pk)
        if valeur is not None and valeur > mesure.valeur:
            raise ValidationError(
                {
                    "valeur": f"« {partie.libelle} » ({nombre(valeur)}) dépasserait "
                    f"« {indicateur.libelle} » ({nombre(mesure.valeur)})."
                }
            )
