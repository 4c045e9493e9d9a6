"""django-filter filters of the dashboard."""

import django_filters

from commun.formulaires import ListeDeChoix
from conventions.models import Convention, TableauEngagements, Territoire


class TableauDeBordFilter(django_filters.FilterSet):
    territoire = django_filters.ModelChoiceFilter(
        field_name="convention__territoire",
        queryset=Territoire.objects.none(),
        label="Territoire",
        empty_label="Tous",
        widget=ListeDeChoix,
    )
    dispositif = django_filters.ChoiceFilter(
        field_name="convention__dispositif",
        choices=Convention.Dispositif.choices,
        label="Dispositif",
        empty_label="Tous",
    )
    annee = django_filters.NumberFilter(method="filtrer_annee", label="Année")
    statut = django_filters.ChoiceFilter(
        field_name="convention__statut",
        choices=Convention.Statut.choices,
        label="Statut",
        empty_label="Tous",
    )

    class Meta:
        model = TableauEngagements
        fields = []

    def __init__(self, *args, territoires=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The list shows names only: the hundred-odd territoires of a national list are read
        # without their other fields.
        self.filters["territoire"].queryset = territoires.only("pk", "nom")

    def filtrer_annee(self, queryset, name, value):
        return queryset.pour_annee(int(value))

    def conventions(self, conventions):
        """The same filters applied to conventions, for the dashboard's other blocks (bilans
        due, conventions without a yearly tableau): every block answers the same question."""
        donnees = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        if donnees.get("territoire"):
            conventions = conventions.filter(territoire=donnees["territoire"])
        if donnees.get("dispositif"):
            conventions = conventions.filter(dispositif=donnees["dispositif"])
        if donnees.get("statut"):
            conventions = conventions.filter(statut=donnees["statut"])
        if donnees.get("annee") is not None:
            annee = int(donnees["annee"])
            conventions = conventions.filter(annee_debut__lte=annee, annee_fin__gte=annee)
        return conventions
