"""The year's documents (issue 28): the rapport d'exécution of the bilan 2023 and the annexe
financière of the CALPA 2023's versions, read back from the PDF (pypdf): the figures in the
order a reader meets them, the status on every page, page count and metadata (PDF/A-3b);
the zip of a year, the DOCX draft, the pages and commands, and the French message when the
PDF engine cannot load its system libraries.

Each document is generated once for the module (about half a second each)."""

import builtins
import io
import re
import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdf
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse

from comptes import roles
from conventions.models import Territoire

pytestmark = pytest.mark.django_db

MAINTENANT = datetime(2026, 12, 5, 15, 3, tzinfo=ZoneInfo("Europe/Paris"))
AUTEUR = "Camille Martin (cmartin)"
CALPA = "calpa-dijon-2023"
RETENUE = "Version Dijon Métropole retenue sur le Territoire Zéro Non Recours"
NON_RETENUE = "Version Dijon Métropole non retenue sur le Territoire Zéro Non Recours"
F, NB = "\u202f", "\u00a0"  # thousands, before « € »


def e(texte: str) -> str:
    """« 347 000 € » written with the document's spaces: U+202F in the thousands, U+00A0
    before « € »."""
    texte = re.sub(r"(\d) (\d{3})", rf"\1{F}\2", texte)
    return texte.replace(" €", f"{NB}€")


@pytest.fixture(scope="module")
def moteur():
    """WeasyPrint and Pango (.ci/run installs Pango); without them, the PDF tests are skipped
    with the reason, and the tests of the French message still run."""
    from fichiers.documents.rendu import MoteurPdfIndisponible, _weasyprint

    try:
        _weasyprint()
    except MoteurPdfIndisponible as erreur:
        pytest.skip(str(erreur))


@pytest.fixture(scope="module")
def fichiers(moteur, django_db_setup, django_db_blocker):
    """Every document, generated once on the five documents, in a transaction rolled back."""
    from bilans.models import Bilan
    from conventions.models import TableauEngagements
    from fichiers.documents import docx, pdf
    from tests import socle

    with django_db_blocker.unblock(), transaction.atomic():
        socle.restaurer()
        bilan = Bilan.objects.get(convention__slug=CALPA, annee=2023)
        tableaux = TableauEngagements.objects.filter(convention__slug=CALPA)
        resultat = {
            "rapport": pdf.rapport_d_execution(bilan, auteur=AUTEUR, maintenant=MAINTENANT),
            "docx": docx.rapport_d_execution(bilan, auteur=AUTEUR, maintenant=MAINTENANT),
            "retenue": pdf.annexe_financiere(
                tableaux.get(libelle=RETENUE), auteur=AUTEUR, maintenant=MAINTENANT
            ),
            "non_retenue": pdf.annexe_financiere(
                tableaux.get(libelle=NON_RETENUE), auteur=AUTEUR, maintenant=MAINTENANT
            ),
        }
        Bilan.objects.filter(pk=bilan.pk).update(statut=Bilan.Statut.VALIDE)
        bilan.refresh_from_db()
        resultat["valide"] = pdf.rapport_d_execution(bilan, auteur=AUTEUR, maintenant=MAINTENANT)
        transaction.set_rollback(True)
    return resultat


def pages(octets: bytes) -> list[str]:
    """Each page's text, lines joined: hyphenation undone, runs of spaces made one."""
    textes = []
    for page in pypdf.PdfReader(io.BytesIO(octets)).pages:
        texte = page.extract_text().replace("\u2010\n", "")
        textes.append(re.sub(r"[ \n]+", " ", texte))
    return textes


def dans_l_ordre(texte: str, morceaux: list[str]) -> None:
    position = 0
    for morceau in morceaux:
        trouve = texte.find(morceau, position)
        assert trouve >= 0, (
            f"« {morceau} » absent après : …{texte[max(0, position - 80) : position]}"
        )
        position = trouve + len(morceau)


