"""The migrations make exactly the schema the table classes declare, on SQLite and PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.config import Config
from sqlmodel import SQLModel

import flows.tables  # noqa: F401 - registers the tables
import roles.tables  # noqa: F401
from roles.schema import HEAD, MIGRATIONS, current_revision


def test_head_names_the_newest_migration():
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD


def test_migrated_database_matches_the_models(engine):
    assert current_revision(engine) == HEAD
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
