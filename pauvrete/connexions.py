"""Logging in: the address an attempt comes from, for django-axes' lockout, its French page,
and the login form that warns before it.

Without a proxy it is ``REMOTE_ADDR``. Behind N trusted reverse proxies (``PROXIES_DE_CONFIANCE``),
it is the address the outermost of them saw: the N-th from the right of ``X-Forwarded-For``. The
left part of that header is written by the client and could be forged to dodge the lockout.
"""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.shortcuts import render


def adresse_du_client(request) -> str | None:
    proxies = settings.PROXIES_DE_CONFIANCE
    if proxies <= 0:
        return request.META.get("REMOTE_ADDR")
    chaine = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chaine = [a for a in chaine if a]
    if len(chaine) < proxies:
        return request.META.get("REMOTE_ADDR")
    return chaine[-proxies]


def reponse_de_blocage(request, reponse_originale=None, identifiants=None):
    """The lockout page, in French, with the waiting time in minutes (HTTP 429)."""
    duree = get_cool_off(request)
    minutes = round(duree.total_seconds() / 60) if duree else None
    contexte = {
        "failure_limit": get_failure_limit(request, identifiants),
        "username": get_client_username(request, identifiants) or "",
        "duree": f"{minutes} minute{'s' if minutes != 1 else ''}"
        if minutes
        else "une durée indéfinie",
    }
    return render(request, "registration/verrouille.html", contexte, status=429)


class FormulaireDeConnexion(AuthenticationForm):
    """The login form in the page's own words (« identifiant », the field's label), and, from
    the third failure in a row, how many tries are left before django-axes locks the pair."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Identifiant ou mot de passe incorrect (les majuscules comptent).",
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError as refus:
            identifiants = {"username": self.cleaned_data.get("username")}
            echecs = AxesProxyHandler.get_failures(self.request, identifiants)
            restants = get_failure_limit(self.request, identifiants) - echecs
            duree = get_cool_off(self.request)
            minutes = round(duree.total_seconds() / 60) if duree else None
            if echecs >= 3 and restants > 0:
                pour = f" pour {minutes} minutes" if minutes else ""
                raise ValidationError(
                    [
                        *refus.error_list,
                        ValidationError(
                            f"Encore {restants} essai{'s' if restants > 1 else ''} avant que cet "
                            f"identifiant soit bloqué{pour} depuis cet ordinateur."
                        ),
                    ]
                ) from None
            raise
