"""Named stand-ins (指定代岗), on both databases: who acts once the named person accepts, only on
the days the person is away, ahead of B; who may name and answer; the approval-authority rule;
the notices; the command line."""
from __future__ import annotations

import datetime as dt

import pytest

from roles import actions
from roles.notify.notices import NoticeWords, compose

from ..conftest import TESTER

HEAD_ZH = actions.Account("head-zh", "head", "bb01")   # head of bb-zh: bb03 is away 11-23..27, A of bb-p1 s1
DEPUTY_ZH = actions.Account("deputy-zh", "head", "bb02")
HEAD_JG = actions.Account("head-jg", "head", "bb05")   # bb07 (away 11-24..26) is A of bb-p2 s4, an approval
STAFF_ZH = actions.Account("staff-zh", "staff", "bb04")
STAFF_JG = actions.Account("staff-jg", "staff", "bb09")
MON, TUE, WED, NEXT_MON = (dt.date(2026, 11, d) for d in (23, 24, 25, 30))


@pytest.fixture
def db(bianban):
    return actions.open_database(bianban.url.render_as_string(hide_password=False))


def step(db, day: dt.date, process: str = "bb-p1", step_id: str = "s1"):
    r = actions.roster(db, TESTER, day=day)
    return next((d.status, d.acting) for d in r.steps if (d.process, d.step) == (process, step_id))


def test_a_named_stand_in_acts_once_accepted_and_only_while_the_person_is_away(db):
    assert step(db, TUE) == ("B", "bb04")
    made = actions.add_standin(db, HEAD_ZH, person_id="bb03", standin_id="bb02", start=MON, end=NEXT_MON,
                               steps=["bb-p1:s1"])
    assert made.state == "asked" and step(db, TUE) == ("B", "bb04")   # asked: nothing changes yet
    with pytest.raises(actions.PermissionDenied):                      # only the named person answers
        actions.answer_standin(db, STAFF_ZH, standin_id=made.id, accept=True)
    actions.answer_standin(db, DEPUTY_ZH, standin_id=made.id, accept=True)
    assert step(db, TUE) == ("named", "bb02")                          # ahead of B
    assert step(db, WED) == ("named", "bb02")                          # B away too: still the stand-in
    assert step(db, NEXT_MON) == ("A", "bb03")                         # back: A again, though the naming runs on
    assert [g for g in actions.gaps(db, TESTER, start=MON, end=NEXT_MON) if (g.process, g.step) == ("bb-p1", "s1")] == []
    mine = actions.person_days(db, DEPUTY_ZH, person_id="bb02", start=TUE, end=TUE)[0]
    assert [(d.process, d.step, d.status) for d in mine.covers] == [("bb-p1", "s1", "named")]
    with pytest.raises(actions.Conflict):                               # answered once
        actions.answer_standin(db, DEPUTY_ZH, standin_id=made.id, accept=False)


def test_a_stand_in_who_is_away_does_not_act_and_a_declined_one_changes_nothing(db):
    away = actions.add_standin(db, TESTER, person_id="bb03", standin_id="bb04", start=MON, end=WED)
    actions.answer_standin(db, TESTER, standin_id=away.id, accept=True)  # the office records a phoned answer
    assert step(db, TUE) == ("named", "bb04") and step(db, WED)[0] == "up"  # bb04 is away on the 25th
    no = actions.add_standin(db, HEAD_JG, person_id="bb07", standin_id="bb08", start=MON, end=WED, steps=["bb-p2:s4"])
    actions.answer_standin(db, actions.Account("w", "staff", "bb08"), standin_id=no.id, accept=False)
    assert step(db, TUE, "bb-p2", "s4") == ("B", "bb06")