def test_le_rapport_donne_les_chiffres_dans_l_ordre(fichiers):
    texte = " ".join(pages(fichiers["rapport"]))
    dans_l_ordre(
        texte,
        [
            "RAPPORT D'EXÉCUTION 2023",
            "Convention d'appui à la lutte contre la pauvreté",
            "Projet — non transmis : ce rapport n'a pas été transmis au préfet",
            "Délibération de la convention 22 juin 2023",
            "Statut du bilan en préparation",
            "Échéance 31 mars 2024",
            "Transmission au préfet non renseignée",
            "Bilan des actions",
            "Axe 1 — Actions concernant l'accès aux droits",
            "Action 1.1",
            "Action réalisée.",
            "En 2023, 5 072 entretiens ont été réalisés dont 2 644",  # the text as written
            e("Entretiens réalisés 5 072"),
            e("dont entretiens réalisés par des agents d'accueil administratifs 2 644"),
            "Action 1.2",
            "Opérateur : CESAM.",
            "Personnes orientées par la plateforme VIA Numérique 48",
            "dont femmes 31",
            "Action 2.1",
            "Non renseigné.",
            "Action 3.1",
            "Accompagnements ASLL proposés 104",
            "dont mesures Maintien 73",
            "dont mesures Accès 31",
            "Action 3.2",
            "Personnes suivies sur l'année 269",
            "Action 3.3",
            "Budget associé",
            # 347 000 € engaged per financeur, 347 500 € in the bilan's budget: +500 €.
            e("347 000 € pour l'État et 347 000 € pour la collectivité"),
            e("347 500 € pour l'État (écart +500 €)"),
            e("et 347 500 € pour la collectivité (écart +500 €)"),
            e("1.1 Identifier"),
            e("100 000 € 100 000 € 0 € 100 000 € 100 000 € 0 €"),
            # The two actions whose budget differs from the tableau en vigueur.
            e("3.1 Promouvoir"),
            e("62 300 € 70 000 € +7 700 € 62 300 € 70 000 € +7 700 €"),
            e("3.2 Consolider"),
            e("32 200 € 25 000 € −7 200 € 32 200 € 25 000 € −7 200 €"),
            e("Total 347 000 € 347 500 € +500 € 347 000 € 347 500 € +500 €"),
            e("Dépenses engagées par la collectivité 879 505 €"),
            e("Financement de l'État reçu 347 000 €"),
            "Points à vérifier",
            e("Erreur — Bilan 2023 : le budget prévisionnel par action totalise 347 500 €"),
            "= 272 (écart +3 personnes)",
            e("Avertissement — Action 3.1"),
        ],
    )


def test_chaque_page_porte_l_en_tete_le_statut_le_numero_et_l_auteur(fichiers):
    textes = pages(fichiers["rapport"])
    assert len(textes) == 6
    for numero, texte in enumerate(textes, start=1):
        assert "Rapport d'exécution 2023 — Convention d'appui" in texte
        assert "Projet — non transmis" in texte
        assert f"Généré le 5 décembre 2026 à 15 h 03 par {AUTEUR}" in texte
        assert f"Page {numero} sur 6" in texte


def test_un_bilan_valide_n_est_plus_un_projet_et_n_a_plus_de_points_a_verifier(fichiers):
    texte = " ".join(pages(fichiers["valide"]))
    assert "Statut du bilan validé" in texte
    assert "Projet" not in texte
    assert "non transmis" not in texte
    assert "Points à vérifier" not in texte
    assert e("Total 347 000 € 347 500 € +500 €") in texte


def test_les_metadonnees_et_la_variante_pdf_a_3b(fichiers):
    lecteur = pypdf.PdfReader(io.BytesIO(fichiers["rapport"]))
    meta = lecteur.metadata
    assert meta.title.startswith("Rapport d'exécution 2023 — Convention d'appui")
    assert meta.author == AUTEUR
    assert meta["/Keywords"] == f"rapport d'exécution, bilan 2023, {CALPA}"
    assert meta["/CreationDate"].startswith("D:20261205150300")
    xmp = lecteur.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert lecteur.trailer["/Root"]["/Lang"] == "fr"
    # The project's own font (« Document », the @font-face of rendu.py), embedded (PDF/A).
    polices = {}
    for page in lecteur.pages:
        for reference in page["/Resources"]["/Font"].values():
            police = reference.get_object()
            descendante = police["/DescendantFonts"][0].get_object()
            embarquee = "/FontFile2" in descendante["/FontDescriptor"].get_object()
            polices[police["/BaseFont"].split("+")[-1]] = embarquee
    assert polices == {"Document": True, "Document-Bold": True, "Document-Italic": True}


