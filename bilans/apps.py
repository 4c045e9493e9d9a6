from django.apps import AppConfig


class BilansConfig(AppConfig):
    name = "bilans"
    verbose_name = "Bilans et indicateurs"
