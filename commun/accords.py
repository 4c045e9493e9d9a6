"""French agreement of the admin's words with the objects they name.

Django's French has one form for every model: « Supprimer les conventions sélectionnés ». The
gender of a model is that of the first noun of its name (« tableau des engagements »: tableau),
read from this lexicon; ``tests/commun/test_accords.py`` asks that every model of the admin be
in it, so a new model is given its gender the day it lands.
"""

MASCULIN, FEMININ = "m", "f"

GENRES = {
    # the application's models
    "action": FEMININ,
    "avenant": MASCULIN,
    "axe": MASCULIN,
    "bilan": MASCULIN,
    "convention": FEMININ,
    "délibération": FEMININ,
    "engagement": MASCULIN,
    "financeur": MASCULIN,
    "indicateur": MASCULIN,
    "membre": MASCULIN,
    "mesure": FEMININ,
    "montant": MASCULIN,
    "profil": MASCULIN,
    "rapport": MASCULIN,
    "relance": FEMININ,
    "séance": FEMININ,
    "tableau": MASCULIN,
    "territoire": MASCULIN,
    "total": MASCULIN,
    "tranche": FEMININ,
    # Django's accounts and django-axes' logins
    "utilisateur": MASCULIN,
    "groupe": MASCULIN,
    "tentative": FEMININ,
    "connexion": FEMININ,
    "échec": MASCULIN,
}


def premier_nom(modele) -> str:
    return str(modele._meta.verbose_name).split()[0].lower()


def genre(modele) -> str | None:
    """« m », « f », or None for a name the lexicon does not know (Django's form stays)."""
    return GENRES.get(premier_nom(modele))


def accorder(modele, masculin: str, feminin: str) -> str:
    return feminin if genre(modele) == FEMININ else masculin


def supprimer_la_selection(modele) -> str:
    """The bulk delete action's label: « Supprimer les conventions sélectionnées »."""
    selection = accorder(modele, "sélectionnés", "sélectionnées")
    return f"Supprimer les {modele._meta.verbose_name_plural} {selection}"


class AccordsAdminMixin:
    """A ModelAdmin whose « delete selected » action agrees with its model. The action itself
    is Django's (its confirmation page, and the write guards it asks) under another label."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions and genre(self.model) is not None:
            fonction, nom, _description = actions["delete_selected"]
            # get_action_choices formats the label with « % »: a literal « % » is doubled.
            libelle = supprimer_la_selection(self.model).replace("%", "%%")
            actions["delete_selected"] = (fonction, nom, libelle)
        return actions
