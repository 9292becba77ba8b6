"""The weekly digest to section heads and the reform office, through the same real channels as the
daily notices (an SMTP server and a webhook receiver started here): what it says, and that each
recipient gets it exactly once a week, however often it is asked for and with two schedulers
running."""
from __future__ import annotations

import datetime as dt
import threading
import time

from roles import actions
from roles.storage import notices as notice_store
from roles.notify.jobs import WEEKLY, Schedule, make_scheduler
from roles.storage.accounts import add_account
from roles.notify.digest import DigestWords
from roles.notify.scheduled import SCHEDULER

from .conftest import DAY
from .test_scheduler import _stored_job, _wait
from ..conftest import TESTER, heavier


def send(engine, day, language="zh"):
    return actions.send_digest(actions.open_database(str(engine.url)), SCHEDULER, day=day,
                               words=DigestWords.of(language))


def digests(box) -> list[str]:
    """The digests in the mailbox, each as its subject and its text, decoded."""
    from email import message_from_string, policy
    mails = [message_from_string(m, policy=policy.default) for _, m in box.messages]
    texts = [f"{m['subject']}\n{m.get_body(('plain', 'html')).get_content()}" for m in mails]
    return [x for x in texts if "周报" in x or "weekly" in x]


def office(contacts, webhook):
    """bb05 also works for the reform office: an office account names them, and their contact."""
    add_account(contacts, "ban-office", "office-pass-1", "office", "bb05", by=TESTER)
    notice_store.set_contacts(contacts, "bb05", [webhook.url], user=TESTER)


def test_the_digest_tells_the_head_their_sections_next_ten_workdays(contacts, smtp, webhook, db_url):
    office(contacts, webhook)
    report = send(contacts, DAY)
    assert report.failed == 0 and report.sent == 3  # bb01 (head), bb05 as head and as the office
    [mail_text] = digests(smtp)
    assert "综合科 周报：2026-11-25 至 2026-12-08" in mail_text
    # bb-zh's leaders away on 11-26 (the fixture): gaps; on 11-25 their steps went up to the head.
    assert "2026-11-26 公文办理 · 拟办并核稿" in mail_text
    assert "2026-11-25 公文办理 · 收文登记：由 赵文静 代行" in mail_text
    assert "未完成的交接单" in mail_text and "孙晓燕" in mail_text
    titles = sorted(p["title"] for p in webhook.received)
    assert titles == ["AB角周报（全市）：2026-11-25 至 2026-12-08", "机构编制科 周报：2026-11-25 至 2026-12-08"]
    city = next(p["message"] for p in webhook.received if "全市" in p["title"])
    assert "市委机构编制委员会办公室：空缺" in city


def test_the_digest_goes_once_a_week_however_often_it_is_asked(contacts, smtp, webhook):
    office(contacts, webhook)
    reports = []
    threads = [threading.Thread(target=lambda d=d: reports.append(send(contacts, d)))
               for d in (DAY, DAY, DAY + dt.timedelta(days=2))]  # Wednesday twice, and Friday
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sum(r.sent for r in reports) == 3 and sum(r.skipped for r in reports) == 6
    assert len(digests(smtp)) == 1 and len(webhook.received) == 2
    monday = DAY + dt.timedelta(days=5)
    assert send(contacts, monday).sent == 3                   # the next week: again
    assert len(digests(smtp)) == 2
    rows = [r for r in notice_store.dispatches(contacts) if r.kind.startswith("digest")]
    assert {r.day for r in rows} == {dt.date(2026, 11, 23), monday}  # each week's Monday


def test_two_schedulers_send_the_weekly_digest_once(contacts, smtp, webhook):
    now = dt.datetime.now(dt.timezone.utc)
    writer = _stored_job(contacts, now - dt.timedelta(minutes=30), grace=3600, job=WEEKLY)
    a = make_scheduler(contacts, Schedule(grace=3600), background=True)
    b = make_scheduler(contacts, Schedule(grace=3600), background=True)
    a.start()
    b.start()
    try:
        assert _wait(lambda: len(digests(smtp)) == 1)
        time.sleep(1.0)
        assert len(digests(smtp)) == 1
    finally:
        a.shutdown(wait=True)
        b.shutdown(wait=True)
        writer.shutdown(wait=True)


def test_the_cli_sends_the_digest(contacts, cli, smtp):
    assert cli.json("digest", "--date", "2026-11-25")["sent"] == 1
    assert cli.json("digest", "--date", "2026-11-27")["skipped"] == 1
    assert cli.json("digest", "--date", "2026-11-28")["sent"] == 0  # a Saturday: no digest goes out


def test_the_digest_names_whoever_will_carry_over_120_percent(contacts, smtp):
    """公文办理's steps made six times heavier: on 11-25 bb01 acts on its s1, s3 and s4 (bb03 and
    bb04 away), (10×60 + 5×160 + 20×160) × 6 ÷ 21 = 1,314 minutes, 274 %, all but s3 as cover."""
    heavier(actions.open_database(str(contacts.url)), "bb-p1", 6)
    send(contacts, DAY)
    [mail_text] = digests(smtp)
    assert "负荷超过 120% 的人员" in mail_text
    line = next(x for x in mail_text.splitlines() if "赵文静：" in x and "超过 120%" in x)
    assert "峰值 274%（2026-11-25）" in line
