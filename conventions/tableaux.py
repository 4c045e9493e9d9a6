"""Writes on a tableau des engagements from the browser: the annex grid saved in one go, a new
version copied from the displayed one, and « mettre en vigueur ». Each is atomic, keeps the
history (who, why) and, for the grid, refuses amounts a colleague changed since the page was
read instead of overwriting them.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from commun.concurrence import message

from .models import Action, Engagement, Financeur, TableauEngagements

RAISON_GRILLE = "saisie de la grille dans le navigateur"


class Conflit(Exception):
    """Amounts changed by someone else since the grid was displayed; nothing was written."""

    def __init__(self, messages: list[str]):
        super().__init__(messages)
        self.messages = messages


@dataclass
class Saisie:
    """One cell of the grid as submitted: the amount typed (None: empty) and the version of
    the engagement the page showed (None: there was none)."""

    action: Action
    financeur: Financeur
    montant: Decimal | None
    version_lue: int | None


@dataclass
class Bilan:
    crees: int = 0
    modifies: int = 0
    supprimes: int = 0
    details: list[str] = field(default_factory=list)

    def __str__(self):
        return (
            f"{self.crees} montant(s) ajouté(s), {self.modifies} modifié(s), "
            f"{self.supprimes} supprimé(s)"
        )


@transaction.atomic
def enregistrer_grille(*, tableau: TableauEngagements, saisies: list[Saisie], utilisateur) -> Bilan:
    """Write the grid: a typed amount creates or changes its line, an emptied cell deletes it.

    Raises ``Conflit`` (nothing written) when a line changed since the page was read."""
    existants = {
        (e.action_id, e.financeur_id): e
        for e in Engagement.objects.select_for_update().filter(tableau=tableau)
    }
    conflits = []
    for saisie in saisies:
        engagement = existants.get((saisie.action.pk, saisie.financeur.pk))
        actuelle = engagement.version if engagement else None
        if actuelle != saisie.version_lue:
            lieu = f"{saisie.action.code} — {saisie.financeur.nom} : "
            if engagement is None:
                conflits.append(
                    lieu + "supprimé entre-temps par quelqu'un d'autre. Rien n'a été "
                    "enregistré : rechargez la page."
                )
            else:
                conflits.append(lieu + message(engagement, engagement.montant, saisie.montant))
    if conflits:
        raise Conflit(conflits)
    resultat, nouveaux = Bilan(), []
    for saisie in saisies:
        engagement = existants.get((saisie.action.pk, saisie.financeur.pk))
        if engagement is None and saisie.montant is not None:
            nouveaux.append(
                Engagement(
                    tableau=tableau,
                    action=saisie.action,
                    financeur=saisie.financeur,
                    montant=saisie.montant,
                )
            )
        elif engagement is not None and saisie.montant is None:
            engagement._history_user = utilisateur
            engagement._change_reason = RAISON_GRILLE
            engagement.delete()
            resultat.supprimes += 1
        elif engagement is not None and engagement.montant != saisie.montant:
            engagement.montant = saisie.montant
            engagement.version += 1
            engagement._history_user = utilisateur
            engagement._change_reason = RAISON_GRILLE
            engagement.full_clean(exclude=["tableau", "action", "financeur"])
            engagement.save()
            resultat.modifies += 1
    for engagement in nouveaux:
        engagement.full_clean(exclude=["tableau", "action", "financeur"])
    if nouveaux:
        bulk_create_with_history(
            nouveaux, Engagement, default_user=utilisateur, default_change_reason=RAISON_GRILLE
        )
    resultat.crees = len(nouveaux)
    return resultat


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


@transaction.atomic
def mettre_en_vigueur(*, tableau: TableauEngagements, utilisateur) -> list[TableauEngagements]:
    """Make ``tableau`` the one en vigueur of its period; return the versions it replaces.

    Raises ``ValidationError`` (nothing written) for a tableau that may not be en vigueur (a
    bilan's budget prévisionnel) or may not change."""
    tableau.en_vigueur = True
    try:
        tableau.validate_constraints(exclude={"convention", "annee_debut", "annee_fin"})
        TableauEngagements.garder(objets=[tableau])
    except ValidationError:
        tableau.en_vigueur = False
        raise
    anciens = list(
        TableauEngagements.objects.select_for_update()
        .filter(
            convention=tableau.convention_id,
            annee_debut=tableau.annee_debut,
            annee_fin=tableau.annee_fin,
            en_vigueur=True,
        )
        .exclude(pk=tableau.pk)
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
