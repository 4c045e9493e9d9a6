"""Writes on a tableau des engagements from the browser: the annex grid saved in one go (its
amounts and the totals printed in the signed document), a new version copied from the displayed
one, and « mettre en vigueur ». Each is atomic and keeps the history (who, why).

Two people may edit the same grid at once. Each cell carries the value it showed when the page
was opened; only the cells this person changed are written, and only those are compared with
the database: a colleague's change to another cell stays, and a cell both changed is refused
with the colleague's value (nothing written).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history

from commun.concurrence import auteur, phrase
from commun.formats import euros

from .models import Action, Engagement, Financeur, TableauEngagements, TotalImprime, somme
from .verrou import prendre_la_version, tableaux_verrouilles, verrouiller_le_tableau

RAISON_GRILLE = "saisie de la grille dans le navigateur"
RAISON_TOTAL = "total imprimé saisi dans la grille"
RAISON_TOTAL_REPRIS = "total imprimé repris des lignes dans la grille"


@dataclass(frozen=True)
class CaseEnConflit:
    """A cell this person changed that a colleague changed too since the page was opened."""

    nom: str  # the name of the form field, so that the page marks the cell
    lieu: str  # « 3.3 — État », « Total imprimé — État »
    actuelle: Decimal | None  # the colleague's value, now in the database
    saisie: Decimal | None
    qui: str

    @property
    def message(self) -> str:
        """The colleague's value and name, in the words of ``commun.concurrence``."""
        if self.actuelle is None:
            return f"Supprimé entre-temps par {self.qui} (votre saisie : {euros(self.saisie)})."
        return phrase(self.qui, self.actuelle, self.saisie, suite="")

    @property
    def court(self) -> str:
        """Under the cell: the colleague's value and name."""
        return f"Valeur de {self.qui} : {euros(self.actuelle)}."

    def __str__(self):
        return f"{self.lieu} : {self.message}"


class Conflit(Exception):
    """Cells changed by someone else since the grid was displayed; nothing was written."""

    def __init__(self, cases: list[CaseEnConflit]):
        super().__init__(cases)
        self.cases = cases

    @property
    def messages(self) -> list[str]:
        return [str(case) for case in self.cases]


class _Modifiee:
    """A value typed beside the value the page showed: only a changed one is written."""

    montant: Decimal | None
    montant_lu: Decimal | None

    @property
    def modifiee(self) -> bool:
        return self.montant != self.montant_lu


@dataclass
class Saisie(_Modifiee):
    """One cell of the grid as submitted: the amount typed (None: empty) and the amount the
    page showed when it was opened (None: empty). ``nom``: its form field."""

    action: Action
    financeur: Financeur
    montant: Decimal | None
    montant_lu: Decimal | None
    nom: str = ""


@dataclass
class SaisieDuTotal(_Modifiee):
    """One financeur's total printed in the signed document, as submitted and as shown."""

    financeur: Financeur
    montant: Decimal | None
    montant_lu: Decimal | None
    nom: str = ""


@dataclass
class Bilan:
    crees: int = 0
    modifies: int = 0
    supprimes: int = 0
    totaux: list[str] = field(default_factory=list)

    def __str__(self):
        texte = (
            f"{self.crees} montant(s) ajouté(s), {self.modifies} modifié(s), "
            f"{self.supprimes} supprimé(s)"
        )
        if self.totaux:
            texte += " ; total imprimé " + ", ".join(self.totaux)
        return texte


def _qui_a_supprime(tableau, saisie: Saisie) -> str:
    trace = (
        Engagement.historique.filter(
            tableau_id=tableau.pk,
            action_id=saisie.action.pk,
            financeur_id=saisie.financeur.pk,
            history_type="-",
        )
        .select_related("history_user")
        .order_by("-history_date")
        .first()
    )
    if trace is None or trace.history_user is None:
        return "quelqu'un d'autre"
    return trace.history_user.get_username()


def _conflits(tableau, saisies, totaux, existants, imprimes) -> list[CaseEnConflit]:
    """The cells this person changed whose value in the database is no longer the one the page
    showed (and not the one typed either: two people typing the same amount agree)."""
    conflits = []
    for saisie in saisies:
        if not saisie.modifiee:
            continue
        engagement = existants.get((saisie.action.pk, saisie.financeur.pk))
        actuel = engagement.montant if engagement else None
        if actuel not in (saisie.montant_lu, saisie.montant):
            qui = auteur(engagement) if engagement else _qui_a_supprime(tableau, saisie)
            lieu = f"{saisie.action.code} — {saisie.financeur.nom}"
            conflits.append(CaseEnConflit(saisie.nom, lieu, actuel, saisie.montant, qui))
    for saisie in totaux:
        if not saisie.modifiee:
            continue
        imprime = imprimes.get(saisie.financeur.pk)
        actuel = imprime.montant if imprime else None
        if actuel not in (saisie.montant_lu, saisie.montant):
            qui = auteur(imprime) if imprime else "quelqu'un d'autre"
            lieu = f"Total imprimé — {saisie.financeur.nom}"
            conflits.append(CaseEnConflit(saisie.nom, lieu, actuel, saisie.montant, qui))
    return conflits


