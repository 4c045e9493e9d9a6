"""``commun.parmi``: a query restricted to the rows of another, with no semi-join when the other
is the whole table (the État's national services and the administrators see every
convention), and the same rows either way."""

from django.db.models import Q

from bilans.models import Bilan
from commun.parmi import entiere, parmi
from conventions.models import Convention


def test_la_table_entiere_ne_restreint_rien(documents):
    assert entiere(Convention.objects.all())
    assert parmi("convention", Convention.objects.all()) == Q()
    toutes = Convention.objects.all()
    sql = str(Bilan.objects.filter(parmi("convention", toutes)).order_by().query)
    assert "conventions_convention" not in sql


def test_une_partie_restreint_aux_memes_lignes(documents):
    dijon = Convention.objects.filter(territoire__slug="dijon-metropole")
    for partie in (dijon, Convention.objects.none(), Convention.objects.all()[:1]):
        assert not entiere(partie)
        attendus = set(Bilan.objects.filter(convention__in=partie.values("pk")))
        assert set(Bilan.objects.filter(parmi("convention", partie))) == attendus
    assert not Bilan.objects.filter(parmi("convention", Convention.objects.none())).exists()
    assert (
        Bilan.objects.filter(parmi("convention", dijon)).count()
        == Bilan.objects.filter(convention__territoire__slug="dijon-metropole").count()
    )
