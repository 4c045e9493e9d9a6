"""A transmitted bilan's figures no longer change, from any door (``bilans/gel.py``): the models
and their querysets refuse the write, and each door says so in French instead of failing.

The doors issue 23 found open are each a test here: the admin's stand-alone screens of reports
and indicators, the yearly loader, the grid and « mettre en vigueur » on the bilan's budget
prévisionnel, the annex import; and an État agent posting figures now reads why."""

import io
from datetime import date
from decimal import Decimal

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from openpyxl import load_workbook

from bilans import cycle
from bilans.models import Bilan, Indicateur, Mesure, RapportAction
from comptes import roles
from conventions.models import Engagement, TableauEngagements, Territoire, TotalImprime
from fichiers.annuel.chargement import charger
from fichiers.annuel.fichier import FichierInvalide
from fichiers.classeurs.chargement import importer
from fichiers.classeurs.export import classeur_des_tableaux
from fichiers.classeurs.lecture import ClasseurInvalide

CALPA = "calpa-dijon-2023"
ADRESSE = f"/conventions/{CALPA}/bilans/2023/"
GELE = "ses chiffres ne sont plus modifiables"


def bilan_2023() -> Bilan:
    return Bilan.objects.get(convention__slug=CALPA, annee=2023)


def transmettre(bilan: Bilan, statut=Bilan.Statut.TRANSMIS) -> Bilan:
    """What the cycle writes (status and date): the one change a frozen bilan accepts."""
    Bilan.objects.filter(pk=bilan.pk).update(statut=statut, date_transmission=date(2024, 3, 20))
    return Bilan.objects.get(pk=bilan.pk)


def photo(bilan: Bilan) -> tuple:
    """The bilan's figures as the database holds them now (``bilan`` only names it): its row,
    reports, values, indicators, prévisionnel's lines and row."""
    actuel = Bilan.objects.filter(pk=bilan.pk).first() or bilan
    previsionnel = actuel.tableau_previsionnel_id
    return (
        list(Bilan.objects.filter(pk=bilan.pk).values()),
        sorted(RapportAction.objects.filter(bilan=bilan).values_list("pk", "realisation", "texte")),
        sorted(Mesure.objects.filter(bilan=bilan).values_list("pk", "valeur", "version")),
        sorted(Indicateur.objects.filter(mesures__bilan=bilan).values_list("pk", "libelle")),
        sorted(Engagement.objects.filter(tableau=previsionnel).values_list("pk", "montant")),
        list(TableauEngagements.objects.filter(pk=previsionnel).values()),
    )


@pytest.fixture
def gele(documents):
    return transmettre(bilan_2023())


# --- the models refuse, whoever calls them ----------------------------------------------------


def test_chaque_ecriture_des_chiffres_est_refusee(gele):
    avant = photo(gele)
    mesure = Mesure.objects.filter(bilan=gele).first()
    rapport = RapportAction.objects.filter(bilan=gele).first()
    indicateur = mesure.indicateur
    engagement = gele.tableau_previsionnel.engagements.first()
    ecritures = {
        "mesure modifiée": lambda: Mesure.objects.filter(pk=mesure.pk).update(valeur=1),
        "mesure enregistrée": lambda: _enregistrer(mesure, valeur=Decimal(1)),
        "mesure supprimée": mesure.delete,
        "mesures supprimées en bloc": Mesure.objects.filter(bilan=gele).delete,
        "mesure ajoutée en bloc": lambda: Mesure.objects.bulk_create(
            [Mesure(bilan=gele, indicateur=indicateur, valeur=1)]
        ),
        "rapport modifié": lambda: _enregistrer(rapport, texte="autre"),
        "rapport supprimé": rapport.delete,
        "rapports modifiés en bloc": lambda: RapportAction.objects.filter(bilan=gele).update(
            texte="x"
        ),
        "indicateur renommé": lambda: _enregistrer(indicateur, libelle="autre"),
        "indicateur supprimé": indicateur.delete,
        "montants du bilan": lambda: _enregistrer(gele, depenses_collectivite=Decimal(1)),
        "bilan supprimé": gele.delete,
        "bilans modifiés en bloc": lambda: Bilan.objects.filter(pk=gele.pk).update(remarques="x"),
        "ligne du prévisionnel": lambda: _enregistrer(engagement, montant=Decimal(1)),
        "lignes du prévisionnel en bloc": lambda: Engagement.objects.filter(
            tableau=gele.tableau_previsionnel
        ).update(montant=1),
        "prévisionnel renommé": lambda: _enregistrer(gele.tableau_previsionnel, libelle="x"),
        "total imprimé du prévisionnel": lambda: TotalImprime.objects.create(
            tableau=gele.tableau_previsionnel, financeur=engagement.financeur, montant=1
        ),
    }
    for nom, ecrire in ecritures.items():
        with pytest.raises(ValidationError) as refus, transaction.atomic():
            ecrire()
        assert f"Bilan 2023 transmis au préfet le 20/03/2024 : {GELE}" in str(refus.value), nom
    assert photo(Bilan.objects.get(pk=gele.pk)) == avant


