"""7. Délibération: présents + procurations ≤ membres en exercice; the quorum is met; the votes add
up to the votants.

The registre des délibérations of the conseil métropolitain (séance of 23 November 2023) states
each count: « Nombre de membres en exercice : 86 », « Nombre de présents participant au vote :
75 », « Nombre de procurations : 9 », then lists the « Membres présents » and the « Membres
absents » with their « pouvoir à », and closes each délibération on its scrutin: « SCRUTIN POUR :
84 ABSTENTION : 0 CONTRE : 0 NE SE PRONONCE PAS : 0 DONT 9 PROCURATION(S) ».

An erreur when the votants outnumber the members, when fewer than the quorum are present (the
majority of the members en exercice, see ``quorum``), when a scrutin's votes do not make the
séance's votants; an avertissement when the list of members does not confirm the counts, or a
scrutin's procurations differ from the séance's.
"""

from decimal import Decimal

from commun.formats import date_longue
from conventions.models import MembreSeance

from ..constats import Constat, Regle, Severite
from ..donnees import Donnees
from ._registre import regle

SEVERITE_VOTANTS = Severite.ERREUR
SEVERITE_QUORUM = Severite.ERREUR
SEVERITE_LISTE_DES_MEMBRES = Severite.AVERTISSEMENT
SEVERITE_VOIX = Severite.ERREUR
SEVERITE_PROCURATIONS = Severite.AVERTISSEMENT


def quorum(membres_en_exercice: int) -> int:
    """The majority of the members en exercice: 44 present for 86 members, 43 is not enough."""
    return membres_en_exercice // 2 + 1


@regle(Regle.DELIBERATION)
def deliberations(donnees: Donnees):
    """Présents + procurations ≤ membres en exercice; the quorum; the votes add up."""
    for seance in donnees.seances:
        liees = tuple(donnees.deliberations.get(seance.pk, []))
        convention_id = next((d.convention_id for d in liees if d.convention_id), None)
        annees = (seance.date.year, seance.date.year)
        quand = f"Séance du {date_longue(seance.date)}"
        votants = seance.presents + seance.procurations
        if votants > seance.membres_en_exercice:
            yield Constat(
                Regle.DELIBERATION,
                SEVERITE_VOTANTS,
                seance,
                seance.membres_en_exercice,
                votants,
                Decimal(votants - seance.membres_en_exercice),
                "membres",
                f"{quand} : {seance.presents} présents et {seance.procurations} procurations "
                f"font {votants} votants pour {seance.membres_en_exercice} membres en exercice.",
                convention_id,
                annees,
                liees,
            )
        requis = quorum(seance.membres_en_exercice)
        if seance.presents < requis:
            yield Constat(
                Regle.DELIBERATION,
                SEVERITE_QUORUM,
                seance,
                requis,
                seance.presents,
                Decimal(seance.presents - requis),
                "membres",
                f"{quand} : quorum non atteint, {seance.presents} présents pour "
                f"{seance.membres_en_exercice} membres en exercice (il en faut {requis}).",
                convention_id,
                annees,
                liees,
            )
        for presence, declare, libelle in (
            (MembreSeance.Presence.PRESENT, seance.presents, "présents"),
            (MembreSeance.Presence.REPRESENTE, seance.procurations, "procurations"),
        ):
            listes = donnees.membres_listes.get((seance.pk, presence))
            if listes is not None and listes != declare:
                yield Constat(
                    Regle.DELIBERATION,
                    SEVERITE_LISTE_DES_MEMBRES,
                    seance,
                    declare,
                    listes,
                    Decimal(listes - declare),
                    "membres",
                    f"{quand} : le registre annonce {declare} {libelle}, la liste des membres "
                    f"en nomme {listes}.",
                    convention_id,
                    annees,
                    liees,
                )
        for deliberation in liees:
            exprimes = deliberation.votants
            if exprimes != votants:
                yield Constat(
                    Regle.DELIBERATION,
                    SEVERITE_VOIX,
                    deliberation,
                    votants,
                    exprimes,
                    Decimal(exprimes - votants),
                    "voix",
                    f"Délibération « {deliberation.objet} » : {deliberation.votes_pour} pour, "
                    f"{deliberation.votes_contre} contre, {deliberation.abstentions} abstentions "
                    f"et {deliberation.ne_se_prononce_pas} ne se prononçant pas font {exprimes} "
                    f"voix, pour {votants} votants ({seance.presents} présents et "
                    f"{seance.procurations} procurations).",
                    deliberation.convention_id,
                    annees,
                )
            if deliberation.procurations_votes != seance.procurations:
                yield Constat(
                    Regle.DELIBERATION,
                    SEVERITE_PROCURATIONS,
                    deliberation,
                    seance.procurations,
                    deliberation.procurations_votes,
                    Decimal(deliberation.procurations_votes - seance.procurations),
                    "procurations",
                    f"Délibération « {deliberation.objet} » : le scrutin compte "
                    f"{deliberation.procurations_votes} procurations, la séance "
                    f"{seance.procurations}.",
                    deliberation.convention_id,
                    annees,
                )
