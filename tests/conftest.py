"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL, the example workbook,
and an in-process CLI runner. `ABFLOW_REQUIRE_SERVICES=1` (set by CI) turns a skip for a missing
PostgreSQL or browser into a failure."""
from __future__ import annotations

import itertools
import json
import os
import sqlite3
from contextlib import closing, contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from flows.model import Version
from roles.storage.database import dispose_all
from roles.storage.engines import engine_for
from roles.actor import Account
from roles.storage.migrate import HEAD, upgrade
from ui.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
#: Real BPMN files of other tools (tests/data/bpmn/SOURCES.md: where each comes from, its licence).
CORPUS = DATA / "bpmn"
BIANBAN = ROOT / "examples" / "bianban.yaml"
REQUIRE = os.environ.get("ABFLOW_REQUIRE_SERVICES") == "1"
#: Who a test acts as where it calls the storage itself (the audit trail names every actor).
TESTER = Account("tester", "office")
PG_URL = os.environ.get("ABFLOW_TEST_PG", "postgresql+psycopg://127.0.0.1:5432/test")
_counter = itertools.count()


@pytest.fixture(scope="session", autouse=True)
def secret_key_file(tmp_path_factory):
    """The run's own secret key file (made on first use), not the user's, for this process and
    every process it starts (CLI runs, app servers, schedulers)."""
    path = tmp_path_factory.mktemp("key") / "secret.key"
    os.environ["ABFLOW_SECRET_KEY_FILE"] = str(path)
    # and its own folder for the backups taken before an upgrade of a PostgreSQL database
    os.environ["ABFLOW_BACKUPS"] = str(tmp_path_factory.mktemp("backups"))
    os.environ.pop("ABFLOW_SECRET_KEY", None)
    return path


def undrawn(v: Version) -> Version:
    """The version without its kept diagram places: what a layout-independent comparison needs."""
    return Version(tuple(replace(s, shape=None) for s in as_written(v).steps))


def as_written(v: Version) -> Version:
    """The version with the elements it keeps as read (a sub-process's inner ones) in the form an
    export writes them: a file's own prefixes and references outside them are no part of it."""
    from flows.bpmn import inside_text
    return replace(v, steps=tuple(replace(s, inside=inside_text(s.inside)) for s in v.steps))


def together(n: int, run, *expected: type[BaseException]) -> list[BaseException]:
    """Call `run(i)` for i < n in n threads let go at the same moment; the errors they raised,
    other than the `expected` kinds."""
    import threading
    gate, errors = threading.Barrier(n), []

    def one(i: int) -> None:
        gate.wait()
        try:
            run(i)
        except expected:
            pass
        except Exception as e:  # noqa: BLE001 - any other error is the test's failure
            errors.append(e)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return errors


def require(available: bool, what: str) -> None:
    """Skip where a service is missing on a developer's machine; fail in CI."""
    if not available:
        if REQUIRE:
            pytest.fail(f"{what} is required (ABFLOW_REQUIRE_SERVICES=1) but not available")
        pytest.skip(f"{what} not available")


@pytest.fixture(scope="session")
def pg_database():
    """A database of our own on the local PostgreSQL server, dropped at the end."""
    name = f"abflow_test_{os.getpid()}"
    try:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            c.execute(text(f"CREATE DATABASE {name}"))
    except Exception as e:  # noqa: BLE001 - any failure means: no PostgreSQL here
        require(False, f"PostgreSQL at {PG_URL} ({type(e).__name__})")
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


class _Migrated:
    """The schema as the migrations make it, made once a run and then handed to each test anew:
    on SQLite a copy of a migrated file, on PostgreSQL its tables emptied and the rows the
    migrations put there put back (one TRUNCATE; migrating again costs a quarter of a second a
    test, which the suite's 667 database tests paid). A test that leaves another schema behind
    (an old revision, a restore) gets the next one migrated afresh."""

    def __init__(self, url: str):
        self.url = url
        self.engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)  # a test may cut connections
        self._migrate()
        with self.engine.connect() as c:
            self.tables = set(inspect(c).get_table_names()) - {"alembic_version"}
            rows = {t: [dict(r._mapping) for r in c.execute(text(f'SELECT * FROM "{t}"'))] for t in self.tables}
        self.seeded = {t: made for t, made in rows.items() if made}

    def fresh(self) -> None:
        with self.engine.connect() as c:
            if (set(inspect(c).get_table_names()) == self.tables | {"alembic_version"}
                    and c.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD):
                c.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in sorted(self.tables)) + " RESTART IDENTITY CASCADE"))
                for t, rows in self.seeded.items():
                    names = list(rows[0])
                    c.execute(text(f'INSERT INTO "{t}" ({", ".join(names)}) VALUES ({", ".join(":" + n for n in names)})'), rows)
                return
        self._migrate()

    def _migrate(self) -> None:
        _empty(self.engine)
        engine = create_engine(self.url)  # migrations run in one transaction of their own
        upgrade(engine)
        engine.dispose()


