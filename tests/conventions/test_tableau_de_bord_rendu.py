"""The dashboard's quicker rendering writes what django-tables2 and Django's own widget write."""

import re

from django import forms
from django.utils.html import conditional_escape

from commun.formulaires import ListeDeChoix
from conventions.models import TableauEngagements
from pages.conventions.tables import TableauDeBordTable


def test_les_lignes_de_la_page_sont_celles_de_django_tables2(documents):
    tableaux = TableauEngagements.objects.select_related("convention__territoire").avec_totaux()
    table = TableauDeBordTable(tableaux)
    table.paginate(per_page=3)
    attendues = [
        [(colonne.attrs["td"].as_html(), str(cellule)) for colonne, cellule in ligne.items()]
        for ligne in table.paginated_rows
    ]
    lignes = [[(a, str(c)) for a, c in cellules] for cellules in table.lignes_de_la_page()]
    assert lignes == attendues
    assert len(lignes) == 3 and 'class="montant"' in lignes[0][4][0]
    # The page writes each row in one string: the same cells, escaped as a template would.
    rangees = table.rangees_de_la_page()
    assert [str(r) for r in rangees] == [
        "<tr>" + "".join(f"<td {a}>{conditional_escape(c)}</td>" for a, c in ligne) + "</tr>"
        for ligne in table.lignes_de_la_page()
    ]
    assert rangees[0].startswith('<tr><td class="tete-de-bloc" data-label="Territoire">')


def test_la_liste_de_choix_ecrit_le_meme_select_que_django():
    choix = [
        ("", "Tous"),
        (1, "Dijon Métropole"),
        ("Départements", [(2, "Côte-d'Or"), (3, "Haute-Saône <&>")]),
    ]
    for valeur in ("", "1", "3"):
        attrs = {"id": "id_territoire", "required": True, "aria-describedby": "aide"}
        django = forms.Select(choices=choix).render("territoire", valeur, attrs=attrs)
        nous = ListeDeChoix(choices=choix).render("territoire", valeur, attrs=attrs)
        assert re.sub(r">\s+<", "><", str(django)).strip() == str(nous)
    assert "Haute-Saône &lt;&amp;&gt;" in str(nous) and '<option value="3" selected>' in str(nous)