def _enregistrer(objet, **valeurs):
    for champ, valeur in valeurs.items():
        setattr(objet, champ, valeur)
    objet.save()


def test_un_enregistrement_inchange_et_le_cycle_passent(gele):
    mesure = Mesure.objects.filter(bilan=gele).first()
    mesure.save()  # a form sent back as it was displayed
    Bilan.objects.get(pk=gele.pk).save()
    # « Renvoyer à compléter » reopens the figures; « valider » freezes them for good.
    gele.statut = Bilan.Statut.A_COMPLETER
    gele.save()
    Mesure.objects.filter(pk=mesure.pk).update(valeur=3)
    assert Mesure.objects.get(pk=mesure.pk).valeur == 3
    transmettre(gele, Bilan.Statut.VALIDE)
    with pytest.raises(ValidationError, match="validé par les services de l'État"):
        Mesure.objects.filter(pk=mesure.pk).update(valeur=4)


def test_le_previsionnel_n_est_jamais_en_vigueur(documents):
    previsionnel = bilan_2023().tableau_previsionnel
    with pytest.raises(IntegrityError), transaction.atomic():
        TableauEngagements.objects.filter(pk=previsionnel.pk).update(en_vigueur=True)
    previsionnel.en_vigueur = True
    with pytest.raises(ValidationError, match="n'est jamais « en vigueur »"):
        previsionnel.full_clean()


def test_le_previsionnel_est_un_tableau_previsionnel_de_la_convention_du_bilan(documents):
    bilan = bilan_2023()
    bilan.tableau_previsionnel = TableauEngagements.objects.get(
        convention__slug=CALPA, en_vigueur=True
    )
    with pytest.raises(ValidationError, match="de nature « prévisionnel du bilan »"):
        bilan.full_clean()
    bilan.tableau_previsionnel = TableauEngagements.objects.exclude(convention__slug=CALPA)[0]
    with pytest.raises(ValidationError, match="un tableau de sa propre convention"):
        bilan.full_clean()


# --- each door says it in French ---------------------------------------------------------------


