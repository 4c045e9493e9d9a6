"""The year's documents as PDF/A-3b: data in, bytes out (no request, no view).

- ``rapport_d_execution(bilan)``: the bilan the council deliberates and the préfet files;
- ``annexe_financiere(tableau)``: one version of a tableau des engagements, to sign;
- ``rapports_de_l_annee(bilans)``: every rapport of a year in one zip, for the État's filing.
"""

import io
import zipfile

from django.template.loader import render_to_string
from django.utils import timezone

from fichiers.documents.contenus import contenu_de_l_annexe, contenu_du_rapport
from fichiers.documents.rendu import en_pdf


def nom_du_rapport(bilan, extension: str = "pdf") -> str:
    return f"{bilan.convention.slug}-rapport-d-execution-{bilan.annee}.{extension}"


def nom_de_l_annexe(tableau) -> str:
    return f"{tableau.convention.slug}-annexe-financiere-{tableau.annee_debut}-{tableau.pk}.pdf"


def rapport_d_execution(bilan, *, auteur: str, maintenant=None) -> bytes:
    contenu = contenu_du_rapport(bilan, auteur=auteur, maintenant=maintenant)
    return en_pdf(render_to_string("documents/rapport_d_execution.html", contenu))


def annexe_financiere(tableau, *, auteur: str, maintenant=None) -> bytes:
    contenu = contenu_de_l_annexe(tableau, auteur=auteur, maintenant=maintenant)
    return en_pdf(render_to_string("documents/annexe_financiere.html", contenu))


def rapports_de_l_annee(bilans, *, auteur: str, maintenant=None) -> bytes:
    """One zip, one PDF per bilan, named by convention and year; every document of the zip
    carries the same generation time."""
    maintenant = maintenant or timezone.now()
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        for bilan in bilans:
            archive.writestr(
                nom_du_rapport(bilan),
                rapport_d_execution(bilan, auteur=auteur, maintenant=maintenant),
            )
    return tampon.getvalue()
