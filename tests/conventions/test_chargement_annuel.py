"""The yearly cycle: the worked example, ``charger_convention`` on good and bad files,
``reconduire`` from the 2023 CALPA to 2024, and the same in the admin."""

import copy
import functools
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptes import roles
from comptes.models import Profil
from controles.constats import Regle, Severite
from controles.services import controler
from conventions.models import Action, Convention, Engagement, TableauEngagements, Territoire
from fichiers.annuel import cles
from fichiers.annuel.chargement import charger
from fichiers.annuel.fichier import TAILLE_MAX, FichierInvalide
from tests.proprietes import exemples

RACINE = Path(__file__).resolve().parents[2]
EXEMPLE_YAML = RACINE / "fixtures" / "exemples" / "calpa_haute_saone_2021.yaml"
EXEMPLE_JSON = RACINE / "fixtures" / "exemples" / "calpa_haute_saone_2021.json"
SLUG = "calpa-haute-saone-2021"


def etat_de_la_base() -> dict:
    """Row counts of every model and the sum of the amounts: equal before and after a refusal."""
    etat = {
        modele._meta.label: modele.objects.count()
        for modele in apps.get_models()
        if modele._meta.app_label in {"conventions", "bilans", "auth", "comptes"}
    }
    etat["montants"] = Engagement.objects.aggregate(total=Sum("montant"))["total"]
    return etat


def totaux_par_financeur(slug: str) -> dict[str, Decimal]:
    lignes = (
        Engagement.objects.filter(tableau__convention__slug=slug, tableau__en_vigueur=True)
        .values("financeur__slug")
        .annotate(total=Sum("montant"))
    )
    return {ligne["financeur__slug"]: ligne["total"] for ligne in lignes}


def ecrire(tmp_path, texte: str, nom: str = "convention.yaml") -> Path:
    chemin = tmp_path / nom
    chemin.write_text(texte, encoding="utf-8")
    return chemin


# --- the worked example -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("exemple", [EXEMPLE_YAML, EXEMPLE_JSON], ids=["yaml", "json"])
def test_l_exemple_se_charge_avec_loaddata(exemple):
    call_command("loaddata", str(exemple), verbosity=0)
    assert totaux_par_financeur(SLUG) == {
        "etat": Decimal("270000.00"),
        "departement-haute-saone": Decimal("275900.45"),
    }
    convention = Convention.objects.get(slug=SLUG)
    assert convention.actions.count() == 8
    assert convention.axes.count() == 3
    assert convention.echeance_bilan(2021) == date(2022, 3, 31)


def test_le_json_de_l_exemple_est_le_meme_que_son_yaml():
    depuis_yaml = json.loads(json.dumps(yaml.safe_load(EXEMPLE_YAML.read_text()), default=str))
    assert depuis_yaml == json.loads(EXEMPLE_JSON.read_text())


@pytest.mark.django_db
@pytest.mark.parametrize("exemple", [EXEMPLE_YAML, EXEMPLE_JSON], ids=["yaml", "json"])
def test_charger_convention_cree_l_exemple_et_affiche_totaux_et_constats(exemple, capsys):
    call_command("charger_convention", str(exemple))
    sortie = capsys.readouterr().out
    assert totaux_par_financeur(SLUG) == {
        "etat": Decimal("270000.00"),
        "departement-haute-saone": Decimal("275900.45"),
    }
    assert "engagement : 16 / 0 / 0" in sortie
    assert "action : 8 / 0 / 0" in sortie
    assert "financeur : 2 / 0 / 0" in sortie
    assert (
        "État 270\u202f000\u00a0€ ; Département de la Haute-Saône 275\u202f900,45\u00a0€" in sortie
    )
    assert "total 545\u202f900,45\u00a0€" in sortie
    # The printed total rounded to the euro: an information with its exact écart.
    assert "[information]" in sortie and "écart +0,45\u00a0€, arrondi à l'euro" in sortie


