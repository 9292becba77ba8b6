"""Bulk inserts for imports: COPY on PostgreSQL, executemany elsewhere.

psycopg 3 sends an executemany row by row (pipelined); a city-wide import is some 100,000 rows,
and COPY loads them several times faster in the same transaction. SQLite's executemany is
already fast."""
from __future__ import annotations

import itertools
import json
import operator
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, Table, insert
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
                values[i] = "null" if v is None else "[]" if v == [] else json.dumps(v, ensure_ascii=False)
            copy.write_row(values)


#: Rows SQLite is given at a time.
BLOCK = 5000
