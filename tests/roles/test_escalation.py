"""Escalation beyond B (workbook spec "Escalation and handover"): B acts at most `b_max_days`
workdays of one absence of A, and not at all where `b_may_act` is false; then the step goes up to
the section's head, then a deputy by id, never to the absent A; with nobody left it is a gap.
Through the CLI's JSON on SQLite and PostgreSQL, and the engines' own answers."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml

from flows.model import Step
from roles.engines.acting import Absences, Away, status_of, up_chain
from roles.engines.calendar import WorkCalendar
from roles.formats import workbook as wb_format
from roles.model import Workbook
from roles.formats.workbook_files import read_tree

D = dt.date
START = D(2026, 12, 1)  # a Tuesday

WORKBOOK = """version: 1
departments:
  - {id: d, name: 部门, sections: [{id: s, name: 综合科}]}
people:
  - {id: h, name: 科长, section: s, post: head}
  - {id: d2, name: 副科长乙, section: s, post: deputy}
  - {id: d1, name: 副科长甲, section: s, post: deputy}
  - {id: x, name: 甲, section: s}
  - {id: y, name: 乙, section: s}
processes:
  - id: p
    section: s
    name: 公文办理
    after:
      steps:
        - {id: s1, name: 登记, next: [s2], a: x, b: y, b_max_days: 30}
        - {id: s2, name: 审核, next: [s3], a: x, b: y, b_may_act: false}
        - {id: s3, name: 签发, next: [s4], a: h, b: y, b_may_act: false}
        - {id: s4, name: 归档, a: x, b: y}
