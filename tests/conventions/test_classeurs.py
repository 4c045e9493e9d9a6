"""Excel workbooks: export laid out like the annex, import that loses nothing or refuses all."""

import io
import os
import shutil
import subprocess
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Sum
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from conventions.models import Convention, Engagement, TableauEngagements
from fichiers.classeurs.chargement import importer
from fichiers.classeurs.export import classeur_des_tableaux, tableaux_de
from fichiers.classeurs.lecture import TAILLE_MAX, ClasseurInvalide

CALPA = "calpa-dijon-2023"


def etat_des_engagements():
    return sorted(
        Engagement.objects.values_list(
            "tableau__convention__slug",
            "tableau__annee_debut",
            "tableau__annee_fin",
            "tableau__libelle",
            "action__code",
            "financeur__slug",
            "montant",
        )
    )


def exporter(slug=CALPA, debut=2023, fin=2023) -> bytes:
    return classeur_des_tableaux(tableaux_de(Convention.objects.get(slug=slug), debut, fin))


def modifier(contenu: bytes, modification) -> bytes:
    classeur = load_workbook(io.BytesIO(contenu))
    modification(classeur)
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def ligne_de(feuille, code):
    return next(r for r in range(13, feuille.max_row + 1) if feuille.cell(r, 1).value == code)


@pytest.mark.parametrize(
    "slug, debut, fin, feuilles",
    [
        pytest.param("pacte-solidarite-dijon-2020", 2020, 2020, 1, id="pacte-2020"),
        pytest.param(CALPA, 2023, 2023, 3, id="calpa-2023-trois-versions"),
        pytest.param("contrat-de-ville-grand-dijon-2015-2020", 2015, 2015, 1, id="caf-2015"),
        pytest.param("contrat-de-ville-grand-dijon-2015-2020", 2015, 2017, 1, id="caf-2015-2017"),
    ],
)
def test_aller_retour_identique(documents, slug, debut, fin, feuilles):
    avant = etat_des_engagements()
    contenu = exporter(slug, debut, fin)
    assert len(load_workbook(io.BytesIO(contenu)).worksheets) == feuilles
    rapport = importer(contenu)
    assert (rapport.crees, rapport.modifies, rapport.supprimes) == (0, 0, 0)
    assert etat_des_engagements() == avant


def test_la_mise_en_page_de_l_annexe(documents):
    classeur = load_workbook(io.BytesIO(exporter()))
    assert classeur.sheetnames[0] == "En vigueur"
    feuille = classeur["En vigueur"]
    assert feuille["A1"].value.startswith("Convention d'appui à la lutte contre la pauvreté")
    assert "2023 — Version Dijon Métropole retenue" in feuille["A2"].value
    assert [feuille.cell(11, c).value for c in range(1, 5)] == [
        "Code",
        "Intitulé",
        "État",
        "Dijon Métropole",
    ]
    assert feuille["A13"].value == "Axe 1" and feuille["A13"].font.bold
    ligne = ligne_de(feuille, "1.1")
    assert feuille.cell(ligne, 3).value == 100000
    assert "€" in feuille.cell(ligne, 3).number_format
    sous_total = ligne_de(feuille, "Sous-total")
    assert feuille.cell(sous_total, 3).value == "=SUM(C14:C15)"
    total = ligne_de(feuille, "Total")
    assert feuille.cell(total, 3).value.startswith("=SUM(")
    cofinancement = ligne_de(feuille, "Cofinancement")
    assert feuille.cell(cofinancement, 3).value == f'=IF(C{total}=0,"",D{total}/C{total})'
    assert feuille.freeze_panes == "C13"
    assert feuille.page_setup.orientation == "landscape"
    assert feuille.sheet_properties.pageSetUpPr.fitToPage


def test_les_totaux_de_l_annexe_gardent_leur_valeur_sans_recalcul(documents):
    """A reader that does not recalculate (openpyxl ``data_only``, a preview, pandas) sees each
    subtotal, the total and the cofinancement as the page shows them, not a blank."""
    feuille = load_workbook(io.BytesIO(exporter()), data_only=True)["En vigueur"]
    sous_total = ligne_de(feuille, "Sous-total")
    assert [feuille.cell(sous_total, c).value for c in (3, 4)] == [110000, 110000]
    total = ligne_de(feuille, "Total")
    assert [feuille.cell(total, c).value for c in (3, 4)] == [347000, 347000]
    assert feuille.cell(ligne_de(feuille, "Cofinancement"), 3).value == 1
    assert feuille.title == "En vigueur" and feuille["E1"].value is None


def test_injection_de_formule_neutralisee(documents):
    Convention.objects.filter(slug=CALPA).update(intitule='=HYPERLINK("http://x")')
    feuille = load_workbook(io.BytesIO(exporter())).worksheets[0]
    # A text cell: Excel shows the characters as typed and runs nothing; no quote is added.
    assert feuille["A1"].value == '=HYPERLINK("http://x")'
    assert feuille["A1"].data_type == "s"


