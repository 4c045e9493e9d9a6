"""Every reference a file sets is resolved within the user's territoires (issue 23): an
administrator of Haute-Saône can neither attach their objects to Dijon's nor learn which of
Dijon's keys exist. Another territoire's key reads exactly as an unknown one, suggestions come
only from what the user may see, and the preview's constats are the user's conventions' only."""

import io

import pytest
import yaml
from openpyxl import load_workbook

from comptes import roles
from conventions.models import Convention, Engagement, TableauEngagements, Territoire
from fichiers.annuel.chargement import charger
from fichiers.annuel.fichier import FichierInvalide
from fichiers.classeurs.chargement import importer
from fichiers.classeurs.export import LIGNE_IDENTIFIANTS, classeur_des_tableaux
from fichiers.classeurs.lecture import ClasseurInvalide
from tests.conventions.test_chargement_annuel import EXEMPLE_YAML

HS = "calpa-haute-saone-2021"
DIJON = "calpa-dijon-2023"
RETENUE = "Version Dijon Métropole retenue sur le Territoire Zéro Non Recours"
PREVISIONNEL = "Budget prévisionnel 2023 par action (bilan 2023)"


@pytest.fixture
def haute_saone(documents):
    """Dijon's five documents, the Haute-Saône example, and an administrator of Haute-Saône
    who is not a superuser."""
    charger(EXEMPLE_YAML.read_bytes(), nom_fichier="exemple.yaml")
    administrateur = roles.creer_compte(
        "admin-hs",
        mot_de_passe="x",
        role=roles.ADMINISTRATEUR,
        territoires=Territoire.objects.filter(slug="departement-haute-saone"),
    )
    administrateur.is_superuser = False
    administrateur.save()
    return administrateur


def refus(utilisateur, objets) -> list[str]:
    with pytest.raises(FichierInvalide) as erreur:
        charger(
            yaml.safe_dump(objets, allow_unicode=True).encode(),
            nom_fichier="f.yaml",
            utilisateur=utilisateur,
        )
    return erreur.value.erreurs


def photo():
    return Engagement.objects.count(), sorted(Convention.objects.values_list("slug", flat=True))


def objet(modele, **champs):
    return {"model": modele, "fields": champs}


@pytest.mark.parametrize(
    "ailleurs",
    [
        objet("bilans.rapportaction", bilan=[HS, 2021], action=[DIJON, "1.1"], texte="x"),
        objet(
            "bilans.mesure",
            indicateur=[DIJON, "1.1", "professionnels-dedies"],
            bilan=[HS, 2021],
            valeur="987654",
        ),
        objet(
            "conventions.engagement",
            tableau=[
                DIJON,
                2023,
                2023,
                "Version Dijon Métropole retenue sur le Territoire Zéro Non Recours",
            ],
            action=[HS, "1.1"],
            financeur=["etat"],
            montant="1.00",
        ),
        objet(
            "bilans.bilan",
            convention=[HS],
            annee=2021,
            tableau_previsionnel=[
                DIJON,
                2023,
                2023,
                "Budget prévisionnel 2023 par action (bilan 2023)",
            ],
        ),
    ],
    ids=["rapport", "mesure", "engagement", "previsionnel"],
)
def test_une_reference_a_un_autre_territoire_se_lit_comme_une_cle_inconnue(haute_saone, ailleurs):
    avant = photo()
    messages = refus(haute_saone, [ailleurs])
    assert any("ni dans le fichier ni dans vos territoires" in m for m in messages), messages
    texte = " ".join(messages)
    # The same object naming a key that exists nowhere is refused with the same words.
    inventee = yaml.safe_load(yaml.safe_dump(ailleurs).replace(DIJON, "calpa-inventee-2023"))
    pareils = " ".join(refus(haute_saone, [inventee])).replace("calpa-inventee-2023", DIJON)
    assert texte == pareils
    assert "hors de vos territoires" not in texte and "plus proche : [calpa-dijon" not in texte
    assert photo() == avant


def test_un_superutilisateur_voit_la_base_entiere(haute_saone):
    inconnue = objet("bilans.bilan", convention=["calpa-inventee"], annee=2021)
    assert any("ni dans le fichier ni dans la base" in m for m in refus(None, [inconnue]))


def test_l_apercu_ne_montre_que_les_constats_de_ses_conventions(haute_saone):
    rapport = charger(
        EXEMPLE_YAML.read_bytes(), nom_fichier="exemple.yaml", essai=True, utilisateur=haute_saone
    )
    assert rapport.constats and all("Dijon" not in c.message for c in rapport.constats)
    assert rapport.conventions == [Convention.objects.get(slug=HS).intitule]


def test_l_annexe_refuse_le_financeur_d_une_autre_collectivite(haute_saone):
    tableau = TableauEngagements.objects.get(convention__slug=HS, en_vigueur=True)
    classeur = load_workbook(io.BytesIO(classeur_des_tableaux([tableau])))
    feuille = classeur.worksheets[0]
    colonne = next(
        c.column for c in feuille[LIGNE_IDENTIFIANTS] if c.value == "departement-haute-saone"
    )
    feuille.cell(LIGNE_IDENTIFIANTS, colonne).value = "dijon-metropole"
    sortie = io.BytesIO()
    classeur.save(sortie)
    with pytest.raises(ClasseurInvalide) as erreur:
        importer(sortie.getvalue(), utilisateur=haute_saone, nom_fichier="annexe.xlsx")
    assert any("financeur inconnu « dijon-metropole »" in m for m in erreur.value.erreurs)