@pytest.mark.parametrize("modele", ["rapportaction", "indicateur"])
def test_les_ecrans_autonomes_de_l_administration(gele, administrateur_restreint, modele):
    """The stand-alone change screens of reports and indicators saved into a transmitted bilan
    (issue 23): now read-only, and a forged POST is refused."""
    client = administrateur_restreint(Territoire.objects.all())
    avant = photo(gele)
    objet = (
        RapportAction.objects.filter(bilan=gele).first()
        if modele == "rapportaction"
        else Mesure.objects.filter(bilan=gele).first().indicateur
    )
    adresse = f"/admin/bilans/{modele}/{objet.pk}/change/"
    page = client.get(adresse)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert f"Lecture seule : Bilan 2023 transmis au préfet le 20/03/2024 : {GELE}" in (
        page.content.decode().replace("&#x27;", "'")
    )
    champs = {"texte": "réécrit", "realisation": "realisee", "bilan": gele.pk}
    champs |= {"action": objet.action_id, "libelle": "réécrit", "code": "x", "unite": "p"}
    assert client.post(adresse, champs).status_code == 403
    assert (
        client.post(f"/admin/bilans/{modele}/{objet.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert photo(gele) == avant


def test_la_suppression_en_bloc_dans_l_administration(gele, administrateur_restreint):
    client = administrateur_restreint(Territoire.objects.all())
    mesures = list(Mesure.objects.filter(bilan=gele).values_list("pk", flat=True))
    reponse = client.post(
        "/admin/bilans/mesure/",
        {"action": "delete_selected", "_selected_action": mesures, "post": "yes"},
    )
    assert reponse.status_code == 403
    assert GELE in reponse.content.decode()
    assert Mesure.objects.filter(bilan=gele).count() == len(mesures)


def test_le_chargement_annuel_n_ecrit_pas_dans_un_bilan_transmis(gele):
    mesure = Mesure.objects.filter(bilan=gele).select_related("indicateur__action").first()
    fichier = [
        {
            "model": "bilans.mesure",
            "fields": {
                "indicateur": [CALPA, mesure.indicateur.action.code, mesure.indicateur.code],
                "bilan": [CALPA, 2023],
                "valeur": "987654",
            },
        },
        {
            "model": "bilans.rapportaction",
            "fields": {"bilan": [CALPA, 2023], "action": [CALPA, "1.1"], "texte": "réécrit"},
        },
    ]
    avant = photo(gele)
    with pytest.raises(FichierInvalide) as refus:
        charger(yaml.safe_dump(fichier, allow_unicode=True).encode(), nom_fichier="f.yaml")
    assert sum(GELE in erreur for erreur in refus.value.erreurs) == 2, refus.value.erreurs
    assert photo(gele) == avant


def test_la_grille_et_la_mise_en_vigueur_du_previsionnel(gele, client_de):
    client = client_de(roles.FINANCES, territoires=Territoire.objects.all())
    avant = photo(gele)
    grille = f"/conventions/{CALPA}/tableaux/{gele.tableau_previsionnel_id}/modifier/"
    for reponse in (client.get(grille, follow=True), client.post(grille, {}, follow=True)):
        assert "« Budget prévisionnel » du bilan : Bilan 2023 transmis" in reponse.content.decode()
    vigueur = f"/conventions/{CALPA}/tableaux/{gele.tableau_previsionnel_id}/mettre-en-vigueur/"
    reponse = client.post(vigueur, follow=True)
    assert "n&#x27;est jamais « en vigueur »" in reponse.content.decode()
    assert photo(gele) == avant
    # Not frozen any more, the bilan's budget is still never the year's tableau.
    transmettre(gele, Bilan.Statut.A_COMPLETER)
    reponse = client.post(vigueur, follow=True)
    assert "n&#x27;est jamais « en vigueur »" in reponse.content.decode()
    assert not TableauEngagements.objects.get(pk=gele.tableau_previsionnel_id).en_vigueur


def test_l_import_de_l_annexe_refuse_la_feuille_du_previsionnel(gele):
    classeur = load_workbook(io.BytesIO(classeur_des_tableaux([gele.tableau_previsionnel])))
    feuille = classeur.worksheets[0]
    sortie = io.BytesIO()
    classeur.save(sortie)
    avant = photo(gele)
    with pytest.raises(ClasseurInvalide) as refus:
        importer(sortie.getvalue(), nom_fichier="annexe.xlsx")
    assert refus.value.erreurs[0].startswith(f"Feuille « {feuille.title} » : « Budget prévisionnel")
    assert GELE in refus.value.erreurs[0]
    assert photo(gele) == avant


def test_un_agent_de_l_etat_qui_poste_des_chiffres_lit_pourquoi(documents, client):
    etat = roles.creer_compte(
        "reviseur",
        mot_de_passe="x",
        role=roles.AGENT,
        territoires=Territoire.objects.all(),
        cote=cycle.ETAT,
    )
    client.force_login(etat)
    avant = photo(bilan_2023())
    reponse = client.post(ADRESSE, {"action": "1.1", "r1-texte": "x"}, follow=True)
    assert "sont remplis par la collectivité ; les services de l&#x27;État les examinent" in (
        reponse.content.decode()
    )
    assert photo(bilan_2023()) == avant
