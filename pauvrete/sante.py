"""``/sante/``: whether the application and its database answer, for a load balancer or a
monitor. No login (and no session read), GET or HEAD only, never cached; the answer names only
« ok » or the failing part, the detail goes to the server's log."""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

journal = logging.getLogger(__name__)


@login_not_required
@require_safe
@never_cache
def sante(request):
    try:
        # A real query on one of the application's tables: a database file removed under the
        # server comes back empty (SQLite creates it) and fails here.
        get_user_model().objects.exists()
    except Exception:
        journal.warning("/sante/ : la base de données ne répond pas", exc_info=True)
        reponse = JsonResponse({"statut": "en panne", "base": "injoignable"}, status=503)
        # Logged once, above, as a warning: not again by Django as an error e-mailed to ADMINS
        # each time the load balancer asks during an outage.
        reponse._has_been_logged = True
        return reponse
    return JsonResponse({"statut": "ok", "base": "ok"})
