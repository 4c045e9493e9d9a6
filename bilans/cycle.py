"""A bilan's life, from preparation to validation: the one table of who may move it where.

The collectivité fills its bilan, records the council's deliberation and transmits it to the
préfet (both on the dates it enters); from then on its figures are read-only to the collectivité.
The État's services send it back « à compléter » (a comment is required: it is what the
collectivité has to do) or validate it. Two corrections sit in the same table: the transmission
date, corrected with a reason by who transmits (or an administrator), and a validated bilan
reopened « à compléter » with a reason by an administrator. Every move goes through
:func:`appliquer`, which checks the table, writes the status or date with its comment into the
bilan's history (the timeline reads it back) and tells the État's reviewers when a bilan arrives.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from commun.evenements import evenement
from commun.formats import date_longue
from commun.parmi import parmi
from comptes import droits, roles
from comptes.acces import cote_de

from . import gel
from .models import Bilan

Statut = Bilan.Statut
ETAT, COLLECTIVITE = "etat", "collectivite"


@dataclass(frozen=True)
class Transition:
    """One move of the table. Who may make it: a side (the profile's; ``None``: either) and a
    Django permission (``comptes/droits.py``), or else ``aussi``, a permission that grants it
    from either side; ``roles`` names who holds them, for the messages."""

    nom: str
    libelle: str  # the button
    depuis: frozenset
    vers: str | None  # None: the status stays (a correction)
    cote: str | None
    roles: frozenset
    permission: str
    commentaire_obligatoire: bool = False
    # The label of the required comment, and what the refusal says when it is missing.
    commentaire_libelle: str = ""
    commentaire_manquant: str = ""
    date_deliberation_requise: bool = False
    date_transmission: bool = False  # the form asks the date of transmission
    aussi: str | None = None
    correction: bool = False  # not a step of the cycle: it corrects what the cycle recorded

    @property
    def qui(self) -> str:
        noms = " et ".join(sorted(roles.LIBELLES[r] for r in self.roles))
        qui = f"{noms} {DE_COTE[self.cote]}" if self.cote else noms
        return qui + (", ou à un administrateur" if self.aussi else "")


REMPLISSENT = frozenset({roles.AGENT, roles.ADMINISTRATEUR})
EXAMINENT = frozenset({roles.AGENT, roles.FINANCES, roles.ADMINISTRATEUR})
DE_COTE = {ETAT: "des services de l'État", COLLECTIVITE: "de la collectivité"}

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
        date_transmission=True,
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
        commentaire_libelle="Ce que la collectivité doit compléter",
        commentaire_manquant="« Renvoyer à compléter » demande un commentaire : dites à la "
        "collectivité ce qu'elle doit compléter.",
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
    Transition(
        "corriger_transmission",
        "Corriger la date de transmission",
        frozenset({Statut.TRANSMIS, Statut.A_COMPLETER, Statut.VALIDE}),
        None,
        COLLECTIVITE,
        REMPLISSENT,
        droits.REMPLIR_LES_BILANS,
        commentaire_obligatoire=True,
        commentaire_libelle="Motif de la correction",
        commentaire_manquant="« Corriger la date de transmission » demande un motif : dites "
        "pourquoi la date change.",
        date_transmission=True,
        aussi=droits.CORRIGER_LE_SUIVI,
        correction=True,
    ),
    Transition(
        "rouvrir",
        "Rouvrir le bilan",
        frozenset({Statut.VALIDE}),
        Statut.A_COMPLETER,
        None,
        frozenset({roles.ADMINISTRATEUR}),
        droits.CORRIGER_LE_SUIVI,
        commentaire_obligatoire=True,
        commentaire_libelle="Motif de la réouverture : ce que la collectivité doit compléter",
        commentaire_manquant="« Rouvrir le bilan » demande un motif : dites pourquoi le bilan "
        "validé est rouvert et ce que la collectivité doit compléter.",
        correction=True,
    ),
)
PAR_NOM = {t.nom: t for t in TRANSITIONS}


class TransitionRefusee(Exception):
    """The reason, in French, a change of status was refused; nothing was written."""


def autorise(utilisateur, transition: Transition) -> bool:
    """Whether this user's side and permissions allow the move, whatever the bilan's status."""
    if transition.cote in (None, cote_de(utilisateur)) and droits.peut(
        utilisateur, transition.permission
    ):
        return True
    return transition.aussi is not None and droits.peut(utilisateur, transition.aussi)


def peut(utilisateur, transition: Transition, bilan: Bilan) -> bool:
    return bilan.statut in transition.depuis and autorise(utilisateur, transition)


def possibles(utilisateur, bilan: Bilan) -> list[Transition]:
    """The buttons this user sees on this bilan (the steps, then the corrections)."""
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
    if not autorise(utilisateur, transition):
        return f"« {transition.libelle} » revient aux {transition.qui}, pas à votre compte."
    return None


def _verifier_la_transmission(quand: date, bilan: Bilan, aujourdhui: date) -> None:
    if quand > aujourdhui:
        raise TransitionRefusee(
            f"La date de transmission au préfet ({quand:%d/%m/%Y}) est dans le futur."
        )
    if bilan.date_deliberation and quand < bilan.date_deliberation:
        raise TransitionRefusee(
            f"La date de transmission au préfet ({quand:%d/%m/%Y}) précède la délibération du "
            f"conseil ({bilan.date_deliberation:%d/%m/%Y}) : un bilan est transmis une fois "
            "délibéré."
        )


@transaction.atomic
def appliquer(
    utilisateur,
    bilan: Bilan,
    nom: str,
    *,
    commentaire: str = "",
    date_deliberation: date | None = None,
    date_transmission: date | None = None,
    aujourdhui: date | None = None,
) -> Transition:
    """Move (or correct) the bilan, or raise :class:`TransitionRefusee` having written nothing.
    The dates are the ones entered; a transmission without one is dated of the day."""
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
        raise TransitionRefusee(transition.commentaire_manquant)
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
    if transition.date_transmission:
        if date_transmission is None and transition.correction:
            raise TransitionRefusee("Indiquez la date de transmission au préfet.")
        date_transmission = date_transmission or aujourdhui
        _verifier_la_transmission(date_transmission, bilan, aujourdhui)
        if transition.correction and date_transmission == bilan.date_transmission:
            raise TransitionRefusee(
                f"La date de transmission au préfet est déjà le {date_longue(date_transmission)}"
                " : rien à corriger."
            )
        bilan.date_transmission = date_transmission
    if transition.vers is not None:
        bilan.statut = transition.vers
    bilan._change_reason = commentaire
    bilan._history_user = utilisateur  # also when called outside a request (tests, commands)
    bilan.save()
    if transition.vers == Statut.TRANSMIS:
        from .relances import prevenir_l_etat

        transaction.on_commit(lambda: prevenir_l_etat(bilan, aujourdhui))
    evenement(f"bilan : {transition.nom}", utilisateur, bilan=bilan.pk, annee=bilan.annee)
    return transition


def prochaine_etape(bilan: Bilan) -> str:
    """Who acts next, and how, read from the table."""
    suivantes = [t for t in TRANSITIONS if bilan.statut in t.depuis and not t.correction]
    if not suivantes:
        return "Bilan validé : il n'y a plus rien à faire."
    qui = {COLLECTIVITE: "la collectivité", ETAT: "les services de l'État"}[suivantes[0].cote]
    gestes = " ou ".join(f"« {t.libelle} »" for t in suivantes)
    return f"Prochaine étape, pour {qui} : {gestes}."


def mention_du_document(bilan: Bilan) -> str:
    """What every page of the printed rapport d'exécution says of a bilan not yet validated
    (empty once validated): « Projet — non transmis » until it is transmitted."""
    if bilan.statut == Bilan.Statut.VALIDE:
        return ""
    if bilan.statut == Bilan.Statut.TRANSMIS:
        return f"Transmis au préfet le {date_longue(bilan.date_transmission)} — non validé"
    if bilan.statut == Bilan.Statut.A_COMPLETER:
        return "À compléter — non validé"
    return "Projet — non transmis"


def encore_a_traiter(constats) -> list:
    """The constats « À traiter » lists: not those of a validated bilan, whose cycle is over
    (nothing changes it short of reopening it); they stay on its page."""
    return [
        constat
        for constat in constats
        if not any(
            isinstance(objet, Bilan) and objet.statut == Statut.VALIDE
            for objet in (constat.objet, *constat.lies)
        )
    ]


def a_traiter(utilisateur, conventions) -> list[Bilan]:
    """The bilans waiting for this user's side: transmitted ones for the État's reviewers,
    sent back (or reopened) ones for the collectivité, with the comment and who wrote it, read
    in one query."""
    cote = cote_de(utilisateur)
    statut = Statut.TRANSMIS if cote == ETAT else Statut.A_COMPLETER
    bilans = list(
        Bilan.objects.filter(parmi("convention", conventions), statut=statut)
        .select_related("convention")
        .order_by("date_transmission", "convention__intitule", "annee")
    )
    if statut == Statut.A_COMPLETER and bilans:
        versions = (
            Bilan.historique.filter(id__in=[b.pk for b in bilans])
            .select_related("history_user")
            .order_by("id", "history_date", "history_id")
        )
        renvois, precedents = {}, {}
        for version in versions:
            avant = precedents.get(version.id)
            if version.statut == Statut.A_COMPLETER and avant not in (None, Statut.A_COMPLETER):
                renvois[version.id] = (version, avant)
            precedents[version.id] = version.statut
        for bilan in bilans:
            renvoi, avant = renvois.get(bilan.pk, (None, None))
            bilan.renvoi = renvoi.history_change_reason if renvoi else ""
            bilan.renvoye_le = renvoi.history_date if renvoi else None
            bilan.rouvert = avant == Statut.VALIDE
            auteur = renvoi.history_user if renvoi else None
            bilan.rouvert_par = (auteur.get_full_name() or auteur.username) if auteur else ""
    return bilans
