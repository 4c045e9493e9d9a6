"""At national size, the lists of « À traiter » and of the synthesis' bilans show the most
urgent first and so many of them, say how many more there are, and show them all on demand
(issue 29: the pages cost what they cost at Dijon's size)."""

import re

import pytest

from comptes import roles
from tests.conventions.factories import convention_complete

pytestmark = pytest.mark.django_db


def elements_a_traiter(contenu: str) -> int:
    debut = contenu.index('id="titre-a-traiter"')
    return contenu[debut : contenu.index("</section>", debut)].count("<li>")


def test_a_traiter_montre_cinq_elements_de_chaque_sorte_et_compte_les_autres(client_de):
    client = client_de(roles.ADMINISTRATEUR)
    for _ in range(8):  # each: a 2023 bilan due on 31 March 2024, never recorded
        convention_complete(1)
    contenu = client.get("/").content.decode()
    assert elements_a_traiter(contenu) == 5
    assert "<strong>3 autres éléments à traiter</strong>" in contenu
    assert 'href="?tout=1#titre-a-traiter">tout afficher</a>' in contenu
    tout = client.get("/?tout=1").content.decode()
    assert elements_a_traiter(tout) == 8
    assert "N'afficher que les 5 premiers de chaque sorte" in tout


def test_la_synthese_montre_les_25_bilans_les_plus_urgents(client_de):
    client = client_de(roles.ADMINISTRATEUR)
    for _ in range(27):
        convention_complete(1)
    contenu = client.get("/synthese/?annee=2023").content.decode()
    liste = contenu[contenu.index('id="table-bilans"') :]
    liste = liste[: liste.index("</table>")]
    assert liste.count('<tr><th scope="row">') == 25
    assert "2 autres bilans et 2 autres territoires ne sont pas listés" in contenu
    # Every one counted in the total row, all 27 listed on demand.
    total = re.search(
        r"<tfoot>.*?</tfoot>", contenu[contenu.index("table-bilans-territoires") :], re.S
    )
    assert '<td class="montant" data-label="Attendus">27</td>' in total.group(0), total.group(0)
    tout = client.get("/synthese/?annee=2023&tous=1").content.decode()
    liste = tout[tout.index('id="table-bilans"') :]
    assert liste[: liste.index("</table>")].count('<tr><th scope="row">') == 27