def _empty(engine) -> None:
    with engine.connect() as c:
        c.execute(text("DROP SCHEMA public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def pg_migrated(pg_database):
    migrated = _Migrated(pg_database)
    yield migrated
    migrated.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_migrated(tmp_path_factory):
    """A migrated SQLite file, copied page by page (sqlite3's backup, WAL or not) for each test."""
    path = tmp_path_factory.mktemp("template") / "abflow.db"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    source = sqlite3.connect(path)
    yield source
    source.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """URL of a database at the current schema, with no data."""
    if request.param == "sqlite":
        path = tmp_path / "abflow.db"
        with closing(sqlite3.connect(path)) as copy:
            request.getfixturevalue("sqlite_migrated").backup(copy)
        url = f"sqlite:///{path}"
    else:
        migrated = request.getfixturevalue("pg_migrated")
        migrated.fresh()
        url = _distinct(migrated.url)
    yield url
    dispose_all()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request, tmp_path):
    """URL of an empty database, no schema: for a test that makes an older one to upgrade."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'abflow.db'}"
    else:
        base = request.getfixturevalue("pg_database")
        engine = create_engine(base, isolation_level="AUTOCOMMIT")
        _empty(engine)
        engine.dispose()
        url = _distinct(base)
    yield url
    dispose_all()


def _distinct(url: str) -> str:
    """A distinct URL per test, so the engine cache of roles.storage.engines starts afresh."""
    return f"{url}?application_name=abflow_test_{next(_counter)}"


@pytest.fixture
def engine(db_url):
    return engine_for(db_url)


@contextmanager
def database_at(db_url: str, revision: str):
    """A database made at an older schema `revision`, for the caller to fill as an older abflow
    would have; the code under test upgrades it on its first use."""
    from alembic import command
    from alembic.config import Config

    from roles.storage.migrate import MIGRATIONS
    old = create_engine(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with old.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        yield conn
    old.dispose()


def load_file(engine, path: Path, **kw):
    """Import a workbook file as the office would, through the use case."""
    from roles import actions
    return actions.import_workbook(_database(engine), TESTER, data=path.read_bytes(), name=path.name, **kw)


def _database(engine):
    from roles import actions
    return actions.open_database(engine.url.render_as_string(hide_password=False))


def save_workbook(engine, wb, *, source: str = "workbook", user=TESTER):
    """Store an in-memory workbook as the office would, through the use case."""
    from roles import actions
    return actions.save_workbook(_database(engine), user, workbook=wb, source=source)


def stored(engine, write, *args, user=TESTER, **kw):
    """Run a storage write (`write(tx, *args, **kw)`) in a unit of work of `user`, committed."""
    with _database(engine).write(user) as tx:
        return write(tx, *args, **kw)


def heavier(db, process_id: str, times: int) -> None:
    """The redesigned steps of a process take `times` as many minutes (the load tests' lever)."""
    import dataclasses
    from roles import actions
    wb = actions.workbook(db, TESTER)
    p = wb.process_by_id[process_id]
    heavy = dataclasses.replace(p.after, steps=tuple(dataclasses.replace(s, minutes=(s.minutes or 0) * times)
                                                     for s in p.after.steps))
    actions.save_workbook(db, TESTER, workbook=dataclasses.replace(
        wb, processes=tuple(dataclasses.replace(x, after=heavy) if x is p else x for x in wb.processes)))


def export_file(engine, name: str) -> bytes:
    """The whole database as a workbook file, exported as the office would."""
    from roles import actions
    return actions.export_workbook(_database(engine), TESTER, name=name)


@pytest.fixture
def bianban(engine):
    """The example workbook (examples/bianban.yaml), imported."""
    load_file(engine, BIANBAN)
    return engine


class Cli:
    def __init__(self, url: str):
        self.url = url
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict | None = None):
        return self.runner.invoke(main, ["--db", self.url, *args], env=env, catch_exceptions=False)

    def json(self, *args: str, env: dict | None = None):
        result = self(*args, "--json", env=env)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def cli(db_url):
    return Cli(db_url)
