"""The constats and the engaged amounts of each convention, stored so that the dashboard and
the synthesis read them instead of running the checks and adding up every engagement on every
request (issue 29: flat at national size).

Only the rules that do not read today's date are stored (``controles.enregistres``): the
calendar, which does, runs on each request on the conventions the stored due dates
(``EcheanceEnregistree``) point at (``enregistres.echeances``). Whether
a convention's stored constats are still the checks' answer is a number, not a date: every write
of what the checks read bumps ``generation`` in the same transaction, and the constats are
stored for the generation they were computed from (``calcule_pour``)."""

from django.db import models

from conventions.models import Convention, Departement
from conventions.models.communs import MONTANT

from .constats import Regle, Severite, SurDesAnnees


class EtatDesConstats(models.Model):
    convention = models.OneToOneField(
        Convention,
        verbose_name="convention",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="etat_des_constats",
    )
    # Bumped by every write of what the checks read (``enregistres.marquer``).
    generation = models.PositiveBigIntegerField("génération des données", default=1)
    # The generation the stored constats were computed from; 0: never computed.
    calcule_pour = models.PositiveBigIntegerField("constats calculés pour", default=0)
    calcule_le = models.DateTimeField("calculés le", null=True, blank=True)
    # What the dashboard's « À traiter » lists besides the constats, computed with them: no
    # tableau en vigueur at all (tranches to spread), periods with versions but none en
    # vigueur (``conventions.selectors.periodes``). The dashboard reads the few conventions
    # flagged instead of grouping every tableau of the country.
    sans_tableau_en_vigueur = models.BooleanField("sans tableau en vigueur", default=False)
    periodes_sans_version_en_vigueur = models.PositiveIntegerField(
        "périodes sans version en vigueur", default=0
    )

    class Meta:
        verbose_name = "état des constats"
        verbose_name_plural = "états des constats"

    def __str__(self):
        return f"Constats de {self.convention_id} : {self.calcule_pour}/{self.generation}"


class ConstatEnregistre(SurDesAnnees, models.Model):
    """A constat as the pages list it: its rule, severity, sentence, what it concerns (in
    words and as a link) and its years."""

    convention = models.ForeignKey(
        Convention, verbose_name="convention", on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField("règle", max_length=20, choices=Regle)
    severite = models.CharField("sévérité", max_length=20, choices=Severite)
    message = models.TextField("constat")
    type_objet = models.CharField("type d'objet", max_length=100)
    libelle_objet = models.TextField("objet")
    lien = models.CharField("lien", max_length=300, blank=True)
    annee_debut = models.PositiveSmallIntegerField("première année", null=True, blank=True)
    annee_fin = models.PositiveSmallIntegerField("dernière année", null=True, blank=True)
    # False for the constats of a validated bilan: its cycle is over (``bilans.cycle``).
    a_traiter = models.BooleanField("à traiter", default=True)
    rang = models.PositiveIntegerField("rang")  # the order of ``constats.trier``

    class Meta:
        verbose_name = "constat enregistré"
        verbose_name_plural = "constats enregistrés"
        ordering = ["rang"]
        indexes = [models.Index(fields=["convention", "rang"])]

    def __str__(self):
        return self.message

    # What the pages read of a ``Constat``.
    @property
    def objet(self) -> str:
        return self.libelle_objet

    @property
    def annees(self) -> tuple[int, int] | None:
        if self.annee_debut is None:
            return None
        return (self.annee_debut, self.annee_fin)


class MontantEnregistre(models.Model):
    """What a convention engages a year, by top-level axe, État and collectivités: the sums of
    ``montants_engages`` (its tableau en vigueur of the year, else its tranches of the year),
    kept with its constats and out of date with them."""

    convention = models.ForeignKey(
        Convention, verbose_name="convention", on_delete=models.CASCADE, related_name="+"
    )
    annee = models.PositiveSmallIntegerField("année")
    axe = models.TextField("axe de premier niveau")
    tranches = models.BooleanField("tranches d'engagements pluriannuels", default=False)
    etat = models.DecimalField("État", **MONTANT)
    collectivite = models.DecimalField("collectivités", **MONTANT)
    # The convention's dispositif and its territoire's département, copied so that the
    # synthesis groups the stored rows without joining the conventions and the territoires
    # (both are in ``enregistres.CHEMINS``: a change makes these rows out of date).
    dispositif = models.CharField("dispositif", max_length=30)
    departement = models.ForeignKey(
        Departement,
        verbose_name="département",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "montant engagé enregistré"
        verbose_name_plural = "montants engagés enregistrés"
        indexes = [models.Index(fields=["annee", "convention"])]

    def __str__(self):
        return f"{self.convention_id} {self.annee} {self.axe} : {self.etat} / {self.collectivite}"


class EcheanceEnregistree(models.Model):
    """A year of a convention that has a due date for its bilan, with the bilan's two dates:
    what the calendar rule compares to today's date. Stored with the constats, so that the
    database picks the few conventions with a year to report among every convention."""

    convention = models.ForeignKey(
        Convention, verbose_name="convention", on_delete=models.CASCADE, related_name="+"
    )
    annee = models.PositiveSmallIntegerField("année")
    echeance = models.DateField("échéance du bilan")
    deliberation = models.DateField("date de délibération", null=True, blank=True)
    transmission = models.DateField("date de transmission", null=True, blank=True)

    class Meta:
        verbose_name = "échéance enregistrée"
        verbose_name_plural = "échéances enregistrées"
        indexes = [models.Index(fields=["echeance"])]

    def __str__(self):
        return f"{self.convention_id} {self.annee} : {self.echeance}"
