"""The search box's answer: what each domain application finds for the typed text, gathered."""

from dataclasses import dataclass

from bilans.selectors import recherche as recherche_dans_les_bilans
from conventions.selectors.recherche import recherche as recherche_dans_les_conventions


@dataclass(frozen=True)
class Resultats:
    actions: list
    operateurs: list
    indicateurs: list
    conventions: list


def rechercher(conventions, texte: str) -> Resultats:
    """Actions, operators, indicators and conventions among ``conventions`` whose words contain
    ``texte``, whatever its accents and case."""
    actions, trouvees = recherche_dans_les_conventions(conventions, texte)
    operateurs, indicateurs = recherche_dans_les_bilans(conventions, texte)
    return Resultats(actions, operateurs, indicateurs, trouvees)
