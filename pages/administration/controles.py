"""Constats in the admin: a summary column on list pages, the list on the object's page.

The checks run once per page (a fixed number of queries), on the conventions of its rows.
"""

from django.contrib.admin.views.main import ChangeList

from controles.constats import Resume
from controles.services import constats_de, controler
from conventions.models import Convention
from pages.templatetags.constats import badge


class PagePrepareeChangeList(ChangeList):
    """Let the ModelAdmin attach per-page data (totals, constats) to the rows, in bulk."""

    def get_results(self, request):
        super().get_results(request)
        self.model_admin.preparer_page(self.result_list)


class ConstatsAdminMixin:
    """For the admins of conventions, tableaux and bilans (``convention_de`` says how)."""

    change_form_template = "admin/controles/change_form.html"

    class Media:
        css = {"all": ["controles/constats.css"]}

    def convention_de(self, obj) -> int:
        return obj.convention_id

    def constats_de(self, obj, constats):
        return constats_de(obj, constats)

    def controler_objets(self, objets):
        conventions = Convention.objects.filter(pk__in={self.convention_de(o) for o in objets})
        return controler(conventions)

    def get_changelist(self, request, **kwargs):
        return PagePrepareeChangeList

    def preparer_page(self, objets):
        constats = self.controler_objets(objets)
        for obj in objets:
            obj.constats = self.constats_de(obj, constats)

    def resume_constats(self, obj):
        return badge(getattr(obj, "constats", []))

    resume_constats.short_description = "constats"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if obj is not None:
            constats = self.constats_de(obj, self.controler_objets([obj]))
            extra_context.update(constats=constats, resume_constats=Resume.de(constats))
        return super().change_view(request, object_id, form_url, extra_context)
