"""Leave in half days (请假以半天计), on both databases: an absence may begin or end at noon, and the
roster, gaps, what-if and overrun answer per half day where the halves differ; every workbook
format, the leave list and the iCalendar reader carry the halves."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml

from roles import actions
from roles.model import Absence
from ui.shapes import roster_json

from ..conftest import TESTER
from .test_time_limits import WORKBOOK

TUE, WED, THU = (dt.date(2026, 12, d) for d in (1, 2, 3))
#  bb-zh: bb01 head, bb02 deputy. bb-p1 s2 拟办并核稿 (A bb02, B bb01), s3 分管领导批示 (A bb01, B bb02).
#  bb01 is away all of Tue 12-01; bb02 from noon on Tue to noon on Wed.
HALF = [Absence("bb01", TUE, TUE, "leave"), Absence("bb02", TUE, WED, "leave", "pm", "am")]


@pytest.fixture
def db(bianban):
    db = actions.open_database(bianban.url.render_as_string(hide_password=False))
    actions.change_absences(db, TESTER, added=HALF, source="test")
    return db


def answers(r, process="bb-p1"):
    return {(d.step, d.half): (d.status, d.acting) for d in r.steps if d.process == process and d.step in ("s2", "s3")}


def test_the_roster_answers_per_half_where_the_halves_differ(db):
    """Tue morning: bb02 is in, so s2 is A's and s3 goes to B (bb02). Tue afternoon both are away:
    s2 and s3 go up the section's chain (bb01, bb02), both away: gaps. Wed morning bb02 is away,
    bb01 back: s2 to B (bb01), s3 A. Wed afternoon all are in."""
    assert answers(actions.roster(db, TESTER, day=TUE)) == {
        ("s2", "am"): ("A", "bb02"), ("s2", "pm"): ("gap", None),
        ("s3", "am"): ("B", "bb02"), ("s3", "pm"): ("gap", None)}
    assert answers(actions.roster(db, TESTER, day=WED)) == {
        ("s2", "am"): ("B", "bb01"), ("s2", "pm"): ("A", "bb02"), ("s3", None): ("A", "bb01")}
    assert answers(actions.roster(db, TESTER, day=THU)) == {("s2", None): ("A", "bb02"), ("s3", None): ("A", "bb01")}
    doc = roster_json(actions.roster(db, TESTER, day=WED), WED)
    entries = [(e["step"], e.get("half"), e["status"]) for e in doc["steps"] if e["process"] == "bb-p1"]
    assert ("s2", "am", "B") in entries and ("s2", "pm", "A") in entries and ("s3", None, "A") in entries
    assert all("half" not in e for e in doc["steps"] if (e["process"], e["step"]) != ("bb-p1", "s2"))


def test_gaps_and_what_if_name_the_half(db):
    found = [(g.date, g.process, g.step, g.half) for g in actions.gaps(db, TESTER, start=TUE, end=THU)
             if g.process == "bb-p1"]
    assert found == [(TUE, "bb-p1", "s2", "pm"), (TUE, "bb-p1", "s3", "pm")]
    # bb03 (A of s1, B bb04) away on Thursday afternoon while bb04 and bb02 are away all day: s1
    # goes up to the head (bb01), who is in: no gap; bb01 away that afternoon too makes one, for
    # the afternoon only, and so does s4 (A bb04, B bb03) that bb03 backs.
    actions.change_absences(db, TESTER, added=[Absence("bb04", THU, THU, "sick"), Absence("bb02", THU, THU, "trip")],
                            source="test")
    assert actions.whatif(db, TESTER, person_id="bb03", start=THU, end=THU, start_half="pm") == []
    actions.change_absences(db, TESTER, added=[Absence("bb01", THU, THU, "trip", "pm")], source="test")
    added = actions.whatif(db, TESTER, person_id="bb03", start=THU, end=THU, start_half="pm")
    assert {(g.step, g.half) for g in added if g.process == "bb-p1"} == {("s1", "pm"), ("s4", "pm")}
    with pytest.raises(actions.BadInput, match="end_half"):
        actions.whatif(db, TESTER, person_id="bb03", start=THU, end=THU, start_half="pm", end_half="am")
    with pytest.raises(actions.BadInput, match="start_half"):
        actions.whatif(db, TESTER, person_id="bb03", start=THU, end=THU, start_half="noon")


def test_halves_are_stored_once_refused_when_impossible_and_audited(db):
    again = actions.change_absences(db, TESTER, added=HALF, source="test")
    assert again == 0                                             # the same half days: not twice
    assert actions.change_absences(db, TESTER, added=[Absence("bb02", TUE, WED, "leave")], source="test") == 1
    with pytest.raises(actions.BadInput) as e:
        actions.change_absences(db, TESTER, added=[Absence("bb03", THU, THU, "leave", "pm", "am")], source="test")
    assert "end_half" in str(e.value)
    with pytest.raises(actions.BadInput, match="start_half"):
        actions.change_absences(db, TESTER, added=[Absence("bb03", THU, THU, "leave", "evening")], source="test")
    stored = {a for a in actions.workbook(db, TESTER).absences if a.person == "bb02"}
    assert Absence("bb02", TUE, WED, "leave", "pm", "am") in stored
    actions.change_absences(db, TESTER, removed=[Absence("bb02", TUE, WED, "leave", "pm", "am")], added=[],
                            source="test")          # removing the half-day one leaves the whole-day one
    assert {a for a in actions.workbook(db, TESTER).absences if a.person == "bb02"} == {Absence("bb02", TUE, WED, "leave")}


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".xlsx"])
def test_every_workbook_format_and_the_leave_list_carry_the_halves(db, cli, tmp_path, suffix):
    out = tmp_path / f"w{suffix}"
    assert cli("export", str(out)).exit_code == 0
    if suffix != ".xlsx":
        text = out.read_text(encoding="utf-8")
        tree = yaml.safe_load(text) if suffix == ".yaml" else json.loads(text)
        assert {"person": "bb02", "start": "2026-12-01", "end": "2026-12-02", "reason": "leave",
                "start_half": "pm", "end_half": "am"} in [{k: str(v) for k, v in a.items()} for a in tree["absences"]]
        assert all("start_half" not in a for a in tree["absences"] if a["person"] != "bb02")
    assert cli("import", str(out)).exit_code == 0
    assert Absence("bb02", TUE, WED, "leave", "pm", "am") in actions.workbook(actions.open_database(cli.url), TESTER).absences
    leave = tmp_path / "leave.yaml"
    leave.write_text("absences:\n  - {person: bb05, start: 2026-12-03, end: 2026-12-04, end_half: am}\n", encoding="utf-8")
    assert cli("absences", "import", str(leave)).exit_code == 0
    assert Absence("bb05", THU, dt.date(2026, 12, 4), "leave", None, "am") in \
        actions.workbook(actions.open_database(cli.url), TESTER).absences


ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//OA//Leave//ZH
BEGIN:VEVENT
UID:half-1
SUMMARY:bb03 事假
DTSTART:20261207T133000
DTEND:20261208T120000
END:VEVENT
BEGIN:VEVENT
UID:half-2
SUMMARY:bb04 年假
DTSTART:20261209T010000Z
DTEND:20261209T033000Z
END:VEVENT
BEGIN:VEVENT
UID:whole
SUMMARY:bb06 出差
DTSTART:20261210T090000
DTEND:20261210T173000
END:VEVENT
END:VCALENDAR
"""


