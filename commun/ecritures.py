"""Models whose writes a rule may refuse, on every path that writes them.

A rule such as « a transmitted bilan's figures no longer change » must hold for the page, the
admin (forms, inlines, stand-alone screens, bulk actions), the imports, the yearly loader and a
shell alike. All of them end in one of a few ORM calls: ``Model.save()`` and ``delete()``, or a
queryset's ``update()``, ``delete()``, ``bulk_create()`` and ``bulk_update()``. A model that
mixes in :class:`EcritureGardee` (and builds its manager from :class:`RequetesGardees`) has
every one of them ask its ``garder()`` first, which raises a ``ValidationError`` in French and
writes nothing. ``clean()`` asks it too, so that forms and the loader show the refusal as a
message next to the other errors instead of failing at save time.

Writers that go around the ORM (raw SQL of a bulk import) call the same ``garder()`` themselves.

Every write is also *told*, so that what is derived from the rows (the stored constats of a
convention, ``controles/enregistres.py``) is known to be out of date in the same transaction:
``save()`` and ``delete()`` by Django's ``pre_save``/``post_save``/``pre_delete`` signals (sent by
every path, ``loaddata`` and cascades included), the bulk paths of :class:`RequetesSuivies` (the
base of every domain manager) by :data:`ecriture_en_bloc`, which raw SQL writers send themselves
(:func:`signaler_en_bloc`).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.dispatch import Signal

# Sent with ``sender`` (the model) and ``requete``: a queryset of the rows written, before a
# bulk write (the rows as they were) and after it (as they are).
ecriture_en_bloc = Signal()


def signaler_en_bloc(modele, requete) -> None:
    """Tell the listeners that the rows of ``requete`` (of ``modele``) are written in bulk."""
    ecriture_en_bloc.send(sender=modele, requete=requete)


def _lignes(modele, objets) -> models.QuerySet:
    """The rows of ``objets``, or every row of the model when one has no key (a bulk insert
    that does not return its keys): the listeners then treat them all as written."""
    pks = [objet.pk for objet in objets]
    if any(pk is None for pk in pks):
        return modele._base_manager.all()
    return modele._base_manager.filter(pk__in=pks)


def _change_un_lien(modele, champs) -> bool:
    """Whether a bulk update writes a foreign key (a row may move to another parent)."""
    return any(
        champ.many_to_one
        for champ in modele._meta.concrete_fields
        if champs is None or champ.name in champs or champ.attname in champs
    )


class RequetesSuivies(models.QuerySet):
    """The bulk paths, told to the listeners of :data:`ecriture_en_bloc`: an update before
    (the rows as they were) and, when it moves rows to another parent, after; an insert and a
    bulk update after. A queryset's ``delete()`` goes through Django's collector, which sends
    ``pre_delete`` for each row."""

    def update(self, **champs):
        deplace = _change_un_lien(self.model, list(champs))
        pks = list(self.values_list("pk", flat=True)) if deplace else None
        signaler_en_bloc(self.model, self)
        resultat = super().update(**champs)
        if deplace:
            signaler_en_bloc(self.model, self.model._base_manager.filter(pk__in=pks))
        return resultat

    def bulk_create(self, objs, *args, **kwargs):
        objs = super().bulk_create(objs, *args, **kwargs)
        signaler_en_bloc(self.model, _lignes(self.model, objs))
        return objs

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        lignes = _lignes(self.model, objs)
        if _change_un_lien(self.model, fields):
            signaler_en_bloc(self.model, lignes)
        resultat = super().bulk_update(objs, fields, *args, **kwargs)
        signaler_en_bloc(self.model, lignes)
        return resultat


class EcritureGardee:
    """Mixin for a model that defines ``garder(cls, *, objets=(), requete=None, champs=None,
    suppression=False)``: objects about to be written, or a queryset about to be updated or
    deleted, with the fields written when known.

    An object keeps the values it was read with (``valeurs_lues``), so that a rule can tell
    what a save changes, and where a row comes from, without reading it again."""

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._valeurs_lues = {
            nom: valeur
            for nom, valeur in zip(field_names, values, strict=True)
            if valeur is not models.DEFERRED
        }
        return instance

    def verifier_l_ecriture(self):
        """For ``clean()``: ask the rule now, so that a form shows its refusal. When nothing the
        row belongs to is frozen at all, ``save()`` does not ask again while the row stays
        where it is (an import validates, then saves, each of its lines)."""
        try:
            type(self).garder(objets=[self], suppression=True)
        except ValidationError:
            type(self).garder(objets=[self])  # frozen: only an unchanged save goes through
            self._ecriture_verifiee = None
        else:
            self._ecriture_verifiee = self._etat()

    def _etat(self) -> tuple:
        """Where the row is: its key and what it belongs to (its foreign keys)."""
        liens = (champ.attname for champ in self._meta.concrete_fields if champ.many_to_one)
        return (self.pk, *(getattr(self, attname) for attname in liens))

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") or getattr(self, "_ecriture_verifiee", None) != self._etat():
            type(self).garder(objets=[self], champs=kwargs.get("update_fields"))
        resultat = super().save(*args, **kwargs)
        self._valeurs_lues = {
            f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields
        }
        return resultat

    def delete(self, *args, **kwargs):
        type(self).garder(objets=[self], suppression=True)
        return super().delete(*args, **kwargs)


class RequetesGardees(RequetesSuivies):
    """The bulk paths of a guarded model: they ask the same ``garder()`` as ``save()``."""

    def update(self, **champs):
        self.model.garder(requete=self, champs=list(champs))
        return super().update(**champs)

    def delete(self):
        self.model.garder(requete=self, suppression=True)
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        self.model.garder(objets=objs)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        self.model.garder(objets=objs, champs=list(fields))
        return super().bulk_update(objs, fields, *args, **kwargs)


def valeurs_lues(objet, noms: list[str]) -> dict | None:
    """The values ``objet``'s row had for ``noms`` (attnames): as the object was read when it
    was, else from the database (None for a row that is not there)."""
    lues = getattr(objet, "_valeurs_lues", {})
    if all(nom in lues for nom in noms):
        return {nom: lues[nom] for nom in noms}
    return type(objet)._base_manager.filter(pk=objet.pk).values(*noms).first()


def differe_de_la_base(objet, champs=None) -> bool:
    """Whether saving ``objet`` would change its row (always for a new object): a rule that
    freezes a row lets an unchanged save through (a form submitted as it was displayed)."""
    if objet.pk is None:
        return True
    noms = [
        champ.attname
        for champ in objet._meta.concrete_fields
        if not champ.primary_key and (champs is None or champ.name in champs)
    ]
    en_base = valeurs_lues(objet, noms)
    return en_base is None or any(en_base[nom] != getattr(objet, nom) for nom in noms)


def ancienne_valeur(objet, attname: str):
    """Where a row comes from (the tableau or bilan it belonged to before this save)."""
    if objet.pk is None:
        return None
    lues = valeurs_lues(objet, [attname])
    return None if lues is None else lues[attname]


def refus_d_ecriture(objet) -> str | None:
    """Why ``objet`` may not be changed or deleted now, by its model's ``garder()`` (None: it
    may), for the pages that say so before showing a form."""
    garder = getattr(type(objet), "garder", None)
    if objet is None or garder is None or objet.pk is None:
        return None
    try:
        garder(objets=[objet], suppression=True)
    except ValidationError as refus:
        return " ".join(refus.messages)
    return None


def ecriture_permise(objet) -> bool:
    return refus_d_ecriture(objet) is None


class EcrituresGardeesAdminMixin:
    """The admin's face of the same rule: a row its model refuses to write is shown read-only
    (no save, no delete button), and a bulk deletion that includes one is refused with the
    model's own sentence instead of failing halfway."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and ecriture_permise(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and ecriture_permise(obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """A row shown read-only by the rule says why, in the rule's own sentence."""
        refus = refus_d_ecriture(obj) if change and obj is not None else None
        if refus and request.method == "GET":
            messages.warning(request, f"Lecture seule : {refus}")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_deleted_objects(self, objs, request):
        """Asked by the delete screen and the bulk « supprimer » action before they confirm:
        the refusal is said there, with its reason, rather than as a bare 403."""
        self._garder_la_suppression(objs)
        return super().get_deleted_objects(objs, request)

    def delete_queryset(self, request, queryset):
        self._garder_la_suppression(queryset)
        super().delete_queryset(request, queryset)

    def _garder_la_suppression(self, objs):
        garder = getattr(self.model, "garder", None)
        if garder is None:
            return
        try:
            if isinstance(objs, models.QuerySet):
                garder(requete=objs, suppression=True)
            else:
                garder(objets=list(objs), suppression=True)
        except ValidationError as refus:
            raise PermissionDenied(" ".join(refus.messages)) from refus
