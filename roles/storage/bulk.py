"""Bulk inserts for imports: COPY on PostgreSQL, executemany elsewhere.

psycopg 3 sends an executemany row by row (pipelined); a city-wide import is some 100,000 rows,
and COPY loads them several times faster in the same transaction. SQLite's executemany is
already fast."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, Table, insert
from sqlalchemy.orm import Session
from sqlmodel import SQLModel


def table_of(row: type[SQLModel]) -> Table:
    """A table class's Core table, typed: the stores work on Core rows, not ORM objects."""
    return row.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table classes


def bulk_insert(session: Session, table: Table | type[SQLModel], rows: list[dict]) -> None:
    """Insert `rows` into `table` (a Core table, or a table class) in the caller's transaction."""
    if not rows:
        return
    if not isinstance(table, Table):
        table = table_of(table)
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    columns = [c for c in table.columns if c.name in rows[0]]
    as_json = [isinstance(c.type, JSON) for c in columns]
    names = ", ".join(conn.dialect.identifier_preparer.quote(c.name) for c in columns)
    quoted = conn.dialect.identifier_preparer.format_table(table)
    raw: Any = conn.connection.dbapi_connection  # psycopg's own connection: COPY is its API, not DB-API's
    with raw.cursor() as cur, cur.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row([json.dumps(r[c.name], ensure_ascii=False) if j else r[c.name]
                            for c, j in zip(columns, as_json, strict=True)])
