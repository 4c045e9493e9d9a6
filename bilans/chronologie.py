"""A bilan's timeline: every change of status and every correction of the transmission date,
read back from the bilan's history, as the « Suivi du bilan » section and the workbook show it."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from bilans.cycle import TRANSITIONS, Statut, Transition
from bilans.models import Bilan
from commun.formats import date_longue


@dataclass(frozen=True)
class Etape:
    """One line of the timeline: a change of status, or a correction of the transmission date
    (``intitule`` says which; ``avant`` and ``apres`` are then dates)."""

    quand: object  # datetime: when it was recorded
    qui: str
    avant: str
    apres: str
    commentaire: str
    le: date | None = None  # the date entered for it (deliberation, transmission), if any
    intitule: str = ""  # « Bilan rouvert », « Date de transmission corrigée »; empty: a step
    nom: str = ""  # the transition

    @property
    def saisie_un_autre_jour(self) -> bool:
        """The date entered is not the day it was recorded: the timeline says both."""
        return self.le is not None and self.le != timezone.localtime(self.quand).date()


def _transition_de(avant: str, apres: str) -> Transition | None:
    return next((t for t in TRANSITIONS if avant in t.depuis and t.vers == apres), None)


def chronologie(bilan: Bilan) -> list[Etape]:
    """Every change of status and every correction of the transmission date, oldest first,
    read from the bilan's history. A deliberation and a transmission are dated as entered."""
    precedente, etapes = None, []
    for version in bilan.historique.order_by("history_date", "history_id").select_related(
        "history_user"
    ):
        if precedente is not None:
            utilisateur = version.history_user
            qui = (
                (utilisateur.get_full_name() or utilisateur.username)
                if utilisateur
                else "import ou commande"
            )
            commentaire = version.history_change_reason or ""
            if version.statut != precedente.statut:
                transition = _transition_de(precedente.statut, version.statut)
                le = {
                    Statut.DELIBERE: version.date_deliberation,
                    Statut.TRANSMIS: version.date_transmission,
                }.get(version.statut)
                etapes.append(
                    Etape(
                        version.history_date,
                        qui,
                        Statut(precedente.statut).label,
                        Statut(version.statut).label,
                        commentaire,
                        le,
                        "Bilan rouvert" if transition and transition.nom == "rouvrir" else "",
                        transition.nom if transition else "",
                    )
                )
            elif version.date_transmission != precedente.date_transmission:
                etapes.append(
                    Etape(
                        version.history_date,
                        qui,
                        date_longue(precedente.date_transmission),
                        date_longue(version.date_transmission),
                        commentaire,
                        intitule="Date de transmission corrigée",
                        nom="corriger_transmission",
                    )
                )
        precedente = version
    return etapes


def dernier_renvoi(etapes: list[Etape]) -> Etape | None:
    """The step that made the bilan « à compléter » (sent back, or reopened), if it is."""
    return next((e for e in reversed(etapes) if e.apres == Statut.A_COMPLETER.label), None)
