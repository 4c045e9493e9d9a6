"""``python -m outils.banc [--rapide]``: create a throw-away database, measure, write the report.

The database is PostgreSQL when one answers on 127.0.0.1:5432 (as in production), SQLite in a
temporary directory otherwise or with ``--base sqlite``; it is dropped at the end. The settings
are production's (``DEBUG=0``): what is measured is what users get.
"""

import argparse
import os
import secrets
import socket
import sys
import tempfile
import warnings
from contextlib import contextmanager
from pathlib import Path

RACINE = Path(__file__).resolve().parents[2]


def _postgres_repond() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def base_jetable(genre: str):
    """Yield the URL of an empty database, dropped afterwards."""
    if genre == "postgresql":
        import psycopg

        nom = f"pauvrete_banc_{os.getpid()}"
        admin = "postgres://postgres@127.0.0.1:5432/postgres"
        with psycopg.connect(admin, autocommit=True) as connexion:
            connexion.execute(f'DROP DATABASE IF EXISTS "{nom}"')
            connexion.execute(f'CREATE DATABASE "{nom}"')
        try:
            yield f"postgres://postgres@127.0.0.1:5432/{nom}"
        finally:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin, autocommit=True) as connexion:
                connexion.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')
    else:
        with tempfile.TemporaryDirectory(prefix="pauvrete-banc-") as dossier:
            yield f"sqlite:///{dossier}/banc.sqlite3"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m outils.banc", description=__doc__)
    parser.add_argument(
        "--rapide", action="store_true", help="petite taille, deux répétitions (CI)"
    )
    parser.add_argument("--territoires", type=int)
    parser.add_argument("--annees", type=int)
    parser.add_argument("--repetitions", type=int)
    parser.add_argument("--base", choices=["auto", "postgresql", "sqlite"], default="auto")
    parser.add_argument(
        "--sortie",
        type=Path,
        help="rapport Markdown (docs/performance.md par défaut ; aucun en mode rapide)",
    )
    options = parser.parse_args(argv)
    territoires = options.territoires or (3 if options.rapide else 120)
    annees = options.annees or (2 if options.rapide else 6)
    repetitions = options.repetitions or (2 if options.rapide else 5)
    sortie = options.sortie or (None if options.rapide else RACINE / "docs" / "performance.md")
    genre = options.base
    if genre == "auto":
        genre = "sqlite" if options.rapide or not _postgres_repond() else "postgresql"

    with base_jetable(genre) as url:
        os.environ.update(
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="pauvrete.settings",
            DEBUG="0",
            HTTPS="0",
            ALLOWED_HOSTS="testserver,127.0.0.1",  # 127.0.0.1: the export by HTTP
            SECRET_KEY=secrets.token_urlsafe(50),
            # Persistent connections, as the README advises for production.
            CONN_MAX_AGE="600",
            # Standard output is the report (and each measuring process's JSON): the log, which
            # goes there too, keeps only errors (not a line per import measured).
            LOG_LEVEL="ERROR",
        )
        sys.path.insert(0, str(RACINE))
        import django

        # No collectstatic in a throw-away run: whitenoise's warning about it is noise here.
        warnings.filterwarnings("ignore", message="No directory at")
        django.setup()
        from .mesures import Banc

        banc = Banc(territoires=territoires, annees=annees, repetitions=repetitions, base=genre)
        rapport = banc.lancer(journal=lambda texte: print(texte, file=sys.stderr, flush=True))
    sys.stdout.write(rapport.markdown())
    if sortie:
        sortie.write_text(rapport.markdown(), encoding="utf-8")
        print(f"Rapport écrit dans {sortie}.", file=sys.stderr)
    if rapport.requetes_qui_varient():
        print(
            "Nombre de requêtes différent selon la taille : "
            + ", ".join(rapport.requetes_qui_varient()),
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
