from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The web layer: the browser's pages (views, forms, tables, filters, URLs, template tags)
    and the administration screens. It composes the domain and the files below it; nothing
    imports it but the project's URLs."""

    name = "pages"
    verbose_name = "Pages"
