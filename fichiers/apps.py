from django.apps import AppConfig


class FichiersConfig(AppConfig):
    """The files layer: annex workbooks, the admin's list imports and exports, the yearly
    convention files, and the commands that read or write them. Above the domain, below the
    pages."""

    name = "fichiers"
    verbose_name = "Classeurs et fichiers"
