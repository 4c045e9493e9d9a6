"""URLs: the admin, and the root that leads to the login page or, once logged in, to the admin."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import path

admin.site.site_header = "Pauvreté — suivi des conventions"
admin.site.site_title = "Pauvreté"
admin.site.index_title = "Conventions, engagements et bilans"


@login_required
def accueil(request):
    """Until the browser pages exist, a logged-in user works in the admin."""
    return redirect("admin:index")


urlpatterns = [
    path("", accueil, name="accueil"),
    path("admin/", admin.site.urls),
]