def _refuser_la_cellule(tableau, saisie: Saisie) -> None:
    """Raise ``Conflit`` for a cell written by someone else since it was read here, with its
    value now (the whole save is then rolled back: nothing written)."""
    engagement = Engagement.objects.filter(
        tableau=tableau, action=saisie.action.pk, financeur=saisie.financeur.pk
    ).first()
    actuel = engagement.montant if engagement else None
    qui = auteur(engagement) if engagement else _qui_a_supprime(tableau, saisie)
    lieu = f"{saisie.action.code} — {saisie.financeur.nom}"
    raise Conflit([CaseEnConflit(saisie.nom, lieu, actuel, saisie.montant, qui)])


def _ecrire_un_total(tableau, financeur, imprime, montant, *, utilisateur, raison) -> str | None:
    """Create, change or delete one printed total; « État 347 000 € → 347 500 € » or None."""
    avant = imprime.montant if imprime else None
    if avant == montant:
        return None
    if imprime is None:
        imprime = TotalImprime(tableau=tableau, financeur=financeur, montant=montant)
    imprime._history_user = utilisateur
    imprime._change_reason = raison
    if montant is None:
        imprime.delete()
    else:
        imprime.montant = montant
        imprime.full_clean(exclude=["tableau", "financeur"], validate_unique=False)
        imprime.save()
    return f"{financeur.nom} {euros(avant)} → {euros(montant)}"


@transaction.atomic
def enregistrer_grille(
    *,
    tableau: TableauEngagements,
    saisies: list[Saisie],
    utilisateur,
    totaux: list[SaisieDuTotal] = (),
    reprendre_les_totaux: bool = False,
) -> Bilan:
    """Write the cells this person changed: a typed amount creates or changes its line, an
    emptied cell deletes it; then the printed totals typed, or, with ``reprendre_les_totaux``,
    the lines' totals as computed by the database once the lines are written.

    Raises ``Conflit`` (nothing written) when a changed cell was changed meanwhile by someone
    else; a colleague's change to a cell left alone here is kept. The tableau is locked first
    (``conventions.verrou``): a colleague's save or an import of it waits, or is waited for."""
    verrouiller_le_tableau(tableau.pk)
    existants = {
        (e.action_id, e.financeur_id): e
        for e in Engagement.objects.select_for_update().filter(tableau=tableau)
    }
    imprimes = {
        t.financeur_id: t for t in TotalImprime.objects.select_for_update().filter(tableau=tableau)
    }
    if reprendre_les_totaux:
        totaux = []  # the lines' totals replace whatever was typed in the printed totals
    conflits = _conflits(tableau, saisies, totaux, existants, imprimes)
    if conflits:
        raise Conflit(conflits)
    resultat, nouveaux = Bilan(), []
    for saisie in saisies:
        if not saisie.modifiee:
            continue
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
            if not prendre_la_version(engagement.pk, engagement.version):
                _refuser_la_cellule(tableau, saisie)
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
        try:
            with transaction.atomic():  # a savepoint: the refusal below leaves nothing written
                bulk_create_with_history(
                    nouveaux,
                    Engagement,
                    default_user=utilisateur,
                    default_change_reason=RAISON_GRILLE,
                )
        except IntegrityError:  # a colleague added the same cell meanwhile
            for saisie in saisies:
                if saisie.modifiee and (saisie.action.pk, saisie.financeur.pk) not in existants:
                    _refuser_la_cellule(tableau, saisie)
            raise  # not a new cell's: a constraint the checks above should have caught
    resultat.crees = len(nouveaux)
    if reprendre_les_totaux:
        des_lignes = {
            ligne["financeur"]: ligne["total"]
            for ligne in tableau.engagements.values("financeur")
            .annotate(total=somme("montant"))
            .order_by()
        }
        financeurs = Financeur.objects.in_bulk(set(des_lignes) | set(imprimes))
        for pk, financeur in financeurs.items():
            ecrit = _ecrire_un_total(
                tableau,
                financeur,
                imprimes.get(pk),
                des_lignes.get(pk, Decimal("0.00")),
                utilisateur=utilisateur,
                raison=RAISON_TOTAL_REPRIS,
            )
            if ecrit:
                resultat.totaux.append(ecrit)
    for saisie in totaux:
        if saisie.modifiee:
            ecrit = _ecrire_un_total(
                tableau,
                saisie.financeur,
                imprimes.get(saisie.financeur.pk),
                saisie.montant,
                utilisateur=utilisateur,
                raison=RAISON_TOTAL,
            )
            if ecrit:
                resultat.totaux.append(ecrit)
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
