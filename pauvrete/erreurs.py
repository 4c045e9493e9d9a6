"""Error pages in French and in the site's layout, with the view's own message when it wrote
one (« Année « abc » illisible… ») rather than Django's bare English pages."""

from django.http import Http404
from django.shortcuts import render

MESSAGES = {
    403: "Votre rôle ou vos territoires ne permettent pas d'ouvrir cette page.",
    404: "Cette page n'existe pas, ou elle concerne un territoire que vous ne suivez pas.",
    500: "Une erreur inattendue s'est produite ; elle a été enregistrée. Réessayez dans un "
    "instant ou signalez-la avec l'adresse de la page.",
}
TITRES = {403: "Accès refusé", 404: "Page introuvable", 500: "Erreur du serveur"}


def _message_de_la_vue(exception) -> str | None:
    """The message a view raised, when it is ours: Django's own are English (« No Convention
    matches the given query. ») or technical (the resolver's tried patterns)."""
    if exception is None or not exception.args or not isinstance(exception.args[0], str):
        return None
    message = exception.args[0]
    if "matches the given query" in message or message.startswith("No "):
        return None
    return message or None


def _page(request, statut: int, exception=None):
    return render(
        request,
        "erreur.html",
        {
            "statut": statut,
            "titre": TITRES[statut],
            "message": MESSAGES[statut],
            "precision": _message_de_la_vue(exception),
        },
        status=statut,
    )


def acces_refuse(request, exception=None):
    return _page(request, 403, exception)


def page_introuvable(request, exception=None):
    return _page(request, 404, exception if isinstance(exception, Http404) else None)


def erreur_serveur(request):
    """Rendered without the request's context: whatever failed (the database, a middleware)
    must not fail the error page too."""
    from django.http import HttpResponseServerError
    from django.template import loader

    contenu = loader.get_template("erreur.html").render(
        {"statut": 500, "titre": TITRES[500], "message": MESSAGES[500]}
    )
    return HttpResponseServerError(contenu)
