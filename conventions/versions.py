"""A tableau's versions: a new one copied from the one shown, and « mettre en vigueur » (after
the confirmation page showed what changes). Each is atomic and keeps the history (who, why)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from conventions.models import Engagement, TableauEngagements
from conventions.verrou import tableaux_verrouilles


@transaction.atomic
def nouvelle_version(
    *, tableau: TableauEngagements, libelle: str, utilisateur
) -> TableauEngagements:
    """A copy of ``tableau`` under another libellé, not en vigueur, to edit."""
    copie = TableauEngagements(
        convention=tableau.convention,
        annee_debut=tableau.annee_debut,
        annee_fin=tableau.annee_fin,
        nature=TableauEngagements.Nature.VARIANTE,
        libelle=libelle.strip(),
        en_vigueur=False,
        source=f"copie de « {tableau.libelle} »",
    )
    copie.full_clean()  # a libellé already used for the period is refused here, in French
    copie._history_user = utilisateur
    copie._change_reason = f"nouvelle version, copie de « {tableau.libelle} »"
    copie.save()
    lignes = [
        Engagement(
            tableau=copie, action_id=e.action_id, financeur_id=e.financeur_id, montant=e.montant
        )
        for e in tableau.engagements.all()
    ]
    bulk_create_with_history(
        lignes, Engagement, default_user=utilisateur, default_change_reason=copie._change_reason
    )
    return copie


def _verifier_la_mise_en_vigueur(tableau: TableauEngagements) -> None:
    """Raise the model's own ``ValidationError`` if ``tableau`` may not be en vigueur (a
    bilan's budget prévisionnel) or may not change (its bilan transmitted); writes nothing."""
    etait = tableau.en_vigueur
    tableau.en_vigueur = True
    try:
        tableau.validate_constraints(exclude={"convention", "annee_debut", "annee_fin"})
        TableauEngagements.garder(objets=[tableau])
    finally:
        tableau.en_vigueur = etait


def refus_de_mise_en_vigueur(tableau: TableauEngagements) -> str | None:
    """Why ``tableau`` may not be put en vigueur, for the confirmation page (None: it may)."""
    try:
        _verifier_la_mise_en_vigueur(tableau)
    except ValidationError as refus:
        return " ".join(refus.messages)
    return None


def en_vigueur_de_la_periode(tableau: TableauEngagements) -> TableauEngagements | None:
    """The version en vigueur of ``tableau``'s period today (None: none is)."""
    return (
        TableauEngagements.objects.filter(
            convention=tableau.convention_id,
            annee_debut=tableau.annee_debut,
            annee_fin=tableau.annee_fin,
            en_vigueur=True,
        )
        .exclude(pk=tableau.pk)
        .first()
    )


PAS_ENCORE = object()  # « mettre en vigueur » called without what the confirmation showed


@transaction.atomic
def mettre_en_vigueur(
    *, tableau: TableauEngagements, utilisateur, remplace_lue=PAS_ENCORE
) -> list[TableauEngagements]:
    """Make ``tableau`` the one en vigueur of its period; return the versions it replaces.

    Raises ``ValidationError`` (nothing written) for a tableau that may not be en vigueur (a
    bilan's budget prévisionnel) or may not change, and, given ``remplace_lue`` (the id of the
    version en vigueur the confirmation page showed, None for none), when another version was
    put en vigueur since: what was confirmed is no longer what would change."""
    _verifier_la_mise_en_vigueur(tableau)
    # This tableau and those it replaces, locked together in key order (``conventions.verrou``)
    # as an import of the period locks them: neither holds one the other waits for.
    periode = Q(
        convention=tableau.convention_id,
        annee_debut=tableau.annee_debut,
        annee_fin=tableau.annee_fin,
        en_vigueur=True,
    )
    anciens = [t for t in tableaux_verrouilles(periode | Q(pk=tableau.pk)) if t.pk != tableau.pk]
    if remplace_lue is not PAS_ENCORE and [t.pk for t in anciens] != (
        [] if remplace_lue is None else [remplace_lue]
    ):
        en_place = ", ".join(f"« {t.libelle} »" for t in anciens) or "aucune version"
        raise ValidationError(
            f"Entre-temps, la version en vigueur de {tableau.periode} a changé (aujourd'hui : "
            f"{en_place}) : rien n'a été modifié, relisez la confirmation."
        )
    raison = f"« {tableau.libelle} » mis en vigueur"
    for ancien in anciens:  # first, so that the one-en-vigueur constraint always holds
        ancien.en_vigueur = False
        ancien._history_user = utilisateur
        ancien._change_reason = raison
        ancien.save()
    tableau.en_vigueur = True
    tableau._history_user = utilisateur
    tableau._change_reason = raison
    tableau.save()
    return anciens
