"""The role of a user and the conventions they may see.

Roles are Django groups (``comptes.roles``); territoires come from the user's ``Profil``.
Superusers see every territoire. An administrateur who is not a superuser is scoped to the
territoires of their profile, like everyone else: a département's administrator loads and edits
that département's conventions only.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from commun.accords import AccordsAdminMixin
from commun.ecritures import EcrituresGardeesAdminMixin
from commun.historique import HistoriqueEnFrancaisMixin
from commun.liens import liens_disparus
from comptes import roles
from comptes.droits import peut_lire
from conventions.models import Convention, Territoire


def role_de(utilisateur) -> str | None:
    """The role's name, for what the pages show (« finances »); what a user may do is read from
    their permissions (``droits.py``). Read once per request, kept on the user object."""
    if not utilisateur.is_authenticated:
        return None
    if not hasattr(utilisateur, "_role_en_cache"):
        noms = {groupe.name for groupe in utilisateur.groups.all()}
        utilisateur._role_en_cache = (
            roles.ADMINISTRATEUR
            if utilisateur.is_superuser
            else next(
                (r for r in (roles.ADMINISTRATEUR, roles.FINANCES, roles.AGENT) if r in noms),
                None,
            )
        )
    return utilisateur._role_en_cache


def voit_tous_les_territoires(utilisateur) -> bool:
    return utilisateur.is_authenticated and utilisateur.is_superuser


def territoires_de(utilisateur):
    if voit_tous_les_territoires(utilisateur):
        return Territoire.objects.all()
    return Territoire.objects.filter(profils__utilisateur=utilisateur)


def conventions_de(utilisateur):
    """The conventions a user may see: those of the territoires they follow."""
    if not peut_lire(utilisateur):
        return Convention.objects.none()
    if voit_tous_les_territoires(utilisateur):
        return Convention.objects.all()
    return Convention.objects.filter(territoire__profils__utilisateur=utilisateur)


def cote_de(utilisateur) -> str | None:
    """« collectivite » or « etat »: the side of the conventions the user works for (profile);
    a user without a profile is on the collectivité's side, the default."""
    if not utilisateur.is_authenticated:
        return None
    profil = getattr(utilisateur, "profil", None)
    return profil.cote if profil is not None else "collectivite"


# How each model reaches its territoire, for the admin's lists and forms.
CHEMINS_TERRITOIRE = {
    "conventions.territoire": "pk__in",
    "conventions.convention": "territoire__in",
    "conventions.avenant": "convention__territoire__in",
    "conventions.axe": "convention__territoire__in",
    "conventions.action": "convention__territoire__in",
    "conventions.tableauengagements": "convention__territoire__in",
    "conventions.engagementpluriannuel": "convention__territoire__in",
    "conventions.tranche": "engagement__convention__territoire__in",
    "conventions.engagement": "tableau__convention__territoire__in",
    "conventions.totalimprime": "tableau__convention__territoire__in",
    "conventions.seance": "territoire__in",
    "conventions.membreseance": "seance__territoire__in",
    "conventions.deliberation": "seance__territoire__in",
    "conventions.montantdelibere": "deliberation__seance__territoire__in",
    "bilans.bilan": "convention__territoire__in",
    "bilans.rapportaction": "bilan__convention__territoire__in",
    "bilans.mesure": "bilan__convention__territoire__in",
    "bilans.indicateur": "action__convention__territoire__in",
    "bilans.relance": "convention__territoire__in",
    "conventions.financeur": "territoire__in",
}
# Rows that belong to no territoire are common to all: the État, a CAF, an ARS… are financeurs
# of every territoire; only a collectivité's own financeur is hidden from the others.
COMMUNS_SANS_TERRITOIRE = {"conventions.financeur": "territoire__isnull"}


def est_rattache_a_un_territoire(modele) -> bool:
    return modele is not None and modele._meta.label_lower in CHEMINS_TERRITOIRE


def filtrer_par_territoire(queryset, utilisateur):
    """Keep the rows of the territoires the user follows (all of them for a superuser)."""
    if voit_tous_les_territoires(utilisateur):
        return queryset
    return queryset.filter(condition_de_territoire(queryset.model, utilisateur))


def condition_de_territoire(modele, utilisateur) -> Q:
    """The rows of ``modele`` (or of its historical copies) in the user's territoires."""
    label = modele._meta.label_lower
    if label not in CHEMINS_TERRITOIRE:  # a historical model: the path of the model it copies
        label = getattr(modele, "instance_type", modele)._meta.label_lower
    condition = Q(**{CHEMINS_TERRITOIRE[label]: territoires_de(utilisateur)})
    if label in COMMUNS_SANS_TERRITOIRE:
        condition |= Q(**{COMMUNS_SANS_TERRITOIRE[label]: True})
    return condition


