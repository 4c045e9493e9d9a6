from django.apps import AppConfig


class BilansConfig(AppConfig):
    name = "bilans"
    verbose_name = "Bilans et indicateurs"

    def ready(self):
        # A transmitted bilan's budget prévisionnel is frozen with it: the conventions
        # application asks this rule before any write on a tableau (conventions/models/gardes.py).
        from conventions.models.gardes import proteger_les_tableaux

        from .gel import previsionnels_geles

        proteger_les_tableaux(previsionnels_geles)
