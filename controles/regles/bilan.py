"""5. Bilan et engagements: the bilan's budget per action against the tableau en vigueur, its
totals against the État funding actually received and the collectivité's spending.

The convention asks for the bilan (Pacte de solidarité 2020, article 2.4): « Ce rapport contient
un bilan financier des actions mises en œuvre et décrit les résultats obtenus ainsi que l'atteinte
des objectifs fixés. » The bilan 2023 reports that funding in its own words: « L'Etat a soutenu
Dijon métropole à hauteur de 347 000€ et la collectivité s'était engagée à consacrer des
financements au moins équivalents à ceux qui lui sont accordés par l'Etat. », then gives a
« Budget prévisionnel 2023 par action » (which is not the tableau des engagements, and totals
347 500 €) and « Dijon métropole a engagé 879 505€ de dépenses en 2023, avec un financement de
l'Etat de 347 000€. »

So, for each bilan: its budget per action and financeur differs from the tableau en vigueur (an
avertissement); its État total differs from the funding received (an erreur); the funding
received differs from what the tableau en vigueur planned (an avertissement); the collectivité's
spending falls short of the convention's rate times the funding received (an erreur).
"""

from commun.formats import arrondi, ecart_euros, euros, pourcentage

from ..constats import Constat, Regle, Severite
from ..donnees import Donnees
from ._outils import ETAT, ZERO, nom_de
from ._registre import regle

SEVERITE_BUDGET_PAR_ACTION = Severite.AVERTISSEMENT
SEVERITE_BUDGET_ET_FINANCEMENT_RECU = Severite.ERREUR
SEVERITE_FINANCEMENT_RECU_ET_TABLEAU = Severite.AVERTISSEMENT
SEVERITE_DEPENSES = Severite.ERREUR


@regle(Regle.BILAN)
def bilan_et_engagements(donnees: Donnees):
    """The bilan's budget per action against the tableau en vigueur; its totals against the
    État funding received and the collectivité's spending."""
    for bilan in donnees.bilans:
        annees = (bilan.annee, bilan.annee)
        en_vigueur = donnees.tableau_en_vigueur(bilan.convention_id, bilan.annee)
        previsionnel = bilan.tableau_previsionnel_id
        if previsionnel and en_vigueur:
            prevu = donnees.lignes.get(previsionnel, {})
            engage = donnees.lignes.get(en_vigueur.pk, {})
            for action_id, financeur_id in sorted(
                set(prevu) | set(engage),
                key=lambda cle: (donnees.actions[cle[0]].ordre, donnees.financeurs[cle[1]].ordre),
            ):
                dans_bilan = prevu.get((action_id, financeur_id), ZERO)
                en_tableau = engage.get((action_id, financeur_id), ZERO)
                if dans_bilan == en_tableau:
                    continue
                action, financeur = donnees.actions[action_id], donnees.financeurs[financeur_id]
                yield Constat(
                    Regle.BILAN,
                    SEVERITE_BUDGET_PAR_ACTION,
                    action,
                    en_tableau,
                    dans_bilan,
                    dans_bilan - en_tableau,
                    "€",
                    f"Action {action.code} : le budget prévisionnel du bilan {bilan.annee} "
                    f"indique {euros(dans_bilan)} pour {nom_de(financeur)}, le tableau en vigueur "
                    f"« {en_vigueur.libelle} » {euros(en_tableau)} "
                    f"(écart {ecart_euros(dans_bilan - en_tableau)}).",
                    bilan.convention_id,
                    annees,
                    (bilan,),
                )
        recu = bilan.financement_etat_recu
        if recu is not None and previsionnel:
            prevu_etat = donnees.total_par_categorie.get((previsionnel, ETAT), ZERO)
            if prevu_etat != recu:
                yield Constat(
                    Regle.BILAN,
                    SEVERITE_BUDGET_ET_FINANCEMENT_RECU,
                    bilan,
                    recu,
                    prevu_etat,
                    prevu_etat - recu,
                    "€",
                    f"Bilan {bilan.annee} : le budget prévisionnel par action totalise "
                    f"{euros(prevu_etat)} pour l'État, qui a versé {euros(recu)} "
                    f"(écart {ecart_euros(prevu_etat - recu)}).",
                    bilan.convention_id,
                    annees,
                )
        if recu is not None and en_vigueur:
            engage_etat = donnees.total_par_categorie.get((en_vigueur.pk, ETAT), ZERO)
            if engage_etat != recu:
                yield Constat(
                    Regle.BILAN,
                    SEVERITE_FINANCEMENT_RECU_ET_TABLEAU,
                    bilan,
                    engage_etat,
                    recu,
                    recu - engage_etat,
                    "€",
                    f"Bilan {bilan.annee} : l'État a versé {euros(recu)}, le tableau en vigueur "
                    f"« {en_vigueur.libelle} » prévoyait {euros(engage_etat)} "
                    f"(écart {ecart_euros(recu - engage_etat)}).",
                    bilan.convention_id,
                    annees,
                )
        taux = bilan.convention.taux_cofinancement
        depenses = bilan.depenses_collectivite
        if depenses is not None and recu is not None and taux is not None:
            requis = arrondi(taux * recu)
            if depenses < requis:
                yield Constat(
                    Regle.BILAN,
                    SEVERITE_DEPENSES,
                    bilan,
                    requis,
                    depenses,
                    depenses - requis,
                    "€",
                    f"Bilan {bilan.annee} : la collectivité a dépensé {euros(depenses)}, moins que "
                    f"les {euros(requis)} requis ({pourcentage(taux)} des {euros(recu)} versés "
                    "par l'État).",
                    bilan.convention_id,
                    annees,
                )