def test_l_annexe_financiere_de_la_version_retenue(fichiers):
    textes = pages(fichiers["retenue"])
    assert len(textes) == 2
    texte = " ".join(textes)
    dans_l_ordre(
        texte,
        [
            "ANNEXE FINANCIÈRE 2023",
            f"Version {RETENUE}",
            "Statut de la version en vigueur",
            "Action État Dijon Métropole Total",
            "Axe 1 — Actions concernant l'accès aux droits",
            e("100 000 € 100 000 € 200 000 €"),
            e("Sous-total Actions concernant l'accès aux droits 110 000 € 110 000 € 220 000 €"),
            e("3.1 Promouvoir"),
            e("62 300 € 62 300 € 124 600 €"),
            e("Total 347 000 € 347 000 € 694 000 €"),
            f"Cofinancement Collectivité / État : 100{NB}% — règle (≥ 100{NB}%) respectée",
            "Signatures des parties",
            "Pour l'État",
            "Pour Dijon Métropole",
        ],
    )
    for numero, texte in enumerate(textes, start=1):
        assert f"{RETENUE} — en vigueur" in texte
        assert f"Page {numero} sur 2" in texte


def test_l_annexe_d_une_version_non_retenue_le_dit_sur_chaque_page(fichiers):
    textes = pages(fichiers["non_retenue"])
    texte = " ".join(textes)
    dans_l_ordre(
        texte,
        [
            "Statut de la version version non en vigueur",
            e("80 000 € 80 000 € 160 000 €"),
            e("1.3"),
            e("20 000 € 20 000 € 40 000 €"),
            e("Total 347 000 € 347 000 € 694 000 €"),
        ],
    )
    assert all(f"{NON_RETENUE} — version non en vigueur" in t for t in textes)


