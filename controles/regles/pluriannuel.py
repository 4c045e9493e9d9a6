"""4. Pluriannuel: yearly tranches add up to a multi-year commitment, and the amount a
deliberation decides to receive for a year matches that year's tranche.

The délibération of the conseil métropolitain of 23 November 2023 (Territoire Zéro Non Recours)
records the commitment: « La présente convention rend compte de l'engagement de l'État à apporter
des financements à hauteur de 515 000 € entre 2023 et 2025. », and decides « de percevoir la
subvention de 171 667 € en 2023 ».

Tranches that overshoot the total, or that are all entered and miss it, are an erreur; tranches
still to enter are an information (what remains to spread). An amount deliberated for a year
differing from its tranche is an erreur; for a year without a tranche, an avertissement.
"""

from commun.formats import date_longue, ecart_euros, euros

from ..constats import Constat, Regle, Severite
from ..donnees import Donnees
from ._outils import annees_de, nom_de
from ._registre import regle

SEVERITE_TRANCHES = Severite.ERREUR
SEVERITE_TRANCHES_MANQUANTES = Severite.INFORMATION
SEVERITE_MONTANT_DELIBERE = Severite.ERREUR
SEVERITE_SANS_TRANCHE = Severite.AVERTISSEMENT


@regle(Regle.PLURIANNUEL)
def pluriannuel(donnees: Donnees):
    """Tranches add up to the commitment; a deliberation's yearly amount matches its tranche."""
    for engagement in donnees.pluriannuels:
        total, tranches = engagement.montant_total, engagement.somme_tranches
        annees = range(engagement.annee_debut, engagement.annee_fin + 1)
        manquantes = [a for a in annees if (engagement.pk, a) not in donnees.tranches]
        if tranches == total:
            continue
        if tranches > total or not manquantes:
            severite = SEVERITE_TRANCHES
            message = (
                f"Les tranches de {nom_de(engagement.financeur)} ({euros(tranches)}) ne font pas "
                f"le montant pluriannuel de {euros(total)} "
                f"(écart {ecart_euros(tranches - total)})."
            )
        else:
            severite = SEVERITE_TRANCHES_MANQUANTES
            message = (
                f"Engagement de {nom_de(engagement.financeur)} de {euros(total)} sur "
                f"{engagement.annee_debut}-{engagement.annee_fin} : tranches "
                f"{', '.join(map(str, manquantes))} non renseignées ; "
                f"{euros(total - tranches)} restent à répartir."
            )
        yield Constat(
            Regle.PLURIANNUEL,
            severite,
            engagement.convention,
            total,
            tranches,
            tranches - total,
            "€",
            message,
            engagement.convention_id,
            annees_de(engagement),
        )
    tranches_par_cle = {(e.convention_id, e.financeur_id): e for e in donnees.pluriannuels}
    for montant in donnees.montants_deliberes:
        deliberation = montant.deliberation
        engagement = tranches_par_cle.get((deliberation.convention_id, montant.financeur_id))
        if engagement is None:
            continue
        tranche = donnees.tranches.get((engagement.pk, montant.annee))
        if tranche == montant.montant:
            continue
        if tranche is None:
            severite, attendu, ecart = SEVERITE_SANS_TRANCHE, None, None
            message = (
                f"La délibération du {date_longue(deliberation.seance.date)} décide de percevoir "
                f"{euros(montant.montant)} en {montant.annee}, mais aucune tranche {montant.annee} "
                f"n'est enregistrée pour l'engagement de {nom_de(montant.financeur)}."
            )
        else:
            severite, attendu, ecart = SEVERITE_MONTANT_DELIBERE, tranche, montant.montant - tranche
            message = (
                f"La délibération du {date_longue(deliberation.seance.date)} décide de percevoir "
                f"{euros(montant.montant)} en {montant.annee}, la tranche {montant.annee} est de "
                f"{euros(tranche)} (écart {ecart_euros(ecart)})."
            )
        yield Constat(
            Regle.PLURIANNUEL,
            severite,
            deliberation,
            attendu,
            montant.montant,
            ecart,
            "€",
            message,
            deliberation.convention_id,
            (montant.annee, montant.annee),
        )
