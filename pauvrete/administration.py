"""The admin site of pauvrete: Django's, with one door said in French.

A logged-in account without administration access (an agent, by default) asking for an admin
page gets the site's 403 page, « Ce compte n'a pas accès à l'administration. », with its link
back to the dashboard, instead of the admin's login form, which read as if the login had been
lost. Anonymous visitors still go to the login form; who has access is Django's own rule
(``has_permission``: active and « statut équipe »).
"""

from functools import update_wrapper

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse

SANS_ACCES = (
    "Ce compte n'a pas accès à l'administration. Un administrateur peut la lui ouvrir "
    "(« Statut équipe ») si son travail le demande."
)


class SiteDAdministration(admin.AdminSite):
    site_header = "Pauvreté — suivi des conventions"
    site_title = "Pauvreté"
    index_title = "Conventions, engagements et bilans"

    def connecte_sans_acces(self, request) -> bool:
        utilisateur = request.user
        return (
            utilisateur.is_authenticated
            and utilisateur.is_active
            and not self.has_permission(request)
        )

    def admin_view(self, view, cacheable=False):
        vue = super().admin_view(view, cacheable)

        def porte(request, *args, **kwargs):
            deconnexion = reverse("admin:logout", current_app=self.name)
            if self.connecte_sans_acces(request) and request.path != deconnexion:
                raise PermissionDenied(SANS_ACCES)
            return vue(request, *args, **kwargs)

        return update_wrapper(porte, vue)

    def login(self, request, extra_context=None):
        """Posting the form still logs in as another account; only showing it is refused."""
        if request.method == "GET" and self.connecte_sans_acces(request):
            raise PermissionDenied(SANS_ACCES)
        return super().login(request, extra_context)
