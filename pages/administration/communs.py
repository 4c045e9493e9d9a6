"""What every administration screen of the domain shares: statuses in words, and the inlines'
choices computed once per request."""

from comptes.acces import ChoixDuTerritoireMixin


def oui_non(valeur: bool) -> str:
    """A status in words, not an icon alone: readable by everyone and by screen readers."""
    return "oui" if valeur else "non"


class ChoixPartagesMixin(ChoixDuTerritoireMixin):
    """Inlines: compute each foreign key's choices once per request, not once per row, among
    the user's territoires (``ChoixDuTerritoireMixin``).

    Without it, a tableau of 37 actions renders 37 identical queries for the action select.
    """

    choix_limites_a_la_convention: tuple[str, ...] = ()
    # What each row's label reads (its ``__str__``), fetched with the rows.
    lignes_select_related: tuple[str, ...] = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.lignes_select_related)

    def get_formset(self, request, obj=None, **kwargs):
        request._convention_en_cours = self.convention_de(obj)
        return super().get_formset(request, obj, **kwargs)

    def convention_de(self, obj):
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        convention = getattr(request, "_convention_en_cours", None)
        if db_field.name in self.choix_limites_a_la_convention and convention is not None:
            kwargs["queryset"] = db_field.related_model.objects.filter(convention=convention)
        champ = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if champ is None or db_field.related_model is self.parent_model:
            return champ  # the parent's key is not a select: no choices to compute
        cache = request.__dict__.setdefault("_choix_en_cache", {})
        cle = (self.model, db_field.name)
        if cle not in cache:
            cache[cle] = list(champ.choices)
        champ.choices = cache[cle]
        return champ


# --- Territoires, financeurs ----------------------------------------------------------------
