"""Handovers (交接单): opened for an absence someone acts for, then open items, report and
confirmation, each by the one person who may, each audited; conflicting edits refused. Through
the use cases and the CLI's JSON, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest
import yaml

from flows.errors import BadInput, Conflict, PermissionDenied
from roles import actions, clock
from roles.engines.calendar import WorkCalendar
from roles.actor import Account

from ..conftest import TESTER
from .test_escalation import WORKBOOK

TODAY = clock.today()  # the CLI asks the clock: the absences are set from it
START, *_, END = WorkCalendar().next_workdays(TODAY + dt.timedelta(days=3), 5)
AFTER = END + dt.timedelta(days=3)
X, Y, H, OFFICE = (Account("x-acct", "staff", "x"), Account("y-acct", "staff", "y"), Account("h-acct", "head", "h"),
                   Account("office", "office"))


def _saturday_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(5 - day.weekday()) % 7 or 7)


@pytest.fixture
def loaded(cli, db_url, tmp_path):
    tree = yaml.safe_load(WORKBOOK)
    weekend = _saturday_after(AFTER)
    tree["absences"] = [
        {"person": "x", "start": START.isoformat(), "end": END.isoformat(), "reason": "leave"},  # coming, acted for
        {"person": "y", "start": START.isoformat(), "end": START.isoformat(), "reason": "leave"},  # y holds no A step
        {"person": "x", "start": weekend.isoformat(), "end": (weekend + dt.timedelta(days=1)).isoformat(),
         "reason": "leave"},                                                                     # no workday in it
        {"person": "h", "start": "2026-09-01", "end": "2026-09-03", "reason": "trip"},            # long over
    ]
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0
    return actions.open_database(db_url)


def test_one_handover_is_opened_for_the_absence_someone_acts_for(loaded):
    found = actions.handovers(loaded, OFFICE)
    assert [(h.person, h.start, h.end, h.state) for h in found] == [("x", START, END, "open")]
    [h] = found
    # The first day y is away too: the head; then B on s1 and s4; the head on s2, where B may not act.
    assert h.acting == ("h", "y")
    assert {s["step"]: s["acting"] for s in h.steps} == {"s1": ["h", "y"], "s2": ["h"], "s4": ["h", "y"]}
    actions.open_handovers(loaded, TESTER, today=TODAY)
    assert actions.handovers(loaded, OFFICE) == found  # opening again opens nothing more


def test_open_items_report_and_confirm_each_by_its_person_and_audited(loaded):
    [h] = actions.handovers(loaded, OFFICE)
    with pytest.raises(PermissionDenied):
        actions.handover_items(loaded, Y, handover_id=h.id, revision=h.revision, items="不该由我写")
    h = actions.handover_items(loaded, X, handover_id=h.id, revision=h.revision, items="某单位来文待回复")
    with pytest.raises(BadInput, match=f"begins on {START}"):
        actions.report_handover(loaded, Y, handover_id=h.id, revision=h.revision, report="太早", today=TODAY)
    with pytest.raises(PermissionDenied):
        actions.report_handover(loaded, X, handover_id=h.id, revision=h.revision, report="我自己",
                                today=AFTER)
    with pytest.raises(BadInput, match="reported"):
        actions.confirm_handover(loaded, X, handover_id=h.id, revision=h.revision)
    h = actions.report_handover(loaded, Y, handover_id=h.id, revision=h.revision, report="已回复来文，归档 3 件",
                                today=AFTER)
    assert (h.state, h.reported_by) == ("reported", "y")
    with pytest.raises(BadInput):  # the report is in: the items are closed
        actions.handover_items(loaded, X, handover_id=h.id, revision=h.revision, items="补充")
    with pytest.raises(PermissionDenied):
        actions.confirm_handover(loaded, H, handover_id=h.id, revision=h.revision)
    h = actions.confirm_handover(loaded, X, handover_id=h.id, revision=h.revision)
    assert (h.state, h.confirmed_by) == ("confirmed", "x")
    assert actions.handovers(loaded, OFFICE, open_only=True) == []
    trail = [(r.action, r.user) for r in reversed(actions.audit_trail(loaded, OFFICE)) if r.action.startswith("handover")]
    assert trail == [("handover.open", "abflow"), ("handover.items", "x-acct"), ("handover.report", "y-acct"),
                     ("handover.confirm", "x-acct")]
    last = next(r for r in actions.audit_trail(loaded, OFFICE) if r.action == "handover.confirm")
    assert last.before["state"] == "reported" and last.after["state"] == "confirmed"


def test_an_edit_made_on_an_old_revision_is_refused_and_changes_nothing(loaded):
    [h] = actions.handovers(loaded, OFFICE)
    actions.handover_items(loaded, X, handover_id=h.id, revision=h.revision, items="第一稿")
    with pytest.raises(Conflict):
        actions.handover_items(loaded, H, handover_id=h.id, revision=h.revision, items="第二稿")
    [now] = actions.handovers(loaded, OFFICE)
    assert now.items == "第一稿"


@pytest.mark.parametrize("text,problem", [("", "is empty"), ("字" * 4001, "at most 4000"), ("a\x00b", "control character")])
def test_bad_text_is_refused(loaded, text, problem):
    [h] = actions.handovers(loaded, OFFICE)
    with pytest.raises(BadInput, match=problem):
        actions.handover_items(loaded, X, handover_id=h.id, revision=h.revision, items=text)


def test_a_cancelled_absence_drops_its_empty_handover_but_keeps_one_written_in(loaded):
    from roles.model import Absence
    [h] = actions.handovers(loaded, OFFICE)
    leave = Absence("x", START, END, "leave")
    actions.change_absences(loaded, OFFICE, removed=[leave], source="test")
    assert actions.handovers(loaded, OFFICE) == []
    actions.change_absences(loaded, OFFICE, added=[leave], source="test")
    [h] = actions.handovers(loaded, OFFICE)
    actions.handover_items(loaded, X, handover_id=h.id, revision=h.revision, items="已写")
    actions.change_absences(loaded, OFFICE, removed=[leave], source="test")
    assert [x.items for x in actions.handovers(loaded, OFFICE)] == ["已写"]


def test_the_cli_lists_and_fills_in_handovers(loaded, cli):
    listed = cli.json("handovers", "--json")["handovers"]
    assert [(h["person"], h["state"], h["acting"]) for h in listed] == [("x", "open", ["h", "y"])]
    ident = str(listed[0]["id"])
    assert cli.json("handover", "items", ident, "--text", "待办两件")["handover"]["items"] == "待办两件"
    stale = cli("handover", "confirm", ident)
    assert stale.exit_code == 2 and "reported" in stale.stderr
    wrong = cli("handover", "report", ident, "--text", "x", "--by", "d1")
    assert wrong.exit_code == 2 and "d1 did not act" in wrong.stderr
    old = cli("handover", "items", ident, "--text", "x", "--revision", "1")
    assert old.exit_code != 0 and "changed by someone else" in old.stderr


def test_the_share_confirmed_per_section(loaded):
    [h] = actions.handovers(loaded, OFFICE)
    later = AFTER
    shares = actions.handover_shares(loaded, OFFICE, today=later)
    assert [(s.section, s.handovers, s.confirmed, s.ended, s.share) for s in shares] == [("s", 1, 0, 1, 0.0)]
    h = actions.report_handover(loaded, Y, handover_id=h.id, revision=h.revision, report="办结", today=later)
    actions.confirm_handover(loaded, X, handover_id=h.id, revision=h.revision)
    assert [s.share for s in actions.handover_shares(loaded, OFFICE, today=later)] == [1.0]
    [now] = actions.handover_shares(loaded, OFFICE, today=TODAY)  # not over yet on TODAY: no share
    assert (now.handovers, now.confirmed, now.ended, now.share) == (1, 1, 0, None)


def test_callers_racing_to_open_the_same_handover_open_it_once(loaded):
    from sqlalchemy import delete
    from roles.storage.engines import writing
    from roles.storage.tables import HandoverRow
    with writing(loaded.engine) as s:  # as before the import opened it
        s.execute(delete(HandoverRow))
    opened_before = sum(r.action == "handover.open" for r in actions.audit_trail(loaded, OFFICE))
    from ..conftest import together
    errors = together(4, lambda _: actions.open_handovers(loaded, TESTER, today=TODAY))
    assert errors == []
    assert [(h.person, h.start) for h in actions.handovers(loaded, OFFICE)] == [("x", START)]
    opened = [r for r in actions.audit_trail(loaded, OFFICE) if r.action == "handover.open"]
    assert len(opened) == opened_before + 1


CROSS = """version: 1
departments:
  - {id: dx, name: 甲局, sections: [{id: sx, name: 综合科}]}
  - {id: dy, name: 乙局, sections: [{id: sy, name: 业务科}]}
