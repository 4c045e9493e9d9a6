from django.apps import AppConfig


class CommunConfig(AppConfig):
    """An app so that its template tags (``{% load montants %}``) are found, and so that SQLite
    learns the accent folding the search uses (PostgreSQL has it built in)."""

    name = "commun"
    verbose_name = "outils communs"

    def ready(self):
        from . import recherche  # noqa: F401 — registers the function on each connection