@pytest.mark.parametrize(
    "libelle",
    ['=HYPERLINK("x")', "-moins", "+plus", "@arobase", "=1+1"],
    ids=["egal", "moins", "plus", "arobase", "calcul"],
)
def test_un_libelle_qui_ressemble_a_une_formule_fait_l_aller_retour(documents, libelle):
    TableauEngagements.objects.filter(
        convention__slug=CALPA, libelle__contains="non retenue"
    ).update(libelle=libelle)
    contenu = exporter()
    classeur = load_workbook(io.BytesIO(contenu))
    cellules = [f["B6"] for f in classeur.worksheets if f["B6"].value == libelle]
    assert len(cellules) == 1 and cellules[0].data_type == "s"
    tableaux = TableauEngagements.objects.count()
    rapport = importer(contenu)
    assert rapport.tableaux_crees == 0
    assert TableauEngagements.objects.count() == tableaux
    assert TableauEngagements.objects.filter(libelle=libelle).count() == 1


@pytest.mark.parametrize("libelle", ["\tTabulation", "\rRetour", "Contrôle\x01"])
def test_tabulation_retour_et_controles_s_exportent_en_texte(documents, libelle):
    TableauEngagements.objects.filter(
        convention__slug=CALPA, libelle__contains="non retenue"
    ).update(libelle=libelle)
    classeur = load_workbook(io.BytesIO(exporter()))
    cellule = next(
        f["B6"]
        for f in classeur.worksheets
        if "Tabulation" in str(f["B6"].value)
        or "Retour" in str(f["B6"].value)
        or "Contrôle" in str(f["B6"].value)
    )
    assert cellule.data_type == "s"
    assert "\x01" not in cellule.value


def test_un_libelle_illisible_pour_xml_est_nettoye_et_relu_par_calamine(documents):
    """U+FFFE made the annex unreadable (openpyxl's cleaning let it through); a literal
    « _x0041_ » is kept as typed, not read « A »."""
    from python_calamine import CalamineWorkbook

    TableauEngagements.objects.filter(
        convention__slug=CALPA, libelle__contains="non retenue"
    ).update(libelle="Piège \ufffe_x0041_")
    contenu = exporter()
    noms = [f.title for f in load_workbook(io.BytesIO(contenu)).worksheets]
    assert "Piège _x0041_" in noms
    lu = CalamineWorkbook.from_filelike(io.BytesIO(contenu))
    feuille = lu.get_sheet_by_name("Piège _x0041_").to_python()
    assert any("Piège _x0041_" in str(cellule) for ligne in feuille for cellule in ligne)


