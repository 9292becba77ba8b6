"""Bring a database to the current schema through Alembic migrations.

Checked on every start, so it must be cheap when nothing is to do: one query of the stored
revision; Alembic itself is only imported when an upgrade is due. `HEAD` is read without
SQLAlchemy too: the bare read path (roles.storage.lean) checks the revision with it.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest migration's revision id; tests/test_schema.py checks it against the scripts.
HEAD = "0037"


class ForeignKeysBroken(RuntimeError):
    """Rows that refer to rows not there: the transaction that made them is not committed."""


def current_revision(engine: Engine) -> str | None:
    from sqlalchemy import inspect, text
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> None:
    """Bring the schema to HEAD; a database that holds an older one is backed up first
    (`backup_before`), and a migration that fails commits nothing."""
    current = current_revision(engine)
    if current == HEAD:
        return
    kept = backup_before(engine, current) if current is not None else None
    with migrating(engine) as conn:
        to_revision(conn, "head")
    if kept is not None:
        from roles.storage.audit import record
        record(engine, "system:upgrade", "upgrade", f"schema {current} to {HEAD}", {"backup": str(kept)})


def backup_before(engine: Engine, current: str) -> Path:
    """A backup of a database about to be upgraded from schema `current`: beside its file for
    SQLite, else in ABFLOW_BACKUPS (default: the user's data folder), named by both schemas and
    the time. `abflow restore` brings it back into an empty database of this release."""
    import datetime as dt
    import logging
    import os

    from roles.storage.address import sqlite_path
    from roles.storage.backup import backup
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    db_file = sqlite_path(engine.url.render_as_string(hide_password=False)) if engine.dialect.name == "sqlite" else None
    if db_file is not None:
        target = db_file.with_name(f"{db_file.name}.schema-{current}-to-{HEAD}.{stamp}.backup")
    else:
        from platformdirs import user_data_dir
        folder = Path(os.environ.get("ABFLOW_BACKUPS") or Path(user_data_dir("abflow", appauthor=False)) / "backups")
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{engine.url.database or 'abflow'}.schema-{current}-to-{HEAD}.{stamp}.backup"
    backup(engine, target, "system:upgrade", revision=current)
    logging.getLogger(__name__).warning("database on schema %s backed up to %s before its upgrade to %s",
                                        current, target, HEAD)
    return target


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction for schema changes, committed only when every foreign key
    still holds: a migration (or a restore) that fails half-way leaves nothing behind."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            # SQLite alters a table by copying it, which foreign keys would refuse half-way; switch
            # them off (only possible outside a transaction) and check them all before committing.
            conn.connection.cursor().execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                yield conn
                if sqlite and (bad := conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()):
                    raise ForeignKeysBroken(f"foreign keys broken: {bad[:3]}")
        finally:
            if sqlite:
                conn.connection.cursor().execute("PRAGMA foreign_keys=ON")


def to_revision(conn: Connection, revision: str) -> None:
    """Bring the schema on `conn` up to `revision` ("head": the newest)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)
