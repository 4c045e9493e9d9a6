"""2. Totaux imprimés: the total a document prints equals the sum of its lines, per financeur.

The documents print their own totals: the Annexe 1 of the Pacte de solidarité 2020 closes its
tableau des engagements on « Total 200 000 € 200 000 € », the CALPA 2023 tableau on « Total
347 000 € 347 000 € », while the bilan 2023's budget prévisionnel par action adds up to
« Total 347 500 € 347 500 € ». The domain guide (docs/DESIGN.md, « Rules the application checks »)
asks that « the total printed in a document equals the sum of its lines, per financeur »: the
printed total is kept as the document says it, and the difference with the lines is reported.

Documents print whole euros while lines may carry cents (50 200,02 €): a whole-euro total less
than ``TOLERANCE_ARRONDI`` away from its lines is the document's rounding, reported to the cent
as an information rather than an erreur.
"""

from decimal import Decimal

from commun.formats import ecart_euros, euros

from ..constats import Constat, Regle, Severite
from ..donnees import Donnees
from ._outils import ZERO, annees_de, nom_de, periode_de
from ._registre import regle

TOLERANCE_ARRONDI = Decimal(1)
SEVERITE_ECART = Severite.ERREUR
SEVERITE_ARRONDI = Severite.INFORMATION


def arrondi_a_l_euro(imprime: Decimal, calcule: Decimal) -> bool:
    """A whole-euro printed total within one euro of lines with cents: the document rounded.

    Documents print whole euros while lines may carry cents (50 200,02 €): such an écart is
    real and reported to the cent, but as an information, not as an erreur.
    """
    return imprime == imprime.to_integral_value() and abs(calcule - imprime) < TOLERANCE_ARRONDI


@regle(Regle.TOTAUX)
def totaux_imprimes(donnees: Donnees):
    """The total printed in a document equals the sum of its lines, per financeur."""
    tableaux = {t.pk: t for t in donnees.tableaux}
    for tableau_id, financeur_id, imprime in donnees.totaux_imprimes:
        tableau = tableaux[tableau_id]
        calcule = donnees.total_par_financeur.get((tableau_id, financeur_id), ZERO)
        if calcule != imprime:
            financeur = donnees.financeurs[financeur_id]
            arrondi_seulement = arrondi_a_l_euro(imprime, calcule)
            yield Constat(
                Regle.TOTAUX,
                SEVERITE_ARRONDI if arrondi_seulement else SEVERITE_ECART,
                tableau,
                imprime,
                calcule,
                calcule - imprime,
                "€",
                f"Tableau {periode_de(tableau)} : le total imprimé pour {nom_de(financeur)} est "
                f"{euros(imprime)}, mais ses lignes font {euros(calcule)} "
                f"(écart {ecart_euros(calcule - imprime)}"
                + (", arrondi à l'euro du document)." if arrondi_seulement else ")."),
                tableau.convention_id,
                annees_de(tableau),
            )
