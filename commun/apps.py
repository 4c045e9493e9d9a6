from django.apps import AppConfig


class CommunConfig(AppConfig):
    """An app so that its template tags (``{% load montants %}``) are found."""

    name = "commun"
    verbose_name = "outils communs"
