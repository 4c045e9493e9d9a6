"""The rules, set by other applications, that may refuse a write on a tableau des engagements.

A tableau can be the budget prévisionnel of a bilan; once that bilan is transmitted to the
préfet, the tableau, its engagements and its printed totals no longer change (``bilans/gel.py``).
The conventions application must not import the bilans application (domain applications import
downwards only), so the bilans application registers its rule here when it starts
(``bilans/apps.py``), and every write on a tableau or its lines asks the registered rules with
the ids of the tableaux it touches: the models' ``garder()`` (``commun/ecritures.py``) and the
writers that go around the ORM (the annex import's bulk SQL).
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError

from commun.ecritures import ancienne_valeur, differe_de_la_base

# regle(ids) -> {id of a tableau that must not change: why, in French}
_regles: list[Callable[[set[int]], dict[int, str]]] = []


def proteger_les_tableaux(regle: Callable[[set[int]], dict[int, str]]) -> None:
    if regle not in _regles:
        _regles.append(regle)


def tableaux_proteges(ids: Iterable[int | None]) -> dict[int, str]:
    """The tableaux among ``ids`` that must not change, with the reason each rule gives."""
    ids = {pk for pk in ids if pk is not None}
    proteges: dict[int, str] = {}
    if ids:
        for regle in _regles:
            proteges.update(regle(ids))
    return proteges


def refuser_si_proteges(ids: Iterable[int | None]) -> None:
    """For writers that go around the ORM: refuse, writing nothing, if one tableau is protected."""
    proteges = tableaux_proteges(ids)
    if proteges:
        raise ValidationError(next(iter(proteges.values())))


def garder_par_tableau(attribut, *, objets=(), requete=None, champs=None, suppression=False):
    """``garder()`` of a model whose rows belong to a tableau through ``attribut`` (``pk`` for
    the tableau itself, ``tableau_id`` for its lines): the tableaux written to, those the rows
    leave, and those of the rows a queryset updates or deletes."""
    ids = {getattr(objet, attribut) for objet in objets}
    if attribut != "pk":
        ids |= {ancienne_valeur(objet, attribut) for objet in objets}
    if requete is not None:
        ids |= set(requete.order_by().values_list(attribut, flat=True).distinct())
    proteges = tableaux_proteges(ids)
    if not proteges:
        return
    if requete is not None:
        raise ValidationError(next(iter(proteges.values())))
    for objet in objets:
        touches = {getattr(objet, attribut)}
        if attribut != "pk":
            touches.add(ancienne_valeur(objet, attribut))
        for pk in touches & set(proteges):
            if suppression or differe_de_la_base(objet, champs):
                raise ValidationError(proteges[pk])
