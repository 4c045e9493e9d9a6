from django.apps import AppConfig


class ControlesConfig(AppConfig):
    name = "controles"
    verbose_name = "Contrôles"

    def ready(self):
        from .enregistres import ecouter

        ecouter()