@pytest.mark.django_db
def test_yaml_et_json_donnent_la_meme_base(tmp_path):
    def contenu():
        return sorted(
            Engagement.objects.filter(tableau__convention__slug=SLUG).values_list(
                "tableau__libelle", "action__code", "financeur__slug", "montant"
            )
        )

    with transaction.atomic():
        charger(EXEMPLE_YAML.read_bytes(), nom_fichier=EXEMPLE_YAML.name)
        depuis_yaml = contenu()
        transaction.set_rollback(True)
    assert contenu() == []
    charger(EXEMPLE_JSON.read_bytes(), nom_fichier=EXEMPLE_JSON.name)
    assert contenu() == depuis_yaml
    assert len(depuis_yaml) == 16


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("exemple", "ecrit"),
    [(EXEMPLE_YAML, "8\u00a0250,50 €"), (EXEMPLE_JSON, "8 250,50")],
    ids=["yaml", "json"],
)
def test_un_montant_ecrit_a_la_francaise_se_charge_comme_ailleurs(exemple, ecrit):
    """« 1 234,50 », accepted by the forms, the admin and the imports, is accepted here too."""
    texte = exemple.read_text(encoding="utf-8").replace('"8250.50"', f'"{ecrit}"')
    charger(texte.encode(), nom_fichier=exemple.name)
    montants = Engagement.objects.filter(tableau__convention__slug=SLUG, action__code="1.3")
    assert sorted(montants.values_list("montant", flat=True)) == [Decimal("8250.50")] * 2


@pytest.mark.django_db
def test_l_ecart_d_arrondi_est_une_information_sur_la_page_de_la_convention(client_admin):
    charger(EXEMPLE_YAML.read_bytes(), nom_fichier=EXEMPLE_YAML.name)
    constats = [c for c in controler() if c.code == Regle.TOTAUX]
    assert [(c.severite, c.ecart) for c in constats] == [(Severite.INFORMATION, Decimal("0.45"))]
    page = client_admin.get(reverse("conventions:detail", args=[SLUG])).content.decode()
    assert "275\u202f900,45\u00a0€" in page
    assert "écart +0,45\u00a0€, arrondi à l&#x27;euro du document" in page


@pytest.mark.django_db
def test_le_dry_run_n_ecrit_rien_et_recharger_ne_change_rien(capsys):
    avant = etat_de_la_base()
    call_command("charger_convention", str(EXEMPLE_YAML), "--dry-run")
    assert "Essai (--dry-run), rien n'a été écrit" in capsys.readouterr().out
    assert etat_de_la_base() == avant
    call_command("charger_convention", str(EXEMPLE_YAML))
    capsys.readouterr()
    apres = etat_de_la_base()
    call_command("charger_convention", str(EXEMPLE_YAML))
    assert "engagement : 0 / 0 / 16" in capsys.readouterr().out
    assert etat_de_la_base() == apres


@pytest.mark.django_db
def test_un_montant_modifie_est_compte_et_historise(capsys):
    charger(EXEMPLE_YAML.read_bytes(), nom_fichier="a.yaml")
    texte = EXEMPLE_YAML.read_text().replace('montant: "60000.00"}}', 'montant: "61000.00"}}', 1)
    rapport = charger(texte.encode(), nom_fichier="b.yaml")
    assert rapport.comptes["conventions.engagement"] == [0, 1, 15]
    ligne = Engagement.objects.get(
        tableau__convention__slug=SLUG, action__code="1.1", financeur__slug="etat"
    )
    assert ligne.montant == Decimal("61000.00")
    assert ligne.version == 2
    derniere = ligne.historique.order_by("-history_date").first()
    assert derniere.history_change_reason == "chargement de b.yaml"


@pytest.mark.django_db
def test_les_cinq_documents_se_chargent_aussi_par_charger_convention():
    """The five documents' fixtures, through the loader instead of loaddata: the same rows (a
    loaddata afterwards adds nothing) and the same constats."""
    from tests.conftest import FIXTURES

    for fixture in FIXTURES:
        charger(Path(fixture).read_bytes(), nom_fichier=Path(fixture).name)
    charges = etat_de_la_base()
    assert charges["conventions.Engagement"] == 128
    assert charges["montants"] == Decimal("175143000.00")
    call_command("loaddata", *FIXTURES, verbosity=0)
    assert etat_de_la_base() == charges
    severites = [str(c.severite) for c in controler(aujourdhui=date(2026, 11, 22))]
    assert (severites.count("erreur"), severites.count("avertissement")) == (4, 8)


# --- bad files --------------------------------------------------------------------------------


def remplacer(ancien: str, nouveau: str, compte: int = 1):
    def modifier(texte: str) -> str:
        assert ancien in texte, ancien
        return texte.replace(ancien, nouveau, compte)

    return modifier


