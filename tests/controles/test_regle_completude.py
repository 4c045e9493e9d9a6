"""Rule 9, complétude: engagements for every action, a report for every action.

On small factories: a passing case, a failing case, the boundary (exactly equal)."""

import pytest

from bilans.models import RapportAction
from controles.constats import Regle
from conventions.models import Action
from tests.bilans.factories import BilanFactory
from tests.controles.outils import (
    constats,
    resume,
)
from tests.conventions.factories import convention_complete

pytestmark = pytest.mark.django_db


class TestCompletude:
    def test_toutes_les_actions_ont_leurs_engagements_et_leurs_rapports(self):
        convention = convention_complete(2)
        bilan = BilanFactory(convention=convention)
        for action in convention.actions.all():
            RapportAction.objects.create(bilan=bilan, action=action)
        assert resume(Regle.COMPLETUDE) == []

    def test_une_action_sans_engagement_et_un_rapport_manquant(self):
        convention = convention_complete(2)
        Action.objects.create(convention=convention, code="9.9", intitule="Sans montant")
        bilan = BilanFactory(convention=convention)
        RapportAction.objects.create(bilan=bilan, action=convention.actions.get(code="1.1"))
        messages = [c.message for c in constats(Regle.COMPLETUDE)]
        assert len(messages) == 2
        assert messages[0].startswith("Action 1.2 : le bilan 2023 n'en rend pas compte")
        assert messages[1].startswith("Action 9.9 « Sans montant » : aucun montant")


class TestTextesAReecrire:
    """The texts ``reconduire`` marked « [à réécrire pour 2024] » until they are rewritten."""

    def test_un_texte_marque_est_a_reecrire_jusqu_a_sa_reecriture(self):
        convention = convention_complete(2)
        convention.duree = "[à réécrire pour 2024] Année 2023."
        convention.objet = "[à réécrire pour 2024] 347 000 € (bilan 2023)."
        convention.save()
        action = convention.actions.get(code="1.2")
        action.descriptif = "[à réécrire pour 2024] Mise en œuvre au 1er juin 2023."
        action.save()
        messages = [c.message for c in constats(Regle.COMPLETUDE) if "réécrire" in c.message]
        assert messages == [
            "Action 1.2 : texte à réécrire (descriptif de l'action projetée) : repris de la "
            "convention précédente derrière la marque « [à réécrire pour 2024] ».",
            "La convention : textes à réécrire (objet ; durée et renouvellement) : repris de la "
            "convention précédente derrière la marque « [à réécrire pour 2024] ».",
        ]
        convention.duree, convention.objet = "Année 2024.", "350 000 € en 2024."
        convention.save()
        action.descriptif = "Mise en œuvre au 1er juin 2024."
        action.save()
        assert [c for c in constats(Regle.COMPLETUDE) if "réécrire" in c.message] == []

    def test_la_marque_n_est_lue_qu_en_tete(self):
        convention = convention_complete(1)
        convention.objet = "Un texte qui cite « [à réécrire pour 2024] » sans en être un."
        convention.save()
        assert [c for c in constats(Regle.COMPLETUDE) if "réécrire" in c.message] == []
