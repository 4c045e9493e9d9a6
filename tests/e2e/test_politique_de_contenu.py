"""The Content-Security-Policy holds in a real browser: every admin screen (lists, forms,
history, import and export) and the login and lockout pages open without one violation in
Chromium's console. The pages of the site itself are walked by ``test_pages_accessibles``; the
``navigateur`` fixture fails any test whose pages broke the policy."""

from django.contrib import admin
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from tests.e2e.conftest import connecter_a_l_admin


def adresses_de_l_administration() -> list[str]:
    """Index, then for each registered model: list, add form, first object's form and history,
    import and export screens where the model has them."""
    adresses = [reverse("admin:index")]
    for modele, modele_admin in admin.site._registry.items():
        prefixe = f"admin:{modele._meta.app_label}_{modele._meta.model_name}"
        adresses.append(reverse(f"{prefixe}_changelist"))
        if modele_admin.has_add_permission(_Requete()):
            adresses.append(reverse(f"{prefixe}_add"))
        premier = modele._default_manager.order_by("pk").first()
        if premier is not None:
            adresses.append(reverse(f"{prefixe}_change", args=[premier.pk]))
            adresses.append(reverse(f"{prefixe}_history", args=[premier.pk]))
        for ecran in ("import", "export", "charger"):
            try:
                adresses.append(reverse(f"{prefixe}_{ecran}"))
            except NoReverseMatch:
                continue
    return adresses


class _Requete:
    """A superuser's request, enough for ``has_add_permission``."""

    class user:  # noqa: N801 — stands for request.user
        is_active = is_staff = is_superuser = True

        @staticmethod
        def has_perm(_permission, _objet=None):
            return True


def test_chaque_ecran_de_l_administration_respecte_la_politique(
    instance, navigateur, django_user_model
):
    call_command("historiser", verbosity=0)  # so that the history screens list records
    django_user_model.objects.create_superuser("superviseur", password="mot-de-passe-2026")
    page = navigateur
    connecter_a_l_admin(page, instance, "superviseur", "mot-de-passe-2026")
    ouvertes = []
    for adresse in adresses_de_l_administration():
        reponse = page.goto(f"{instance}{adresse}")
        assert reponse.status == 200, adresse
        politique = reponse.header_value("content-security-policy")
        assert "default-src 'self'" in politique and "unsafe-inline" not in politique
        ouvertes.append(adresse)
    # Every model has at least its list, and the engagement lines have import and export.
    assert len(ouvertes) > 3 * len(admin.site._registry)


def test_connexion_et_blocage_respectent_la_politique(instance, navigateur):
    page = navigateur
    for adresse in ("/compte/connexion/", "/admin/login/", "/compte/mot-de-passe-oublie/"):
        page.goto(f"{instance}{adresse}")
    for _ in range(5):
        page.goto(f"{instance}/compte/connexion/")
        page.get_by_label("Identifiant").fill("personne")
        page.get_by_label("Mot de passe").fill("mauvais")
        page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Connexion bloquée").wait_for()