def ajouter(ligne: str):
    return lambda texte: texte + ligne + "\n"


LIGNE = (
    "- {model: conventions.engagement, fields: {tableau: [calpa-haute-saone-2021, 2021, 2021, "
    "Tableau des engagements 2021], "
)

MAUVAIS_FICHIERS = {
    "cle-inconnue": (
        remplacer('financeur: [etat], montant: "60000.00"', 'financeur: [etta], montant: "1.00"'),
        "Objet n° 17 (ligne 83) — engagement [calpa-haute-saone-2021, 2021, 2021, Tableau des "
        "engagements 2021, 1.1, etta], champ « financeur » : financeur [etta] inconnu(e), ni "
        "dans le fichier ni dans la base ; la plus proche : [etat].",
    ),
    "montant-negatif": (
        remplacer('montant: "12500.00"', 'montant: "-12500.00"'),
        "champ « montant » : Montant « -12500.00 » négatif : positif ou nul attendu.",
    ),
    "montant-non-numerique": (
        remplacer('montant: "12500.00"', "montant: douze mille"),
        "champ « montant » : Montant « douze mille » illisible : attendu par exemple "
        "« 1\u00a0234,50 ».",
    ),
    "montant-au-dela-du-centime": (
        remplacer('montant: "12500.00"', "montant: 0.123456789"),
        "champ « montant » : Montant « 0.123456789 » au-delà du centime : deux décimales au plus",
    ),
    "engagement-en-double": (
        ajouter(
            LIGNE + 'action: [calpa-haute-saone-2021, "3.2"], financeur: [etat], montant: "1.00"}}'
        ),
        "Objet n° 35 (ligne 104) — engagement [calpa-haute-saone-2021, 2021, 2021, Tableau des "
        "engagements 2021, 3.2, etat] : même clé que l'objet n° 31 (ligne 97)",
    ),
    "action-d-une-autre-convention": (
        remplacer(
            'action: [calpa-haute-saone-2021, "2.2"], financeur: [etat]',
            'action: [calpa-dijon-2023, "2.1"], financeur: [etat]',
        ),
        "champ « action » : L'action 2.1 appartient à la convention « calpa-dijon-2023 », pas "
        "à celle du tableau « calpa-haute-saone-2021 ».",
    ),
    "deux-tableaux-en-vigueur": (
        remplacer(
            "    en_vigueur: true\n",
            "    en_vigueur: true\n- model: conventions.tableauengagements\n  fields: "
            "{convention: [calpa-haute-saone-2021], annee_debut: 2021, annee_fin: 2021, "
            "nature: variante, libelle: Variante, en_vigueur: true}\n",
        ),
        "tableau des engagements [calpa-haute-saone-2021, 2021, 2021, Variante] : Un autre "
        "tableau est déjà en vigueur pour cette convention et cette période (« Tableau des "
        "engagements 2021 ») : un seul tableau en vigueur par période.",
    ),
    "champ-obligatoire-manquant": (
        remplacer(' code: "3", intitule: Garantir l\'accès aux droits,', ' code: "3",'),
        "Objet n° 7 (ligne 53) — axe [calpa-haute-saone-2021, 3], champ « intitule » : champ "
        "obligatoire manquant.",
    ),
    "champ-inconnu": (
        remplacer("    dispositif: calpa\n", "    dispositiv: calpa\n"),
        "champ « dispositiv » : champ inconnu ; vouliez-vous écrire « dispositif » ?",
    ),
    "valeur-hors-liste": (
        remplacer("    nature: initial\n", "    nature: initiale\n"),
        "champ « nature » : « initiale » n'est pas une valeur permise ; valeurs permises : "
        "initial, avenant,",
    ),
    "date-a-la-francaise": (
        remplacer("date_signature: 2021-04-12", "date_signature: 12/04/2021"),
        "champ « date_signature » : « 12/04/2021 » : écrivez la date AAAA-MM-JJ, ici 2021-04-12.",
    ),
    "code-lu-comme-un-nombre": (
        remplacer(
            'axe: [calpa-haute-saone-2021, "1"], code: "1.1"',
            'axe: [calpa-haute-saone-2021, "1"], code: 1.10',
        ),
        "champ « code » : 1.1 est lu comme un nombre : écrivez-le entre guillemets",
    ),
    "cle-sans-crochets": (
        remplacer(
            "    territoire: [departement-haute-saone]\n    ordre: 2",
            "    territoire: departement-haute-saone\n    ordre: 2",
        ),
        "champ « territoire » : une clé s'écrit entre crochets : [departement-haute-saone]",
    ),
    "modele-etranger": (
        ajouter("- {model: auth.user, fields: {username: pirate, is_superuser: true}}"),
        "Objet n° 35 (ligne 104) : le modèle « auth.user » n'est pas celui d'une convention",
    ),
    "identifiant-de-base": (
        ajouter("- {model: conventions.territoire, pk: 1, fields: {slug: x, nom: X}}"),
        "Objet n° 35 (ligne 104) : « pk » (un identifiant de base de données) n'est pas accepté",
    ),
    "yaml-mal-forme": (
        remplacer(
            "    nom: Département de la Haute-Saône\n    nature", "   nom: Département\n    nature"
        ),
        "YAML mal formé, ligne 12, colonne 4 : indentation incohérente.",
    ),
    "yaml-alias": (
        remplacer("    nature: departement\n", "    nature: &n departement\n    departement: *n\n"),
        "YAML mal formé, ligne 13, colonne 13 : ancres et alias",
    ),
    "champ-ecrit-deux-fois": (
        remplacer("    nature: departement\n", "    nature: departement\n    nature: commune\n"),
        "YAML mal formé, ligne 14, colonne 5 : le champ « nature » est écrit deux fois",
    ),
}


