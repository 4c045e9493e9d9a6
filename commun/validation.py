"""Checks run one after the other, every error kept: a form, an import line or a loaded object
says all that is wrong with it at once, by field, as ``full_clean`` does."""

from django.core.exceptions import ValidationError


def erreurs_des_etapes(etapes, erreurs: dict | None = None) -> dict:
    """Run each check (a callable raising ``ValidationError``); return the errors by field,
    added to ``erreurs``."""
    erreurs = dict(erreurs or {})
    for etape in etapes:
        try:
            etape()
        except ValidationError as erreur:
            erreurs = erreur.update_error_dict(erreurs)
    return erreurs


def valider_par_etapes(etapes, erreurs: dict | None = None) -> None:
    """The same, raising every error together."""
    erreurs = erreurs_des_etapes(etapes, erreurs)
    if erreurs:
        raise ValidationError(erreurs)
