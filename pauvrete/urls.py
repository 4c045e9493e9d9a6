"""URLs: the browser pages, authentication (password reset included) and the admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from pauvrete.connexions import FormulaireDeConnexion
from pauvrete.sante import sante

# admin.site is pauvrete.administration.SiteDAdministration (its titles, its door in French).
urlpatterns = [
    path("", include("pages.conventions.urls")),
    path("", include("pages.bilans.urls")),
    path("synthese/", include("pages.synthese.urls")),
    path(
        "compte/connexion/",
        auth_views.LoginView.as_view(authentication_form=FormulaireDeConnexion),
        name="login",
    ),
    path("compte/deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "compte/mot-de-passe/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "compte/mot-de-passe/change/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "compte/mot-de-passe-oublie/",
        auth_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "compte/mot-de-passe-oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "compte/reinitialiser/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "compte/reinitialiser/fait/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    path("sante/", sante, name="sante"),  # for a load balancer: no login (pauvrete/sante.py)
]

handler403 = "pauvrete.erreurs.acces_refuse"
handler404 = "pauvrete.erreurs.page_introuvable"
handler500 = "pauvrete.erreurs.erreur_serveur"
