"""Text as people type it: « acces » finds « accès », « ZÉRO » finds « zéro ».

``sans_accents`` folds a text in Python; ``SansAccents`` folds a column the same way in the
database (PostgreSQL's ``translate``; on SQLite, the same Python function registered on each
connection), so that no extension and no extra column are needed.
"""

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func

ACCENTUES = "àâäáãåāçćèéêëēęìíîïīñńòóôöõøōùúûüūýÿœæ"
SIMPLES = "aaaaaaacceeeeeeiiiiinnooooooouuuuuyyoa"
TABLE = str.maketrans(ACCENTUES, SIMPLES)


def sans_accents(texte) -> str:
    return "" if texte is None else str(texte).lower().translate(TABLE)


class SansAccents(Func):
    """A column lowered and stripped of its accents, to compare with ``sans_accents(texte)``."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="SANS_ACCENTS", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template=f"translate(lower(%(expressions)s), '{ACCENTUES}', '{SIMPLES}')",
            **extra,
        )


def enregistrer_sur_sqlite(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("SANS_ACCENTS", 1, sans_accents, deterministic=True)


connection_created.connect(enregistrer_sur_sqlite, dispatch_uid="pauvrete.sans_accents")
