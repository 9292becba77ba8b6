"""Approved leave pulled from the OA (issue 30), on both databases, from a server on loopback
speaking DingTalk's approval instances and WeCom's approvals: mapped to people by their user id,
stored once by the OA's id (a pull again changes nothing), changed and removed as the OA changes
them, half days from the OA's times; what cannot be mapped or read is listed; audited."""
from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from roles import actions
from roles.model import Absence

from ..conftest import TESTER

SINCE = dt.date(2026, 11, 20)


def ding(user: str, start: str, end: str, kind: str = "事假", status="COMPLETED", result="agree", value=None) -> dict:
    return {"status": status, "result": result, "originator_userid": user,
            "form_component_values": [{"component_type": "DDHolidayField", "name": "请假",
                                       "value": value or json.dumps([start, end, 1, "halfDay", kind, "请假类型"],
                                                                    ensure_ascii=False)}]}


def unix(day: dt.date, hour: int, minute: int = 0) -> int:
    return int(dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp())


def wecom(user: str, kind: str, begin: int, end: int, words: str, status: int = 2) -> dict:
    return {"sp_no": "x", "sp_status": status, "applyer": {"userid": user},
            "apply_data": {"contents": [{"control": "Vacation", "value": {"vacation": {
                "selector": {"options": [{"key": "k", "value": [{"text": words, "lang": "zh_CN"}]}]},
                "attendance": {"date_range": {"type": kind, "new_begin": begin, "new_end": end}}}}}]}}


@pytest.fixture
def oa(contacts, platforms, monkeypatch):
    monkeypatch.setenv("ABFLOW_TZ", "Asia/Shanghai")
    monkeypatch.setenv("ABFLOW_DINGTALK_LEAVE_PROCESS_CODE", "PROC-LEAVE")
    monkeypatch.setenv("ABFLOW_WECOM_LEAVE_TEMPLATE_ID", "leave-template")
    monkeypatch.setenv("ABFLOW_WECOM_APPROVAL_SECRET", "approval-secret")
    db = actions.open_database(contacts.url.render_as_string(hide_password=False))
    actions.set_contacts(db, TESTER, person_id="bb03", urls=["dingtalk-user://ding-bb03"])
    actions.set_contacts(db, TESTER, person_id="bb04", urls=["wecom-user://wx-bb04"])
    platforms.approvals = {
        "dingtalk:pi-1": ding("ding-bb03", "2026-12-08 下午", "2026-12-09 上午"),
        "dingtalk:pi-2": ding("ding-bb03", "2026-12-15", "2026-12-16", status="RUNNING", result=""),
        "dingtalk:pi-3": ding("ding-stranger", "2026-12-08", "2026-12-08"),
        "dingtalk:pi-4": ding("ding-bb03", "", "", value="not a list"),
        "wecom:sp-1": wecom("wx-bb04", "halfday", unix(dt.date(2026, 12, 10), 0), unix(dt.date(2026, 12, 11), 12), "病假"),
        "wecom:sp-2": wecom("wx-bb04", "hour", unix(dt.date(2026, 12, 14), 9), unix(dt.date(2026, 12, 14), 11, 30), "年假"),
    }
    return db


def pulled(db) -> set[Absence]:
    return {a for a in actions.workbook(db, TESTER).absences if a.person in ("bb03", "bb04") and a.start >= dt.date(2026, 12, 1)}


