"""The national-scale generator, at a small size: deterministic, with lineage, and with work
for the checks."""

from io import StringIO

from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum

from bilans.models import Mesure
from controles.constats import Regle
from controles.services import controler
from conventions.generation import generer
from conventions.models import Action, Engagement


def resume():
    return (
        Engagement.objects.aggregate(n=Count("id"), total=Sum("montant")),
        Mesure.objects.aggregate(n=Count("id"), total=Sum("valeur")),
        Action.objects.filter(action_precedente__isnull=False).count(),
    )


def test_la_meme_graine_donne_les_memes_donnees(db):
    resultats = []
    for _ in range(2):
        with transaction.atomic():
            generer(territoires=3, annees=2, graine=7)
            resultats.append(resume())
            transaction.set_rollback(True)
    assert resultats[0] == resultats[1]
    engagements, mesures, lignee = resultats[0]
    assert engagements["n"] > 100 and mesures["n"] > 100
    assert lignee > 10  # the second year's actions continue the first year's


def test_la_commande_et_les_incoherences_voulues(db):
    sortie = StringIO()
    call_command(
        "generer_donnees", "--territoires", "3", "--annees", "2", "--graine", "5", stdout=sortie
    )
    assert "3 territoires, 6 conventions" in sortie.getvalue()
    codes = {c.code for c in controler()}
    assert {Regle.COFINANCEMENT, Regle.INDICATEURS} <= codes
