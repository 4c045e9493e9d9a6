"""``make bench`` at a small size (``--rapide``), so that the benchmark never rots: it builds
its throw-away database, measures every item of the report, and keeps each page's number of
queries the same at both sizes (it exits 1 otherwise)."""

import re
import subprocess
import sys
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent


def test_le_banc_rapide(tmp_path):
    rapport = tmp_path / "performance.md"
    resultat = subprocess.run(
        [sys.executable, "-m", "outils.banc", "--rapide", "--sortie", str(rapport)],
        cwd=RACINE,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert resultat.returncode == 0, resultat.stderr[-3000:]
    texte = rapport.read_text(encoding="utf-8")
    assert texte == resultat.stdout
    assert "les cinq documents (4 conventions, 54 actions, 128 engagements, 19 mesures)" in texte
    assert "`generer_donnees --territoires 3 --annees 2`" in texte
    assert "(421 objets)" in texte
    # The export holds every engagement of both sizes: Dijon's 128 and the generated ones.
    generes = re.search(r"\(10 conventions, \d+ actions, (\d+) engagements", texte)
    assert generes, texte
    assert f"Export xlsx de {int(generes.group(1))} lignes d'engagement" in texte
    # The pages of both sizes timed in turn, on Dijon's database copied before the generation.
    assert "Les deux tailles sont mesurées en alternance, une requête de chaque" in texte
    for section in [
        "## 1. Pages",
        "## 2. Contrôles",
        "## 4. Import",
        "## 5. Chargement",
        "## 6. Téléversements",
        "## 7. Documents de l'année",
    ]:
        assert section in texte
    # Every page: the same number of queries at both sizes, and a verdict for each goal.
    assert texte.count("même nombre de requêtes aux deux tailles |") == 5 + 1  # 1: the PDF
    assert "requêtes aux deux tailles | 0 et 0" not in texte
    assert len(re.findall(r"\| (atteint|\*\*non atteint\*\*) \|", texte)) == 24 + 6  # 6: uploads
    assert "Rapport d'exécution en PDF : même nombre de requêtes aux deux tailles |" in texte
    # The export: the application by HTTP and to a file, and the three references, each with
    # its time, its ratio to openpyxl with lxml and its memory as the system sees it (RSS).
    for variante in [
        "| application, par HTTP (`/engagements.xlsx`) |",
        "| application, dans un fichier (`exporter_engagements`) |",
        "| openpyxl `write_only` brut, avec lxml | ",
        "| openpyxl `write_only` brut, sans lxml |",
        "| XlsxWriter `constant_memory` |",
    ]:
        ligne = next(ligne for ligne in texte.splitlines() if ligne.startswith(variante))
        assert re.search(r"\| \d+ ms \(\d+–\d+\) \| \d+,\d\d × \|", ligne), ligne
        assert re.search(r"\| \d+,\d Mio \| \d+,\d Mio \| \d+,\d Mio \|$", ligne), ligne
    assert "Export : premiers octets par HTTP en moins de 1 s" in texte
    assert re.search(r"\| import \| .* \| \d+,\d Mio \| \d+,\d Mio \|", texte)
    # The uploads: the worst file under each cap, with its time and memory. The 5 s goal is the
    # benchmark's verdict (`make bench`), not this test's: on a loaded CI machine a timed
    # assertion fails for the machine's sake. The memory, which load does not change, stays
    # under 200 Mio here.
    for fichier in [
        "classeur : textes partagés",
        "classeur : cellules vides",
        "classeur : formats de cellule",
        "fichier annuel YAML",
        "fichier annuel JSON",
        "liste des engagements, CSV",
    ]:
        ligne = next(ligne for ligne in texte.splitlines() if ligne.startswith(f"| {fichier} |"))
        mesure = re.search(r"\| \d+ kio \| \d+,\d\d s \| (\d+,\d) Mio \| \d+,\d Mio \|", ligne)
        assert mesure, ligne
        assert float(mesure[1].replace(",", ".")) < 200, ligne
        assert ligne.endswith(("| atteint |", "| **non atteint** |")), ligne
