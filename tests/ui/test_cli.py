"""The CLI contract of docs/cli.md: JSON shapes, exit codes, messages on stderr."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import BIANBAN, ROOT


@pytest.fixture
def loaded(cli):
    result = cli("import", str(BIANBAN))
    assert result.exit_code == 0, result.output
    return cli


def test_roster_json_is_the_documented_shape(loaded):
    doc = loaded.json("roster", "--date", "2026-11-25")
    assert doc["date"] == "2026-11-25" and doc["workday"] is True
    steps = {(s["process"], s["step"]): s for s in doc["steps"]}
    # bb03 and bb04 both away: up to their head (workbook spec "Escalation and handover").
    assert steps["bb-p1", "s1"].items() >= {"a": "bb03", "b": "bb04", "acting": "bb01", "status": "up",
                                            "suggested": None}.items()
    assert steps["bb-p2", "s4"]["status"] == "B" and steps["bb-p2", "s4"]["acting"] == "bb06"
    assert {s["status"] for k, s in steps.items() if k not in {("bb-p1", "s1"), ("bb-p1", "s4"), ("bb-p2", "s4")}} == {"A"}
    for s in doc["steps"]:
        assert (s["acting"] is None) == (s["status"] == "gap")


def test_roster_on_a_non_workday_and_by_department(loaded):
    assert loaded.json("roster", "--date", "2026-10-01") == {"date": "2026-10-01", "workday": False,
                                                           "calendar": "official", "steps": []}
    assert loaded.json("roster", "--date", "2026-10-10")["workday"] is True
    assert loaded.json("roster", "--date", "2026-11-25", "--department", "bb")["steps"]
    human = loaded("roster", "--date", "2026-11-28")
    assert human.exit_code == 0 and "2026-11-28" in human.stdout


def test_gaps_and_whatif_json(loaded, tmp_path):
    assert loaded.json("gaps", "--from", "2026-11-23", "--to", "2026-12-06")["gaps"] == []  # heads take them
    doc = loaded.json("whatif", "--person", "bb12", "--from", "2026-12-01", "--to", "2026-12-01")
    assert doc["person"] == "bb12" and doc["gaps"] == []
    doc = loaded.json("whatif", "--person", "bb10", "--from", "2026-12-01", "--to", "2026-12-01")
    assert {(g["date"], g["step"]) for g in doc["gaps"]} == {("2026-12-01", "s3")}  # head and deputy away
    leave = tmp_path / "leave.yaml"
    leave.write_text("version: 1\nabsences:\n" + "".join(
        f"  - {{person: {p}, start: 2026-11-25, end: 2026-11-25, reason: trip}}\n" for p in ("bb01", "bb02")))
    assert loaded("absences", "import", str(leave)).exit_code == 0
    doc = loaded.json("gaps", "--from", "2026-11-23", "--to", "2026-12-06")
    assert doc["from"] == "2026-11-23" and doc["to"] == "2026-12-06"
    assert [(g["date"], g["process"], g["step"], g["a"], g["b"]) for g in doc["gaps"]] == [
        ("2026-11-25", "bb-p1", "s1", "bb03", "bb04"), ("2026-11-25", "bb-p1", "s2", "bb02", "bb01"),
        ("2026-11-25", "bb-p1", "s3", "bb01", "bb02"), ("2026-11-25", "bb-p1", "s4", "bb04", "bb03")]


def test_stats_json(loaded):
    doc = loaded.json("stats")
    p1 = next(p for p in doc["processes"] if p["process"] == "bb-p1")
    assert p1.items() >= {"section": "bb-zh", "department": "bb", "before": 7, "after": 4, "reduction": 0.4286,
                          "handoffs_before": None, "handoffs_after": 3}.items()
    p3 = next(p for p in doc["processes"] if p["process"] == "bb-p3")
    assert p3["before"] is None and p3["reduction"] is None
    dept = doc["departments"][0]
    assert dept.items() >= {"department": "bb", "before": 14, "after": 8, "sections_before": 6,
                            "sections_after": 3, "section_reduction": 0.5}.items()
    assert {s["section"] for s in doc["sections"]} == {"bb-zh", "bb-jg", "bb-jd"}


def test_export_then_import_through_the_cli(loaded, tmp_path):
    out = tmp_path / "all.xlsx"
    assert loaded("export", str(out)).exit_code == 0 and out.stat().st_size > 0
    result = loaded("import", str(out), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["replaced"] == 1


@pytest.mark.parametrize("args,message", [
    (["roster", "--date", "2026-02-30"], "'2026-02-30' is no date"),
    (["roster", "--date", "tomorrow"], "'tomorrow' is no date"),
    (["gaps", "--from", "2026-12-01", "--to", "2026-11-01"], "the range ends on 2026-11-01, before it starts on 2026-12-01"),
    (["whatif", "--person", "nobody", "--from", "2026-12-01", "--to", "2026-12-02"], "no person 'nobody'"),
    (["roster", "--department", "xyz"], "no department 'xyz'"),
    (["import", "missing.yaml"], "missing.yaml"),
    (["export", "out.txt"], "out.txt"),
])
def test_bad_input_exits_2_and_says_what(loaded, args, message):
    result = loaded(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stdout == ""


def test_a_bad_workbook_exits_2_and_changes_nothing(loaded, tmp_path):
    before = loaded.json("stats")
    bad = tmp_path / "bad.yaml"
    bad.write_text(BIANBAN.read_text(encoding="utf-8").replace("a: bb12, b: bb11", "a: bb99, b: bb11"), "utf-8")
    result = loaded("import", str(bad))
    assert result.exit_code == 2
    assert "bad.yaml: process bb-p3, after, step s1 (line" in result.stderr and "no person 'bb99'" in result.stderr
    assert loaded.json("stats") == before


def test_an_unreachable_database_exits_3(tmp_path):
    from ..conftest import Cli
    result = Cli("postgresql+psycopg://127.0.0.1:1/nothing")("roster", "--json")
    assert result.exit_code == 3
    assert "database postgresql+psycopg://127.0.0.1:1/nothing" in result.stderr
    (tmp_path / "f").write_text("a file, not a folder")
    result = Cli(f"sqlite:///{tmp_path}/f/db.sqlite")("stats")
    assert result.exit_code == 3


def test_the_installed_command_runs_with_json_alone_on_stdout(tmp_path):
    """The console script itself, in a process of its own, as scripts call it."""
    exe = Path(sys.executable).with_name("abflow")
    env = {**os.environ, "ABFLOW_DB": f"sqlite:///{tmp_path / 'x.db'}"}
    run = lambda *a: subprocess.run([str(exe), *a], capture_output=True, text=True, env=env, cwd=ROOT)  # noqa: E731
    assert run("import", str(BIANBAN)).returncode == 0
    out = run("roster", "--date", "2026-11-25", "--json")
    assert out.returncode == 0
    assert json.loads(out.stdout)["workday"] is True
    assert run("--help").returncode == 0


def test_today_is_the_offices_day_not_the_hosts(loaded):
    """A server kept in UTC used to show yesterday's roster until 08:00 Beijing time."""
    import datetime as dt
    from zoneinfo import ZoneInfo
    shanghai = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert loaded.json("roster", env={"TZ": "UTC", "ABFLOW_TZ": ""})["date"] == shanghai
    east = loaded.json("roster", env={"ABFLOW_TZ": "Pacific/Kiritimati"})["date"]   # UTC+14
    west = loaded.json("roster", env={"ABFLOW_TZ": "Etc/GMT+12"})["date"]           # UTC-12
    assert east > west
    bad = loaded("roster", env={"ABFLOW_TZ": "Mars/Olympus"})
    assert bad.exit_code == 2 and "ABFLOW_TZ: no time zone 'Mars/Olympus'" in bad.stderr
    # a demo or a training session run as of one day
    assert loaded.json("roster", env={"ABFLOW_TODAY": "2026-11-25"})["date"] == "2026-11-25"
    bad = loaded("roster", env={"ABFLOW_TODAY": "next monday"})
    assert bad.exit_code == 2 and "ABFLOW_TODAY: 'next monday' is no date" in bad.stderr
