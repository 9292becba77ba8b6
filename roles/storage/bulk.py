"""Bulk inserts for imports: COPY on PostgreSQL, executemany elsewhere.

psycopg 3 sends an executemany row by row (pipelined); a city-wide import is some 100,000 rows,
and COPY loads them several times faster in the same transaction. SQLite's executemany is
already fast."""
from __future__ import annotations

import itertools
import json
import operator
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import JSON, Table, insert, literal, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlmodel import SQLModel


def table_of(row: type[SQLModel]) -> Table:
    """A table class's Core table, typed: the stores work on Core rows, not ORM objects."""
    return row.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table classes


def bulk_insert(session: Session, table: Table | type[SQLModel], rows: Iterable[dict]) -> None:
    """Insert `rows` into `table` (a Core table, or a table class) in the caller's transaction.
    `rows` may be made as they go: they are written a block at a time, so a province's 600,000
    steps are never all held as rows at once."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    rows = itertools.chain((first,), rows)
    if not isinstance(table, Table):
        table = table_of(table)
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        while block := list(itertools.islice(rows, BLOCK)):
            conn.execute(insert(table), block)
        return
    columns = [c for c in table.columns if c.name in first]
    as_json = [isinstance(c.type, JSON) for c in columns]
    names = ", ".join(conn.dialect.identifier_preparer.quote(c.name) for c in columns)
    quoted = conn.dialect.identifier_preparer.format_table(table)
    raw: Any = conn.connection.dbapi_connection  # psycopg's own connection: COPY is its API, not DB-API's
    get = operator.itemgetter(*(c.name for c in columns))  # a row's values in column order, at C speed
    json_at = [i for i, j in enumerate(as_json) if j]
    with raw.cursor() as cur, cur.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:
        for r in rows:
            values = list(get(r)) if len(columns) > 1 else [get(r)]
            for i in json_at:
                v = values[i]
                values[i] = "null" if v is None else "[]" if v == [] else _json(v)
            copy.write_row(values)


#: One encoder for every JSON value: `json.dumps` with options builds a new one per call.
_json = json.JSONEncoder(ensure_ascii=False).encode

#: Rows SQLite is given at a time.
BLOCK = 5000


@contextmanager
def checked_after(session: Session, tables: Iterable[type[SQLModel]]) -> Iterator[None]:
    """A first import into empty `tables` on PostgreSQL: their foreign keys checked once, after
    the rows are in, by one join each, rather than row by row as COPY goes (a province's steps took
    15 s with them, 3 s without). The same keys are put back (`pg_get_constraintdef`); a row that
    breaks one fails the import, and the transaction takes the drop back with everything else.
    The tables stay locked to others until the import commits: only where they hold nothing yet.
    A role that does not own them may not drop their keys; its import checks them row by row."""
    cores = [table_of(t) for t in tables]
    if session.connection().dialect.name != "postgresql" or any(
            session.execute(select(literal(1)).select_from(t).limit(1)).first() for t in cores):
        yield
        return
    keys = session.execute(text("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                                "WHERE contype = 'f' AND conrelid = ANY(CAST(:names AS regclass[]))"),
                           {"names": [t.name for t in cores]}).all()
    try:
        with session.begin_nested():
            for table, name, _ in keys:
                session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    except DBAPIError:  # a role that may write rows but not own the tables: checked as they go
        yield
        return
    yield
    for table, name, definition in keys:
        session.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