def test_a_pull_stores_approved_leave_once_with_its_half_days(oa, platforms):
    typed = Absence("bb04", dt.date(2026, 12, 14), dt.date(2026, 12, 14), "leave", None, "am")
    actions.change_absences(oa, TESTER, added=[typed], source="app")     # typed in before the OA's came
    first = actions.pull_leave(oa, TESTER, since=SINCE)
    assert (first.added, first.changed, first.removed) == (3, 0, 0)
    assert first.unmapped == [{"instance": "dingtalk:pi-3", "user": "ding-stranger"}]
    assert len(first.unreadable) == 1 and first.unreadable[0].startswith("dingtalk:pi-4")
    assert pulled(oa) == {Absence("bb03", dt.date(2026, 12, 8), dt.date(2026, 12, 9), "leave", "pm", "am"),
                          Absence("bb04", dt.date(2026, 12, 10), dt.date(2026, 12, 11), "sick"),
                          typed}                                       # taken as the OA's, not doubled
    again = actions.pull_leave(oa, TESTER, since=SINCE)
    assert (again.added, again.changed, again.removed, again.unchanged) == (0, 0, 0, 3)
    assert len(pulled(oa)) == 3

    platforms.approvals["wecom:sp-1"]["sp_status"] = 6                   # 通过后撤销: cancelled in the OA
    platforms.approvals["dingtalk:pi-1"] = ding("ding-bb03", "2026-12-08 下午", "2026-12-09 下午")
    changed = actions.pull_leave(oa, TESTER, since=SINCE)
    assert (changed.added, changed.changed, changed.removed, changed.unchanged) == (0, 1, 1, 1)
    assert pulled(oa) == {Absence("bb03", dt.date(2026, 12, 8), dt.date(2026, 12, 9), "leave", "pm"), typed}
    with oa.engine.connect() as c:
        kinds = [k for (k,) in c.execute(text("SELECT action FROM audit WHERE action = 'absences.pull'"))]
    assert len(kinds) == 2                                             # the two pulls that changed something


def test_the_roster_follows_the_pulled_half_day(oa):
    actions.pull_leave(oa, TESTER, since=SINCE)
    r = actions.roster(oa, TESTER, day=dt.date(2026, 12, 8))
    s1 = {d.half: d.status for d in r.steps if (d.process, d.step) == ("bb-p1", "s1")}
    assert s1 == {"am": "A", "pm": "B"}                                # bb03 away from noon


def test_no_oa_set_up_and_an_oa_out_of_reach_change_nothing(oa, monkeypatch):
    before = pulled(oa)
    monkeypatch.setenv("ABFLOW_DINGTALK_URL", "http://127.0.0.1:9/dingtalk")   # nothing listens on port 9
    with pytest.raises(actions.Unreachable, match="dingtalk"):
        actions.pull_leave(oa, TESTER, since=SINCE)
    assert pulled(oa) == before
    for key in ("ABFLOW_DINGTALK_LEAVE_PROCESS_CODE", "ABFLOW_WECOM_LEAVE_TEMPLATE_ID"):
        monkeypatch.delenv(key)
    with pytest.raises(actions.BadInput, match="no OA is set up"):
        actions.pull_leave(oa, TESTER, since=SINCE)
    with pytest.raises(actions.PermissionDenied):
        actions.pull_leave(oa, actions.Account("staff", "staff", "bb04"), since=SINCE)


def test_the_command_line_pulls_and_says_what_it_did(oa, cli):
    doc = cli.json("leave", "pull", "--since", "2026-11-20")
    assert (doc["added"], doc["unmapped"][0]["user"]) == (3, "ding-stranger")
    said = cli("leave", "pull", "--since", "2026-11-20")
    assert said.exit_code == 0 and "未变 3" in said.output and "ding-stranger" in said.output


def test_the_office_pulls_leave_from_the_people_page(oa, db_url, monkeypatch):
    """The button appears where an OA is set up, pulls, says what it did and lists who it could
    not place."""
    from streamlit.testing.v1 import AppTest

    from ..conftest import ROOT
    monkeypatch.setenv("ABFLOW_DB", db_url)
    monkeypatch.setenv("ABFLOW_TODAY", "2026-12-07")
    at = AppTest.from_file(str(ROOT / "ui" / "views" / "people.py"), default_timeout=60)
    at.session_state["section"] = "bb-zh"
    at.run()
    assert not at.exception
    at.button(key="pull_leave").click().run()
    assert not at.exception
    assert any("新增 3" in s.value for s in at.success), [s.value for s in [*at.success, *at.warning, *at.error]]
    assert any("ding-stranger" in w.value.replace("\\", "") for w in at.warning)
    assert Absence("bb03", dt.date(2026, 12, 8), dt.date(2026, 12, 9), "leave", "pm", "am") in pulled(oa)
