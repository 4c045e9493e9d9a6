"""What the tests of each rule share: the constats of one rule, summed up as tuples, and small
factories of financeurs and amounts."""

from datetime import date
from decimal import Decimal

from controles.services import controler
from tests.conventions.factories import FinanceurFactory

AUJOURDHUI = date(2026, 11, 22)


def constats(regle, **kwargs):
    return [c for c in controler(aujourdhui=AUJOURDHUI, **kwargs) if c.code == regle]


def resume(regle, **kwargs):
    return [(str(c.severite), c.attendu, c.constate, c.ecart) for c in constats(regle, **kwargs)]


def collectivite():
    return FinanceurFactory(collectivite=True)


def etat():
    return FinanceurFactory()


def changer_montant(convention, code, financeur, montant):
    engagement = convention.tableaux.get(en_vigueur=True).engagements.get(
        action__code=code, financeur=financeur
    )
    engagement.montant = Decimal(montant)
    engagement.save()
