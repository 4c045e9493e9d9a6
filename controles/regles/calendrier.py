"""8. Calendrier: the bilan of year N is deliberated and sent by its due date; overdue and
upcoming bilans are flagged.

The convention sets the date (Pacte de solidarité 2020, article 2.4): « Ce rapport fait l'objet
d'une délibération du conseil métropolitain en vue d'une transmission au Préfet de Région, Préfet
du Département de la Côte-d'Or au plus tard le 31 mars de l'exercice suivant la réalisation des
actions. » Each convention records its own due date (day, month, years after N: see
``Convention.echeance_bilan``); a convention without one is not checked.

A bilan deliberated and sent after its due date is an avertissement (the delay in days; the
message gives both dates as entered, not only the later one); a bilan not recorded, deliberated
or sent once the date has passed is an erreur, the delay written in years, months and days, and
in days too beyond ``RETARD_EN_JOURS_AU_DELA_DE`` days; a bilan due within ``DELAI_ALERTE_BILAN``
is an information, so that nobody learns of the date too late.
"""

from datetime import date, timedelta
from decimal import Decimal

from commun.formats import date_longue, duree, nombre

from ..constats import Constat, Regle, Severite
from ..donnees import Donnees
from ._registre import regle

DELAI_ALERTE_BILAN = timedelta(days=60)
RETARD_EN_JOURS_AU_DELA_DE = 31
SEVERITE_TRANSMIS_EN_RETARD = Severite.AVERTISSEMENT
SEVERITE_ECHEANCE_DEPASSEE = Severite.ERREUR
SEVERITE_ECHEANCE_PROCHE = Severite.INFORMATION


def a_signaler(echeance: date, dates: list, aujourdhui: date) -> bool:
    """Whether a year's bilan gives a constat, from its due date and its ``[date de
    délibération, date de transmission]`` (``[None, None]`` when not recorded): deliberated and
    sent late, or not yet both once the date has passed or is within ``DELAI_ALERTE_BILAN``.
    The rule's gate; ``enregistres.echeances`` asks the database the same question of the
    stored due dates, to read only the conventions concerned."""
    if None not in dates:
        return max(dates) > echeance
    return aujourdhui > echeance or echeance - aujourdhui <= DELAI_ALERTE_BILAN


def delibere_et_transmis(deliberation: date, transmission: date) -> str:
    """Both dates as entered: the later one is the delay's, but the reader checks each."""
    if deliberation == transmission:
        return f"délibéré et transmis le {date_longue(transmission)}"
    return f"délibéré le {date_longue(deliberation)} et transmis le {date_longue(transmission)}"


@regle(Regle.CALENDRIER)
def calendrier(donnees: Donnees, aujourdhui: date):
    """Each year's bilan deliberated and sent by its due date: overdue, late, or due soon."""
    bilans = {(b.convention_id, b.annee): b for b in donnees.bilans}
    for convention in donnees.conventions:
        for annee in range(convention.annee_debut, convention.annee_fin + 1):
            echeance = convention.echeance_bilan(annee)
            if echeance is None:
                continue
            bilan = bilans.get((convention.pk, annee))
            objet = bilan or convention
            dates = [bilan.date_deliberation, bilan.date_transmission] if bilan else [None, None]
            if not a_signaler(echeance, dates, aujourdhui):
                continue
            if None not in dates:
                fin = max(dates)
                if fin > echeance:
                    retard = (fin - echeance).days
                    yield Constat(
                        Regle.CALENDRIER,
                        SEVERITE_TRANSMIS_EN_RETARD,
                        objet,
                        echeance.isoformat(),
                        fin.isoformat(),
                        Decimal(retard),
                        "jours",
                        f"Bilan {annee} : {delibere_et_transmis(*dates)}, "
                        f"{duree(echeance, fin)} après l'échéance du {date_longue(echeance)}.",
                        convention.pk,
                        (annee, annee),
                    )
                continue
            manque = (
                "pas enregistré"
                if bilan is None
                else (
                    "ni délibéré ni transmis"
                    if dates == [None, None]
                    else "pas transmis"
                    if dates[0]
                    else "pas délibéré"
                )
            )
            constate = manque.replace("pas ", "non ")
            if aujourdhui > echeance:
                retard = (aujourdhui - echeance).days
                yield Constat(
                    Regle.CALENDRIER,
                    SEVERITE_ECHEANCE_DEPASSEE,
                    objet,
                    echeance.isoformat(),
                    constate,
                    Decimal(retard),
                    "jours",
                    f"Bilan {annee} : échéance du {date_longue(echeance)} dépassée de "
                    f"{duree(echeance, aujourdhui)}"
                    + (f" ({nombre(retard)} jours)" if retard > RETARD_EN_JOURS_AU_DELA_DE else "")
                    + f", le bilan n'est {manque}.",
                    convention.pk,
                    (annee, annee),
                )
            elif echeance - aujourdhui <= DELAI_ALERTE_BILAN:
                reste = (echeance - aujourdhui).days
                yield Constat(
                    Regle.CALENDRIER,
                    SEVERITE_ECHEANCE_PROCHE,
                    objet,
                    echeance.isoformat(),
                    constate,
                    Decimal(reste),
                    "jours",
                    f"Bilan {annee} : à délibérer et transmettre avant le "
                    f"{date_longue(echeance)}, dans {duree(aujourdhui, echeance)}.",
                    convention.pk,
                    (annee, annee),
                )
