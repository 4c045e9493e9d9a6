"""The server's log: one line per event on standard output, every request with its identifier.

``IdentifiantDeRequete`` (first middleware) gives each request an identifier — the one a proxy
sent in ``X-Request-ID`` when it is sane, a new one otherwise — returned in the response's
``X-Request-ID`` header and written on every line logged while the request runs, with its method,
path and user id. An unhandled error (Django's ``django.request``) is thus one record with its
traceback and the identifier the user can quote. ``reglages()`` builds ``settings.LOGGING`` from
``LOG_LEVEL`` and ``LOG_FORMAT`` (``json``: one JSON object per line).

Nothing secret is written: no request body, no cookie, no header but the identifier; the user is
their id. Django's error e-mails (``ADMINS``) filter the request's data themselves.
"""

import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import datetime

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.functional import empty

ENTETE = "X-Request-ID"
# An incoming identifier is kept only if it is short and plain (no spaces, quotes or newlines
# that would forge log lines).
IDENTIFIANT_SAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

CONTROLE = re.compile(r"[\x00-\x1f\x7f]")
NIVEAUX = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

_requete: ContextVar[HttpRequest | None] = ContextVar("requete", default=None)


def identifiant_de(request) -> str:
    propose = request.META.get("HTTP_X_REQUEST_ID", "")
    return propose if IDENTIFIANT_SAIN.fullmatch(propose) else uuid.uuid4().hex


class IdentifiantDeRequete:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.identifiant = identifiant_de(request)
        jeton = _requete.set(request)
        try:
            reponse = self.get_response(request)
        finally:
            _requete.reset(jeton)
        reponse[ENTETE] = request.identifiant
        return reponse


def utilisateur_connu(request):
    """The request's user if something has already read it, else None: no query here (the
    database may be what failed)."""
    utilisateur = request.__dict__.get("user")
    utilisateur = getattr(utilisateur, "_wrapped", utilisateur)  # the lazy object's content
    return None if utilisateur is empty else utilisateur


def _contexte(record) -> dict:
    request = getattr(record, "request", None)
    if not isinstance(request, HttpRequest):  # runserver's records carry a socket there
        request = _requete.get()
    if request is None:
        return {}
    utilisateur = utilisateur_connu(request)
    if utilisateur is None and record.levelno >= logging.ERROR:
        try:  # an error: worth one query to say whose request failed, if the database answers
            utilisateur = request.user if request.user.is_authenticated else None
        except Exception:
            utilisateur = None
    return {
        "request_id": getattr(request, "identifiant", None),
        "method": request.method,
        # A path's control characters (« %0A ») escaped: no forged line in the log.
        "path": CONTROLE.sub(lambda m: f"\\x{ord(m.group()):02x}", request.path),
        "user_id": utilisateur.pk if getattr(utilisateur, "is_authenticated", False) else None,
    }


def _moment(record) -> str:
    """The record's time, ISO 8601 with its offset: 2026-12-05T23:41:07.123+01:00."""
    return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


class FiltreDeContexte(logging.Filter):
    """Writes the current request's identifier, method, path and user id on the record (read
    when it is emitted, inside the request)."""

    def filter(self, record):
        if not hasattr(record, "contexte"):
            record.contexte = _contexte(record)
        return True


class Texte(logging.Formatter):
    """``2026-12-05T23:41:07.123+01:00 ERROR django.request [req=… user=12 GET /chemin/] message``,
    then the traceback, if any, on the following lines."""

    def format(self, record):
        contexte = getattr(record, "contexte", None) or _contexte(record)
        debut = f"{_moment(record)} {record.levelname} {record.name}"
        if contexte:
            utilisateur = contexte["user_id"] or "-"
            debut += (
                f" [req={contexte['request_id']} user={utilisateur} "
                f"{contexte['method']} {contexte['path']}]"
            )
        ligne = f"{debut} {record.getMessage()}"
        if record.exc_info:
            ligne += "\n" + self.formatException(record.exc_info)
        return ligne


class Json(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's context, the
    event's details, the traceback as one string."""

    def format(self, record):
        contexte = getattr(record, "contexte", None) or _contexte(record)
        donnees = {
            "time": _moment(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **{cle: valeur for cle, valeur in contexte.items() if valeur is not None},
        }
        for cle in ("evenement", "qui", "details"):
            if hasattr(record, cle):
                donnees[cle] = getattr(record, cle)
        if record.exc_info:
            donnees["traceback"] = self.formatException(record.exc_info)
        return json.dumps(donnees, ensure_ascii=False, default=str)


class SortieStandard(logging.StreamHandler):
    """Standard output as it is when a line is written (a test runner swaps it)."""

    def __init__(self):
        super().__init__(sys.stdout)

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _valeur):
        pass


def reglages(niveau: str, format_: str) -> dict:
    """``settings.LOGGING``: every record of ``niveau`` and above on standard output; Django's
    errors also by e-mail to ``ADMINS`` when ``DEBUG`` is off (Django's own handler)."""
    niveau, format_ = niveau.strip().upper(), format_.strip().lower()
    if niveau not in NIVEAUX:
        raise ImproperlyConfigured(
            f"LOG_LEVEL doit valoir {', '.join(NIVEAUX)} (reçu « {niveau.lower()} »)."
        )
    if format_ not in {"texte", "text", "json"}:
        raise ImproperlyConfigured(f"LOG_FORMAT doit valoir texte ou json (reçu « {format_} »).")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "contexte": {"()": FiltreDeContexte},
            "sans_debug": {"()": "django.utils.log.RequireDebugFalse"},
        },
        "formatters": {"texte": {"()": Texte}, "json": {"()": Json}},
        "handlers": {
            "sortie": {
                "()": SortieStandard,
                "filters": ["contexte"],
                "formatter": "json" if format_ == "json" else "texte",
            },
            "courriel": {
                "class": "django.utils.log.AdminEmailHandler",
                "level": "ERROR",
                "filters": ["sans_debug"],
            },
        },
        "root": {"handlers": ["sortie"], "level": niveau},
        # Django's records go up to the root's output; its errors are also mailed.
        "loggers": {
            "django": {"handlers": ["courriel"], "level": niveau},
            # django-axes says INFO at every start and failed login; its lockouts are WARNING
            # (and ours, « connexion bloquée », INFO in pauvrete.evenements).
            "axes": {"level": "WARNING" if niveau in {"DEBUG", "INFO"} else niveau},
            # WeasyPrint tells each step of every PDF at INFO, fontTools each font it subsets:
            # their warnings only, not seven lines a document.
            "weasyprint": {"level": "WARNING" if niveau in {"DEBUG", "INFO"} else niveau},
            "fontTools": {"level": "WARNING" if niveau in {"DEBUG", "INFO"} else niveau},
        },
    }


def verrouillage(sender, request=None, username=None, ip_address=None, **kwargs):
    """django-axes' ``user_locked_out``: one line saying which identifiant, from where."""
    from commun.evenements import evenement

    evenement("connexion bloquée", f"« {username} » depuis {ip_address}")
