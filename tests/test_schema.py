"""The migrations make exactly the schema the table classes declare, on SQLite and PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.config import Config
from sqlmodel import SQLModel

import roles.storage.tables  # noqa: F401 - registers the tables
from roles.storage.migrate import HEAD, MIGRATIONS, current_revision

from .conftest import database_at


def test_head_names_the_newest_migration():
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD


def test_migrated_database_matches_the_models(engine):
    assert current_revision(engine) == HEAD
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_upgrading_an_old_database_keeps_the_step_links(empty_db_url):
    """A database made at 0001 (links in step_edge) upgrades to `next` lists, order kept."""
    from sqlalchemy import text

    from roles.storage.organisation import load
    from roles.storage.engines import engine_for

    with database_at(empty_db_url, "0001") as conn:
        conn.execute(text("INSERT INTO department (id, name, position) VALUES ('d', '部门', 0)"))
        conn.execute(text("INSERT INTO section (id, department_id, name, kind, counterparts, position) "
                          "VALUES ('s', 'd', '科', 'business', '[]', 0)"))
        conn.execute(text("INSERT INTO process (id, section_id, name, position) VALUES ('p', 's', '流程', 0)"))
        conn.execute(text("INSERT INTO process_version (process_id, version, revision) VALUES ('p', 'after', 1)"))
        for i, (sid, kind) in enumerate((("s1", "task"), ("g", "gateway"), ("s3", "task"), ("s2", "task"))):
            conn.execute(text("INSERT INTO step (process_id, version, id, position, name, kind) "
                              f"VALUES ('p', 'after', '{sid}', {i}, '{sid}', '{kind}')"))
        for src, pos, tgt in (("s1", 0, "g"), ("g", 0, "s3"), ("g", 1, "s2")):
            conn.execute(text("INSERT INTO step_edge (process_id, version, source, position, target) "
                              f"VALUES ('p', 'after', '{src}', {pos}, '{tgt}')"))
    wb = load(engine_for(empty_db_url))
    steps = {s.id: s.next for s in wb.processes[0].after.steps}
    assert steps == {"s1": ("g",), "g": ("s3", "s2"), "s3": (), "s2": ()}
