"""Sessions that end: an idle session expires after ``SESSION_COOKIE_AGE`` (8 hours by default;
``SESSION_SAVE_EVERY_REQUEST`` pushes the end back at each request), and the login page then
says why the user is back there.

The browser drops an expired session's cookie, so the server cannot tell a return after expiry
from a first visit by the session alone: a second cookie, ``MARQUE`` (no value but « 1 »,
HTTP-only), is set once logged in and kept longer than a session. A request that has it
without being logged in is a session that ended without logging out: the message is shown and
the cookie removed. Logging out removes it as well, without the message.
"""

from django.conf import settings
from django.contrib import messages

from pauvrete.journal import utilisateur_connu

MARQUE = "pauvrete_connecte"
DUREE_DE_LA_MARQUE = 30 * 24 * 3600  # a month: longer than any session


def duree_en_francais(secondes: int) -> str:
    if secondes % 3600 == 0:
        heures = secondes // 3600
        return f"{heures} heure{'s' if heures > 1 else ''}"
    minutes = max(1, round(secondes / 60))
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


class SessionsQuiExpirent:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        marque = bool(request.COOKIES.get(MARQUE))  # a deleted cookie may come back empty
        # /sante/ reads no session: it must answer 503, not fail, when the database is gone.
        if marque and request.path_info != "/sante/" and not request.user.is_authenticated:
            messages.info(
                request,
                "Votre session a pris fin après "
                f"{duree_en_francais(settings.SESSION_COOKIE_AGE)} sans activité : "
                "reconnectez-vous pour continuer.",
            )
        reponse = self.get_response(request)
        utilisateur = utilisateur_connu(request)
        connecte = bool(getattr(utilisateur, "is_authenticated", False))
        if connecte and not marque:
            reponse.set_cookie(
                MARQUE,
                "1",
                max_age=DUREE_DE_LA_MARQUE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        elif marque and utilisateur is not None and not connecte:
            reponse.delete_cookie(MARQUE, samesite="Lax")
        return reponse
