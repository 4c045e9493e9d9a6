"""Who changed what: readable lines from the django-simple-history tables.

« 1.1 État : 76 000 € → 100 000 €, par finances, le 22 novembre 2026 à 23:10 (import de x.xlsx) »
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from simple_history.template_utils import HistoricalRecordContextHelper

from commun.formats import date_longue, euros, nombre

TYPES = {"+": "ajout", "~": "modification", "-": "suppression"}
SOCLE = "chargement initial"  # the first line of loaded objects: a baseline, not a change


@dataclass
class Evolution:
    quand: datetime
    qui: str
    nature: str
    objet: str
    avant: str | None
    apres: str | None
    raison: str

    def __str__(self):
        if self.nature == "ajout":
            valeur = f"ajouté, {self.apres}"
        elif self.nature == "suppression":
            valeur = f"supprimé (était {self.avant})"
        else:
            valeur = f"{self.avant} → {self.apres}"
        local = timezone.localtime(self.quand)
        texte = f"{self.objet} : {valeur}, par {self.qui}, le {date_longue(local)} à {local:%H:%M}"
        return texte + (f" ({self.raison})" if self.raison else "")


def evolutions(historiques, *, champ: str, libelle, montant: bool = True, limite: int = 50):
    """The changes of ``champ`` in these historical rows, newest first (one query)."""
    lignes = list(historiques.select_related("history_user").order_by("id", "history_date"))
    precedentes = {}
    resultat = []
    formater = euros if montant else nombre
    for ligne in lignes:
        avant = precedentes.get(ligne.id)
        precedentes[ligne.id] = ligne
        valeur_avant = getattr(avant, champ) if avant else None
        valeur = getattr(ligne, champ)
        if ligne.history_change_reason == SOCLE:
            continue
        if ligne.history_type == "~" and avant is not None and valeur_avant == valeur:
            continue  # saved without a change to this field
        utilisateur = ligne.history_user
        resultat.append(
            Evolution(
                ligne.history_date,
                utilisateur.get_username() if utilisateur else "une commande",
                TYPES[ligne.history_type],
                libelle(ligne),
                None if valeur_avant is None else formater(valeur_avant),
                formater(valeur),
                ligne.history_change_reason or "",
            )
        )
    resultat.sort(key=lambda e: e.quand, reverse=True)
    return resultat[:limite]


def poser_le_socle(raison: str = SOCLE) -> int:
    """Give each tracked object without history a first line (after loaddata, which writes
    raw and leaves none), so that its first change reads « ancien → nouveau »."""
    from django.apps import apps

    crees = 0
    for modele in apps.get_models():
        historique = getattr(modele, "historique", None)
        if historique is None or not hasattr(historique, "bulk_history_create"):
            continue
        deja = historique.values_list("id", flat=True)
        sans = list(modele.objects.exclude(pk__in=deja))
        historique.bulk_history_create(sans, default_change_reason=raison)
        crees += len(sans)
    return crees


def historiser_en_bloc(modele, pks, *, utilisateur=None, raison: str = "", nature: str = "+"):
    """The history lines of objects just written in bulk (``nature`` « + » or « ~ »), copied
    from their rows by the database (``INSERT … SELECT``): the lines simple_history's
    ``bulk_history_create`` writes, without building and sending one Python object per line
    (half an import's time for 10 000 lines). One query on PostgreSQL (the keys as one array),
    one per batch of keys elsewhere (SQLite caps a query's parameters)."""
    from django.conf import settings
    from django.db import connections, router

    if not pks or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    historique = modele.historique.model
    alias = router.db_for_write(historique)
    connexion = connections[alias]
    nom = connexion.ops.quote_name
    suivis = historique.tracked_fields  # the object's fields, copied as they are
    colonnes = [historique._meta.get_field(champ.attname).column for champ in suivis] + [
        historique._meta.get_field(champ).column
        for champ in ("history_date", "history_change_reason", "history_type", "history_user")
    ]
    constantes = [
        historique._meta.get_field("history_date").get_db_prep_value(timezone.now(), connexion),
        raison,
        nature,
        None if utilisateur is None else utilisateur.pk,
    ]
    debut_sql = (
        f"INSERT INTO {nom(historique._meta.db_table)} ({', '.join(map(nom, colonnes))}) "
        f"SELECT {', '.join(nom(champ.column) for champ in suivis)}, %s, %s, %s, %s "
        f"FROM {nom(modele._meta.db_table)} WHERE {nom(modele._meta.pk.column)}"
    )
    pks = list(pks)
    with connexion.cursor() as curseur:
        if connexion.vendor == "postgresql":
            curseur.execute(f"{debut_sql} = ANY(%s)", [*constantes, pks])
            return
        lot = (connexion.features.max_query_params or len(pks)) - len(constantes)
        for debut in range(0, len(pks), lot):
            cles = pks[debut : debut + lot]
            marques = ", ".join(["%s"] * len(cles))
            curseur.execute(f"{debut_sql} IN ({marques})", [*constantes, *cles])


# --- The admin's history pages -----------------------------------------------------------------

VIDE = "(vide)"


def valeur_lisible(valeur, champ=None) -> str:
    """A value of a change as the admin's readers say it: « oui », « non », « (vide) »,
    « 347 000 », « 31 mars 2024 », a choice's label; not Python's « True », « None »."""
    if valeur is None or valeur == "" or valeur == []:
        return VIDE
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if champ is not None and getattr(champ, "flatchoices", None):
        return str(dict(champ.flatchoices).get(valeur, valeur))
    if isinstance(valeur, Decimal):
        return nombre(valeur)
    if isinstance(valeur, datetime):
        local = timezone.localtime(valeur) if timezone.is_aware(valeur) else valeur
        return f"{date_longue(local)} à {local:%H:%M}"
    if isinstance(valeur, date):
        return date_longue(valeur)
    return valeur


class ModificationsEnFrancais(HistoricalRecordContextHelper):
    """The « Modifications » column of django-simple-history's page: « En vigueur : non →
    oui » rather than « En vigueur: False → True »."""

    def prepare_delta_change_value(self, change, value):
        valeur = super().prepare_delta_change_value(change, value)
        champ = self.model._meta.get_field(change.field)
        if isinstance(valeur, list):  # a many-to-many field: the related objects
            return [valeur_lisible(v) for v in valeur] or VIDE
        return valeur_lisible(valeur, champ)


class HistoriqueEnFrancaisMixin:
    """For a ``SimpleHistoryAdmin``: its history page says its changes in French."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ModificationsEnFrancais(self.model, historical_record)
