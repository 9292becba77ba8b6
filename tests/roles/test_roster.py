"""Who covers each step on a date, the gaps over a range, what a proposed absence would add, and
the workday calendar; on the shared example, through the store, on SQLite and PostgreSQL."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from flows.model import Process, Step, Version
from roles.storage import organisation
from roles.engines.calendar import WorkCalendar
from roles.model import Absence, CalendarDay, Department, Person, Section, Workbook
from roles.engines.roster import gaps, roster, status_of, whatif
from roles.engines.standin import standin_candidates

from ..conftest import BIANBAN

D = dt.date


def by_step(r):
    return {(d.process, d.step): d for d in r.steps}


def test_the_example_roster_on_2026_11_25(bianban):
    wb = organisation.load(bianban)
    r = roster(wb, D(2026, 11, 25))
    assert r.workday
    duties = by_step(r)
    # bb03 and bb04, each other's B, are both away: their steps go up to the section head bb01.
    assert {k: d.status for k, d in duties.items() if d.status != "A"} == {
        ("bb-p1", "s1"): "up", ("bb-p1", "s4"): "up", ("bb-p2", "s4"): "B"}
    assert duties["bb-p2", "s4"].acting == "bb06"
    assert duties["bb-p1", "s1"].acting == "bb01" and duties["bb-p1", "s1"].suggested is None
    # Only redesigned task and approval steps are listed: no gateways, no before steps.
    assert ("bb-p2", "g1") not in duties
    assert len(duties) == 11


@pytest.mark.parametrize("day,workday", [
    (D(2026, 11, 28), False),  # Saturday
    (D(2026, 10, 1), False),   # National Day
    (D(2026, 10, 10), True),   # adjusted working Saturday
    (D(2026, 12, 31), False),  # the workbook's own override
    (D(2026, 11, 27), True),
])
def test_workdays_follow_the_national_calendar_then_the_overrides(bianban, day, workday):
    r = roster(organisation.load(bianban), day)
    assert r.workday is workday
    if not workday:
        assert r.steps == () and r.off is not None


def test_why_a_day_is_off():
    cal = WorkCalendar([CalendarDay(D(2026, 12, 31), False, "单位调休"), CalendarDay(D(2026, 11, 28), True)])
    assert cal.why_not_workday(D(2026, 12, 31)).note == "单位调休"
    assert cal.is_workday(D(2026, 11, 28))  # an override makes a Saturday a workday
    assert cal.why_not_workday(D(2026, 10, 1)).kind == "holiday"
    assert cal.why_not_workday(D(2026, 11, 29)).kind == "weekend"
    assert list(cal.workdays(D(2026, 9, 30), D(2026, 10, 8))) == [D(2026, 9, 30), D(2026, 10, 8)]


def test_a_year_the_library_does_not_know_is_estimated_from_its_statutory_holidays():
    cal = WorkCalendar([CalendarDay(D(2031, 1, 6), False, "x")])
    assert cal.is_workday(D(2031, 1, 3))       # a Friday
    assert not cal.is_workday(D(2031, 1, 4))   # a Saturday
    assert not cal.is_workday(D(2031, 1, 6))   # overridden Monday
    assert cal.is_workday(D(2031, 1, 7))
    assert not cal.is_workday(D(2031, 1, 1))   # New Year's Day, a Wednesday
    assert cal.source(D(2031, 1, 7)) == "estimated" and cal.source(D(2026, 1, 5)) == "official"
    assert WorkCalendar(official_years=[2031]).source(D(2031, 1, 7)) == "official"


def test_spring_festival_2027_is_no_workday_and_says_the_calendar_is_estimated_until_loaded(loaded_cli, tmp_path):
    day = loaded_cli.json("roster", "--date", "2027-02-08")
    assert (day["workday"], day["calendar"], day["steps"]) == (False, "estimated", [])
    assert loaded_cli.json("roster", "--date", "2026-11-25")["calendar"] == "official"
    schedule = tmp_path / "2027.yaml"
    part = "version: 1\ncalendar:\n" + "".join(
        f"  - {{date: 2027-02-{d:02d}, workday: false, note: 春节}}\n" for d in range(5, 12)) \
        + "  - {date: 2027-02-20, workday: true, note: 调休上班}\n"
    schedule.write_text(part, encoding="utf-8")
    partial = loaded_cli("calendar", "import", str(schedule), "--year", "2027")  # a part of it: the year stays estimated
    assert partial.exit_code == 2 and "not the whole schedule of 2027" in partial.stderr and "2027-01-01" in partial.stderr
    assert loaded_cli.json("roster", "--date", "2027-02-08")["calendar"] == "estimated"
    rest = [("01-01", "元旦"), ("10-01", "国庆节"), ("10-02", "国庆节"), ("10-03", "国庆节")]
    schedule.write_text(part + "".join(f"  - {{date: 2027-{d}, workday: false, note: {n}}}\n" for d, n in rest),
                        encoding="utf-8")
    assert loaded_cli("calendar", "import", str(schedule), "--year", "2027").exit_code == 0
    saturday = loaded_cli.json("roster", "--date", "2027-02-20")
    assert (saturday["workday"], saturday["calendar"]) == (True, "official") and saturday["steps"]
    assert loaded_cli.json("gaps", "--from", "2027-02-01", "--to", "2027-02-28")["calendar"] == "official"
    assert loaded_cli.json("gaps", "--from", "2027-12-01", "--to", "2028-01-31")["calendar"] == "estimated"
    wrong_year = loaded_cli("calendar", "import", str(schedule), "--year", "2028")
    assert wrong_year.exit_code == 2 and "is not in 2028" in wrong_year.stderr
    trail = loaded_cli.json("audit")["audit"]
    assert trail[0]["action"] == "calendar.year" and trail[0]["subject"] == "2027"


@pytest.fixture
def loaded_cli(cli):
    assert cli("import", str(BIANBAN)).exit_code == 0
    return cli


def test_status_table_of_the_spec():
    step = Step("s", "x", a="a", b="b")
    assert status_of(step, set()) == ("A", "a")
    assert status_of(step, {"b"}) == ("A", "a")
    assert status_of(step, {"a"}) == ("B", "b")
    assert status_of(step, {"a", "b"}) == ("gap", None)
    assert status_of(Step("s", "x", a="a"), {"a"}) == ("gap", None)  # a missing holder counts as absent
    assert status_of(Step("s", "x"), set()) == ("gap", None)


def test_gaps_over_a_range_skip_weekends(bianban):
    wb = organisation.load(bianban)
    assert gaps(wb, D(2026, 11, 23), D(2026, 12, 6)) == []  # the heads take what B cannot
    # With the head and the deputy of bb-zh away on Wednesday and Saturday too, nobody is left
    # for bb-p1 on Wednesday (bb03 and bb04 away as well), and Saturday is no workday.
    leaders = [Absence(p, d, d) for p in ("bb01", "bb02") for d in (D(2026, 11, 25), D(2026, 11, 28))]
    found = gaps(wb, D(2026, 11, 23), D(2026, 12, 6), extra=leaders)
    assert sorted({g.date for g in found}) == [D(2026, 11, 25)]
    assert {(g.process, g.step) for g in found} == {("bb-p1", s) for s in ("s1", "s2", "s3", "s4")}
    assert gaps(wb, D(2026, 11, 23), D(2026, 12, 6), department="other", extra=leaders) == []


def test_whatif_lists_only_the_gaps_the_absence_adds(bianban):
    wb = organisation.load(bianban)
    # bb11 (deputy) is away 12-01..12-04: bb12 away too sends bb-p3 s1 and s2 up to the head bb10.
    assert whatif(wb, "bb12", D(2026, 11, 30), D(2026, 12, 6)) == []
    # The head away as well leaves the approval step s3 (A bb10, B bb11) with no one, on 4 workdays.
    added = whatif(wb, "bb10", D(2026, 11, 30), D(2026, 12, 6))
    assert {(g.date, g.process, g.step) for g in added} == {(D(2026, 12, d), "bb-p3", "s3") for d in (1, 2, 3, 4)}
    # Gaps expected anyway are not added by a leave: with the leaders of bb-zh away on 11-25,
    # bb04's absence adds only the gaps of 11-24.
    wb = dataclasses.replace(wb, absences=wb.absences + tuple(
        Absence(p, D(2026, 11, 24), D(2026, 11, 25)) for p in ("bb01", "bb02")))
    assert {g.date for g in whatif(wb, "bb04", D(2026, 11, 24), D(2026, 11, 25))} == {D(2026, 11, 24)}
    assert whatif(wb, "bb05", D(2026, 11, 23), D(2026, 11, 27)) == []


def _small(skill_holder_post: str = "staff") -> tuple[Workbook, Process]:
    people = (Person("h", "头", "s", "head"), Person("d", "副", "s", "deputy"),
              Person("x", "甲", "s", "staff"), Person("y", "乙", "s", skill_holder_post, skills=("登记",)),
              Person("z", "丙", "s", "staff"))
    v = Version((Step("s1", "受理", next=("s2",), a="x", b="z"), Step("s2", "登记", next=("s3",), a="d", b="x", skill="登记"),
                 Step("s3", "归档", a="z", b="d")))
    p = Process("p", "s", "流程", after=v)
    wb = Workbook(departments=(Department("dep", "部门", sections=(Section("s", "科", "business"),)),),
                  people=people, processes=(p,), absences=(Absence("d", D(2026, 11, 25), D(2026, 11, 25), "leave"),))
    return wb, p


def test_a_stand_in_has_the_skill_then_is_the_head_then_knows_the_neighbouring_steps():
    wb, p = _small()
    s2 = p.after.step("s2")
    ranked = [c.id for c in standin_candidates(wb, p, s2, absent={"d", "x"})]
    assert ranked[0] == "y"          # has the skill
    assert ranked[1] == "h"          # the head may act for any step
    assert "d" not in ranked and "x" not in ranked  # never someone away or a holder
    s1 = p.after.step("s1")
    assert [c.id for c in standin_candidates(wb, p, s1, absent={"x", "z", "h"})][0] == "d"  # holds s2 next door


def test_a_step_with_no_holder_is_a_gap_on_every_workday_even_when_nobody_is_away(cli, tmp_path):
    """The spec counts a missing holder as absent: `gaps` must agree with `roster` on such a step
    in a week with no absences at all, and `whatif` must not claim it as added by a leave. (The
    section has no head or deputy to take the step up to.)"""
    wb = tmp_path / "unheld.yaml"
    wb.write_text("""version: 1
departments:
  - {id: d, name: 部门, sections: [{id: s, name: 科}]}
people:
  - {id: h, name: 头, section: s}
  - {id: x, name: 甲, section: s}
  - {id: y, name: 乙, section: s}
processes:
  - id: p
    section: s
    name: 流程
    after:
      steps:
        - {id: s1, name: 受理, next: [s2], a: x, b: y}
        - {id: s2, name: 审核}
""", encoding="utf-8")
    assert cli("import", str(wb)).exit_code == 0
    week = [D(2026, 12, d) for d in range(7, 12)]  # Monday to Friday, nobody away
    found = cli.json("gaps", "--from", "2026-12-07", "--to", "2026-12-13")["gaps"]
    assert [(g["date"], g["step"]) for g in found] == [(d.isoformat(), "s2") for d in week]
    day = cli.json("roster", "--date", "2026-12-08")
    assert {s["step"]: s["status"] for s in day["steps"]} == {"s1": "A", "s2": "gap"}
    # x away: B covers s1, and s2's gap was expected anyway, so the leave adds none.
    assert cli.json("whatif", "--person", "x", "--from", "2026-12-07", "--to", "2026-12-11")["gaps"] == []
