"""Who changed what: readable lines from the django-simple-history tables.

« 1.1 État : 76 000 € → 100 000 €, par finances, le 22 novembre 2026 à 23:10 (import de x.xlsx) »
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from simple_history.template_utils import HistoricalRecordContextHelper

from commun.formats import couper_aux_mots, date_longue, euros, nombre

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


def evolutions(
    historiques,
    *,
    champ: str,
    libelle,
    montant: bool = True,
    formater=None,
    texte: bool = False,
    limite: int = 50,
):
    """The changes of ``champ`` in these historical rows, newest first (one query). Values
    read as euros, as numbers (``montant=False``), through ``formater``, or as texts quoted
    where they differ (``texte=True``, :func:`textes_changes`)."""
    lignes = list(historiques.select_related("history_user").order_by("id", "history_date"))
    precedentes = {}
    resultat = []
    formater = formater or (euros if montant else nombre)
    for ligne in lignes:
        avant = precedentes.get(ligne.id)
        precedentes[ligne.id] = ligne
        valeur_avant = getattr(avant, champ) if avant else None
        valeur = getattr(ligne, champ)
        if ligne.history_change_reason == SOCLE:
            continue
        if ligne.history_type == "~" and avant is not None and valeur_avant == valeur:
            continue  # saved without a change to this field
        if ligne.history_type == "+" and valeur in (None, ""):
            continue  # created empty: nothing to read
        utilisateur = ligne.history_user
        if texte:
            texte_avant, texte_apres = textes_changes(valeur_avant, valeur)
        else:
            texte_avant = None if valeur_avant is None else formater(valeur_avant)
            texte_apres = formater(valeur)
        resultat.append(
            Evolution(
                ligne.history_date,
                utilisateur.get_username() if utilisateur else "une commande",
                TYPES[ligne.history_type],
                libelle(ligne),
                texte_avant,
                texte_apres,
                ligne.history_change_reason or "",
            )
        )
    resultat.sort(key=lambda e: e.quand, reverse=True)
    return resultat[:limite]


def recentes(*listes, limite: int = 50) -> list[Evolution]:
    """Several pages' lists of changes as one, newest first (amounts, texts, values)."""
    return sorted((e for liste in listes for e in liste), key=lambda e: e.quand, reverse=True)[
        :limite
    ]


VIDE = "(vide)"


def textes_changes(avant: str | None, apres: str, *, longueur: int = 60) -> tuple:
    """Both sides of a change of a text, quoted and cut to ``longueur`` characters, each from
    the word where they start to differ (« … 48 personnes ont… » → « … 50 personnes ont… »):
    a change at the end of a long compte rendu shows. ``avant`` is None for a creation."""
    if avant is None:
        return None, _extrait(apres, 0, longueur)
    # Compared as read: line breaks and runs of blanks are one space.
    avant, apres = " ".join(avant.split()), " ".join(apres.split())
    commun = 0
    for a, b in zip(avant, apres, strict=False):
        if a != b:
            break
        commun += 1
    debut = avant.rfind(" ", 0, commun) + 1  # the word that differs (the same in both)
    return _extrait(avant, debut, longueur), _extrait(apres, debut, longueur)


def _extrait(texte: str, debut: int, longueur: int) -> str:
    if not texte.strip():
        return VIDE
    morceau = couper_aux_mots(texte[debut:], longueur)
    return f"« {'… ' if debut else ''}{morceau} »"


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
