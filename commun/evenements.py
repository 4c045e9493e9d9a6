"""The application's events in the server's log, one line each: what happened, who did it,
on what (« bilan transmis par agent (n° 4) : convention=calpa-dijon-2023 annee=2023 »).

Never a file's contents, a password or a session key: the callers pass names, numbers and
counts. The request's identifier, path and user id are added by the log's configuration
(``pauvrete/journal.py``)."""

import logging

journal = logging.getLogger("pauvrete.evenements")


def auteur(qui) -> str:
    """A user as « identifiant (n° id) »; a text as it is; nobody: « système » (a command)."""
    if qui is None:
        return "système"
    if isinstance(qui, str):
        return qui
    if not getattr(qui, "is_authenticated", False):
        return "anonyme"
    return f"{qui.get_username()} (n° {qui.pk})"


def evenement(quoi: str, qui=None, **details) -> None:
    par = auteur(qui)
    precisions = " ".join(f"{cle}={valeur}" for cle, valeur in details.items())
    journal.info(
        "%s par %s%s",
        quoi,
        par,
        f" : {precisions}" if precisions else "",
        extra={"evenement": quoi, "qui": par, "details": details},
    )
