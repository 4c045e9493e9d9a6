"""The five documents loaded once per test session, then copied back into each test that asks.

``loaddata`` of the five documents plus the first history lines (what ``make run`` does) takes
1 to 3 s: deserialising JSON, resolving natural keys, one query per object. Done for each of the
~300 tests that ask for ``documents``, it was half of the suite. Here it runs once per session
(per xdist worker): the loaded rows are copied into tables beside their own (``CREATE TABLE … AS
SELECT``), then removed, so that a test that does not ask for the documents still starts from an
empty database. A test that asks gets them back with one ``INSERT … SELECT`` per table: the same
rows, the same keys, in a few milliseconds, on SQLite and PostgreSQL alike.

The copies are not models: Django's ``flush`` (after a transactional test) leaves them alone.
"""

from dataclasses import dataclass

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

PREFIXE = "socle_de_test__"


@dataclass(frozen=True)
class Copie:
    modele: type
    table: str
    colonnes: tuple[str, ...]

    @property
    def copie(self) -> str:
        return PREFIXE + self.table


_copies: list[Copie] = []


def _tables():
    """(model, table, primary key column) of every concrete table, many-to-many ones included."""
    vues = set()
    for modele in apps.get_models(include_auto_created=True):
        meta = modele._meta
        if meta.proxy or not meta.managed or meta.db_table in vues:
            continue
        vues.add(meta.db_table)
        yield modele, meta.db_table, meta.pk.column


def _litteral(valeur) -> str:
    """A key as SQL text: a number, or a quoted code (a département's « 2A »)."""
    if isinstance(valeur, int):
        return str(valeur)
    return "'" + str(valeur).replace("'", "''") + "'"


def photographier(charger) -> int:
    """Run ``charger()`` once, keep a copy of every row it wrote, then remove those rows.

    Only rows added by ``charger`` are kept: the content types and permissions that ``migrate``
    wrote stay where they are (``charger`` must not change a row that was already there)."""
    q = connection.ops.quote_name
    _copies.clear()
    with connection.cursor() as curseur:
        existantes = set(connection.introspection.table_names(curseur))
        for nom in sorted(t for t in existantes if t.startswith(PREFIXE)):
            curseur.execute(f"DROP TABLE {q(nom)}")
        with transaction.atomic():
            avant = {}
            for _modele, table, cle in _tables():
                curseur.execute(f"SELECT COUNT(*), MAX({q(cle)}) FROM {q(table)}")
                avant[table] = curseur.fetchone()
            charger()
            for modele, table, cle in _tables():
                nombre, maximum = avant[table]
                # The new rows of a table migrate already filled: keys past its largest one.
                condition = f" WHERE {q(cle)} > {_litteral(maximum)}" if nombre else ""
                curseur.execute(f"SELECT COUNT(*) FROM {q(table)}{condition}")
                if not curseur.fetchone()[0]:
                    continue
                curseur.execute(
                    f"CREATE TABLE {q(PREFIXE + table)} AS SELECT * FROM {q(table)}{condition}"
                )
                curseur.execute(f"DELETE FROM {q(table)}{condition}")
                colonnes = tuple(
                    c.name for c in connection.introspection.get_table_description(curseur, table)
                )
                _copies.append(Copie(modele, table, colonnes))
            for _modele, table, cle in _tables():
                curseur.execute(f"SELECT COUNT(*), MAX({q(cle)}) FROM {q(table)}")
                if curseur.fetchone() != avant[table]:
                    raise RuntimeError(f"le chargement a modifié des lignes existantes de {table}")
    return len(_copies)


def restaurer() -> None:
    """Put the copied rows back, then move PostgreSQL's sequences past them (as loaddata does)."""
    if not _copies:
        raise RuntimeError("le socle de test n'a pas été photographié (django_db_setup)")
    q = connection.ops.quote_name
    with connection.cursor() as curseur:
        for copie in _copies:
            colonnes = ", ".join(q(c) for c in copie.colonnes)
            curseur.execute(
                f"INSERT INTO {q(copie.table)} ({colonnes}) SELECT {colonnes} FROM {q(copie.copie)}"
            )
        sequences = connection.ops.sequence_reset_sql(no_style(), [c.modele for c in _copies])
        if sequences:
            curseur.execute("; ".join(sequences))
