"""Régions and départements as the Code officiel géographique lists them: a reference table
shipped with the application (``conventions/referentiel/cog.json``, its source, licence and
date in its header), loaded by a migration and again after a test's flush (``apps.py``).

Their official code is their primary key, so that a fixture or a backup names « 21 », never a
database id; a file may also name a département by its name, read without accents nor case
(``Departement.objects.lire``)."""

import json
import unicodedata
from difflib import get_close_matches
from pathlib import Path

from django.db import models

from commun.collation import en_francais

REFERENTIEL = Path(__file__).resolve().parent.parent / "referentiel" / "cog.json"


def referentiel() -> dict:
    """The COG file: ``source``, ``licence``, ``date``, ``regions``, ``departements``."""
    return json.loads(REFERENTIEL.read_text(encoding="utf-8"))


def charger_le_referentiel(region_modele, departement_modele) -> int:
    """Write the régions and départements of the COG file, adding what is missing and
    correcting a name; returns how many rows were written. Takes the models as arguments so
    that a migration passes its historical ones."""
    donnees = referentiel()
    ecrits = 0
    regions = {r.code: r for r in region_modele.objects.all()}
    for ligne in donnees["regions"]:
        if regions.get(ligne["code"]) is None or regions[ligne["code"]].nom != ligne["nom"]:
            region_modele.objects.update_or_create(
                code=ligne["code"], defaults={"nom": ligne["nom"]}
            )
            ecrits += 1
    departements = {d.code: d for d in departement_modele.objects.all()}
    for ligne in donnees["departements"]:
        existant = departements.get(ligne["code"])
        if (
            existant is None
            or existant.nom != ligne["nom"]
            or existant.region_id != ligne["region"]
        ):
            departement_modele.objects.update_or_create(
                code=ligne["code"], defaults={"nom": ligne["nom"], "region_id": ligne["region"]}
            )
            ecrits += 1
    return ecrits


ABREGES = {"st": "saint", "ste": "sainte"}  # « Seine-St-Denis »


def forme_simple(texte: str) -> str:
    """« Côte-d'Or » and « cote d or » alike: no accents, no case, letters and digits only."""
    decompose = unicodedata.normalize("NFKD", str(texte))
    lettres = "".join(c for c in decompose if not unicodedata.combining(c)).casefold()
    mots = "".join(c if c.isalnum() else " " for c in lettres).split()
    return " ".join(ABREGES.get(mot, mot) for mot in mots)


class DepartementInconnu(ValueError):
    """A département no code nor name of the COG matches; the message says what was read."""


class DepartementManager(models.Manager):
    def lire(self, saisie: str, connus=None):
        """The département a file or a form names, by its code (« 21 », « 2A », « 971 ») or
        its name (« Côte-d'Or », « cote d'or », « Cote-d-Or »); ``DepartementInconnu`` with the
        closest name otherwise. ``connus``: the départements already read (no query)."""
        connus = list(connus if connus is not None else self.all())
        brut = str(saisie).strip()
        code = brut.upper().zfill(2) if brut.isdigit() or len(brut) <= 3 else None
        par_forme = {forme_simple(d.nom): d for d in connus}
        for departement in connus:
            if departement.code == code:
                return departement
        trouve = par_forme.get(forme_simple(brut))
        if trouve is not None:
            return trouve
        proches = get_close_matches(forme_simple(brut), list(par_forme), n=1, cutoff=0.6)
        conseil = f" (vouliez-vous écrire « {par_forme[proches[0]].nom} » ?)" if proches else ""
        raise DepartementInconnu(
            f"département « {brut} » inconnu du Code officiel géographique{conseil} : écrivez "
            "son code (« 21 », « 2A », « 971 ») ou son nom (« Côte-d'Or »)"
        )


class Region(models.Model):
    """A région of the COG (18: 13 in metropolitan France, 5 overseas)."""

    code = models.CharField("code officiel", max_length=3, primary_key=True)
    nom = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        verbose_name_plural = "régions"
        ordering = [en_francais("nom").asc()]

    def __str__(self):
        return self.nom


class Departement(models.Model):
    """A département of the COG (101), within its région."""

    code = models.CharField("code officiel", max_length=3, primary_key=True)
    nom = models.CharField("nom", max_length=100)
    region = models.ForeignKey(
        Region, verbose_name="région", on_delete=models.PROTECT, related_name="departements"
    )

    objects = DepartementManager()

    class Meta:
        verbose_name = "département"
        verbose_name_plural = "départements"
        ordering = ["code"]

    def __str__(self):
        return f"{self.nom} ({self.code})"
