"""Review notices through a real channel: the leader is told what waits for their review in the
daily notice, the author what became of theirs and what others said on it, and the weekly digest
counts what waits."""
from __future__ import annotations

import dataclasses
import datetime as dt

from roles import actions, clock
from roles.notify.digest import DigestWords, compose_digest
from roles.notify.jobs import run_daily, waiting_reviews
from roles.notify.notices import NoticeWords
from roles.notify.review_notices import compose_reviews
from roles.storage import notices as notice_store
from roles.storage.accounts import add_account, all_accounts
from roles.storage.organisation import load
from roles.storage.reviews import reviews

from .conftest import DAY
from ..conftest import TESTER

HEAD_ZH = actions.Account("head-zh", "head", "bb01")
LEADER = actions.Account("leader-bb", "leader", "bb06", leads="bb")


def _submitted(engine) -> actions.Database:
    add_account(engine, "head-zh", "head-password-1", "head", "bb01", by=TESTER)
    add_account(engine, "leader-bb", "leader-password-1", "leader", "bb06", by=TESTER, leads="bb")
    db = actions.open_database(engine.url.render_as_string(hide_password=False))
    wb, p, v = actions.process_version(db, HEAD_ZH, process_id="bb-p1")
    draft = dataclasses.replace(v, steps=tuple(dataclasses.replace(s, b="bb02") if s.id == "s1" else s for s in v.steps))
    actions.save_draft(db, HEAD_ZH, process_id="bb-p1", which="after", version=draft, base_revision=1, base=v,
                       expected_draft=0)
    actions.submit_review(db, HEAD_ZH, process_id="bb-p1", comment="请审核")
    return db


def test_the_leader_is_told_in_the_daily_notice_what_waits_for_review(contacts, webhook):
    _submitted(contacts)  # bb06 is the leader's person, with the webhook as contact
    run_daily(contacts, DAY, 3, NoticeWords.of("zh"))
    told = [p for p in webhook.received if p["title"] == "审核事项 1 项"]
    assert len(told) == 1 and "待您审核 1 项" in told[0]["message"] and "公文办理（AB角调整，head-zh 提交" in \
        told[0]["message"]
    assert any(r.kind == "review" and r.recipient == "bb06" for r in notice_store.dispatches(contacts))


def test_the_author_is_told_what_was_decided_since_the_last_workday(contacts):
    db = _submitted(contacts)
    actions.comment_review(db, actions.Account("staff", "staff", "bb03"), process_id="bb-p1", step="s1",
                           text="周三我不在")
    actions.return_review(db, LEADER, process_id="bb-p1", comment="s1 备岗请再斟酌")
    wb = load(contacts, ("after",))
    people = [a for a, off in all_accounts(contacts) if not off]
    today = clock.today()
    after = compose_reviews(today + dt.timedelta(days=1), today, reviews(contacts), people, wb, NoticeWords.of("zh"),
                            clock.local)
    [to_author] = [n for n in after if n.recipient == "bb01"]
    assert "公文办理：leader-bb 退回" in to_author.body and "s1 备岗请再斟酌" in to_author.body
    assert "staff 对 公文办理 · s1：周三我不在" in to_author.body  # what others said, told too
    assert to_author.body.count("s1 备岗请再斟酌") == 1  # the reason for the return, once
    assert not [n for n in after if n.recipient == "bb06"]  # nothing waits any more
    later = compose_reviews(today + dt.timedelta(days=3), today + dt.timedelta(days=2), reviews(contacts), people, wb,
                            NoticeWords.of("zh"), clock.local)
    assert later == []  # told once, on the next workday's notice


def test_the_weekly_digest_counts_what_waits(contacts):
    _submitted(contacts)
    wb = load(contacts, ("after",))
    waiting = waiting_reviews(contacts, wb)
    assert waiting == {"bb06": 1}
    [head] = [n for n in compose_digest(wb, DAY, DigestWords.of("zh"), [], ["bb06"], reviews_waiting=waiting)
              if n.recipient == "bb06"]
    assert head.body.startswith("待您审核的修改 1 项")


def test_a_change_of_a_matter_waits_in_the_same_notice_and_digest(contacts, webhook):
    """A new matter led by bb, proposed by the office: the department's leader is told beside the
    process review, and the digest counts both."""
    from roles.model import Matter
    db = _submitted(contacts)
    actions.propose_matter(db, TESTER, matter=Matter("m1", "编办一件事", "bb", (("bb-p1",),)), expected=None)
    run_daily(contacts, DAY, 3, NoticeWords.of("zh"))
    [told] = [p for p in webhook.received if p["title"] == "审核事项 2 项"]
    assert "待您审核 2 项" in told["message"] and "编办一件事（一件事，tester 提交" in told["message"]
    assert waiting_reviews(contacts, load(contacts, ("after",))) == {"bb06": 2}
