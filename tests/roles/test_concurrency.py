"""Two imports started together both end correctly, one after the other, on SQLite and PostgreSQL:
nothing half-done, no 'database is locked', no traceback."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

ABFLOW = str(Path(sys.executable).with_name("abflow"))


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    """The benchmark's 50 departments with a fifth of its processes (some 2,500 steps): an import
    long enough for the two to meet, short enough for every run of the suite."""
    from bench.city import city_workbook
    from roles.formats.workbook import to_tree
    from roles.formats.workbook_files import write_tree
    path = tmp_path_factory.mktemp("city") / "city.json"
    path.write_bytes(write_tree(to_tree(city_workbook(dt.date(2026, 11, 25), processes=300)), path.name))
    return path


@pytest.mark.slow
def test_two_imports_started_together_both_end_one_after_the_other(engine, db_url, city, tmp_path):
    runs = [subprocess.Popen([ABFLOW, "--db", db_url, "import", str(city), "--json"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(r.communicate(timeout=300), r.returncode) for r in runs]
    for (_, err), code in results:
        assert code == 0, err[-2000:]
        assert "Traceback" not in err
    summaries = [json.loads(out) for (out, _), _ in results]
    assert sorted(s["replaced"] for s in summaries) == [0, 50]  # the second replaced what the first stored
    stats = subprocess.run([ABFLOW, "--db", db_url, "stats", "--json"], capture_output=True, text=True, check=True)
    assert len(json.loads(stats.stdout)["departments"]) == 50
    audit = subprocess.run([ABFLOW, "--db", db_url, "audit", "--limit", "100000", "--json"], capture_output=True,
                           text=True, check=True)  # each import also opened the city's handovers
    assert [a["action"] for a in json.loads(audit.stdout)["audit"]].count("import") == 2
