"""How SQLAlchemy reaches a database: its connection settings, its schema, and the write
transaction every store module shares. The `Database` handle over it is roles.storage.database.

The URL comes from roles.storage.address. The schema is created or upgraded on first use.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlmodel import Session

from flows.errors import Conflict, DatabaseUnavailable
from roles.storage.address import resolve_url, safe
from roles.storage.migrate import upgrade


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # Let SQLAlchemy, not the sqlite3 module, say when transactions begin: the module's own
    # handling commits before DDL, and a migration that fails half-way must leave nothing behind.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")  # the app and the scheduler share the file
    cur.close()


def _json_loads(data: str | bytes):
    """JSON from PostgreSQL, most of it an empty list or null (a step's branches, its drawing):
    those without the parser, the rest parsed from text (not bytes, which json sniffs first)."""
    if data in (b"[]", "[]"):
        return []
    if data in (b"null", "null"):
        return None
    return json.loads(data.decode() if isinstance(data, bytes) else data)


def _pg_json(dbapi_conn, _record) -> None:
    from psycopg.types.json import set_json_loads
    set_json_loads(_json_loads, dbapi_conn)


#: What a database raises mid-way when it fails (a lost connection, a server gone): the front
#: ends report it as exit 3 without knowing the driver.
DATABASE_ERRORS = (DBAPIError,)


_engines: dict[str, Engine] = {}


def _begin(conn) -> None:
    """A write transaction takes SQLite's write lock at once (IMMEDIATE): a second writer then
    waits for the first (busy_timeout), instead of failing half-way when it upgrades its read."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("abflow_write") else "BEGIN")


@contextmanager
def writing(engine: Engine, exclusive: bool = False) -> Iterator[Session]:
    """A session in a write transaction, committed at the end, rolled back on any error.
    `exclusive` (imports) also waits for any other exclusive writer on PostgreSQL, where row
    locks alone would let two imports of the same departments collide."""
    try:
        with Session(engine.execution_options(abflow_write=True)) as s, s.begin():
            if exclusive and engine.dialect.name == "postgresql":
                s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK})
            yield s
    except OperationalError as e:
        if "locked" not in str(e.orig):
            raise
        raise Conflict("another import or change is still being written; nothing was changed, "
                       "try again when it has finished") from None


_IMPORT_LOCK = 0x61626677  # "abfw": one number every abflow process agrees on


def engine_for(url: str | None = None) -> Engine:
    """An engine on the current schema, made once per URL and process."""
    url = resolve_url(url)
    if url in _engines:
        return _engines[url]
    try:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url)
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _begin)
            with engine.connect() as conn:  # outside a transaction: the raw cursor does not begin one
                conn.connection.cursor().execute("PRAGMA journal_mode=WAL")
        else:
            engine = create_engine(url, pool_pre_ping=True)
            event.listen(engine, "connect", _pg_json)
        upgrade(engine)
    except (DBAPIError, SQLAlchemyError, sqlite3.Error, OSError, ImportError) as e:
        raise DatabaseUnavailable(f"database {safe(url)}: {_first_line(e)}") from e
    _engines[url] = engine
    return engine


def dispose_engines() -> None:
    """Close every pooled connection and forget the engines."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


def _first_line(e: Exception) -> str:
    text = str(getattr(e, "orig", None) or e).strip()
    return text.splitlines()[0] if text else type(e).__name__
