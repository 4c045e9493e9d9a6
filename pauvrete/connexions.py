"""The address a login attempt comes from, for django-axes' lockout.

Without a proxy it is ``REMOTE_ADDR``. Behind N trusted reverse proxies (``PROXIES_DE_CONFIANCE``),
it is the address the outermost of them saw: the N-th from the right of ``X-Forwarded-For``. The
left part of that header is written by the client and could be forged to dodge the lockout.
"""

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
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
