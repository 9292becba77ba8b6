"""A change to what someone acts on over the next workdays is told to them once (issue 30's
duty-change alerts), through a real channel, on both databases: the first run records, a change
is told with what came and what left, the same state again says nothing, a second change is told
too; a day coming into view is no change."""
from __future__ import annotations

import datetime as dt

from roles import actions
from roles.model import Absence
from roles.notify.notices import NoticeWords

from ..conftest import TESTER
from .conftest import DAY

WORDS = NoticeWords.of("zh")


def changes_to(webhook) -> list[dict]:
    return [p for p in webhook.received if "工作有变化" in p["title"]]


def test_a_change_to_the_next_workdays_is_told_once(contacts, webhook, smtp):
    db = actions.open_database(contacts.url.render_as_string(hide_password=False))
    send = lambda day=DAY: actions.send_duty_changes(db, TESTER, day=day, ahead=3, words=WORDS)  # noqa: E731
    assert send().sent == 0 and changes_to(webhook) == []          # the first run records what everyone does
    assert send().sent == 0                                           # nothing changed
    # bb06 (B of 事业单位登记 · 审核审批 while bb07 is away to the 26th) will be away on the 26th
    actions.change_absences(db, TESTER, added=[Absence("bb06", DAY + dt.timedelta(days=1),
                                                       DAY + dt.timedelta(days=1), "leave")], source="test")
    assert send().sent == 1
    told = changes_to(webhook)
    assert len(told) == 1 and "吴丽娟" in told[0]["title"]
    assert "不再办理 2026-11-26 事业单位登记 · 审核审批" in told[0]["message"]
    assert "2026-11-25" not in told[0]["message"]                     # the 25th is as it was
    assert send().sent == 0 and len(changes_to(webhook)) == 1          # once
    # a second change: the head stands in for bb07 on the 25th, agreed, so bb06 no longer acts then
    actions.add_standin(db, TESTER, person_id="bb07", standin_id="bb05", start=DAY, end=DAY, steps=["bb-p2:s4"])
    named = actions.standins(db, TESTER)[-1]
    actions.answer_standin(db, TESTER, standin_id=named.id, accept=True)
    assert send().sent == 1
    second = changes_to(webhook)[-1]
    assert "不再办理 2026-11-25 事业单位登记 · 审核审批" in second["message"]
    # the window moving on a day is no change for anyone
    assert send(DAY + dt.timedelta(days=1)).sent == 0
