"""The documents set aside once per session (``tests/socle.py``) are the documents ``make run``
loads: restored into a test, they give the same objects, amounts, history and constats as
``loaddata`` followed by the first history lines."""

from django.apps import apps
from django.db import connection

from conventions.models import Engagement
from tests import socle
from tests.conftest import charger_les_documents
from tests.test_deploiement import photo as engagements_et_constats


def photo() -> dict:
    """Row counts of every model, and every engagement and constat as plain values."""
    engagements, constats = engagements_et_constats()
    return {
        "lignes": {
            modele._meta.label: modele._default_manager.count()
            for modele in apps.get_models(include_auto_created=True)
        },
        "engagements": engagements,
        "constats": constats,
    }


def test_le_socle_restaure_ce_que_loaddata_charge(db):
    socle.restaurer()
    restaure = photo()
    q = connection.ops.quote_name
    with connection.cursor() as curseur:  # foreign keys are checked at commit, never reached
        for copie in socle._copies:
            curseur.execute(f"DELETE FROM {q(copie.table)}")
    assert Engagement.objects.count() == 0
    charger_les_documents()
    assert photo() == restaure
    assert len(restaure["engagements"]) == 128
    assert len(restaure["constats"]) == 14
    assert restaure["lignes"]["conventions.HistoricalEngagement"] == 128


def test_sans_documents_la_base_est_vide(db):
    assert Engagement.objects.count() == 0
    assert not apps.get_model("conventions", "Convention").objects.exists()
