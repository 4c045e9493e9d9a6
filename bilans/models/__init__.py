"""The yearly bilans (rapports d'exécution) of a convention: per-action reports and indicators,
by aggregate: the bilan and its reminders, the reports, the indicators and their values."""

from bilans.models.bilan import Bilan, Relance
from bilans.models.communs import Figures
from bilans.models.indicateurs import Indicateur, Mesure
from bilans.models.rapports import RapportAction

__all__ = ["Bilan", "Figures", "Indicateur", "Mesure", "RapportAction", "Relance"]
