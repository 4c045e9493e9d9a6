"""A document's HTML made into an archival PDF (PDF/A-3b) by WeasyPrint, with the fonts the
project ships (``polices/``, DejaVu) and the print stylesheet ``templates/documents/``.

WeasyPrint draws its text with Pango, a system library (Debian: ``libpango-1.0-0``,
``libpangoft2-1.0-0``); without it, ``import weasyprint`` fails. That failure is turned into
``MoteurPdfIndisponible`` with a French message naming what is missing, which the pages show
instead of a server error.
"""

from pathlib import Path

from django.conf import settings

POLICES = Path(__file__).resolve().parent / "polices"
FEUILLE_DE_STYLE = Path(settings.BASE_DIR) / "templates" / "documents" / "documents.css"
# (file, weight, style) of the one family the documents use.
FICHIERS_DE_POLICE = [
    ("DejaVuSans.ttf", "normal", "normal"),
    ("DejaVuSans-Bold.ttf", "bold", "normal"),
    ("DejaVuSans-Oblique.ttf", "normal", "italic"),
]
VARIANTE_PDF = "pdf/a-3b"  # the archival variant the préfectures file


class MoteurPdfIndisponible(Exception):
    """WeasyPrint, or a system library it loads (Pango, HarfBuzz, fontconfig), is missing."""


def message_d_indisponibilite(detail: str) -> str:
    return (
        "La fabrication des documents PDF n'est pas disponible sur ce serveur : il lui manque "
        "les bibliothèques système de mise en page du texte (Pango ; paquets Debian "
        "libpango-1.0-0 et libpangoft2-1.0-0), ou la bibliothèque WeasyPrint "
        f"({detail}). L'exploitant les installe (« apt-get install libpango-1.0-0 "
        "libpangoft2-1.0-0 », voir le README) ; en attendant, les chiffres restent dans les "
        "pages de l'application et dans ses classeurs."
    )


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as erreur:  # OSError: « cannot load library 'pango-1.0-0' »
        raise MoteurPdfIndisponible(message_d_indisponibilite(str(erreur))) from erreur
    return weasyprint


def _polices_css() -> str:
    return "\n".join(
        "@font-face { font-family: 'Document'; "
        f"src: url('{(POLICES / fichier).as_uri()}'); "
        f"font-weight: {graisse}; font-style: {style}; }}"
        for fichier, graisse, style in FICHIERS_DE_POLICE
    )


def en_pdf(html: str) -> bytes:
    """The PDF/A-3b of ``html`` (title, author, dates and keywords from its ``<head>``)."""
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    polices = FontConfiguration()
    feuille = weasyprint.CSS(
        string=_polices_css() + "\n" + FEUILLE_DE_STYLE.read_text(encoding="utf-8"),
        font_config=polices,
    )
    return weasyprint.HTML(string=html, base_url=str(POLICES)).write_pdf(
        stylesheets=[feuille], font_config=polices, pdf_variant=VARIANTE_PDF
    )