def test_taking_a_gap_yourself_counts_at_once_and_others_are_refused(db):
    """我来顶岗: the deputy names herself for bb03's step and it counts; staff of another section,
    or naming someone else for a person not theirs, are refused; so are bad entries, all named."""
    mine = actions.add_standin(db, DEPUTY_ZH, person_id="bb03", standin_id="bb02", start=TUE, end=TUE,
                               steps=["bb-p1:s1"])
    assert mine.state == "accepted" and step(db, TUE) == ("named", "bb02") and step(db, MON) == ("B", "bb04")
    with pytest.raises(actions.PermissionDenied):
        actions.add_standin(db, STAFF_ZH, person_id="bb03", standin_id="bb02", start=TUE, end=TUE)
    with pytest.raises(actions.BadInput) as bad:
        actions.add_standin(db, STAFF_JG, person_id="bb03", standin_id="bb09", start=TUE, end=MON,
                            steps=["bb-p1:s4", "nope"])
    said = str(bad.value)
    assert "bb-p1:s4" in said and "'nope'" in said and "before the start" in said
    with pytest.raises(actions.BadInput, match="themselves"):
        actions.add_standin(db, TESTER, person_id="bb03", standin_id="bb03", start=TUE, end=TUE)
    with pytest.raises(actions.BadInput, match="no person 'zz'"):
        actions.add_standin(db, TESTER, person_id="bb03", standin_id="zz", start=TUE, end=TUE)
    assert [x.id for x in actions.standins(db, TESTER)] == [mine.id]   # nothing else was stored


def test_a_staff_stand_in_on_an_approval_step_is_a_finding_a_head_is_not(db):
    actions.add_standin(db, TESTER, person_id="bb07", standin_id="bb08", start=MON, end=WED, steps=["bb-p2:s4"])
    found = [f for f in actions.check(db, TESTER) if f.rule == "standin-authority"]
    assert len(found) == 1 and found[0].severity == "warning" and "审核审批" in found[0].text("zh")
    actions.add_standin(db, TESTER, person_id="bb07", standin_id="bb05", start=MON, end=WED, steps=["bb-p2:s4"])
    assert len([f for f in actions.check(db, TESTER) if f.rule == "standin-authority"]) == 1


def test_the_named_person_is_asked_by_notice_and_the_head_told_of_a_refusal(db):
    asked = actions.add_standin(db, HEAD_ZH, person_id="bb03", standin_id="bb02", start=MON, end=NEXT_MON)
    wb = actions.workbook(db, TESTER)
    notices = compose(wb, TUE, 2, NoticeWords.of("zh"))
    to_deputy = next(n for n in notices if n.recipient == "bb02" and n.kind == "duties")
    assert f"编号 {asked.id}" in to_deputy.body and "接受或拒绝" in to_deputy.body
    head = next(n for n in notices if n.recipient == "bb01" and n.kind == "gaps")
    assert "钱立新" in head.body and "尚未确认" in head.body
    actions.answer_standin(db, DEPUTY_ZH, standin_id=asked.id, accept=False)
    head = next(n for n in compose(actions.workbook(db, TESTER), TUE, 2, NoticeWords.of("zh"))
                if n.recipient == "bb01" and n.kind == "gaps")
    assert "已拒绝" in head.body


def test_the_command_line_names_accepts_and_lists(cli, bianban):
    result = cli("standin", "add", "--for", "bb03", "--by", "bb02", "--from", "2026-11-23", "--to", "2026-11-27",
                 "--step", "bb-p1:s1")
    assert result.exit_code == 0, result.output
    made = int(result.stdout.strip())
    assert cli("standin", "accept", str(made)).exit_code == 0
    listed = cli.json("standin", "list")["standins"]
    assert listed == [{"id": made, "for": "bb03", "by": "bb02", "from": "2026-11-23", "to": "2026-11-27",
                       "steps": ["bb-p1:s1"], "state": "accepted", "named_by": listed[0]["named_by"]}]
    roster = cli.json("roster", "--date", "2026-11-24")["steps"]
    assert next(s for s in roster if (s["process"], s["step"]) == ("bb-p1", "s1"))["status"] == "named"
    refused = cli("standin", "add", "--for", "bb03", "--by", "bb03", "--from", "2026-11-23", "--to", "2026-11-22")
    assert refused.exit_code == 2 and "themselves" in refused.output and "before the start" in refused.output
    assert cli("standin", "decline", "999").exit_code != 0