def test_chaque_page_se_rend_en_image(fichiers, tmp_path):
    """Every page drawn by poppler (pdftoppm), as a reader's viewer would: none blank."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm absent (paquet Debian poppler-utils)")
    from PIL import Image

    for nom in ("rapport", "retenue", "non_retenue", "valide"):
        chemin = tmp_path / f"{nom}.pdf"
        chemin.write_bytes(fichiers[nom])
        subprocess.run(
            ["pdftoppm", "-r", "40", "-png", str(chemin), str(tmp_path / nom)], check=True
        )
        images = sorted(tmp_path.glob(f"{nom}-*.png"))
        assert len(images) == len(pypdf.PdfReader(chemin).pages), nom
        for image in images:
            noir = Image.open(image).convert("L").point(lambda v: v < 128 and 255)
            assert noir.getbbox() is not None, f"{image.name} est blanche"


def test_le_brouillon_docx(fichiers):
    from docx import Document

    document = Document(io.BytesIO(fichiers["docx"]))
    entete = document.sections[0].header.paragraphs[0].text
    assert entete.startswith("Rapport d'exécution 2023 — Convention d'appui")
    assert entete.endswith("Projet — non transmis")
    assert document.core_properties.author == AUTEUR
    texte = "\n".join(p.text for p in document.paragraphs)
    dans_l_ordre(
        texte,
        ["Bilan des actions", "Action 1.1", "Budget associé", "Points à vérifier", "272"],
    )
    budget = document.tables[-1]
    total = [c.text for c in budget.rows[-1].cells]
    assert total == ["Total", *[e(m) for m in ["347 000 €", "347 500 €", "+500 €"] * 2]]


# --- The pages ------------------------------------------------------------------------------


def test_la_page_du_rapport_et_de_l_annexe(moteur, documents, client_de):
    from conventions.models import TableauEngagements

    client = client_de(roles.AGENT, territoires=Territoire.objects.all())
    reponse = client.get(reverse("bilans:rapport_d_execution", args=[CALPA, 2023]))
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse["Content-Disposition"] == (
        f'attachment; filename="{CALPA}-rapport-d-execution-2023.pdf"'
    )
    texte = " ".join(pages(reponse.content))
    assert "Généré le" in texte and "par agent-0" in texte
    tableau = TableauEngagements.objects.get(libelle=NON_RETENUE)
    reponse = client.get(reverse("conventions:annexe_financiere", args=[CALPA, tableau.pk]))
    assert reponse["Content-Type"] == "application/pdf"
    assert e("80 000 €") in " ".join(pages(reponse.content))
    bilan = client.get(reverse("bilans:detail", args=[CALPA, 2023])).content.decode()
    assert "rapport-d-execution.pdf" in bilan and "marqué « Projet — non transmis »" in bilan
    assert "rapports-d-execution.zip" not in bilan  # the État's filing: not the collectivité's
    convention = client.get(reverse("conventions:detail", args=[CALPA])).content.decode()
    assert "annexe-financiere.pdf" in convention


def test_le_zip_de_l_annee_pour_les_services_de_l_etat(moteur, documents, client_de):
    client = client_de(roles.AGENT, territoires=Territoire.objects.all(), cote="etat")
    bilan = client.get(reverse("bilans:detail", args=[CALPA, 2023])).content.decode()
    assert "tous les rapports d'exécution 2023 de vos territoires (zip)" in bilan
    reponse = client.get(reverse("bilans:rapports_de_l_annee", args=[2023]))
    assert reponse["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(reponse.content))
    assert archive.namelist() == [f"{CALPA}-rapport-d-execution-2023.pdf"]
    texte = " ".join(pages(archive.read(archive.namelist()[0])))
    assert e("Total 347 000 € 347 500 € +500 €") in texte
    # A year without a bilan in the user's territoires: a French 404.
    reponse = client.get(reverse("bilans:rapports_de_l_annee", args=[2019]))
    assert reponse.status_code == 404
    assert "Aucun bilan 2019 dans les territoires que vous suivez." in reponse.content.decode()


@pytest.fixture
def sans_pango(monkeypatch):
    """``import weasyprint`` fails as it does when Pango is not installed."""
    importer = builtins.__import__

    def importer_sans_pango(nom, *args, **kwargs):
        if nom == "weasyprint" or nom.startswith("weasyprint."):
            raise OSError("cannot load library 'libpango-1.0-0': No such file or directory")
        return importer(nom, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", importer_sans_pango)


def test_sans_pango_la_page_le_dit_en_francais(documents, client_admin, sans_pango):
    for adresse in (
        reverse("bilans:rapport_d_execution", args=[CALPA, 2023]),
        reverse("bilans:rapports_de_l_annee", args=[2023]),
    ):
        reponse = client_admin.get(adresse)
        assert reponse.status_code == 503, adresse
        page = reponse.content.decode()
        assert "Documents PDF indisponibles" in page
        assert "La fabrication des documents PDF n&#x27;est pas disponible sur ce serveur" in page
        assert "libpango-1.0-0" in page
    # The DOCX draft needs no system library: still there.
    reponse = client_admin.get(reverse("bilans:rapport_d_execution_docx", args=[CALPA, 2023]))
    assert reponse.status_code == 200


def test_sans_pango_la_commande_le_dit_en_francais(documents, sans_pango, tmp_path):
    sortie = tmp_path / "rapport.pdf"
    with pytest.raises(CommandError, match="La fabrication des documents PDF n'est pas"):
        call_command("rapport_d_execution", convention=CALPA, annee=2023, sortie=str(sortie))
    assert not sortie.exists()


# --- The commands ---------------------------------------------------------------------------


def test_les_commandes(moteur, documents, tmp_path):
    sortie = io.StringIO()
    call_command(
        "annexe_financiere",
        convention=CALPA,
        annee=2023,
        sortie=str(tmp_path / "annexe.pdf"),
        auteur="Service des finances",
        stdout=sortie,
    )
    assert f"annexe financière « {RETENUE} »" in sortie.getvalue()
    texte = " ".join(pages((tmp_path / "annexe.pdf").read_bytes()))
    assert "par Service des finances" in texte and e("Total 347 000 €") in texte
    call_command("rapport_d_execution", annee=2023, tous=True, sortie=str(tmp_path / "2023.zip"))
    assert zipfile.ZipFile(tmp_path / "2023.zip").namelist() == [
        f"{CALPA}-rapport-d-execution-2023.pdf"
    ]
    call_command(
        "rapport_d_execution",
        convention=CALPA,
        annee=2023,
        docx=True,
        sortie=str(tmp_path / "rapport.docx"),
    )
    assert zipfile.is_zipfile(tmp_path / "rapport.docx")
    with pytest.raises(CommandError, match="Aucun bilan 2022 pour la convention"):
        call_command(
            "rapport_d_execution", convention=CALPA, annee=2022, sortie=str(tmp_path / "x.pdf")
        )
    with pytest.raises(CommandError, match="Versions de l'année : « Version Dijon"):
        call_command(
            "annexe_financiere",
            convention=CALPA,
            annee=2023,
            libelle="Inconnue",
            sortie=str(tmp_path / "x.pdf"),
        )
    assert not Path(tmp_path / "x.pdf").exists()
