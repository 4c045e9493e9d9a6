from axes.admin import AccessAttemptAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessLog
from django.contrib import admin

from commun.accords import AccordsAdminMixin
from comptes.models import Profil


@admin.register(Profil)
class ProfilAdmin(admin.ModelAdmin):
    list_display = ["utilisateur", "cote"]
    list_filter = ["cote"]
    filter_horizontal = ["territoires"]
    search_fields = ["utilisateur__username", "utilisateur__last_name"]
    list_select_related = ["utilisateur"]


# django-axes' lists of login attempts and logins (« tentatives … », « connexions ») are feminine:
# their bulk deletion is said « sélectionnées ». Registered by axes.admin, before this module
# (INSTALLED_APPS order).
for _modele, _modele_admin in ((AccessAttempt, AccessAttemptAdmin), (AccessLog, AccessLogAdmin)):
    if admin.site.is_registered(_modele):
        admin.site.unregister(_modele)
        admin.site.register(
            _modele, type(_modele_admin.__name__, (AccordsAdminMixin, _modele_admin), {})
        )
