from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CommunConfig(AppConfig):
    """An app so that its template tags (``{% load montants %}``) are found, and so that SQLite
    learns the French collation (``commun.collation``) on each connection."""

    name = "commun"
    verbose_name = "outils communs"

    def ready(self):
        from .collation import enregistrer

        connection_created.connect(enregistrer, dispatch_uid="commun.collation")
