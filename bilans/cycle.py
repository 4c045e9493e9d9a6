"""A bilan's life, from preparation to validation: the one table of who may move it where.

The collectivité fills its bilan, records the council's deliberation and transmits it to the
préfet; from then on its figures are read-only to the collectivité. The État's services send
it back « à compléter » (a comment is required: it is what the collectivité has to do) or
validate it. Every change of status goes through :func:`appliquer`, which checks the table,
writes the status with its comment into the bilan's history (the timeline reads it back) and
tells the État's reviewers when a bilan arrives.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from comptes import droits, roles
from comptes.acces import cote_de

from . import gel
from .models import Bilan

Statut = Bilan.Statut
ETAT, COLLECTIVITE = "etat", "collectivite"
COTES = {ETAT: "services de l'État", COLLECTIVITE: "collectivité"}


@dataclass(frozen=True)
class Transition:
    """One move of the table. Who may make it: a side (the profile's) and a Django permission
    (``comptes/droits.py``), which ``roles`` names as the roles grant it, for the messages."""

    nom: str
    libelle: str  # the button
    depuis: frozenset
    vers: str
    cote: str
    roles: frozenset
    permission: str
    commentaire_obligatoire: bool = False
    date_deliberation_requise: bool = False

    @property
    def qui(self) -> str:
        noms = ", ".join(sorted(roles.LIBELLES[r] for r in self.roles))
        return f"{COTES[self.cote]} ({noms})"


REMPLISSENT = frozenset({roles.AGENT, roles.ADMINISTRATEUR})
EXAMINENT = frozenset({roles.AGENT, roles.FINANCES, roles.ADMINISTRATEUR})

TRANSITIONS = (
    Transition(
        "deliberer",
        "Enregistrer la délibération",
        frozenset({Statut.EN_PREPARATION}),
        Statut.DELIBERE,
        COLLECTIVITE,
        REMPLISSENT,
        droits.REMPLIR_LES_BILANS,
        date_deliberation_requise=True,
    ),
    Transition(
        "transmettre",
        "Transmettre au préfet",
        frozenset({Statut.DELIBERE, Statut.A_COMPLETER}),
        Statut.TRANSMIS,
        COLLECTIVITE,
        REMPLISSENT,
        droits.REMPLIR_LES_BILANS,
    ),
    Transition(
        "renvoyer",
        "Renvoyer à compléter",
        frozenset({Statut.TRANSMIS}),
        Statut.A_COMPLETER,
        ETAT,
        EXAMINENT,
        droits.EXAMINER_LES_BILANS,
        commentaire_obligatoire=True,
    ),
    Transition(
        "valider",
        "Valider le bilan",
        frozenset({Statut.TRANSMIS}),
        Statut.VALIDE,
        ETAT,
        EXAMINENT,
        droits.EXAMINER_LES_BILANS,
    ),
)
PAR_NOM = {t.nom: t for t in TRANSITIONS}


class TransitionRefusee(Exception):
    """The reason, in French, a change of status was refused; nothing was written."""


def peut(utilisateur, transition: Transition, bilan: Bilan) -> bool:
    return (
        bilan.statut in transition.depuis
        and cote_de(utilisateur) == transition.cote
        and droits.peut(utilisateur, transition.permission)
    )


def possibles(utilisateur, bilan: Bilan) -> list[Transition]:
    """The buttons this user sees on this bilan."""
    return [t for t in TRANSITIONS if peut(utilisateur, t, bilan)]


def remplit_les_bilans(utilisateur) -> bool:
    """Who fills the bilans: the collectivité's agents and administrators (the one definition;
    the pages, their buttons and the cycle's transitions all read it)."""
    return cote_de(utilisateur) == COLLECTIVITE and droits.peut(
        utilisateur, droits.REMPLIR_LES_BILANS
    )


def figures_modifiables(utilisateur, bilan: Bilan) -> bool:
    """The collectivité edits its figures until it transmits, and again when sent back."""
    return remplit_les_bilans(utilisateur) and not gel.est_gele(bilan)


def motif_du_refus_de_saisie(utilisateur, bilan: Bilan) -> str | None:
    """Why this user cannot change this bilan's figures now, as they read it (None: they can)."""
    if not remplit_les_bilans(utilisateur):
        if cote_de(utilisateur) == ETAT:
            return (
                f"Les chiffres du bilan {bilan.annee} sont remplis par la collectivité ; les "
                "services de l'État les examinent, puis le valident ou le renvoient à compléter "
                "(« Suivi du bilan »)."
            )
        return (
            "Les bilans sont remplis par les agents et les administrateurs de la collectivité ; "
            "votre rôle permet de les lire."
        )
    if gel.est_gele(bilan):
        return gel.phrase(bilan)
    return None


def motif_du_refus(utilisateur, transition: Transition, bilan: Bilan) -> str | None:
    statut = Statut(bilan.statut).label
    if bilan.statut not in transition.depuis:
        depuis = " ou ".join(f"« {Statut(s).label} »" for s in sorted(transition.depuis))
        return (
            f"« {transition.libelle} » est impossible : le bilan {bilan.annee} est « {statut} », "
            f"il faudrait qu'il soit {depuis}."
        )
    if cote_de(utilisateur) != transition.cote or not droits.peut(
        utilisateur, transition.permission
    ):
        return f"« {transition.libelle} » revient aux {transition.qui}, pas à votre compte."
    return None


@transaction.atomic
def appliquer(
    utilisateur,
    bilan: Bilan,
    nom: str,
    *,
    commentaire: str = "",
    date_deliberation: date | None = None,
    aujourdhui: date | None = None,
) -> Transition:
    """Move the bilan, or raise :class:`TransitionRefusee` having written nothing."""
    transition = PAR_NOM.get(nom)
    if transition is None:
        raise TransitionRefusee(f"Changement de statut inconnu : « {nom} ».")
    bilan = Bilan.objects.select_for_update().get(pk=bilan.pk)
    if not bilan.historique.exists():
        # A bilan loaded without history (loaddata) gets its starting point first, so that the
        # timeline shows the status it leaves.
        Bilan.historique.bulk_history_create([bilan], default_change_reason="état initial")
    motif = motif_du_refus(utilisateur, transition, bilan)
    if motif:
        raise TransitionRefusee(motif)
    commentaire = commentaire.strip()
    if transition.commentaire_obligatoire and not commentaire:
        raise TransitionRefusee(
            f"« {transition.libelle} » demande un commentaire : dites à la collectivité ce "
            "qu'elle doit compléter."
        )
    aujourdhui = aujourdhui or timezone.localdate()
    if transition.date_deliberation_requise:
        date_deliberation = date_deliberation or bilan.date_deliberation
        if date_deliberation is None:
            raise TransitionRefusee("Indiquez la date de la délibération du conseil.")
        if date_deliberation > aujourdhui:
            raise TransitionRefusee(
                f"La date de la délibération ({date_deliberation:%d/%m/%Y}) est dans le futur."
            )
        bilan.date_deliberation = date_deliberation
    if transition.vers == Statut.TRANSMIS:
        bilan.date_transmission = aujourdhui
    bilan.statut = transition.vers
    bilan._change_reason = commentaire
    bilan._history_user = utilisateur  # also when called outside a request (tests, commands)
    bilan.save()
    if transition.vers == Statut.TRANSMIS:
        from .relances import prevenir_l_etat

        transaction.on_commit(lambda: prevenir_l_etat(bilan, aujourdhui))
    return transition


def attente(bilan: Bilan) -> str:
    """Who acts next, and how, read from the table."""
    suivantes = [t for t in TRANSITIONS if bilan.statut in t.depuis]
    if not suivantes:
        return "Bilan validé : il n'y a plus rien à faire."
    qui = {COLLECTIVITE: "la collectivité", ETAT: "les services de l'État"}[suivantes[0].cote]
    gestes = " ou ".join(f"« {t.libelle} »" for t in suivantes)
    return f"Prochaine étape, pour {qui} : {gestes}."


@dataclass(frozen=True)
class Etape:
    quand: object  # datetime
    qui: str
    avant: str
    apres: str
    commentaire: str


def chronologie(bilan: Bilan) -> list[Etape]:
    """Every change of status, oldest first, read from the bilan's history."""
    precedent, etapes = None, []
    for version in bilan.historique.order_by("history_date", "history_id").select_related(
        "history_user"
    ):
        if precedent is not None and version.statut != precedent:
            utilisateur = version.history_user
            etapes.append(
                Etape(
                    version.history_date,
                    (utilisateur.get_full_name() or utilisateur.username)
                    if utilisateur
                    else "import ou commande",
                    Statut(precedent).label,
                    Statut(version.statut).label,
                    version.history_change_reason or "",
                )
            )
        precedent = version.statut
    return etapes


def a_traiter(utilisateur, conventions) -> list[Bilan]:
    """The bilans waiting for this user's side: transmitted ones for the État's reviewers,
    sent back ones for the collectivité (with the État's comment, read in one query)."""
    cote = cote_de(utilisateur)
    statut = Statut.TRANSMIS if cote == ETAT else Statut.A_COMPLETER
    bilans = list(
        Bilan.objects.filter(convention__in=conventions.order_by().values("pk"), statut=statut)
        .select_related("convention")
        .order_by("date_transmission", "convention__intitule", "annee")
    )
    if statut == Statut.A_COMPLETER and bilans:
        renvois = Bilan.historique.filter(
            id__in=[b.pk for b in bilans], statut=Statut.A_COMPLETER
        ).order_by("history_date")
        derniers = {r.id: r for r in renvois}
        for bilan in bilans:
            renvoi = derniers.get(bilan.pk)
            bilan.renvoi = renvoi.history_change_reason if renvoi else ""
            bilan.renvoye_le = renvoi.history_date if renvoi else None
    return bilans