"""


def workdays(n: int) -> list[dt.date]:
    return WorkCalendar().next_workdays(START, n)


@pytest.fixture
def loaded(cli, tmp_path):
    days = workdays(35)
    tree = yaml.safe_load(WORKBOOK)
    tree["absences"] = [{"person": "x", "start": days[0].isoformat(), "end": days[-1].isoformat(), "reason": "leave"}]
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0
    return cli


def steps_on(cli, day: dt.date) -> dict[str, tuple[str, str | None]]:
    return {s["step"]: (s["status"], s["acting"]) for s in cli.json("roster", "--date", day.isoformat())["steps"]}


def test_a_35_day_absence_goes_up_to_the_head_on_workday_31(loaded):
    days = workdays(35)
    assert steps_on(loaded, days[0])["s1"] == ("B", "y")
    assert steps_on(loaded, days[29])["s1"] == ("B", "y")      # the 30th workday: B still acts
    assert steps_on(loaded, days[30])["s1"] == ("up", "h")     # the 31st: up to the head
    assert steps_on(loaded, days[34])["s1"] == ("up", "h")
    after = WorkCalendar().next_workdays(days[34] + dt.timedelta(days=1), 1)[0]
    assert steps_on(loaded, after)["s1"] == ("A", "x")         # back: A again
    # `up` is no gap: the range has none.
    assert loaded.json("gaps", "--from", days[0].isoformat(), "--to", days[34].isoformat())["gaps"] == []


def test_b_may_not_act_goes_straight_up_and_never_to_the_absent_a(loaded):
    day = workdays(1)[0]
    on = steps_on(loaded, day)
    assert on["s2"] == ("up", "h")   # B may not act: the head, on the first day
    assert on["s4"] == ("B", "y")    # no limits: B
    assert on["s3"] == ("A", "h")


def test_the_head_away_passes_the_step_to_the_deputies_by_id_then_it_is_a_gap(loaded, tmp_path):
    day = workdays(1)[0]
    leave = tmp_path / "leave.yaml"
    leave.write_text(yaml.safe_dump({"version": 1, "absences": [
        {"person": "h", "start": day.isoformat(), "end": day.isoformat(), "reason": "trip"}]}), encoding="utf-8")
    whatif = loaded.json("whatif", "--person", "h", "--from", day.isoformat(), "--to", day.isoformat())
    assert whatif["gaps"] == []  # the deputies take over
    tree = yaml.safe_load(WORKBOOK)
    tree["absences"] = [{"person": p, "start": day.isoformat(), "end": day.isoformat(), "reason": "trip"}
                        for p in ("x", "h")]
    (tmp_path / "w2.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    assert loaded("import", str(tmp_path / "w2.yaml")).exit_code == 0
    on = steps_on(loaded, day)
    assert on["s2"] == ("up", "d1") and on["s3"] == ("up", "d1")  # d1 before d2, by id
    tree["absences"] += [{"person": p, "start": day.isoformat(), "end": day.isoformat(), "reason": "trip"}
                         for p in ("d1", "d2")]
    (tmp_path / "w3.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    assert loaded("import", str(tmp_path / "w3.yaml")).exit_code == 0
    on = steps_on(loaded, day)
    assert on["s2"] == ("gap", None) and on["s3"] == ("gap", None) and on["s1"] == ("B", "y")
    gaps = loaded.json("gaps", "--from", day.isoformat(), "--to", day.isoformat())["gaps"]
    assert {g["step"] for g in gaps} == {"s2", "s3"}


def test_an_absence_split_in_two_over_a_weekend_is_one_absence():
    cal = WorkCalendar()
    friday, monday, tuesday = D(2026, 12, 4), D(2026, 12, 7), D(2026, 12, 8)
    from roles.model import Absence
    split = Absences([Absence("x", D(2026, 12, 1), friday), Absence("x", monday, D(2026, 12, 9))], cal)
    assert split.workday_of("x", tuesday) == 6
    step = Step("s", "x", a="x", b="y", b_max_days=5)
    assert status_of(step, split.away(monday), ("h",)) == ("B", "y")
    assert status_of(step, split.away(tuesday), ("h",)) == ("up", "h")
    # A workday present in between starts a new absence.
    apart = Absences([Absence("x", D(2026, 12, 1), D(2026, 12, 3)), Absence("x", monday, D(2026, 12, 9))], cal)
    assert apart.workday_of("x", tuesday) == 2 and apart.workday_of("x", friday) == 0


def test_a_plain_set_of_absent_people_still_answers_and_a_missing_holder_goes_up():
    assert status_of(Step("s", "x", a="a", b="b"), {"a", "b"}, ("h", "a")) == ("up", "h")
    assert status_of(Step("s", "x", a="h", b="b"), {"h", "b"}, ("h",)) == ("gap", None)
    assert status_of(Step("s", "x"), set(), ("h",)) == ("up", "h")
    assert status_of(Step("s", "x", a="a", b="b", b_max_days=0), Away({"a"}), ("h",)) == ("up", "h")


def read(path) -> Workbook:
    return wb_format.parse(read_tree(path.read_bytes(), path.name), path.name)


def test_the_limits_round_trip_through_every_format(loaded, tmp_path):
    for ext in ("yaml", "json", "xlsx"):
        out = tmp_path / f"out.{ext}"
        assert loaded("export", str(out)).exit_code == 0
        steps = {s.id: s for s in read(out).processes[0].after.steps}
        assert (steps["s1"].b_max_days, steps["s1"].b_may_act) == (30, True)
        assert (steps["s2"].b_max_days, steps["s2"].b_may_act) == (None, False)
    text = (tmp_path / "out.yaml").read_text(encoding="utf-8")
    assert "b_may_act: false" in text and "b_may_act: true" not in text
    bpmn = tmp_path / "p.bpmn"
    assert loaded("bpmn", "export", "p", "-o", str(bpmn)).exit_code == 0
    assert loaded("bpmn", "import", str(bpmn), "--process", "p2", "--section", "s", "--version", "after").exit_code == 0
    exported = tmp_path / "again.yaml"
    assert loaded("export", str(exported)).exit_code == 0
    copy = {p.id: p for p in read(exported).processes}["p2"]
    assert {s.id: (s.b_max_days, s.b_may_act) for s in copy.after.work_steps} == {
        "s1": (30, True), "s2": (None, False), "s3": (None, False), "s4": (None, True)}


@pytest.mark.parametrize("value,problem", [(-1, "b_max_days"), (2.5, "b_max_days"), ("maybe", "b_may_act")])
def test_bad_limits_are_refused_with_their_entry_and_field(cli, tmp_path, value, problem):
    tree = yaml.safe_load(WORKBOOK)
    tree["processes"][0]["after"]["steps"][0][problem] = value
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    result = cli("import", str(tmp_path / "bad.yaml"))
    assert result.exit_code == 2 and problem in result.stderr and "s1" in result.stderr


def test_the_up_chain_is_heads_then_deputies_by_id():
    assert up_chain(wb_format.parse(yaml.safe_load(WORKBOOK), "w.yaml"))["s"] == ("h", "d1", "d2")


def test_the_demo_shows_escalations_a_gap_and_open_handovers_on_first_run(cli):
    from roles import clock
    from roles.demo import demo_workbook
    from roles.engines.roster import calendar_of
    assert cli("demo").exit_code == 0
    first = calendar_of(demo_workbook()).next_workdays(clock.today(), 1)[0]
    steps = cli.json("roster", "--date", first.isoformat())["steps"]
    up = {(s["process"], s["step"]): s["acting"] for s in steps if s["status"] == "up"}
    assert up[("rsj-p01", "s1")] == "rs01"          # both holders away: their head
    assert up[("zjj-p04", "s1")] == "zj09"          # B's 30 workdays are over: the head
    assert any(s["status"] == "gap" for s in steps)  # 计量科's leaders both away
    check = cli("check", "--json")  # exit 1: leaders-apart is an error
    assert check.exit_code == 1 and any(f["rule"] == "leaders-apart" for f in json.loads(check.stdout)["findings"])
    opened = cli.json("handovers", "--open")["handovers"]
    assert {"rs03", "zj11", "sc07"} <= {h["person"] for h in opened}
