"""Forms of the browser pages for finance officers: the annex grid of a tableau."""

from django import forms

from commun.formulaires import NombreFrancais

from .selectors import Grille
from .tableaux import Saisie


def nom_du_montant(action_id: int, financeur_id: int) -> str:
    return f"montant_{action_id}_{financeur_id}"


def nom_de_la_version(action_id: int, financeur_id: int) -> str:
    return f"version_{action_id}_{financeur_id}"


class GrilleForm(forms.Form):
    """One French-number field per action and financeur, and the version each cell showed."""

    def __init__(self, grille: Grille, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.grille = grille
        self.cases = []
        for ligne in grille.lignes:
            if ligne.nature != "action":
                continue
            for financeur in grille.financeurs:
                montant, version = grille.cellules.get(
                    (ligne.action.pk, financeur.pk), (None, None)
                )
                nom = nom_du_montant(ligne.action.pk, financeur.pk)
                self.fields[nom] = NombreFrancais(
                    label=f"Action {ligne.action.code} — {financeur.nom}",
                    required=False,
                    min_value=0,
                    max_digits=14,
                    decimal_places=2,
                    initial=montant,
                )
                self.fields[nom_de_la_version(ligne.action.pk, financeur.pk)] = forms.IntegerField(
                    required=False, widget=forms.HiddenInput, initial=version
                )
                self.cases.append((ligne.action, financeur))

    def ligne(self, action) -> list:
        """The bound fields of an action's row, in the financeurs' order."""
        return [
            (self[nom_du_montant(action.pk, f.pk)], self[nom_de_la_version(action.pk, f.pk)])
            for f in self.grille.financeurs
        ]

    def erreurs_nommees(self) -> list[tuple[str, str, str]]:
        """(field id, « Action 3.3 — État », message) for the summary above the grid."""
        return [
            (self[nom].id_for_label, self.fields[nom].label, " ".join(erreurs))
            for nom, erreurs in self.errors.items()
            if nom in self.fields
        ]

    def saisies(self) -> list[Saisie]:
        return [
            Saisie(
                action,
                financeur,
                self.cleaned_data[nom_du_montant(action.pk, financeur.pk)],
                self.cleaned_data[nom_de_la_version(action.pk, financeur.pk)],
            )
            for action, financeur in self.cases
        ]


class NouvelleVersionForm(forms.Form):
    libelle = forms.CharField(label="Libellé de la nouvelle version", max_length=300)
