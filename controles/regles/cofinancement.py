"""1. Cofinancement / parité: the collectivité funds at least the convention's rate of the État.

The convention says (Pacte de solidarité Dijon Métropole 2020, article 2.3.2, « Maintien des
dépenses de Dijon Métropole et parité des financements »):

    « Dijon Métropole s'engage à consacrer aux actions décrites à l'article 2.2 des financements
    au moins équivalents dans leur montant à ceux qui lui sont accordés pour ces actions par
    l'État au titre de la présente convention. »

« Au moins équivalents » is a rate of 100 %; other dispositifs set another minimum share, so the
rate is the convention's ``taux_cofinancement`` (none: nothing to check). For each tableau, the
collectivité's total must reach the rate times the État's total (an erreur otherwise), and so
must each action's amounts (an imbalance on one action is an avertissement).
"""

from commun.formats import arrondi, euros, pourcentage

from ..constats import Constat, Regle, Severite
from ..donnees import Donnees
from ._outils import COLLECTIVITE, ETAT, ZERO, annees_de, periode_de
from ._registre import regle

SEVERITE_TOTAL = Severite.ERREUR
SEVERITE_ACTION = Severite.AVERTISSEMENT


@regle(Regle.COFINANCEMENT)
def cofinancement(donnees: Donnees):
    """Collectivité ≥ taux × État: an error on a tableau's total, a warning on an action."""
    for convention in donnees.conventions:
        taux = convention.taux_cofinancement
        if taux is None:
            continue
        for tableau in donnees.tableaux_de(convention.pk):
            etat = donnees.total_par_categorie.get((tableau.pk, ETAT), ZERO)
            collectivite = donnees.total_par_categorie.get((tableau.pk, COLLECTIVITE), ZERO)
            requis = arrondi(taux * etat)
            if etat and collectivite < requis:
                yield Constat(
                    Regle.COFINANCEMENT,
                    SEVERITE_TOTAL,
                    tableau,
                    requis,
                    collectivite,
                    collectivite - requis,
                    "€",
                    f"Tableau {periode_de(tableau)} : la collectivité engage "
                    f"{euros(collectivite)}, moins que les {euros(requis)} requis "
                    f"({pourcentage(taux)} des "
                    f"{euros(etat)} de l'État) ; il manque {euros(requis - collectivite)}.",
                    convention.pk,
                    annees_de(tableau),
                )
            for action in donnees.actions_de(convention.pk):
                etat_action = donnees.action_par_categorie.get((tableau.pk, action.pk, ETAT), ZERO)
                collectivite_action = donnees.action_par_categorie.get(
                    (tableau.pk, action.pk, COLLECTIVITE), ZERO
                )
                requis_action = arrondi(taux * etat_action)
                if etat_action and collectivite_action < requis_action:
                    yield Constat(
                        Regle.COFINANCEMENT,
                        SEVERITE_ACTION,
                        action,
                        requis_action,
                        collectivite_action,
                        collectivite_action - requis_action,
                        "€",
                        f"Action {action.code}, tableau {periode_de(tableau)} : la collectivité "
                        f"engage {euros(collectivite_action)} pour {euros(etat_action)} de l'État, "
                        f"au lieu d'au moins {euros(requis_action)} ({pourcentage(taux)}).",
                        convention.pk,
                        annees_de(tableau),
                        (tableau,),  # the version's page shows it too
                    )