@pytest.mark.skipif(
    not shutil.which("libreoffice") and not os.environ.get("CI"),
    reason="LibreOffice absent (apt-get install libreoffice-calc-nogui ; .ci/run l'installe)",
)
@pytest.mark.xdist_group("libreoffice")  # one profile: two at once would hand over to each other
def test_libreoffice_recalcule_les_totaux(documents, tmp_path):
    """The exported totals are formulas: a real spreadsheet engine (CI installs LibreOffice Calc)
    recalculates them to the cent, on each version's sheet, from the amounts it shows."""
    Engagement.objects.filter(
        tableau__convention__slug=CALPA,
        tableau__en_vigueur=True,
        action__code="1.1",
        financeur__slug="etat",
    ).update(montant=F("montant") + Decimal("0.01"))
    chemin = tmp_path / "annexe.xlsx"
    chemin.write_bytes(exporter())
    subprocess.run(
        [
            "libreoffice",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path / "r"),
            str(chemin),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    recalcule = load_workbook(tmp_path / "r" / "annexe.xlsx", data_only=True)
    totaux = {
        feuille.title[:20].strip(): [
            Decimal(str(feuille.cell(ligne_de(feuille, "Total"), colonne).value))
            for colonne in (3, 4)
        ]
        for feuille in recalcule.worksheets
    }
    assert totaux == {
        "En vigueur": [Decimal("347000.01"), Decimal("347000")],
        "Budget prévisionnel": [Decimal("347500"), Decimal("347500")],
        "Version Dijon Métrop": [Decimal("347000"), Decimal("347000")],
    }


def changer_ajouter_retirer(classeur):
    """1.1 changed, 3.2's collectivité cell emptied, the 3.3 row turned into a 1.3 row."""
    feuille = classeur["En vigueur"]
    feuille.cell(ligne_de(feuille, "1.1"), 3).value = "90\u202f000,50 €"
    feuille.cell(ligne_de(feuille, "3.2"), 4).value = None
    feuille.cell(ligne_de(feuille, "3.3"), 1).value = "1.3"  # 3.3 row becomes 1.3
    feuille.cell(ligne_de(feuille, "1.3"), 3).value = "20 000"
    feuille.cell(ligne_de(feuille, "1.3"), 4).value = "1 234,50"


def montants_en_vigueur():
    retenue = TableauEngagements.objects.get(convention__slug=CALPA, en_vigueur=True)
    return {
        (e.action.code, e.financeur.slug): e.montant
        for e in retenue.engagements.select_related("action", "financeur")
    }


def test_modifier_ajouter_et_retirer_une_ligne_avec_confirmation(documents):
    rapport = importer(modifier(exporter(), changer_ajouter_retirer), supprimer=True)
    montants = montants_en_vigueur()
    assert montants[("1.1", "etat")] == Decimal("90000.50")
    assert montants[("1.3", "etat")] == Decimal("20000.00")
    assert montants[("1.3", "dijon-metropole")] == Decimal("1234.50")
    # A blank cell keeps its amount; the removed row's amounts are gone.
    assert montants[("3.2", "dijon-metropole")] == Decimal("32200.00")
    assert ("3.3", "etat") not in montants and ("3.3", "dijon-metropole") not in montants
    assert (rapport.crees, rapport.modifies, rapport.supprimes) == (2, 1, 2)


def test_une_ligne_retiree_sans_confirmation_est_listee_et_refusee(documents):
    classeur = modifier(exporter(), changer_ajouter_retirer)
    apercu = importer(classeur, essai=True)
    assert len(apercu.suppressions) == 2
    assert "seront supprimés seulement si vous le confirmez" in str(apercu)
    assert "− 3.3 État : 2\u202f500\u00a0€" in str(apercu)
    sans_rien_ecrire(
        classeur,
        "2 montant(s) ont perdu leur ligne d'action ou leur colonne de financeur",
        "− 3.3 Dijon Métropole : 2\u202f500\u00a0€",
    )


def test_une_colonne_de_financeur_retiree_sans_confirmation_est_refusee(documents):
    def retirer_la_collectivite(classeur):
        for feuille in classeur.worksheets:
            feuille.delete_cols(4)

    sans_rien_ecrire(
        modifier(exporter(), retirer_la_collectivite),
        "ont perdu leur ligne d'action ou leur colonne de financeur",
        "− 1.1 Dijon Métropole : 100\u202f000\u00a0€",
    )


def test_une_cellule_de_blancs_garde_son_montant(documents):
    def blancs(classeur):
        feuille = classeur["En vigueur"]
        feuille.cell(ligne_de(feuille, "1.1"), 3).value = "   "

    avant = montants_en_vigueur()
    rapport = importer(modifier(exporter(), blancs))
    assert montants_en_vigueur() == avant
    assert (rapport.crees, rapport.modifies, rapport.supprimes) == (0, 0, 0)


@pytest.mark.parametrize(
    "saisie, message",
    [
        (
            "1.234",
            "Montant « 1.234 » ambigu : 1\u202f234 (séparateur de milliers) ou 1,234 (virgule "
            "décimale) ?",
        ),
        ("1,234", "Montant « 1,234 » ambigu"),
        ("0,123456789", "Montant « 0,123456789 » au-delà du centime : deux décimales au plus"),
        (0.125, "Montant « 0.125 » au-delà du centime"),
    ],
    ids=["point", "virgule", "neuf-decimales", "nombre-trois-decimales"],
)
def test_un_montant_ambigu_ou_trop_precis_est_refuse(documents, saisie, message):
    def saisir(classeur):
        feuille = classeur["En vigueur"]
        feuille.cell(ligne_de(feuille, "1.1"), 3).value = saisie

    sans_rien_ecrire(modifier(exporter(), saisir), "ligne ", message)


def test_une_nouvelle_version_et_une_nouvelle_annee(documents):
    def nouvelle(classeur):
        for nom in classeur.sheetnames[1:]:
            del classeur[nom]
        feuille = classeur.worksheets[0]
        feuille["B5"] = "2024"
        feuille["B6"] = "Initial 2024"
        feuille["B7"] = "initial"

    rapport = importer(modifier(exporter(), nouvelle))
    tableau = TableauEngagements.objects.get(convention__slug=CALPA, annee_debut=2024)
    assert (tableau.libelle, tableau.en_vigueur, tableau.nature) == (
        "Initial 2024",
        True,
        "initial",
    )
    assert tableau.engagements.count() == 12
    assert rapport.tableaux_crees == 1


def sans_rien_ecrire(contenu: bytes, *messages):
    avant = etat_des_engagements()
    tableaux = TableauEngagements.objects.count()
    with pytest.raises(ClasseurInvalide) as erreur:
        importer(contenu)
    texte = str(erreur.value)
    for message in messages:
        assert message in texte
    assert etat_des_engagements() == avant
    assert TableauEngagements.objects.count() == tableaux


def cellule(feuille, coordonnees, valeur):
    def changer(classeur):
        classeur[feuille][coordonnees] = valeur

    return changer


@pytest.mark.parametrize(
    "changement, message",
    [
        pytest.param(
            cellule("En vigueur", "B4", "calpa-lyon-2023"),
            "Feuille « En vigueur », ligne 4, colonne B : convention inconnue « calpa-lyon-2023 ».",
            id="convention-inconnue",
        ),
        pytest.param(
            cellule("En vigueur", "A14", "9.9"),
            "Feuille « En vigueur », ligne 14, colonne A : action inconnue « 9.9 »",
            id="action-inconnue",
        ),
        pytest.param(
            cellule("En vigueur", "C12", "ars"),
            "Feuille « En vigueur », ligne 12, colonne C : financeur inconnu « ars ».",
            id="financeur-inconnu",
        ),
        pytest.param(
            cellule("En vigueur", "C14", -5),
            "Feuille « En vigueur », ligne 14, colonne C : Montant « -5 » négatif",
            id="montant-negatif",
        ),
        pytest.param(
            cellule("En vigueur", "C14", "cent mille"),
            "Feuille « En vigueur », ligne 14, colonne C : Montant « cent mille » illisible",
            id="montant-non-numerique",
        ),
        pytest.param(
            cellule("En vigueur", "A15", "1.1"),
            "Feuille « En vigueur », ligne 15, colonne A : action « 1.1 » en double "
            "(déjà ligne 14).",
            id="ligne-en-double",
        ),
        pytest.param(
            cellule("En vigueur", "A11", "Numéro"),
            "Feuille « En vigueur », ligne 11 : colonnes « Code » et « Intitulé » attendues",
            id="colonne-renommee",
        ),
        pytest.param(
            cellule("En vigueur", "B5", "2025-2023"),
            "Feuille « En vigueur », ligne 5, colonne B : période « 2025-2023 » à l'envers",
            id="periode-a-l-envers",
        ),
        pytest.param(
            cellule("En vigueur", "A7", None),
            "Feuille « En vigueur », ligne 7, colonne A : « Nature » attendu",
            id="ligne-d-entete-manquante",
        ),
    ],
)
def test_une_mauvaise_cellule_refuse_tout_le_classeur(documents, changement, message):
    def plus_une_bonne_modification(classeur):
        # a valid change on another sheet must not be written either
        autre = classeur.worksheets[2]
        autre.cell(ligne_de(autre, "1.1"), 3).value = 1
        changement(classeur)

    sans_rien_ecrire(modifier(exporter(), plus_une_bonne_modification), message)


def test_une_feuille_vide(documents):
    def vider(classeur):
        classeur.create_sheet("Vide")

    sans_rien_ecrire(modifier(exporter(), vider), "Feuille « Vide » : la feuille est vide.")


@pytest.mark.parametrize(
    "contenu",
    [
        pytest.param(b"Code;Intitule;Etat\n1.1;x;100\n", id="csv-renomme"),
        pytest.param("tronqué", id="fichier-tronque"),
    ],
)
def test_un_fichier_qui_n_est_pas_un_classeur(documents, contenu):
    if contenu == "tronqué":
        contenu = exporter()[:2000]
    sans_rien_ecrire(contenu, "Le fichier n'est pas un classeur lisible")


def test_un_fichier_trop_gros(documents):
    sans_rien_ecrire(b"0" * (TAILLE_MAX + 1), "la limite est de 5 Mio")


def test_un_classeur_sans_la_mise_en_page(documents):
    classeur = Workbook()
    classeur.active.append(["convention", "année", "action", "financeur", "montant"])
    sortie = io.BytesIO()
    classeur.save(sortie)
    sans_rien_ecrire(sortie.getvalue(), "ligne 4, colonne A : « Convention » attendu")


def test_les_commandes_exporter_et_importer(documents, tmp_path):
    fichier = tmp_path / "calpa.xlsx"
    sortie = StringIO()
    call_command(
        "exporter",
        "--convention",
        CALPA,
        "--annee",
        "2023",
        "--version",
        "Version Dijon Métropole non retenue sur le Territoire Zéro Non Recours",
        "-o",
        str(fichier),
        stdout=sortie,
    )
    assert "1 feuille(s)" in sortie.getvalue()

    def changer(classeur):
        feuille = classeur.worksheets[0]
        feuille.cell(ligne_de(feuille, "1.1"), 3).value = "85 000 €"

    fichier.write_bytes(modifier(fichier.read_bytes(), changer))
    avant = etat_des_engagements()
    sortie, progression = StringIO(), StringIO()
    call_command("importer", str(fichier), "--dry-run", stdout=sortie, stderr=progression)
    assert "Essai (--dry-run), rien n'a été écrit" in sortie.getvalue()
    assert "~ 1.1 État : 80\u202f000\u00a0€ → 85\u202f000\u00a0€" in sortie.getvalue()
    assert "[1/1] feuille" in progression.getvalue()
    assert etat_des_engagements() == avant
    call_command("importer", str(fichier), stdout=StringIO(), stderr=StringIO())
    assert Engagement.objects.get(
        tableau__libelle__contains="non retenue", action__code="1.1", financeur__slug="etat"
    ).montant == Decimal("85000.00")
    with pytest.raises(CommandError, match="convention inconnue"):
        fichier.write_bytes(
            modifier(
                fichier.read_bytes(),
                cellule(load_workbook(fichier).sheetnames[0], "B4", "inconnue"),
            )
        )
        call_command("importer", str(fichier), stdout=StringIO(), stderr=StringIO())


def test_import_dans_l_admin_avec_apercu_et_confirmation(documents, client_admin):
    def changer(classeur):
        feuille = classeur["En vigueur"]
        feuille.cell(ligne_de(feuille, "2.1"), 4).value = 150000

    url = reverse("admin:conventions_tableauengagements_import")
    fichier = io.BytesIO(modifier(exporter(), changer))
    fichier.name = "annexe.xlsx"
    apercu = client_admin.post(url, {"fichier": fichier})
    html = apercu.content.decode()
    assert "Aperçu : ce que l'import va écrire" in html
    assert "~ 2.1 Dijon Métropole : 140\u202f000\u00a0€ → 150\u202f000\u00a0€" in html
    cle = {
        "action__code": "2.1",
        "financeur__slug": "dijon-metropole",
        "tableau__en_vigueur": True,
        "tableau__convention__slug": CALPA,
    }
    assert Engagement.objects.get(**cle).montant == Decimal("140000.00")
    client_admin.post(url, {"confirmer": "1"})
    assert Engagement.objects.get(**cle).montant == Decimal("150000.00")


def test_le_classeur_depuis_la_page_de_la_convention(documents, client_admin):
    reponse = client_admin.get(reverse("conventions:classeur", args=[CALPA]), {"periode": "2023"})
    assert (
        reponse["Content-Disposition"]
        == 'attachment; filename="calpa-dijon-2023-2023-engagements.xlsx"'
    )
    assert len(load_workbook(io.BytesIO(reponse.content)).worksheets) == 3


def test_le_classeur_du_bilan(documents, client_de):
    from comptes import roles
    from conventions.models import Territoire

    client = client_de(roles.FINANCES, territoires=Territoire.objects.all())
    reponse = client.get("/conventions/calpa-dijon-2023/bilans/2023/classeur/")
    classeur = load_workbook(io.BytesIO(reponse.content))
    assert classeur.sheetnames[0] == "Indicateurs"
    lignes = list(classeur["Indicateurs"].iter_rows(min_row=3, values_only=True))
    assert len(lignes) == 19
    assert (
        "3.1",
        lignes[11][1],
        "dont mesures Maintien",
        "Accompagnements ASLL proposés",
        "accompagnements",
        73,
    ) == lignes[11]
    budget = classeur.worksheets[1]
    assert budget["B6"].value == "Budget prévisionnel 2023 par action (bilan 2023)"
    # The agents who fill it and the État's reviewer who examines it download it too.
    for cote in ("collectivite", "etat"):
        lecteur = client_de(roles.AGENT, territoires=Territoire.objects.all(), cote=cote)
        reponse = lecteur.get("/conventions/calpa-dijon-2023/bilans/2023/classeur/")
        assert reponse.status_code == 200
        assert load_workbook(io.BytesIO(reponse.content)).sheetnames[0] == "Indicateurs"


def _lignes_du_classeur(contenu: bytes):
    feuille = load_workbook(io.BytesIO(contenu), read_only=True).worksheets[0]
    lignes = [list(ligne) for ligne in feuille.iter_rows(values_only=True)]
    return lignes[0], lignes[1:]


def test_toutes_les_lignes_d_engagement_d_une_annee(documents, client_de):
    from comptes import roles
    from conventions.models import Territoire

    dijon = Territoire.objects.filter(slug="dijon-metropole")
    client = client_de(roles.FINANCES, territoires=dijon)
    reponse = client.get(reverse("conventions:lignes_d_engagement"), {"annee": "2023"})
    assert reponse["Content-Disposition"] == 'attachment; filename="engagements-2023.xlsx"'
    entetes, lignes = _lignes_du_classeur(b"".join(reponse.streaming_content))
    assert entetes[:3] == ["Territoire", "Convention", "Identifiant de la convention"]
    assert entetes[-1] == "Montant (€)"
    # CALPA 2023's three versions: 347 000 € per financeur in the retenue and the non retenue
    # tables, 347 500 € in the bilan's budget prévisionnel.
    # The convention's title as the pages say it, then its identifier.
    assert {ligne[1] for ligne in lignes} == {
        "Convention d'appui à la lutte contre la pauvreté et d'accès à l'emploi (CALPA) "
        "Dijon Métropole 2023"
    }
    assert {ligne[2] for ligne in lignes} == {CALPA}
    par_version = {}
    for ligne in lignes:
        cle = (ligne[5], ligne[6])
        par_version[cle] = par_version.get(cle, Decimal(0)) + Decimal(str(ligne[-1]))
    assert sorted(par_version.values()) == [694000, 694000, 695000]
    assert sum(par_version.values()) == Decimal("2083000")
    assert [vigueur for _libelle, vigueur in par_version].count("oui") == 1
    premiere = lignes[0]
    assert premiere[2:5] == [CALPA, 2023, 2023] and premiere[7] == "1.1"
    # The dashboard's other filters apply too: the CAF annex of the contrat de ville only.
    reponse = client.get(
        reverse("conventions:lignes_d_engagement"), {"dispositif": "contrat_de_ville"}
    )
    _entetes, lignes = _lignes_du_classeur(b"".join(reponse.streaming_content))
    assert {ligne[2] for ligne in lignes} == {"contrat-de-ville-grand-dijon-2015-2020"}
    assert (
        len(lignes)
        == Engagement.objects.filter(tableau__convention__dispositif="contrat_de_ville").count()
        > 30
    )


def test_les_lignes_d_engagement_partent_avant_la_requete(
    documents, client_de, django_assert_num_queries
):
    """The xlsx is sent while it is written: its first bytes leave before the database is
    asked for a line, and no proxy is asked to hold them back."""
    from comptes import roles
    from conventions.models import Territoire

    client = client_de(roles.FINANCES, territoires=Territoire.objects.all())
    reponse = client.get(reverse("conventions:lignes_d_engagement"))
    assert reponse.streaming and reponse["X-Accel-Buffering"] == "no"
    morceaux = iter(reponse.streaming_content)
    with django_assert_num_queries(0):
        premier = next(morceaux)
    assert premier.startswith(b"PK\x03\x04")
    _entetes, lignes = _lignes_du_classeur(premier + b"".join(morceaux))
    assert len(lignes) == Engagement.objects.count() == 128


def test_les_lignes_d_engagement_restent_dans_le_territoire(documents, client_de, tmp_path):
    from comptes import roles
    from conventions.models import Territoire

    autre = Territoire.objects.create(slug="autre", nom="Autre métropole")
    client = client_de(roles.FINANCES, territoires=[autre])
    reponse = client.get(reverse("conventions:lignes_d_engagement"))
    assert _lignes_du_classeur(b"".join(reponse.streaming_content))[1] == []
    assert client_de(roles.AGENT).get(reverse("conventions:lignes_d_engagement")).status_code == 403
    sortie = StringIO()
    fichier = tmp_path / "tout.xlsx"
    call_command("exporter_engagements", "-o", str(fichier), stdout=sortie)
    _entetes, lignes = _lignes_du_classeur(fichier.read_bytes())
    assert len(lignes) == Engagement.objects.count() == 128
    assert f"{fichier} : 128 ligne(s) d'engagement." in sortie.getvalue()
    with pytest.raises(CommandError, match="Territoire inconnu : « nulle-part »"):
        call_command("exporter_engagements", "--territoire", "nulle-part", "-o", str(fichier))


def test_un_import_sans_changement_n_ecrit_aucune_ligne_d_historique(documents):
    from commun.historique import poser_le_socle

    poser_le_socle()
    avant = (TableauEngagements.historique.count(), Engagement.historique.count())
    importer(exporter())
    assert (TableauEngagements.historique.count(), Engagement.historique.count()) == avant


def test_l_administration_demande_de_confirmer_les_suppressions(documents, client_de):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from comptes import roles
    from conventions.models import Territoire

    client = client_de(roles.FINANCES, territoires=Territoire.objects.all())
    url = "/admin/conventions/tableauengagements/importer/"
    classeur = modifier(exporter(), changer_ajouter_retirer)

    def apercu():
        return client.post(url, {"fichier": SimpleUploadedFile("annexe.xlsx", classeur)})

    page = apercu().content.decode()
    assert "2 montants sans ligne ou sans colonne dans le classeur" in page
    assert '<label for="supprimer">Supprimer ces montants</label>' in page
    refus = client.post(url, {"confirmer": "1"}, follow=True).content.decode()
    assert "2 montant(s) ont perdu leur ligne d&#x27;action" in refus
    assert ("3.3", "etat") in montants_en_vigueur()

    apercu()
    client.post(url, {"confirmer": "1", "supprimer": "oui"})
    montants = montants_en_vigueur()
    assert ("3.3", "etat") not in montants
    assert montants[("1.1", "etat")] == Decimal("90000.50")


def test_un_classeur_vierge_rempli_dans_excel_cree_le_premier_tableau(db, tmp_path, client_de):
    from comptes import roles
    from conventions.models import Territoire
    from fichiers.annuel.chargement import charger

    exemple = Path(__file__).resolve().parents[2] / "fixtures/exemples/calpa_haute_saone_2021.yaml"
    texte = exemple.read_text()
    sans_tableau = texte[: texte.index("- model: conventions.tableauengagements")]
    charger(sans_tableau.encode(), nom_fichier="sans-tableau.yaml")
    slug = "calpa-haute-saone-2021"
    with pytest.raises(CommandError, match="Pour en commencer un dans Excel : --vierge."):
        call_command("exporter", "--convention", slug, "--annee", "2021", "-o", "x.xlsx")

    fichier = tmp_path / "vierge.xlsx"
    sortie = StringIO()
    call_command(
        "exporter",
        "--convention",
        slug,
        "--annee",
        "2021",
        "--vierge",
        "-o",
        str(fichier),
        stdout=sortie,
    )
    assert "annexe vierge 2021 — 8 action(s) à remplir" in sortie.getvalue()
    classeur = load_workbook(fichier)
    feuille = classeur.worksheets[0]
    assert [feuille.cell(12, c).value for c in (3, 4)] == ["etat", "departement-haute-saone"]
    codes = [feuille.cell(r, 1).value for r in range(13, feuille.max_row + 1)]
    assert [c for c in codes if c and c[0].isdigit()] == [
        "1.1",
        "1.2",
        "1.3",
        "2.1",
        "2.2",
        "2.3",
        "3.1",
        "3.2",
    ]
    assert all(feuille.cell(ligne_de(feuille, code), 3).value is None for code in ("1.1", "3.2"))
    feuille.cell(ligne_de(feuille, "1.1"), 3).value = "60 000"
    feuille.cell(ligne_de(feuille, "1.1"), 4).value = "60 000,50"
    feuille.cell(ligne_de(feuille, "3.2"), 3).value = 16500
    classeur.save(fichier)

    call_command("importer", str(fichier), stdout=StringIO(), stderr=StringIO())
    tableau = TableauEngagements.objects.get(convention__slug=slug)
    assert (tableau.libelle, tableau.en_vigueur, tableau.nature) == (
        "Tableau initial 2021",
        True,
        "initial",
    )
    assert tableau.engagements.aggregate(total=Sum("montant"))["total"] == Decimal("136500.50")

    client = client_de(roles.FINANCES, territoires=Territoire.objects.all())
    page = client.get(f"/conventions/{slug}/").content.decode()
    assert "Classeur vierge 2021 à remplir dans Excel" in page
    reponse = client.get(f"/conventions/{slug}/classeur/", {"vierge": "1"})
    assert reponse["Content-Disposition"] == f'attachment; filename="{slug}-2021-vierge.xlsx"'
    vierge = load_workbook(io.BytesIO(reponse.content)).worksheets[0]
    # A version exists now: the blank one is another, not en vigueur.
    assert (vierge["B6"].value, vierge["B8"].value) == ("Tableau initial 2021 (2)", "non")


def _requetes_de_l_import(contenu: bytes, utilisateur) -> int:
    """The queries of one import, rolled back afterwards."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    # The user as a request loads it: nothing cached from the previous import.
    utilisateur = get_user_model().objects.get(pk=utilisateur.pk)
    with transaction.atomic(), CaptureQueriesContext(connection) as capture:
        importer(contenu, utilisateur=utilisateur, nom_fichier="annexe.xlsx")
        transaction.set_rollback(True)
    return len(capture)


def _plus_un_euro(classeur):
    for feuille in classeur.worksheets:
        for ligne in feuille.iter_rows(min_row=13, min_col=3):
            for cellule in ligne:
                if isinstance(cellule.value, int | float):
                    cellule.value += 1


def _nouvelles_versions(classeur):
    """Every sheet a new version (renamed), with every amount + 1 €: the versions en vigueur
    are retired by their successors."""
    for feuille in classeur.worksheets:
        feuille["B6"] = f"{feuille['B6'].value} bis"
    _plus_un_euro(classeur)


@pytest.mark.parametrize("changement", ["montants", "nouvelles-versions", "lignes-recreees"])
def test_l_import_fait_autant_de_requetes_pour_une_feuille_que_pour_toutes(documents, changement):
    """An import's queries do not grow with its sheets or its lines: the same for one sheet as
    for every tableau of the five documents (within one batch of lines: SQLite caps a query's
    parameters, and a few hundred lines take one more query there, none on PostgreSQL)."""
    from comptes import roles
    from conventions.models import Territoire

    utilisateur = roles.creer_compte(
        "finances-requetes",
        mot_de_passe="mot-de-passe-test",
        role=roles.FINANCES,
        territoires=Territoire.objects.all(),
    )
    remplis = TableauEngagements.objects.filter(engagements__isnull=False).distinct()

    def classeur(tableaux) -> bytes:
        contenu = classeur_des_tableaux(tableaux)
        if changement == "montants":
            return modifier(contenu, _plus_un_euro)
        if changement == "nouvelles-versions":
            return modifier(contenu, _nouvelles_versions)
        return contenu

    une, toutes = list(remplis[:1]), list(remplis)
    lignes = Engagement.objects.filter(tableau__in=toutes).count()
    assert len(toutes) >= 5 and lignes >= 100
    classeurs = [classeur(une), classeur(toutes)]
    if changement == "lignes-recreees":  # gone from the database: the import writes them back
        Engagement.objects.filter(tableau__in=toutes).delete()
    petite, grande = (_requetes_de_l_import(contenu, utilisateur) for contenu in classeurs)
    assert petite == grande, f"{petite} requêtes pour une feuille, {grande} pour {len(toutes)}"
    # The user's permissions, their own and their groups' (2); reading: financeurs, conventions,
    # action codes (3); the savepoint and its release (2); the tableaux locked, the actions, the
    # financeurs, the lines of the tableaux rewritten (4, 3 when all are new); the fingerprint
    # (1); the writes: the lines and their history (2), and for new versions the retired ones,
    # the new tableaux and their history (3). The rule that a transmitted bilan's prévisionnel
    # does not change: once for the tableaux the sheets rewrite (1), and in the guarded bulk
    # writes: the retired versions (2), the lines of an existing tableau (1). The stored
    # constats of the conventions written, made out of date by each bulk write (1 each: the
    # lines written or created; for new versions, the retired ones, the rewritten and the new
    # tableaux too). Lower these numbers when they go down.
    assert grande == {"montants": 16, "nouvelles-versions": 21, "lignes-recreees": 17}[changement]


def test_chaque_ligne_et_chaque_version_importees_ont_leur_historique(documents):
    """The writes gathered for the whole workbook keep one history line per object written,
    with its author and file, and retire the versions en vigueur their successors replace."""
    from comptes import roles
    from conventions.models import Territoire

    utilisateur = roles.creer_compte(
        "finances-historique",
        mot_de_passe="mot-de-passe-test",
        role=roles.FINANCES,
        territoires=Territoire.objects.all(),
    )
    tableaux = list(TableauEngagements.objects.filter(engagements__isnull=False).distinct())
    en_vigueur = {(t.convention_id, t.annee_debut, t.annee_fin) for t in tableaux if t.en_vigueur}
    classeur = modifier(classeur_des_tableaux(tableaux), _nouvelles_versions)
    rapport = importer(classeur, utilisateur=utilisateur, nom_fichier="annexe.xlsx")

    def traces(modele, objets):
        return sorted(
            modele.historique.filter(id__in=[o.pk for o in objets]).values_list(
                "id", "history_type", "history_user", "history_change_reason"
            )
        )

    def attendu(objets, nature):
        return sorted((o.pk, nature, utilisateur.pk, "import de annexe.xlsx") for o in objets)

    nouvelles = list(TableauEngagements.objects.filter(libelle__endswith=" bis"))
    assert len(nouvelles) == len(tableaux) == rapport.tableaux_crees
    assert traces(TableauEngagements, nouvelles) == attendu(nouvelles, "+")
    assert {
        (t.convention_id, t.annee_debut, t.annee_fin)
        for t in TableauEngagements.objects.filter(en_vigueur=True)
        if t.libelle.endswith(" bis")
    } == en_vigueur
    assert not TableauEngagements.objects.filter(pk__in=[t.pk for t in tableaux], en_vigueur=True)
    lignes = list(Engagement.objects.filter(tableau__in=nouvelles))
    assert len(lignes) == rapport.crees >= 100
    assert traces(Engagement, lignes) == attendu(lignes, "+")

    # Again with every amount + 1 €: each line changed once, with its own « ~ » line.
    rapport = importer(
        modifier(classeur, _plus_un_euro), utilisateur=utilisateur, nom_fichier="annexe.xlsx"
    )
    assert rapport.modifies == len(lignes)
    modifiees = Engagement.historique.filter(id__in=[e.pk for e in lignes], history_type="~")
    assert sorted(modifiees.values_list("id", "version", "montant")) == sorted(
        Engagement.objects.filter(tableau__in=nouvelles).values_list("id", "version", "montant")
    )
    assert {e.version for e in Engagement.objects.filter(tableau__in=nouvelles)} == {2}


def test_les_noms_de_feuille_tiennent_en_31_caracteres_sans_couper_un_mot(documents):
    """Issue 24: « Budget prévisionnel 2023 par » was a name cut in the middle of a phrase."""
    classeur = load_workbook(io.BytesIO(exporter()))
    assert classeur.sheetnames == [
        "En vigueur",
        "Budget prévisionnel 2023…",
        "Version Dijon Métropole non…",
    ]
    assert all(len(nom) <= 31 for nom in classeur.sheetnames)
