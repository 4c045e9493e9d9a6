"""``reconduire``: next year's draft keeps the structure of the convention and marks, instead of
carrying as if true, the wording of the previous period (« Année 2023. », « 347 000 € (bilan
2023) »). Checked on the real 2023 CALPA renewed for 2024."""

import re

import yaml
from django.core.management import call_command

from controles.constats import Regle
from controles.services import controler
from conventions.a_reecrire import est_marque, marquer, parle_de
from conventions.models import Action, Axe, Convention
from fichiers.annuel.reconduction import reconduire

MARQUE = "[à réécrire pour 2024] "


def test_la_marque():
    assert parle_de("Année 2023.", range(2023, 2024))
    assert parle_de("347 000 € (bilan)", range(2023, 2024))
    assert not parle_de("L'État et Dijon Métropole.", range(2023, 2024))
    assert not parle_de("Convention n° 120235.", range(2023, 2024))  # not a year
    assert marquer("Année 2023.", "2024") == "[à réécrire pour 2024] Année 2023."
    # Renewed twice without being rewritten: one mark, the new period's.
    assert marquer("[à réécrire pour 2024] Année 2023.", "2025") == (
        "[à réécrire pour 2025] Année 2023."
    )
    assert est_marque("[à réécrire pour 2024-2026] x") and not est_marque("Année 2023.")


def textes(objet: dict) -> dict[str, str]:
    return {nom: valeur for nom, valeur in objet["fields"].items() if isinstance(valeur, str)}


def test_la_calpa_2023_reconduite_en_2024_garde_sa_structure_et_marque_ses_textes(documents):
    calpa = Convention.objects.get(slug="calpa-dijon-2023")
    brouillon = reconduire(calpa, 2024)
    objets = yaml.safe_load(brouillon.en_texte("yaml"))
    convention = textes(objets[0])

    # The wording of 2023 is no longer stated as true: kept only behind the mark.
    assert convention["duree"] == MARQUE + "Année 2023."
    assert convention["objet"].startswith(MARQUE)
    assert convention["objet"].endswith("347 000 € (bilan 2023).")
    assert convention["regle_cofinancement"].startswith(MARQUE)
    for objet in objets:
        for nom, valeur in textes(objet).items():
            if nom == "source" or objet["model"] == "conventions.engagement":
                continue  # where the draft comes from; natural keys
            if re.search(r"Année 2023|\(bilan 2023|2023\b|€", valeur):
                assert valeur.startswith(MARQUE), (objet["model"], nom, valeur)
    assert convention["parties"] == calpa.parties  # timeless wording is carried as it is

    # The structure is the same: axes, actions, their codes, order, axes and financeurs.
    def structure(modele):
        return [
            (o["fields"]["code"], o["fields"].get("ordre"), (o["fields"].get("axe") or [0, 0])[1])
            for o in objets
            if o["model"] == modele
        ]

    assert structure("conventions.action") == [
        (a.code, a.ordre, a.axe.code) for a in calpa.actions.order_by("ordre", "code")
    ]
    assert len(structure("conventions.axe")) == Axe.objects.filter(convention=calpa).count() == 3
    lignes = [o["fields"] for o in objets if o["model"] == "conventions.engagement"]
    assert {tuple(ligne["financeur"]) for ligne in lignes} == {("etat",), ("dijon-metropole",)}
    assert brouillon.a_reecrire == [
        "convention — objet",
        "convention — règle de cofinancement (texte)",
        "convention — durée et renouvellement",
    ]
    assert "3 texte(s) de l'an passé (années, montants) sont marqués" in brouillon.entete()


def test_charge_le_brouillon_dit_ce_qui_reste_a_reecrire(documents, tmp_path, capsys):
    sortie = tmp_path / "calpa-2024.yaml"
    call_command(
        "reconduire", "--convention", "calpa-dijon-2023", "--annee", "2024", "-o", str(sortie)
    )
    sortie_commande = capsys.readouterr().out
    assert "3 texte(s) de 2023 à réécrire, marqués « [à réécrire pour 2024] »" in sortie_commande
    # The loader's trial run lists it among the constats of what it would write.
    call_command("charger_convention", str(sortie), "--dry-run")
    assert "La convention : textes à réécrire (objet ; règle de cofinancement (texte) ; " in (
        capsys.readouterr().out
    )
    call_command("charger_convention", str(sortie))
    nouvelle = Convention.objects.get(slug="calpa-dijon-2024")
    assert Action.objects.filter(convention=nouvelle).count() == 7
    a_reecrire = [
        c
        for c in controler(Convention.objects.filter(pk=nouvelle.pk))
        if c.code == Regle.COMPLETUDE and "réécrire" in c.message
    ]
    assert len(a_reecrire) == 1
    assert nouvelle.duree == MARQUE + "Année 2023."
