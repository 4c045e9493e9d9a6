"""Configurations of the applications the project takes from others, in its own words."""

from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig


class AdministrationConfig(AdminConfig):
    """Django's admin, on the site that says « pas d'accès » in French
    (``pauvrete/administration.py``)."""

    default_site = "pauvrete.administration.SiteDAdministration"


class ConnexionsBloqueesConfig(AxesAppConfig):
    """django-axes, named in the admin's index apart from the conventions' « Axes »."""

    verbose_name = "Connexions bloquées (django-axes)"

    def ready(self):
        super().ready()
        from axes.signals import user_locked_out

        from pauvrete.journal import verrouillage

        user_locked_out.connect(verrouillage, dispatch_uid="pauvrete.journal.verrouillage")