@pytest.mark.parametrize("cas", list(MAUVAIS_FICHIERS), ids=list(MAUVAIS_FICHIERS))
def test_un_fichier_fautif_est_refuse_avec_l_objet_et_le_champ(documents, tmp_path, cas):
    modifier, message = MAUVAIS_FICHIERS[cas]
    chemin = ecrire(tmp_path, modifier(EXEMPLE_YAML.read_text()))
    avant = etat_de_la_base()
    with pytest.raises(CommandError) as refus:
        call_command("charger_convention", str(chemin))
    assert "Chargement refusé, rien n'a été écrit" in str(refus.value)
    assert message in str(refus.value)
    assert etat_de_la_base() == avant


@pytest.mark.django_db
def test_tous_les_problemes_sont_listes_d_un_coup():
    texte = EXEMPLE_YAML.read_text()
    for cas in ("cle-inconnue", "montant-negatif", "date-a-la-francaise", "champ-inconnu"):
        texte = MAUVAIS_FICHIERS[cas][0](texte)
    with pytest.raises(FichierInvalide) as refus:
        charger(texte.encode(), nom_fichier="f.yaml")
    # The misspelt field is also a missing one: five messages for four mistakes.
    assert len(refus.value.erreurs) == 5
    assert "champ « dispositif » : champ obligatoire manquant" in str(refus.value)
    # In the order of the file: the convention (object 4) before its engagements.
    assert refus.value.erreurs[0].startswith("Objet n° 4 (ligne 27)")
    assert Convention.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "contenu, nom, message",
    [
        (
            b'[{"model": "conventions.territoire", "fields": {"slug": "x",}}]',
            "f.json",
            "JSON mal formé, ligne 1, colonne 61 : nom de champ entre guillemets doubles attendu",
        ),
        (
            b'[\n{"model": "conventions.territoire"}\n{"model": 1}]',
            "f.json",
            "JSON mal formé, ligne 3, colonne 1 : virgule ou « ] » attendu",
        ),
        (
            b'{"model": "conventions.territoire"}',
            "f.json",
            "le fichier doit être une liste d'objets",
        ),
        (b"", "f.yaml", "Le fichier est vide."),
        (b"\xff\xfe- model", "f.yaml", "n'est pas en UTF-8 (ligne 1, octet n° 1)"),
        (
            b"- model: conventions.territoire\n  fields: [1, 2]\n",
            "f.yaml",
            "« fields » manque ou n'est pas une liste de champs",
        ),
        (
            b"- !!python/object/apply:os.system [ls]\n",
            "f.yaml",
            "YAML mal formé, ligne 1, colonne 3 : balise « !!python/object/apply:os.system » "
            "refusée : un fichier de convention ne contient que des textes, des nombres",
        ),
        (
            b"- model: conventions.territoire\n  fields: {nom: !!python/name:os.system }\n",
            "f.yaml",
            "YAML mal formé, ligne 2, colonne 17 : balise « !!python/name:os.system » refusée",
        ),
        (
            b"- model: conventions.territoire\n  fields: {nom: !bonjour Dijon}\n",
            "f.yaml",
            "YAML mal formé, ligne 2, colonne 17 : balise « !bonjour » refusée",
        ),
        (b"[" * 100_000, "f.json", "imbrique trop"),
        (b" " * (TAILLE_MAX + 1), "f.yaml", "pèse 513 kio : 512 kio au plus"),
    ],
    ids=[
        "virgule",
        "sans-virgule",
        "pas-une-liste",
        "vide",
        "pas-utf8",
        "fields",
        "tag-python",
        "tag-python-name",
        "tag-inconnu",
        "imbrication",
        "trop-gros",
    ],
)
def test_un_fichier_illisible_est_refuse_en_francais(contenu, nom, message):
    with pytest.raises(FichierInvalide) as refus:
        charger(contenu, nom_fichier=nom)
    assert message in str(refus.value)


