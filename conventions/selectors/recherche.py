"""The conventions and actions whose words contain a typed text."""

from django.db.models import Q

from commun.recherche import contient
from conventions.models import Action


def recherche(conventions, texte: str) -> tuple[list, list]:
    """The actions, then the conventions, whose words contain ``texte``, whatever its accents
    and case (« acces » finds « accès », « tznr » the Territoire zéro non recours). The bilans'
    operators and indicators are searched by ``bilans.selectors.recherche``."""
    trouvees = (
        conventions.filter(contient(texte, "intitule", "slug", "objet"))
        .select_related("territoire")
        .order_by("-annee_debut", "intitule")[:50]
    )
    actions = (
        Action.objects.filter(convention__in=conventions)
        .filter(contient(texte, "intitule", "intitule_fiche", "descriptif") | Q(code__iexact=texte))
        .select_related("convention")
        .order_by("-convention__annee_debut", "ordre")[:50]
    )
    return list(actions), list(trouvees)
