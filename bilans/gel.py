"""When a bilan's figures are frozen, and the check every write of them goes through.

Once the collectivité transmits its bilan to the préfet (and after the État validates it), the
figures it sent no longer change, whoever writes and however: the bilan's own amounts and texts,
its per-action reports, the values of its indicators, the indicators it measured and its budget
prévisionnel (the tableau, its lines and its printed totals). The freeze follows the status
alone, and only the cycle moves the bilan (``cycle.py``): « renvoyer à compléter », and
« rouvrir » a validated bilan, unfreeze it; its status and transmission date (corrected with a
motif) are all a frozen bilan accepts.

The rule is asked by the models themselves (``garder()``, ``commun/ecritures.py``) on every
save, delete and bulk write, and by ``clean()`` so that forms and the loader show it as an error;
for the tableaux, which belong to the conventions application, through the registry of
``conventions/models/gardes.py`` (``apps.py`` registers :func:`previsionnels_geles`).
"""

from django.core.exceptions import ValidationError

from commun.ecritures import ancienne_valeur, differe_de_la_base

# What the cycle writes when it moves a frozen bilan; every other field is a figure.
CHAMPS_DU_CYCLE = frozenset({"statut", "date_transmission"})


def statuts_geles() -> frozenset:
    from .models import Bilan

    return frozenset({Bilan.Statut.TRANSMIS, Bilan.Statut.VALIDE})


def est_gele(bilan) -> bool:
    return bilan.statut in statuts_geles()


def phrase(bilan) -> str:
    """Why this bilan's figures no longer change, as users read it."""
    from .models import Bilan

    if bilan.statut == Bilan.Statut.VALIDE:
        return (
            f"Bilan {bilan.annee} validé par les services de l'État : ses chiffres sont définitifs."
        )
    quand = f" le {bilan.date_transmission:%d/%m/%Y}" if bilan.date_transmission else ""
    return (
        f"Bilan {bilan.annee} transmis au préfet{quand} : ses chiffres ne sont plus modifiables, "
        "sauf si les services de l'État le renvoient à compléter."
    )


def _refuser(bilans) -> None:
    bilan = next(iter(bilans), None)
    if bilan is not None:
        raise ValidationError(phrase(bilan), code="bilan_gele")


def _geles(**filtre):
    from .models import Bilan

    return Bilan._base_manager.filter(statut__in=statuts_geles(), **filtre).order_by("annee")


def garder_les_figures(chemin, *, objets=(), requete=None, champs=None, suppression=False) -> None:
    """``garder()`` of a bilan's figures: ``chemin`` goes from the model to its bilan
    (``bilan`` for a report or a mesure). The bilans written to, those a row leaves, and those
    of the rows a queryset updates or deletes; an unchanged save goes through."""
    attribut = f"{chemin}_id"
    ids = {getattr(objet, attribut) for objet in objets}
    ids |= {ancienne_valeur(objet, attribut) for objet in objets}
    ids.discard(None)
    if requete is not None:
        ids |= set(requete.order_by().values_list(chemin, flat=True).distinct())
    geles = {bilan.pk: bilan for bilan in _geles(pk__in=ids)}
    if not geles:
        return
    if requete is not None:
        _refuser(geles.values())
    for objet in objets:
        if suppression or differe_de_la_base(objet, champs):
            touches = {getattr(objet, attribut), ancienne_valeur(objet, attribut)}
            _refuser(geles[pk] for pk in touches if pk in geles)


def garder_les_indicateurs(*, objets=(), requete=None, champs=None, suppression=False) -> None:
    """An indicator measured in a frozen bilan keeps its libellé, unit, parent and values
    (deleting it would delete them); a new indicator measures nothing yet."""
    ids = {objet.pk for objet in objets if objet.pk is not None}
    if requete is not None:
        ids |= set(requete.values_list("pk", flat=True))
    if not ids:
        return
    geles = list(_geles(mesures__indicateur__in=ids).distinct())
    if not geles:
        return
    if requete is not None or suppression:
        _refuser(geles)
    for objet in objets:
        if objet.pk is not None and differe_de_la_base(objet, champs):
            _refuser(_geles(mesures__indicateur=objet.pk))


def garder_le_bilan(modele, *, objets=(), requete=None, champs=None, suppression=False) -> None:
    """A frozen bilan accepts only the cycle's change of status; it is never deleted."""
    ecrits = None if champs is None else set(champs)
    if requete is not None:
        if suppression or ecrits is None or ecrits - CHAMPS_DU_CYCLE:
            _refuser(_geles(pk__in=requete.values("pk")))
        return
    existants = [objet.pk for objet in objets if objet.pk is not None]
    geles = {bilan.pk: bilan for bilan in _geles(pk__in=existants)}
    for objet in objets:
        bilan = geles.get(objet.pk)
        if bilan is None:
            continue
        if suppression:
            _refuser([bilan])
        figures = [
            champ.name
            for champ in modele._meta.concrete_fields
            if champ.name not in CHAMPS_DU_CYCLE and (ecrits is None or champ.name in ecrits)
        ]
        if differe_de_la_base(objet, figures):
            _refuser([bilan])


def previsionnels_geles(ids: set[int]) -> dict[int, str]:
    """For ``conventions/models/gardes.py``: the tableaux among ``ids`` that are the budget
    prévisionnel of a frozen bilan, with the sentence that says why."""
    return {
        bilan.tableau_previsionnel_id: f"« Budget prévisionnel » du bilan : {phrase(bilan)}"
        for bilan in _geles(tableau_previsionnel__in=ids)
    }