def test_en_ligne_de_commande_un_refus_sort_en_1_sans_trace(tmp_path):
    chemin = ecrire(tmp_path, MAUVAIS_FICHIERS["montant-negatif"][0](EXEMPLE_YAML.read_text()))
    base = tmp_path / "base.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{base}", "PATH": "/usr/bin:/bin"}
    manage = [sys.executable, str(RACINE / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=RACINE)
    resultat = subprocess.run(
        [*manage, "charger_convention", str(chemin)],
        env=env,
        cwd=RACINE,
        capture_output=True,
        text=True,
    )
    assert resultat.returncode == 1
    assert "Traceback" not in resultat.stderr
    assert "Montant « -12500.00 » négatif" in resultat.stderr


# --- next year ----------------------------------------------------------------------------------


def test_reconduire_la_calpa_2023_en_2024(documents, tmp_path, capsys, client_admin):
    sortie = tmp_path / "calpa-2024.yaml"
    call_command(
        "reconduire", "--convention", "calpa-dijon-2023", "--annee", "2024", "-o", str(sortie)
    )
    message = capsys.readouterr().out
    assert "Brouillon de calpa-dijon-2024 (2024)" in message
    assert "3 axe(s), 7 action(s)" in message
    assert "État 347\u202f000\u00a0€ ; Dijon Métropole 347\u202f000\u00a0€" in message
    texte = sortie.read_text()
    assert 'action_precedente: [calpa-dijon-2023, "3.1"]' in texte
    assert "&id" not in texte and "*id" not in texte  # no YAML anchors: the loader refuses them

    call_command("charger_convention", str(sortie))
    nouvelle = Convention.objects.get(slug="calpa-dijon-2024")
    assert (nouvelle.annee_debut, nouvelle.annee_fin, nouvelle.statut) == (2024, 2024, "projet")
    assert nouvelle.territoire.slug == "dijon-metropole"
    assert nouvelle.taux_cofinancement == Decimal("1.00")
    assert nouvelle.echeance_bilan(2024) == date(2025, 3, 31)
    precedentes = dict(
        Action.objects.filter(convention=nouvelle).values_list(
            "code", "action_precedente__convention__slug"
        )
    )
    assert precedentes == dict.fromkeys(
        ["1.1", "1.2", "1.3", "2.1", "3.1", "3.2", "3.3"], "calpa-dijon-2023"
    )
    assert all(
        action.action_precedente.code == action.code
        for action in Action.objects.filter(convention=nouvelle).select_related("action_precedente")
    )
    assert totaux_par_financeur("calpa-dijon-2024") == {
        "etat": Decimal("347000.00"),
        "dijon-metropole": Decimal("347000.00"),
    }
    # The year-over-year comparison works at once: every action continued, no écart yet.
    page = client_admin.get(
        "/conventions/calpa-dijon-2024/comparaison/annees/", {"annee": 2024}
    ).content.decode()
    assert "nouvelle" not in page
    assert "200\u202f000\u00a0€" in page  # action 1.1, 100 000 € + 100 000 €, both years


@pytest.mark.parametrize(
    "arguments, message",
    [
        (
            ["--convention", "calpa-dijon-2032", "--annee", "2024"],
            "Convention « calpa-dijon-2032 » introuvable. Vouliez-vous dire « calpa-dijon-2023 » ?",
        ),
        (
            ["--convention", "calpa-dijon-2023", "--annee", "2023"],
            "couvre déjà 2023 : l'année suivante commence en 2024 au plus tôt",
        ),
        (
            [
                "--convention",
                "pacte-solidarite-dijon-2020",
                "--annee",
                "2023",
                "--slug",
                "calpa-dijon-2023",
            ],
            "La convention « calpa-dijon-2023 » existe déjà",
        ),
    ],
    ids=["inconnue", "meme-annee", "deja-la"],
)
def test_reconduire_refuse_en_francais(documents, tmp_path, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("reconduire", *arguments, "-o", str(tmp_path / "x.yaml"))


# --- the admin ----------------------------------------------------------------------------------

URL = "/admin/conventions/convention/charger/"


def deposer(client, contenu: bytes, nom: str = "convention.yaml"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(URL, {"fichier": SimpleUploadedFile(nom, contenu)})


def test_l_admin_previsualise_puis_charge(documents, client_admin):
    liste = client_admin.get("/admin/conventions/convention/").content.decode()
    assert "Charger une convention" in liste
    page = deposer(client_admin, EXEMPLE_YAML.read_bytes()).content.decode()
    assert "Aperçu de convention.yaml" in page
    assert '<th scope="row">engagement</th><td>16</td><td>0</td><td>0</td>' in page
    assert "275\u202f900,45\u00a0€" in page and "545\u202f900,45\u00a0€" in page
    assert "arrondi à l&#x27;euro du document" in page
    assert not Convention.objects.filter(slug=SLUG).exists()  # a preview writes nothing

    reponse = client_admin.post(URL, {"confirmer": "1"})
    assert reponse.status_code == 302
    assert totaux_par_financeur(SLUG)["departement-haute-saone"] == Decimal("275900.45")
    ligne = Engagement.objects.filter(tableau__convention__slug=SLUG).first()
    assert ligne.historique.first().history_user.username == "admin-test"


def test_l_admin_refuse_un_fichier_fautif_avec_les_messages(documents, client_admin):
    texte = MAUVAIS_FICHIERS["montant-negatif"][0](EXEMPLE_YAML.read_text())
    avant = etat_de_la_base()
    page = deposer(client_admin, texte.encode()).content.decode()
    assert "Chargement refusé, rien n'a été écrit : 1 problème à corriger" in page
    assert "Montant « -12500.00 » négatif" in page
    assert client_admin.post(URL, {"confirmer": "1"}).status_code == 302  # nothing waiting
    assert etat_de_la_base() == avant


def test_une_confirmation_apres_un_changement_est_refusee(documents, client_admin):
    deposer(client_admin, EXEMPLE_YAML.read_bytes())
    Territoire.objects.create(slug="departement-haute-saone", nom="Haute-Saône")
    reponse = client_admin.post(URL, {"confirmer": "1"}, follow=True)
    assert "Les données ont changé depuis l&#x27;aperçu" in reponse.content.decode()
    assert not Convention.objects.filter(slug=SLUG).exists()


@pytest.fixture
def administrateur_de_dijon(documents, client):
    """An administrateur who is not a superuser: scoped to Dijon Métropole."""
    utilisateur = roles.creer_compte(
        "admin-dijon",
        mot_de_passe="mot-de-passe-test",
        role=roles.AGENT,
        administration=True,
    )
    utilisateur.groups.set([roles.creer_groupes()[roles.ADMINISTRATEUR]])
    Profil.objects.get(utilisateur=utilisateur).territoires.set(
        [Territoire.objects.get(slug="dijon-metropole")]
    )
    client.force_login(get_user_model().objects.get(username="admin-dijon"))
    return client


def test_un_administrateur_de_territoire_ne_charge_pas_un_autre_territoire(
    administrateur_de_dijon,
):
    page = deposer(administrateur_de_dijon, EXEMPLE_YAML.read_bytes()).content.decode()
    assert "Chargement refusé" in page
    assert (
        "Objet n° 1 (ligne 9) — territoire [departement-haute-saone] : hors de vos territoires"
        in page
    )
    assert not Territoire.objects.filter(slug="departement-haute-saone").exists()
    # The territoire exists (loaded by a superuser): its convention is still out of reach.
    charger(EXEMPLE_YAML.read_bytes(), nom_fichier="exemple.yaml")
    texte = EXEMPLE_YAML.read_text().replace('montant: "60000.00"}}', 'montant: "1.00"}}', 1)
    sans_territoire = texte[texte.index("- model: conventions.convention") :]
    page = deposer(administrateur_de_dijon, sans_territoire.encode()).content.decode()
    # Its territoire reads as unknown, as a key that exists nowhere would: nothing says it is
    # another territoire's.
    assert (
        "Objet n° 1 (ligne 1) — convention [calpa-haute-saone-2021], champ « territoire » : "
        "territoire [departement-haute-saone] inconnu(e), ni dans le fichier ni dans vos "
        "territoires" in page
    )
    assert totaux_par_financeur(SLUG)["etat"] == Decimal("270000.00")


def test_un_administrateur_de_territoire_charge_son_annee_suivante(
    administrateur_de_dijon, tmp_path
):
    call_command(
        "reconduire",
        "--convention",
        "calpa-dijon-2023",
        "--annee",
        "2024",
        "-o",
        str(tmp_path / "b.yaml"),
    )
    page = deposer(administrateur_de_dijon, (tmp_path / "b.yaml").read_bytes()).content.decode()
    assert "Aperçu" in page, page
    administrateur_de_dijon.post(URL, {"confirmer": "1"})
    assert Convention.objects.filter(slug="calpa-dijon-2024").exists()


@pytest.mark.parametrize("role", [roles.AGENT, roles.FINANCES])
def test_agents_et_finances_ne_chargent_pas(documents, client_de, role):
    client = client_de(role, territoires=Territoire.objects.all())
    # Finances reach the admin but not this page; agents do not reach the admin at all.
    assert client.get(URL).status_code == 403
    assert (
        "Charger une convention"
        not in client.get("/admin/conventions/convention/").content.decode()
    )


def test_l_action_preparer_l_annee_suivante_telecharge_le_brouillon(documents, client_admin):
    convention = Convention.objects.get(slug="calpa-dijon-2023")
    reponse = client_admin.post(
        "/admin/conventions/convention/",
        {"action": "preparer_annee_suivante", "_selected_action": [convention.pk]},
    )
    assert reponse.status_code == 200
    assert reponse["Content-Disposition"] == 'attachment; filename="calpa-dijon-2024.yaml"'
    objets = yaml.safe_load(reponse.content.decode())
    engagements = [o for o in objets if o["model"] == "conventions.engagement"]
    assert len(engagements) == 12
    assert sum(Decimal(o["fields"]["montant"]) for o in engagements) == Decimal("694000.00")
    tableau = next(o for o in objets if o["model"] == "conventions.tableauengagements")
    assert tableau["fields"]["annee_debut"] == 2024 and tableau["fields"]["en_vigueur"] is True
    assert not TableauEngagements.objects.filter(convention__slug="calpa-dijon-2024").exists()


def test_l_action_demande_une_seule_convention(documents, client_admin):
    pks = list(Convention.objects.values_list("pk", flat=True)[:2])
    reponse = client_admin.post(
        "/admin/conventions/convention/",
        {"action": "preparer_annee_suivante", "_selected_action": pks},
        follow=True,
    )
    assert "Choisissez une seule convention" in reponse.content.decode()


# --- arbitrary input ----------------------------------------------------------------------------

VALEURS = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["2021-03-29", "31/03/2024", "1.10", "8 250,50", "etat", "calpa-dijon-2023"]),
    lambda enfants: st.lists(enfants, max_size=6) | st.dictionaries(st.text(max_size=8), enfants),
    max_leaves=12,
)
MODELES = st.sampled_from([*cles.CLES, "auth.user", "conventions.inconnu", 3, None])
CHAMPS = st.sampled_from(
    [
        "slug",
        "nom",
        "convention",
        "tableau",
        "action",
        "financeur",
        "montant",
        "code",
        "annee",
        "annee_debut",
        "annee_fin",
        "en_vigueur",
        "nature",
        "territoire",
        "axe",
        "parent",
        "date",
        "intitule",
        "libelle",
        "pk",
        "id",
        "version",
        "niveau",
        "bilan",
        "indicateur",
        "valeur",
    ]
)
CLES_EXISTANTES = st.sampled_from(
    [
        ["calpa-dijon-2023"],
        ["etat"],
        ["dijon-metropole"],
        ["calpa-dijon-2023", "1.1"],
        ["calpa-dijon-2023", "3"],
        [
            "calpa-dijon-2023",
            2023,
            2023,
            "Version Dijon Métropole retenue sur le Territoire Zéro Non Recours",
        ],
        ["dijon-metropole", "2023-11-23"],
    ]
)


def objet_de(label):
    """An object of this model with some of its real fields, holding anything."""
    champs = [champ.name for champ in cles.modele(label)._meta.concrete_fields]
    return st.fixed_dictionaries(
        {
            "model": st.just(label),
            "fields": st.dictionaries(
                st.sampled_from(champs), VALEURS | CLES_EXISTANTES, max_size=len(champs)
            ),
        }
    )


OBJETS = st.lists(
    st.sampled_from(list(cles.CLES)).flatmap(objet_de)
    | st.fixed_dictionaries(
        {"model": MODELES, "fields": st.dictionaries(CHAMPS, VALEURS, max_size=8)}
    ),
    max_size=6,
)


@functools.cache
def exemple_lu() -> list:
    """The worked example, parsed once: each example of the property tests alters a copy."""
    return yaml.safe_load(EXEMPLE_YAML.read_text())


def ecrire_en_yaml(objets) -> str:
    """YAML through libyaml's emitter: the same document, without a pure-Python emitter's
    cost in every example (the loader under test still reads it its own way)."""
    return yaml.dump(objets, Dumper=yaml.CSafeDumper, allow_unicode=True)


@settings(
    max_examples=exemples(400),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(objets=OBJETS, en_yaml=st.booleans())
def test_aucun_fichier_ne_provoque_d_erreur_inattendue(documents, objets, en_yaml):
    """Any list of objects is loaded or refused with our own messages, never by the safety net."""
    texte = ecrire_en_yaml(objets) if en_yaml else json.dumps(objets, ensure_ascii=False)
    avant = etat_de_la_base()
    try:
        with transaction.atomic():
            charger(texte.encode(), nom_fichier="f.yaml" if en_yaml else "f.json")
            transaction.set_rollback(True)
    except FichierInvalide as refus:
        assert refus.erreurs
        assert not any("Erreur inattendue" in message for message in refus.erreurs), refus.erreurs
        assert etat_de_la_base() == avant


@settings(
    max_examples=exemples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(donnees=st.data())
def test_l_exemple_altere_au_hasard_est_charge_ou_refuse_proprement(documents, donnees):
    """One field of one object of the worked example replaced by anything: the deep checks
    (keys, model validation, constraints, saving) answer with our own messages."""
    objets = copy.deepcopy(exemple_lu())
    for _ in range(donnees.draw(st.integers(1, 3))):
        objet = donnees.draw(st.sampled_from(objets))
        champs = [champ.name for champ in cles.modele(objet["model"])._meta.concrete_fields]
        champ = donnees.draw(st.sampled_from(champs))
        objet["fields"][champ] = donnees.draw(VALEURS | CLES_EXISTANTES)
    texte = ecrire_en_yaml(objets)
    avant = etat_de_la_base()
    try:
        with transaction.atomic():
            charger(texte.encode(), nom_fichier="f.yaml")
            transaction.set_rollback(True)
    except FichierInvalide as refus:
        assert not any("Erreur inattendue" in message for message in refus.erreurs), refus.erreurs
        assert etat_de_la_base() == avant


@pytest.mark.django_db
def test_un_entier_au_dela_de_64_bits_est_refuse_sans_erreur_inattendue():
    """Found by hypothesis: an axe's ``niveau`` of 2⁶³, refused by its field, still reached the
    check constraint's query, which SQLite cannot bind."""
    objets = yaml.safe_load(EXEMPLE_YAML.read_text())
    axe = next(o for o in objets if o["model"] == "conventions.axe")
    axe["fields"]["niveau"] = 2**63
    avant = etat_de_la_base()
    with pytest.raises(FichierInvalide) as refus:
        charger(yaml.safe_dump(objets, allow_unicode=True).encode(), nom_fichier="f.yaml")
    assert any("niveau" in message for message in refus.value.erreurs), refus.value.erreurs
    assert not any("Erreur inattendue" in message for message in refus.value.erreurs)
    assert etat_de_la_base() == avant
