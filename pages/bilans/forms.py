"""Forms agents fill in: an action's report and its indicators' values for a bilan."""

from django import forms

from bilans.models import Mesure, RapportAction
from commun.concurrence import message
from commun.formats import nombre
from commun.formulaires import NombreFrancais


class RapportActionForm(forms.ModelForm):
    class Meta:
        model = RapportAction
        fields = ["realisation", "operateur", "texte"]
        widgets = {"texte": forms.Textarea(attrs={"rows": 6})}


class MesuresForm(forms.Form):
    """One field per indicator of an action; a part may not exceed its whole."""

    def __init__(self, *args, bilan, indicateurs, valeurs, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.bilan = bilan
        self.indicateurs = indicateurs
        self.versions = versions  # indicator id → version of its mesure now (0: none)
        for indicateur in indicateurs:
            valeur = valeurs.get(indicateur.pk)
            self.fields[self.nom(indicateur)] = NombreFrancais(
                nature="valeur",
                label=indicateur.libelle,
                required=False,
                initial=None if valeur is None else nombre(valeur),
                help_text=indicateur.unite,
            )
            self.fields[f"version_{indicateur.pk}"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=versions.get(indicateur.pk, 0)
            )

    @staticmethod
    def nom(indicateur) -> str:
        return f"indicateur_{indicateur.pk}"

    def clean(self):
        donnees = super().clean()
        for indicateur in self.indicateurs:
            lue = donnees.get(f"version_{indicateur.pk}")
            if lue is not None and lue != self.versions.get(indicateur.pk, 0):
                actuelle = Mesure.objects.filter(indicateur=indicateur, bilan=self.bilan).first()
                self.add_error(
                    self.nom(indicateur),
                    message(
                        actuelle, actuelle.valeur, donnees.get(self.nom(indicateur)), montant=False
                    )
                    if actuelle
                    else "Valeur supprimée entre-temps : rechargez la page.",
                )
        for indicateur in self.indicateurs:
            if not indicateur.parent_id:
                continue
            partie = donnees.get(self.nom(indicateur))
            tout = donnees.get(f"indicateur_{indicateur.parent_id}")
            if partie is not None and tout is not None and partie > tout:
                self.add_error(
                    self.nom(indicateur),
                    f"« {indicateur.libelle} » ({nombre(partie)}) ne peut pas dépasser "
                    f"« {indicateur.parent.libelle} » ({nombre(tout)}).",
                )
        return donnees

    def valeurs(self) -> dict:
        return {i: self.cleaned_data.get(self.nom(i)) for i in self.indicateurs}


def _champ_date(libelle: str) -> forms.DateField:
    """A date as the browser's date picker sends it, or typed « 20/03/2024 »; an unreadable
    one is refused naming the field."""
    return forms.DateField(
        label=libelle,
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": f"{libelle} illisible : écrivez-la JJ/MM/AAAA."},
    )


class ChangementDeStatutForm(forms.Form):
    """One move of a bilan's cycle (``cycle.TRANSITIONS``): the comment and the dates it may
    need (deliberation; transmission, the day itself when left empty)."""

    transition = forms.CharField(widget=forms.HiddenInput)
    date_deliberation = _champ_date("Date de la délibération du conseil")
    date_transmission = _champ_date("Date de transmission au préfet")
    commentaire = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    confirmer = forms.BooleanField(required=False, widget=forms.HiddenInput)
