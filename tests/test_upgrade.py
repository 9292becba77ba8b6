"""A database written by the release before (0.1.0, schema 0024) upgrades to this one with its data:
that release is checked out of this repository's history into a temporary folder (git worktree)
and, run as it was, fills a database with a generated city, accounts, absences, handovers and
their audit trail; this release then opens it (backing it up first), and its roster, gaps, stats,
audit check and sign-in answer as the old release did, and so does the backup, restored. On SQLite
and PostgreSQL."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .browser import ABFLOW
from .conftest import ROOT

#: The migration the release after 0.1.0 added: the release before is its parent commit.
FIRST_AFTER = "roles/storage/migrations/versions/0025_review.py"
DAY, UNTIL = "2026-11-25", "2026-12-04"

#: Run in the old release's folder, with its own code: the city, an office account, absences
#: (the city's own), handovers opened for them.
FILL = """
import datetime as dt, sys
from bench.city import city_workbook, BENCH
from roles import actions
from roles.formats import workbook_files as formats
from roles.formats.workbook import to_tree
db = actions.open_database(sys.argv[1])
data = formats.write_tree(to_tree(city_workbook(dt.date(2026, 11, 25), seed=5, departments=4, processes=60)), "city.json")
actions.import_workbook(db, BENCH, data=data, name="city.json")
actions.add_account(db, BENCH, username="office1", password="office-pass-1", role="office")
actions.open_handovers(db, BENCH, today=dt.date(2026, 11, 25))
"""


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope="module")
def old_release(tmp_path_factory):
    """The release before, checked out with git worktree (removed afterwards)."""
    try:
        added = _git("log", "--format=%H", "--diff-filter=A", "--", FIRST_AFTER).splitlines()
    except (OSError, subprocess.CalledProcessError):
        added = []
    if not added:
        pytest.skip("this checkout has no history to take the release before from (a shallow clone)")
    folder = tmp_path_factory.mktemp("old") / "abflow-0.1.0"
    _git("worktree", "add", "--detach", str(folder), f"{added[-1]}^")
    try:
        yield folder
    finally:
        _git("worktree", "remove", "--force", str(folder))


def _old(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """A command of the old release: its own code first on the path, this environment's libraries."""
    env = {**os.environ, "PYTHONPATH": str(folder)}
    return subprocess.run([sys.executable, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=600)


def _answers(run, url: str) -> dict:
    """What each release is asked: the day's roster, the gaps to a week on, the step counts, the
    audit trail's check."""
    out = {}
    for key, args in (("roster", ("roster", "--date", DAY, "--json")),
                      ("gaps", ("gaps", "--from", DAY, "--to", UNTIL, "--json")),
                      ("stats", ("stats", "--json")), ("audit", ("audit", "verify", "--json"))):
        done = run("--db", url, *args)
        assert done.returncode == 0, (key, done.stderr[-2000:])
        out[key] = json.loads(done.stdout)
    return out


def test_a_database_of_the_release_before_upgrades_with_its_data(old_release, empty_db_url, tmp_path):
    filled = _old(old_release, "-c", FILL, empty_db_url)
    assert filled.returncode == 0, filled.stderr[-2000:]
    old_cli = lambda *a: _old(old_release, "-c", "import sys; from ui.cli import main; sys.exit(main())", *a)  # noqa: E731
    before = _answers(old_cli, empty_db_url)
    assert before["roster"]["steps"] and before["audit"]["rows"] > 0

    new_cli = lambda *a: subprocess.run([ABFLOW, *a], capture_output=True, text=True, timeout=600)  # noqa: E731
    version = new_cli("--db", empty_db_url, "roster", "--date", DAY, "--json")  # the first open upgrades it
    assert version.returncode == 0, version.stderr[-2000:]
    assert "backed up to" in version.stderr
    after = _answers(new_cli, empty_db_url)
    assert after["roster"] == before["roster"] and after["gaps"] == before["gaps"]
    for level in ("processes", "sections", "departments"):
        assert [{k: row[k] for k in old} for row, old in zip(after["stats"][level], before["stats"][level], strict=True)] \
            == before["stats"][level]
    assert after["audit"]["problems"] == [] and after["audit"]["rows"] > before["audit"]["rows"]  # the upgrade, recorded

    from roles import actions
    db = actions.open_database(empty_db_url)
    assert actions.sign_in(db, "office1", "office-pass-1") is not None  # the old account signs in
    assert actions.handovers(db, actions.LOCAL)                           # the old handovers are there
    kept = [x for x in actions.audit_trail(db, actions.LOCAL, limit=20) if x.action == "upgrade"]
    assert len(kept) == 1 and Path(kept[0].after["backup"]).is_file()
    # and the backup taken before the upgrade restores, upgraded, to the same answers
    restored = f"sqlite:///{tmp_path / 'restored.db'}"
    done = new_cli("--db", restored, "restore", kept[0].after["backup"])
    assert done.returncode == 0, done.stderr[-2000:]
    assert _answers(new_cli, restored)["roster"] == before["roster"]


def test_a_migration_that_fails_leaves_the_database_as_it_was(empty_db_url):
    """A database at 0025 holding a table the next migration would make (a hand-made one, say)
    cannot be upgraded: the error names the database, and its schema and rows are as they were,
    the backup taken before the attempt beside them."""
    from sqlalchemy import create_engine, text

    from roles import actions
    from roles.storage.migrate import HEAD, current_revision

    from .conftest import database_at
    with database_at(empty_db_url, "0025") as conn:
        conn.execute(text("INSERT INTO department (id, name, position) VALUES ('d', '部门', 0)"))
        conn.execute(text("CREATE TABLE standin (id INTEGER PRIMARY KEY, note VARCHAR)"))
    with pytest.raises(actions.DatabaseUnavailable, match="standin"):
        actions.open_database(empty_db_url).workbook(())
    old = create_engine(empty_db_url)
    try:
        assert current_revision(old) == "0025"
        with old.connect() as c:
            assert c.execute(text("SELECT name FROM department")).scalars().all() == ["部门"]
            assert c.execute(text("SELECT count(*) FROM audit WHERE action = 'upgrade'")).scalar() == 0
    finally:
        old.dispose()
    kept = Path(empty_db_url.split("///", 1)[1]).parent if empty_db_url.startswith("sqlite") \
        else Path(os.environ["ABFLOW_BACKUPS"])
    assert list(kept.glob(f"*.schema-0025-to-{HEAD}.*.backup"))