# --- The admin ------------------------------------------------------------------------------


class FiltreDuTerritoire(admin.RelatedFieldListFilter):
    """A list filter on a related object offers only the objects of the user's territoires:
    the « territoire » or « convention » filter must not list the names of the others."""

    def field_choices(self, field, request, model_admin):
        modele = field.related_model
        if voit_tous_les_territoires(request.user) or not est_rattache_a_un_territoire(modele):
            return super().field_choices(field, request, model_admin)
        visibles = filtrer_par_territoire(modele._default_manager.all(), request.user)
        return field.get_choices(
            include_blank=False,
            limit_choices_to=Q(pk__in=visibles.values("pk")),
            ordering=self.field_admin_ordering(field, request, model_admin),
        )


class ChoixDuTerritoireMixin:
    """Selects, raw-id inputs and their validation, in a ModelAdmin or an inline: a scoped
    user can neither see nor post the id of another territoire's convention, action, séance…"""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._limiter_au_territoire(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._limiter_au_territoire(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _limiter_au_territoire(self, db_field, request, kwargs):
        modele = db_field.related_model
        if voit_tous_les_territoires(request.user) or not est_rattache_a_un_territoire(modele):
            return
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(None, db_field, request)
        if queryset is None:
            queryset = modele._default_manager.all()
        kwargs["queryset"] = filtrer_par_territoire(queryset, request.user)


class TerritoireAdminMixin(
    EcrituresGardeesAdminMixin,
    AccordsAdminMixin,
    HistoriqueEnFrancaisMixin,
    ChoixDuTerritoireMixin,
):
    """Admin screens show and edit only the objects of the user's territoires: lists, forms,
    list filters, autocomplete and raw-id popups (both read the related admin's queryset),
    and the history pages. Every admin screen of the domain is built on it, so it also carries
    the models' own write rules (a transmitted bilan's figures shown read-only), and their
    words in French (« conventions sélectionnées », history changes « non → oui »)."""

    def get_queryset(self, request):
        return filtrer_par_territoire(super().get_queryset(request), request.user)

    def get_list_filter(self, request):
        """Every filter on a related object gets ``FiltreDuTerritoire``: no admin can forget."""
        return [self._filtre_du_territoire(filtre) for filtre in super().get_list_filter(request)]

    def _filtre_du_territoire(self, filtre):
        if not isinstance(filtre, str):
            return filtre  # a filter chosen on purpose (tuple or SimpleListFilter)
        try:
            champ = get_fields_from_path(self.model, filtre)[-1]
        except FieldDoesNotExist:
            return filtre
        return (filtre, FiltreDuTerritoire) if champ.is_relation else filtre

    # django-simple-history: its pages read the history table, not ``get_queryset``. The list
    # falls back on the last historical copy when the object is not found (meant for deleted
    # objects), and a version's page reads the copy by id: both are limited to the territoires.

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        historique = super().get_history_queryset(request, history_manager, pk_name, object_id)
        if voit_tous_les_territoires(request.user):
            return historique
        return historique.filter(condition_de_territoire(historique.model, request.user))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not voit_tous_les_territoires(request.user):
            historique = getattr(self.model, self.model._meta.simple_history_manager_attribute)
            visibles = historique.filter(condition_de_territoire(historique.model, request.user))
            try:
                trouvee = visibles.filter(
                    **{self.model._meta.pk.attname: object_id, "history_id": version_id}
                ).exists()
            except (ValueError, ValidationError):
                trouvee = False  # an id that is not a number
            if not trouvee:
                raise Http404("Cette version n'existe pas.")
        refus = self._version_irrestaurable(request, object_id, version_id)
        if refus:
            return refus
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _version_irrestaurable(self, request, object_id, version_id):
        """A version naming an object deleted since (``commun.liens``) is not shown as a form
        to restore: back to the history with a French message, nothing written."""
        historique = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        try:
            version = historique.filter(
                **{self.model._meta.pk.attname: object_id, "history_id": version_id}
            ).first()
        except (ValueError, ValidationError):
            return None  # simple_history answers 404 to an id that is not a number
        disparus = liens_disparus(version.instance) if version is not None else []
        if not disparus:
            return None
        le = timezone.localtime(version.history_date)  # as the list beside it shows it
        messages.error(
            request,
            f"Cette version du {le:%d/%m/%Y à %H:%M} ne peut pas être restaurée : "
            f"{' ; '.join(disparus)} (supprimé depuis). Rien n'a été modifié ; modifiez l'objet "
            "depuis sa fiche.",
        )
        options = self.model._meta
        return redirect(
            reverse(f"admin:{options.app_label}_{options.model_name}_history", args=[object_id])
        )
