"""Who changed what: readable lines from the django-simple-history tables.

« 1.1 État : 76 000 € → 100 000 €, par finances, le 22 novembre 2026 à 23:10 (import de x.xlsx) »
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

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
