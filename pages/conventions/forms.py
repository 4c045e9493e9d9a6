"""Forms of the browser pages for finance officers: the annex grid of a tableau."""

from decimal import Decimal

from django import forms

from commun.formulaires import NombreFrancais
from conventions.selectors.annexes import Grille
from conventions.tableaux import Conflit, Saisie, SaisieDuTotal


def nom_du_montant(action_id: int, financeur_id: int) -> str:
    return f"montant_{action_id}_{financeur_id}"


def nom_du_montant_lu(action_id: int, financeur_id: int) -> str:
    return f"lu_{action_id}_{financeur_id}"


def nom_du_total(financeur_id: int) -> str:
    return f"total_imprime_{financeur_id}"


def nom_du_total_lu(financeur_id: int) -> str:
    return f"total_imprime_lu_{financeur_id}"


def _montant(**options):
    return NombreFrancais(required=False, **options)  # lire_montant: ≥ 0, 2 decimals


def _valeur_lue(initial):
    """The value a cell showed when the page was opened, sent back with it (hidden)."""
    return _montant(widget=forms.HiddenInput, initial=initial)


class GrilleForm(forms.Form):
    """One French-number field per action and financeur, one per financeur for the total
    printed in the signed document, and, hidden next to each, the value it showed when the
    page was opened: what this person changed is what differs from it."""

    reprendre_les_totaux = forms.BooleanField(
        label="Reprendre le total des lignes comme total imprimé",
        required=False,
        help_text="Après l'enregistrement des montants, chaque total imprimé prend la valeur "
        "du total des lignes (les totaux imprimés tapés ci-dessus sont alors ignorés).",
    )

    def __init__(self, grille: Grille, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.grille = grille
        self.cases = []
        for ligne in grille.lignes:
            if ligne.nature != "action":
                continue
            for financeur in grille.financeurs:
                montant = grille.cellules.get((ligne.action.pk, financeur.pk))
                nom = nom_du_montant(ligne.action.pk, financeur.pk)
                self.fields[nom] = _montant(
                    label=f"Action {ligne.action.code} — {financeur.nom}", initial=montant
                )
                self.fields[nom_du_montant_lu(ligne.action.pk, financeur.pk)] = _valeur_lue(montant)
                self.cases.append((ligne.action, financeur))
        for financeur in grille.financeurs:
            imprime = grille.imprimes.get(financeur.pk)
            self.fields[nom_du_total(financeur.pk)] = _montant(
                label=f"Total imprimé (document signé) — {financeur.nom}",
                initial=imprime,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "autocomplete": "off",
                        "aria-describedby": "aide-total-imprime",
                    }
                ),
            )
            self.fields[nom_du_total_lu(financeur.pk)] = _valeur_lue(imprime)
        # The checkbox after the grid, as the page shows it.
        self.fields["reprendre_les_totaux"] = self.fields.pop("reprendre_les_totaux")

    def ligne(self, action) -> list:
        """The bound fields of an action's row, in the financeurs' order."""
        return [
            (self[nom_du_montant(action.pk, f.pk)], self[nom_du_montant_lu(action.pk, f.pk)])
            for f in self.grille.financeurs
        ]

    def totaux_imprimes(self) -> list:
        """Per financeur: its printed-total field, the hidden value it showed, and the écart of
        the lines' total (None: no printed total)."""
        return [
            (self[nom_du_total(f.pk)], self[nom_du_total_lu(f.pk)], ecart)
            for f, ecart in zip(self.grille.financeurs, self.grille.ecarts, strict=True)
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
                self.cleaned_data[nom_du_montant_lu(action.pk, financeur.pk)],
                nom_du_montant(action.pk, financeur.pk),
            )
            for action, financeur in self.cases
        ]

    def saisies_des_totaux(self) -> list[SaisieDuTotal]:
        return [
            SaisieDuTotal(
                financeur,
                self.cleaned_data[nom_du_total(financeur.pk)],
                self.cleaned_data[nom_du_total_lu(financeur.pk)],
                nom_du_total(financeur.pk),
            )
            for financeur in self.grille.financeurs
        ]

    def reprise(self, grille: Grille, conflit: Conflit) -> "GrilleForm":
        """The form to show again after a refusal, on the grid as it is now: what this person
        typed stays in its cells; a cell they left alone shows its current value (a
        colleague's change included); a cell both changed keeps their value, marked with the
        colleague's, and now starts from the colleague's value, so that saving again replaces
        it knowingly."""
        donnees = self.data.copy()
        en_conflit = {case.nom: case for case in conflit.cases}
        actuelles = {
            nom_du_montant(a, f): (nom_du_montant_lu(a, f), montant)
            for (a, f), montant in grille.cellules.items()
        }
        actuelles |= {
            nom_du_total(f): (nom_du_total_lu(f), montant) for f, montant in grille.imprimes.items()
        }
        cases = [
            (nom_du_montant(a.pk, f.pk), nom_du_montant_lu(a.pk, f.pk)) for a, f in self.cases
        ] + [(nom_du_total(f.pk), nom_du_total_lu(f.pk)) for f in self.grille.financeurs]
        for nom, nom_lu in cases:
            actuelle = actuelles.get(nom, (nom_lu, None))[1]
            texte = "" if actuelle is None else str(actuelle)
            if nom in en_conflit:
                donnees[nom_lu] = texte
            elif self.cleaned_data.get(nom) == self.cleaned_data.get(nom_lu):
                donnees[nom] = "" if actuelle is None else _a_la_francaise(actuelle)
                donnees[nom_lu] = texte
        formulaire = GrilleForm(grille, donnees)
        formulaire.is_valid()
        for nom, case in en_conflit.items():
            if nom in formulaire.fields:
                formulaire.add_error(nom, case.court)
        return formulaire


def _a_la_francaise(montant: Decimal) -> str:
    """« 3500,00 »: as the grid's inputs show an amount (the field reads it back)."""
    return f"{montant:.2f}".replace(".", ",")


class NouvelleVersionForm(forms.Form):
    libelle = forms.CharField(label="Libellé de la nouvelle version", max_length=300)
