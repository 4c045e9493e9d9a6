"""Concurrent edits: a form carries the version it read; saving over a newer one is refused.

The message shows the colleague's value and name, and nothing is overwritten silently.
"""

from django import forms
from django.db import transaction

from commun.formats import euros, nombre


def auteur(objet) -> str:
    """Who last changed this object, from its history."""
    derniere = objet.historique.select_related("history_user").order_by("-history_date").first()
    if derniere is None or derniere.history_user is None:
        return "quelqu'un d'autre"
    return derniere.history_user.get_username()


RECHARGER = "Rien n'a été enregistré : rechargez la page pour repartir de la valeur actuelle."


def phrase(qui: str, actuel, saisi, *, montant: bool = True, suite: str = RECHARGER) -> str:
    """« Modifié entre-temps par alice : la valeur est maintenant 90 000 € (votre saisie :
    95 000 €). » and what to do next (``suite``)."""
    formater = euros if montant else nombre
    texte = (
        f"Modifié entre-temps par {qui} : la valeur est maintenant {formater(actuel)} "
        f"(votre saisie : {formater(saisi)})."
    )
    return f"{texte} {suite}" if suite else texte


def message(objet, actuel, saisi, *, montant: bool = True) -> str:
    return phrase(auteur(objet), actuel, saisi, montant=montant)


class VersionForm(forms.ModelForm):
    """A ModelForm refused when the row changed since the form was displayed."""

    version_lue = forms.IntegerField(widget=forms.HiddenInput, required=False)
    champ_surveille = "montant"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version_lue"].initial = self.instance.version

    def clean(self):
        donnees = super().clean()
        lue = donnees.get("version_lue")
        if self.instance.pk and lue is not None:
            lignes = type(self.instance).objects.filter(pk=self.instance.pk)
            if transaction.get_connection().in_atomic_block:  # the admin's: compare, then save
                lignes = lignes.select_for_update()  # with nobody writing in between
            actuel = lignes.first()
            if actuel is not None and actuel.version != lue:
                raise forms.ValidationError(
                    message(
                        actuel,
                        getattr(actuel, self.champ_surveille),
                        donnees.get(self.champ_surveille),
                    )
                )
        return donnees

    def save(self, commit=True):
        if self.instance.pk and self.has_changed():
            self.instance.version = (
                self.cleaned_data.get("version_lue") or self.instance.version
            ) + 1
        return super().save(commit)
