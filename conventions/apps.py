from django.apps import AppConfig


class ConventionsConfig(AppConfig):
    name = "conventions"
    verbose_name = "Conventions et engagements"

    def ready(self):
        # SQLite learns the accent folding the search uses (PostgreSQL has it built in).
        import pauvrete.recherche  # noqa: F401
