"""What a check finds: a ``Constat``, computed from the data and never stored.

A constat names the object it concerns, what was expected, what was found and the difference, in
euros or in units, with one French sentence a finance officer understands without the code.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models


class Severite(models.TextChoices):
    ERREUR = "erreur", "erreur"
    AVERTISSEMENT = "avertissement", "avertissement"
    INFORMATION = "information", "information"


ORDRE_SEVERITE = {Severite.ERREUR: 0, Severite.AVERTISSEMENT: 1, Severite.INFORMATION: 2}

PLURIELS = {
    Severite.ERREUR: "erreurs",
    Severite.AVERTISSEMENT: "avertissements",
    Severite.INFORMATION: "informations",
}


class Regle(models.TextChoices):
    """One code per rule of docs/DESIGN.md, « Rules the application checks »."""

    COFINANCEMENT = "cofinancement", "cofinancement"
    TOTAUX = "totaux", "totaux imprimés"
    FICHE_ACTION = "fiche_action", "budget de la fiche action"
    PLURIANNUEL = "pluriannuel", "engagement pluriannuel"
    BILAN = "bilan", "bilan et engagements"
    INDICATEURS = "indicateurs", "indicateurs"
    DELIBERATION = "deliberation", "délibération"
    CALENDRIER = "calendrier", "calendrier des bilans"
    COMPLETUDE = "completude", "complétude"


class SurDesAnnees:
    """The years a constat concerns (``annees``: first and last, None for every year)."""

    def couvre(self, annee: int) -> bool:
        return self.annees is None or self.annees[0] <= annee <= self.annees[1]

    def chevauche(self, debut: int, fin: int) -> bool:
        """Whether the constat concerns a year of the period ``debut``-``fin``."""
        return self.annees is None or (self.annees[0] <= fin and self.annees[1] >= debut)


@dataclass(frozen=True)
class Constat(SurDesAnnees):
    code: Regle
    severite: Severite
    objet: object  # the model instance concerned
    attendu: Decimal | str | None
    constate: Decimal | str | None
    ecart: Decimal | None
    unite: str
    message: str
    convention_id: int | None = None
    annees: tuple[int, int] | None = None
    # Other objects whose pages show this constat (the bilan of an action's budget line…).
    lies: tuple = field(default=())

    def __post_init__(self):
        # Sums read back from SQLite lose their scale: show every amount with its two decimals.
        for nom in ("attendu", "constate", "ecart"):
            valeur = getattr(self, nom)
            if isinstance(valeur, Decimal) and self.unite == "€":
                object.__setattr__(self, nom, valeur.quantize(Decimal("0.01")))

    @property
    def type_objet(self) -> str:
        return self.objet._meta.verbose_name

    @property
    def lien(self) -> str | None:
        url = getattr(self.objet, "get_absolute_url", None)
        return url() if url else None

    def concerne(self, objet) -> bool:
        return any(
            type(objet) is type(candidat) and objet.pk == candidat.pk
            for candidat in (self.objet, *self.lies)
        )

    def en_json(self) -> dict:
        def texte(valeur):
            return None if valeur is None else str(valeur)

        return {
            "code": str(self.code),
            "severite": str(self.severite),
            "objet": {
                "type": self.type_objet,
                "libelle": str(self.objet),
                "lien": self.lien,
            },
            "attendu": texte(self.attendu),
            "constate": texte(self.constate),
            "ecart": texte(self.ecart),
            "unite": self.unite,
            "message": self.message,
        }


def trier(constats):
    return sorted(constats, key=lambda c: (ORDRE_SEVERITE[c.severite], c.code, c.message))


@dataclass(frozen=True)
class Resume:
    """Counts by severity, in words: « 2 erreurs · 5 avertissements · 1 information »."""

    erreurs: int = 0
    avertissements: int = 0
    informations: int = 0

    @classmethod
    def de(cls, constats) -> "Resume":
        compte = Counter(c.severite for c in constats)
        return cls(
            compte[Severite.ERREUR], compte[Severite.AVERTISSEMENT], compte[Severite.INFORMATION]
        )

    @property
    def total(self) -> int:
        return self.erreurs + self.avertissements + self.informations

    @property
    def niveau(self) -> str:
        """The most serious severity present, or « aucun » (a CSS class, never the only cue)."""
        if self.erreurs:
            return Severite.ERREUR
        if self.avertissements:
            return Severite.AVERTISSEMENT
        return Severite.INFORMATION if self.informations else "aucun"

    def __str__(self) -> str:
        if not self.total:
            return "aucun constat"
        parties = []
        for nombre, severite in (
            (self.erreurs, Severite.ERREUR),
            (self.avertissements, Severite.AVERTISSEMENT),
            (self.informations, Severite.INFORMATION),
        ):
            if nombre:
                mot = PLURIELS[severite] if nombre > 1 else str(severite.label)
                parties.append(f"{nombre} {mot}")
        return " · ".join(parties)