people:
  - {id: hx, name: 甲局科长, section: sx, post: head}
  - {id: bx, name: 甲局科员, section: sx}
  - {id: hy, name: 乙局科长, section: sy, post: head}
  - {id: z, name: 借调人员, section: sy}
  - {id: by, name: 乙局科员, section: sy}
processes:
  - id: px
    section: sx
    name: 甲局事项
    after:
      steps:
        - {id: s1, name: 受理, next: [s2], a: z, b: bx}
        - {id: s2, name: 办结, a: bx, b: z}
  - id: py
    section: sy
    name: 乙局事项
    after:
      steps:
        - {id: t1, name: 登记, next: [t2], a: z, b: by}
        - {id: t2, name: 归档, a: by, b: z}
"""


@pytest.fixture
def cross(cli, db_url, tmp_path):
    """z of department dy holds steps of dx too, and is away; by (dy), who holds only B of dx,
    is away on a later day."""
    tree = yaml.safe_load(CROSS)
    tree["absences"] = [{"person": "z", "start": START.isoformat(), "end": END.isoformat(), "reason": "sick"},
                        {"person": "by", "start": END.isoformat(), "end": END.isoformat(), "reason": "leave"}]
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0
    return actions.open_database(db_url)


def _rows(database) -> list[tuple]:
    from sqlalchemy import func, select
    from sqlmodel import Session
    from roles.storage.tables import AuditRow, HandoverRow
    with Session(database.engine) as s:
        return [tuple(r) for r in s.execute(select(HandoverRow.id, HandoverRow.person_id, HandoverRow.revision,
                                                   HandoverRow.steps).order_by(HandoverRow.id))] + [
            ("audit", s.scalar(select(func.count()).select_from(AuditRow)))]


def _of_z(database) -> actions.Handover:
    [h] = [h for h in actions.handovers(database, OFFICE) if h.person == "z"]
    return h


def test_a_scoped_read_never_writes_nor_cuts_another_departments_handover(cross, cli):
    h = _of_z(cross)
    assert h.person == "z" and {s["process"] for s in h.steps} == {"px", "py"}  # all of z's steps
    z = Account("z-acct", "staff", "z")
    h = actions.handover_items(cross, z, handover_id=h.id, revision=h.revision, items="乙局私事")
    before = _rows(cross)
    # dx's readers: the use case, the CLI and the Today page's panel all read, none writes.
    assert actions.handovers(cross, OFFICE, department_id="dx") == []  # z is dy's: not dx's to read
    assert cli.json("handovers", "--department", "dx", "--json")["handovers"] == []
    assert {x.person for x in actions.handovers(cross, OFFICE, department_id="dy")} == {"z", "by"}
    assert [x.id for x in actions.handovers(cross, OFFICE, person_id="bx")] == [h.id]  # bx acts for z
    assert _rows(cross) == before
    # Still z's whole handover, at the revision z last saw.
    assert actions.handover_items(cross, z, handover_id=h.id, revision=h.revision, items="改").revision == h.revision + 1


def test_opening_is_over_every_persons_whole_set_of_steps(cross):
    found = actions.handovers(cross, OFFICE)
    actions.open_handovers(cross, TESTER, today=TODAY)
    assert actions.handovers(cross, OFFICE) == found


def test_handovers_opened_a_block_at_a_time_are_each_audited_on_one_chain(cross, monkeypatch):
    """A province's import opens thousands, written and audited a block at a time."""
    from roles.storage import audit, handovers as records
    stored = actions.handovers(cross, OFFICE)
    assert len(stored) == 2
    from sqlalchemy import delete
    from roles.storage.tables import HandoverRow
    with cross.engine.begin() as conn:
        conn.execute(delete(HandoverRow))
    monkeypatch.setattr(records, "OPEN_BLOCK", 1)
    actions.open_handovers(cross, TESTER, today=TODAY)
    opened = actions.handovers(cross, OFFICE)
    assert [(h.person, h.start, h.steps) for h in opened] == [(h.person, h.start, h.steps) for h in stored]
    rows, _, problems = audit.verify_trail(cross.engine)
    assert problems == []
    assert {r.subject for r in audit.audit_trail(cross.engine) if r.action == "handover.open"} >= \
        {f"handover {h.id}: {h.person} {h.start}" for h in opened}
