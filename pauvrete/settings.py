"""Settings of pauvrete, read from the environment.

Development works with no variable set (SQLite file in the project, DEBUG on). Production sets
DEBUG=0 and must then provide SECRET_KEY and ALLOWED_HOSTS, or the application refuses to start.
``make run`` sets LOCAL=1 DEBUG=0: the application as its users see it (French error pages, no
debug page), served on this machine only, with the development defaults it needs to start.
"""

import os
from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from pauvrete.journal import reglages as reglages_du_journal

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


DEBUG = _env_bool("DEBUG", True)
# LOCAL=1 (make run): a server on this machine only, over plain http. With DEBUG off it may use
# the development key, answers to the loopback names only, serves its static files itself
# (whitenoise, from the source folders) and prints e-mails on the console.
LOCAL = _env_bool("LOCAL", False)
DEVELOPPEMENT = DEBUG or LOCAL

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEVELOPPEMENT:
        raise ImproperlyConfigured("SECRET_KEY doit être défini quand DEBUG est désactivé.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if DEVELOPPEMENT and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    "pauvrete.apps.AdministrationConfig",  # django.contrib.admin, on our site (administration.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "simple_history",
    "import_export",
    "commun",
    "pauvrete.apps.ConnexionsBloqueesConfig",  # django-axes, named apart from the « Axes »
    "csp",
    "conventions",
    "bilans",
    "controles",
    "comptes",
    "fichiers",
    "pages",
    "outils",
]

MIDDLEWARE = [
    # First: every request gets its identifier (X-Request-ID) before anything can log or fail.
    "pauvrete.journal.IdentifiantDeRequete",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pauvrete.sessions.SessionsQuiExpirent",  # « votre session a pris fin… » on the login page
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pauvrete.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "pauvrete.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}

# SQLite, the embedded default, serves several gunicorn workers from one file: every transaction
# takes the write lock when it begins (IMMEDIATE) and waits up to 20 s for it, instead of failing
# with « database is locked » when two saves upgrade their read locks at the same instant; the
# loser of a race then reads the winner's row and gets the usual refusal (409). WAL lets pages
# read while a save writes (synchronous stays FULL: a committed amount survives a power cut).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=20,
        init_command="PRAGMA journal_mode=WAL;",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes checks every login (both login pages) before the password is compared.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# An idle session ends after SESSION_COOKIE_AGE seconds (8 hours by default): saved at every
# request, its end moves back each time the user does something (pauvrete/sessions.py).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "conventions:tableau_de_bord"
LOGOUT_REDIRECT_URL = "login"

# Password reset e-mails: printed on the console in development, SMTP in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEVELOPPEMENT
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "pauvrete@localhost")

# The server's log (pauvrete/journal.py): standard output, LOG_LEVEL and above, one JSON object
# per line with LOG_FORMAT=json; each line of a request with its X-Request-ID.
LOGGING = reglages_du_journal(
    os.environ.get("LOG_LEVEL", "INFO"), os.environ.get("LOG_FORMAT", "texte")
)
# Errors by e-mail (Django's mail_admins, DEBUG off): ADMINS="Nom <adresse>, Autre <adresse2>".
ADMINS = [
    (nom or adresse, adresse)
    for nom, adresse in getaddresses([os.environ.get("ADMINS", "")])
    if "@" in adresse
]
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = "[pauvrete] "

# Error tracking (sentry-sdk), only when SENTRY_DSN is set: nothing is loaded or sent otherwise.
# No personal data sent (send_default_pii off): the user's id, not their name or address.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
        traces_sample_rate=0,
    )

DJANGO_TABLES2_TABLE_ATTRS = {"class": "tableau-donnees"}

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic gathers the files whitenoise serves (make serve); a deployment may move it.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
# whitenoise serves the static files under gunicorn (make serve): no web server needed for them.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# make run (DEBUG off): whitenoise reads static/ itself, as it does by default when DEBUG is on
# (no collectstatic), and sees a CSS file edited.
if LOCAL:
    WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = True

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Production hardening (Django's deployment checklist) when DEBUG is off. HTTPS=0 is only for a
# production-like server on this machine, reached over plain http (make run, make serve, load
# tests); LOCAL=1 implies it.
HTTPS = _env_bool("HTTPS", not LOCAL)
if not DEBUG:
    SESSION_COOKIE_SECURE = HTTPS
    CSRF_COOKIE_SECURE = HTTPS
    SECURE_SSL_REDIRECT = HTTPS and _env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if HTTPS else 0
    SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
    SECURE_HSTS_PRELOAD = HTTPS
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # A load balancer asks /sante/ over plain http, on the server's own address.
    SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# Login throttling (django-axes): 5 failures for one identifiant from one address lock that pair
# for 15 minutes, on /compte/connexion/ and /admin/login/ alike; a successful login resets the
# count, an administrator unlocks from the admin (« Tentatives d'accès »). Behind a reverse proxy,
# PROXIES_DE_CONFIANCE says how many proxies append to X-Forwarded-For (pauvrete/connexions.py).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "pauvrete.connexions.reponse_de_blocage"
AXES_CLIENT_IP_CALLABLE = "pauvrete.connexions.adresse_du_client"
PROXIES_DE_CONFIANCE = int(os.environ.get("PROXIES_DE_CONFIANCE", "0"))

# Content-Security-Policy (django-csp): only this site's own files; no inline script or style
# (the templates have none: styles are in static/css), no framing, forms post to this site only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    }
}

# The admin's flat lists imported and exported (django-import-export, classeurs/listes.py):
# xlsx and CSV only, each replaced by its guarded version (the annex reader's size and zip caps);
# texts never exported as formulas; the whole import in one transaction, rolled back when any
# line is invalid; each model's own permissions (« import_engagement », « export_engagement »…),
# given to the roles in conventions/roles.py.
from import_export.formats.base_formats import CSV, XLSX  # noqa: E402

IMPORT_EXPORT_FORMATS = [XLSX, CSV]
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# The address written in e-mails (reminders about bilans): the site as its users reach it.
ADRESSE_DU_SITE = os.environ.get("ADRESSE_DU_SITE", "http://127.0.0.1:8000")
