"""A history version keeps the ids its foreign keys had then, and those objects may be deleted
since (the bilan's budget prévisionnel, an action's axe…): its page to restore it sends back to
the history with a French message naming the field, and nothing is written; never a server
error (the stored constats' property test met one on PostgreSQL, 6 December 2026)."""

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils import timezone

from commun.liens import liens_disparus
from conventions.models import Action, Axe

ABSENT = 987_654


def cles_des_historiques():
    """Per model of the admin with a history: each of its foreign keys."""
    cas = []
    for modele in admin.site._registry:
        if not hasattr(getattr(modele, "historique", None), "model"):
            continue
        for champ in modele._meta.concrete_fields:
            if isinstance(champ, models.ForeignKey):
                nom = f"{modele._meta.model_name}.{champ.name}"
                cas.append(pytest.param(modele, champ, id=nom))
    return cas


@pytest.mark.parametrize(("modele", "champ"), cles_des_historiques())
def test_une_version_qui_nomme_un_objet_supprime_ne_se_restaure_pas(
    documents, client_admin, modele, champ
):
    objet = modele._base_manager.order_by("pk").first()
    if objet is None:
        pytest.skip(f"aucun objet « {modele._meta.verbose_name} » dans les documents")
    version = modele.historique.filter(id=objet.pk).order_by("history_id").first()
    modele.historique.filter(history_id=version.history_id).update(**{champ.attname: ABSENT})
    prefixe = f"admin:{modele._meta.app_label}_{modele._meta.model_name}"
    adresse = reverse(f"{prefixe}_simple_history", args=[objet.pk, version.history_id])
    historique = reverse(f"{prefixe}_history", args=[objet.pk])
    avant = modele._base_manager.values().get(pk=objet.pk)

    for reponse in (client_admin.get(adresse), client_admin.post(adresse, {"_save": "1"})):
        assert reponse.status_code == 302
        assert reponse.url == historique
    page = client_admin.get(historique).content.decode().replace("&#x27;", "'")
    # The version's date as the list shows it, in local time (Europe/Paris), not UTC.
    le = timezone.localtime(version.history_date)
    assert f"Cette version du {le:%d/%m/%Y à %H:%M} ne peut pas être restaurée" in page
    assert f"{champ.verbose_name} (n° {ABSENT}) n'existe plus (supprimé depuis)" in page
    assert "Rien n'a été modifié" in page
    assert modele._base_manager.values().get(pk=objet.pk) == avant


def test_les_liens_disparus_sont_nommes_un_par_un(documents):
    action = Action.objects.select_related("axe").order_by("pk").first()
    assert liens_disparus(action) == []
    action.axe_id = ABSENT
    assert liens_disparus(action) == [f"axe (n° {ABSENT}) n'existe plus"]
    assert Axe.objects.filter(pk=ABSENT).count() == 0
