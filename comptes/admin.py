from django.contrib import admin

from .models import Profil


@admin.register(Profil)
class ProfilAdmin(admin.ModelAdmin):
    list_display = ["utilisateur", "cote"]
    list_filter = ["cote"]
    filter_horizontal = ["territoires"]
    search_fields = ["utilisateur__username", "utilisateur__last_name"]
    list_select_related = ["utilisateur"]
