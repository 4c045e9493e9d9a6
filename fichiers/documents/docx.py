"""An editable draft of the rapport d'exécution (DOCX, python-docx): the same contents as the
PDF (``contenus.py``), for the collectivité that completes the prose before the council. Data
in, bytes out."""

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from commun.formats import date_longue, nombre
from fichiers.documents.contenus import COTES, contenu_du_rapport


def _texte(valeur) -> str:
    return "—" if valeur is None else nombre(valeur)


def _tableau(document, entetes: list[str], lignes: list[list[str]], droite: set[int]):
    tableau = document.add_table(rows=1, cols=len(entetes))
    tableau.style = "Table Grid"
    for rang, texte in enumerate(entetes):
        cellule = tableau.rows[0].cells[rang]
        cellule.text = texte
        cellule.paragraphs[0].runs[0].bold = True
    for ligne in lignes:
        cellules = tableau.add_row().cells
        for rang, texte in enumerate(ligne):
            cellules[rang].text = texte
            if rang in droite:
                cellules[rang].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return tableau


def rapport_d_execution(bilan, *, auteur: str, maintenant=None) -> bytes:
    """The rapport as a Word document: cover lines, actions and indicators, budget table,
    points to check; header and footer say what and whose it is."""
    contenu = contenu_du_rapport(bilan, auteur=auteur, maintenant=maintenant)
    convention = contenu["convention"]
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for marge in ("left_margin", "right_margin"):
        setattr(section, marge, Cm(1.8))
    style = document.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)
    proprietes = document.core_properties
    proprietes.title = f"{contenu['titre']} — {convention.intitule}"
    proprietes.author = auteur
    proprietes.keywords = contenu["mots_cles"]
    proprietes.language = "fr-FR"
    proprietes.created = contenu["maintenant"]
    proprietes.comments = "Brouillon modifiable : les chiffres font foi dans l'application."
    entete = section.header.paragraphs[0]
    entete.text = contenu["entete"] + (f" — {contenu['mention']}" if contenu["mention"] else "")
    section.footer.paragraphs[0].text = f"Généré le {contenu['genere_le']} par {auteur}"

    document.add_paragraph(f"Rapport d'exécution {bilan.annee}".upper())
    document.add_heading(convention.intitule, level=0)
    if contenu["mention"]:
        document.add_paragraph().add_run(contenu["mention"]).bold = True
    _tableau(
        document,
        ["", ""],
        [
            ["Territoire", convention.territoire.nom],
            ["Année du bilan", str(bilan.annee)],
            ["Statut du bilan", bilan.get_statut_display()],
            ["Échéance", date_longue(bilan.echeance)],
            ["Délibération du conseil sur le bilan", date_longue(bilan.date_deliberation)],
            ["Transmission au préfet", date_longue(bilan.date_transmission)],
        ],
        set(),
    )

    document.add_heading("Bilan des actions", level=1)
    for groupe in contenu["axes"]:
        if groupe["axe"] is not None:
            document.add_heading(f"Axe {groupe['axe'].code} — {groupe['axe'].intitule}", level=2)
        for bloc in groupe["sections"]:
            rapport, action = bloc["rapport"], bloc["action"]
            document.add_heading(f"Action {action.code} — {action.intitule}", level=3)
            ligne = f"{rapport.get_realisation_display().capitalize()}."
            if rapport.operateur:
                ligne += f" Opérateur : {rapport.operateur}."
            document.add_paragraph().add_run(ligne).bold = True
            for paragraphe in rapport.texte.split("\n\n") if rapport.texte else []:
                document.add_paragraph(paragraphe.strip())
            if bloc["indicateurs"]:
                _tableau(
                    document,
                    ["Indicateur", str(bilan.annee), str(contenu["annee_precedente"]), "Unité"],
                    [
                        [
                            ("    " if i["partie"] else "") + i["indicateur"].libelle,
                            _texte(i["valeur"]),
                            _texte(i["annee_precedente"]),
                            i["indicateur"].unite,
                        ]
                        for i in bloc["indicateurs"]
                    ],
                    {1, 2},
                )

    document.add_heading("Budget associé", level=1)
    entetes = ["Action"]
    for _cote, nom in COTES:
        entetes += [f"{nom} engagé", f"{nom} prévu", f"{nom} écart"]
    lignes = []
    for ligne in contenu["lignes"]:
        if ligne.nature == "axe":
            lignes.append([f"Axe {ligne.code} — {ligne.intitule}"] + [""] * (len(entetes) - 1))
            continue
        cellules = [f"{ligne.code} {ligne.intitule}".strip()]
        for colonne in ligne.colonnes:
            cellules += [colonne["engage"], colonne["prevu"], colonne["ecart"]]
        lignes.append(cellules)
    _tableau(document, entetes, lignes, set(range(1, len(entetes))))
    document.add_paragraph(
        f"Dépenses engagées par la collectivité : {contenu['bilan_depenses']}. "
        f"Financement de l'État reçu : {contenu['bilan_recu']}."
    )
    if contenu["points"]:
        document.add_heading("Points à vérifier", level=1)
        for constat in contenu["points"]:
            document.add_paragraph(
                f"{constat.severite.label.capitalize()} — {constat.message}", style="List Number"
            )
    tampon = io.BytesIO()
    document.save(tampon)
    return tampon.getvalue()