def test_the_calendar_reader_takes_the_halves_from_the_times(db, cli, tmp_path, monkeypatch):
    """From 13:30 is an afternoon's start; until 12:00 a morning's end; 09:00–11:30 UTC+8 (01:00–03:30
    UTC) a morning only; 09:00–17:30 a whole day."""
    monkeypatch.setenv("ABFLOW_TZ", "Asia/Shanghai")
    leave = tmp_path / "oa.ics"
    leave.write_text(ICS, encoding="utf-8")
    found = actions.read_leave_file(db, TESTER, data=leave.read_bytes(), name="oa.ics")
    assert [(a.person, a.start, a.end, a.start_half, a.end_half) for a in found] == [
        ("bb03", dt.date(2026, 12, 7), dt.date(2026, 12, 8), "pm", "am"),
        ("bb04", dt.date(2026, 12, 9), dt.date(2026, 12, 9), None, "am"),
        ("bb06", dt.date(2026, 12, 10), dt.date(2026, 12, 10), None, None)]


def test_a_case_waits_half_a_day_for_a_holder_back_at_noon(cli, tmp_path):
    """test_time_limits' city, with p2 back at noon on 12-04 (#3). The case started 12-03 (#2):
    受理审核 (A p1, B p2) waits #2 and the morning of #3, B acts that afternoon (3.5 → 4.0), A (back)
    the morning of #4 (→ 4.5); 公示 2 special (→ 6.5); 审批 (A p2) the afternoon of #6 and the
    morning of #7 (→ 7.5): counted 7.5 − 2 − 2 = 3.5, promised 2, 1.5 late (not 2). Started 12-04
    (#3): waits the morning, the same then: 7.5 − 3 − 2 = 2.5, 0.5 late (not 1)."""
    tree = yaml.safe_load(WORKBOOK)
    tree["absences"][1]["end_half"] = "am"
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0
    [lic] = cli.json("overrun", "--from", "2026-11-30", "--to", "2026-12-04")["processes"]
    assert [(c["start"], c["end"], c["days"], c["over"]) for c in lic["late_cases"]] == [
        ("2026-12-03", "2026-12-09", 3.5, 1.5), ("2026-12-04", "2026-12-09", 2.5, 0.5)]


def test_the_command_line_shows_and_asks_for_halves(db, cli):
    shown = cli("roster", "--date", "2026-12-01")
    assert shown.exit_code == 0 and "(下午)" in shown.output and "(上午)" in shown.output
    doc = cli.json("whatif", "--person", "bb03", "--from", "2026-12-03", "--to", "2026-12-03", "--start-half", "pm")
    assert doc["person"] == "bb03"
    refused = cli("whatif", "--person", "bb03", "--from", "2026-12-03", "--to", "2026-12-03", "--start-half", "noon")
    assert refused.exit_code == 2


def test_the_load_splits_a_step_between_its_morning_and_afternoon_holders(db):
    """bb-p1 s2 (拟办并核稿: 15 minutes × 160 a month, A bb02, B bb01) on Wed 12-02, 22 workdays in
    December: 109.09 minutes a day; bb01 acts in the morning (bb02 away), bb02 after: half each."""
    [day] = actions.load(db, TESTER, start=WED, end=WED)
    minutes = {x.person: x.minutes for x in day.people}
    whole = 15 * 160 / 22
    s2 = [d for d in actions.roster(db, TESTER, day=WED).steps if (d.process, d.step) == ("bb-p1", "s2")]
    assert [d.half for d in s2] == ["am", "pm"]
    [thu] = actions.load(db, TESTER, start=THU, end=THU)
    on_thu = {x.person: x.minutes for x in thu.people}
    assert minutes["bb01"] == pytest.approx(on_thu["bb01"] + whole / 2)
    assert minutes["bb02"] == pytest.approx(on_thu["bb02"] - whole / 2)
