"""Work notices to a person through DingTalk and WeCom (issue 30), on both databases, against a
server on loopback that speaks the platforms' documented endpoints: token exchange, the send,
DingTalk's send result, their error codes. The token is fetched once and renewed when the
platform calls it stale; a rate-limited answer is waited out; the dispatch record says sent,
delivered and read; the user id is kept sealed."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from roles import actions
from roles.notify.notices import NoticeWords

from ..conftest import TESTER
from .conftest import DAY

WORDS = NoticeWords.of("zh")
def test_work_notices_are_sent_delivered_and_read_once_each(contacts, platforms):
    db = actions.open_database(contacts.url.render_as_string(hide_password=False))
    actions.set_contacts(db, TESTER, person_id="bb01", urls=["dingtalk-user://ding-bb01"])
    actions.set_contacts(db, TESTER, person_id="bb06", urls=["wecom-user://wx-bb06", "dingtalk-user://ding-bb06"])
    platforms.next_errors = [90018]          # DingTalk's QPS limit on the first send: waited out
    report = actions.send_notices(db, TESTER, day=DAY, ahead=3, words=WORDS)
    sent = len(platforms.sent)
    assert (report.sent, report.failed, report.gave_up) == (sent, 0, 0) and sent >= 3  # bb01 has duties and gaps
    assert {(p, u) for p, u, _ in platforms.sent} == {("dingtalk", "ding-bb01"), ("wecom", "wx-bb06"),
                                                      ("dingtalk", "ding-bb06")}
    assert platforms.token_calls == {"dingtalk": 1, "wecom": 1}   # one token each, kept for the next sends
    assert any("吴丽娟" in body or "代" in body for p, u, body in platforms.sent if u == "wx-bb06")
    rows = {r.target.split(" #")[0]: r for r in actions.dispatches(db, TESTER)}
    assert set(rows) == {"dingtalk-user://di…", "wecom-user://wx…"} and all(r.status == "sent" for r in rows.values())
    assert "ding-bb01" not in " ".join(r.target for r in actions.dispatches(db, TESTER))

    platforms.read.add("ding-bb01")
    platforms.tokens.clear()                 # the platform has expired the tokens: renewed on the next call
    actions.send_notices(db, TESTER, day=DAY, ahead=3, words=WORDS, retry_only=True)
    status = {(r.recipient, r.target.split("://")[0], r.status) for r in actions.dispatches(db, TESTER)}
    assert status == {("bb01", "dingtalk-user", "read"), ("bb06", "dingtalk-user", "delivered"),
                      ("bb06", "wecom-user", "delivered")}
    assert platforms.token_calls["dingtalk"] == 2
    platforms.read.add("ding-bb06")
    actions.send_notices(db, TESTER, day=DAY, ahead=3, words=WORDS, retry_only=True)
    read = actions.dispatches(db, TESTER, status="read")
    assert {r.recipient for r in read} == {"bb01", "bb06"} and all("dingtalk" in r.target for r in read)
    again = actions.send_notices(db, TESTER, day=DAY, ahead=3, words=WORDS)
    assert again.sent == 0 and len(platforms.sent) == sent            # once each
    with db.engine.connect() as c:                                   # the user ids are sealed at rest
        assert not c.execute(text("SELECT count(*) FROM contact WHERE sealed LIKE '%ding-bb01%' "
                                  "OR masked LIKE '%ding-bb01%'")).scalar()


def test_a_refused_user_and_a_platform_not_set_up_are_recorded_failed(contacts, platforms, monkeypatch):
    db = actions.open_database(contacts.url.render_as_string(hide_password=False))
    actions.set_contacts(db, TESTER, person_id="bb01", urls=["wecom-user://nobody"])
    actions.set_contacts(db, TESTER, person_id="bb06", urls=["dingtalk-user://ding-bb06"])
    monkeypatch.delenv("ABFLOW_DINGTALK_APP_SECRET")
    report = actions.send_notices(db, TESTER, day=DAY, ahead=3, words=WORDS)
    assert report.sent == 0 and report.failed >= 2
    errors = {r.recipient: r.error for r in actions.dispatches(db, TESTER)}
    assert "81013" in errors["bb01"]
    assert "ABFLOW_DINGTALK_APP_SECRET" in errors["bb06"]
    with pytest.raises(actions.BadInput, match="work-notice"):
        actions.set_contacts(db, TESTER, person_id="bb01", urls=["dingtalk-user://"])
