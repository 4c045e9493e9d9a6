"""A file uploaded for a preview, kept in the session until its confirmation.

What is confirmed is exactly what was previewed: the same bytes, and the fingerprint the
preview computed, so that the confirmation can refuse if the database changed in between.
"""

import base64
from dataclasses import dataclass


@dataclass
class FichierEnAttente:
    contenu: bytes
    nom: str
    empreinte: str | None


def garder(request, cle: str, *, contenu: bytes, nom: str, empreinte: str | None) -> None:
    request.session[cle] = {
        "contenu": base64.b64encode(contenu).decode(),
        "nom": nom,
        "empreinte": empreinte,
    }


def reprendre(request, cle: str) -> FichierEnAttente | None:
    """The waiting file, removed from the session (a confirmation is used once), or None."""
    garde = request.session.pop(cle, None)
    if not isinstance(garde, dict):
        return None
    return FichierEnAttente(base64.b64decode(garde["contenu"]), garde["nom"], garde["empreinte"])
