"""Daily notices through real channels: an SMTP server (aiosmtpd) and an HTTP webhook receiver
(tests/roles/conftest.py). Covers sending once when two runs race, a missed run caught up within its
grace period (and skipped beyond it), and failed sends recorded, retried and given up."""
from __future__ import annotations

import datetime as dt
import json
import threading
import time

import pytest

from roles.storage import notices as notice_store
from roles.notify.jobs import DAILY, FUNCTIONS, Schedule, install, make_scheduler, run_daily, run_retry
from roles.notify.notices import NoticeWords

from .conftest import DAY
from ..conftest import TESTER


def test_the_daily_notices_reach_each_person_once(contacts, smtp, webhook):
    report = run_daily(contacts, DAY, 3, NoticeWords.of("zh"))
    assert report.sent == 3 and report.failed == 0
    subjects = sorted(m for _, m in smtp.messages)
    assert len(subjects) == 2  # bb01: duties and the section's gaps
    assert all(to == ["bb01@example.gov.cn"] for to, _ in smtp.messages)
    assert [p["title"] for p in webhook.received] == ["2026-11-25 今日工作：吴丽娟"]
    assert "代岗：事业单位登记 · 审核审批（郑浩 不在岗）" in webhook.received[0]["message"]
    # Run again (a second scheduler, a restart): nothing is sent twice.
    again = run_daily(contacts, DAY, 3, NoticeWords.of("zh"))
    assert (again.sent, again.skipped) == (0, 3)
    assert len(smtp.messages) == 2 and len(webhook.received) == 1
    assert {r.status for r in notice_store.dispatches(contacts)} == {"sent"}


def test_two_runs_racing_send_each_notice_once(contacts, smtp, webhook):
    reports = []
    threads = [threading.Thread(target=lambda: reports.append(run_daily(contacts, DAY, 3, NoticeWords.of("en"))))
               for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sum(r.sent for r in reports) == 3 and sum(r.skipped for r in reports) == 3
    assert len(smtp.messages) == 2 and len(webhook.received) == 1


def test_a_non_workday_sends_nothing(contacts, smtp):
    assert run_daily(contacts, dt.date(2026, 11, 28), 3, NoticeWords.of("zh")).sent == 0
    assert smtp.messages == []


def test_a_failed_send_is_recorded_retried_and_at_last_given_up(contacts, webhook):
    webhook.state["fail_first"] = 1
    first = run_daily(contacts, DAY, 3, NoticeWords.of("zh"), tries=1, pause=0)
    assert first.failed == 1
    failed, = notice_store.dispatches(contacts, status="failed")
    assert failed.recipient == "bb06" and failed.attempts == 1 and failed.error
    assert run_retry(contacts).sent == 1
    assert len(webhook.received) == 1
    assert notice_store.dispatches(contacts, status="failed") == []
    # A channel that never answers is given up after MAX_ATTEMPTS, and stays on record.
    notice_store.set_contacts(contacts, "bb06", ["json://127.0.0.1:9/closed"], user=TESTER)
    assert run_daily(contacts, DAY + dt.timedelta(days=1), 3, NoticeWords.of("zh"), tries=1, pause=0).failed == 1
    for _ in range(notice_store.MAX_ATTEMPTS):
        run_retry(contacts)
    gave_up, = notice_store.dispatches(contacts, status="gave-up")
    assert gave_up.attempts >= notice_store.MAX_ATTEMPTS and gave_up.error


def _stored_job(engine, next_run, grace, job=DAILY):
    """Put one job (the daily one by default) in the database's job store, due at `next_run`, as a
    scheduler that was stopped would have left it; the others are left out. The writer stays
    paused until the caller shuts it down: a shut down scheduler looks at its jobs once more on
    its way out, and would take the job itself."""
    schedule = Schedule(grace=grace)
    s = make_scheduler(engine, schedule, background=True)
    s.start(paused=True)
    install(s, schedule)
    kwargs = {"language": "zh", "timezone": "Asia/Shanghai", "day": DAY.isoformat()}
    s.modify_job(job, next_run_time=next_run, kwargs={"ahead": 3, **kwargs} if job == DAILY else kwargs)
    for other in set(FUNCTIONS) - {job}:
        s.remove_job(other)
    return s


def _wait(cond, seconds=15.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end and not cond():
        time.sleep(0.1)
    return cond()


def test_a_missed_run_runs_once_when_the_scheduler_comes_back(contacts, db_url, smtp, webhook):
    now = dt.datetime.now(dt.timezone.utc)
    writer = _stored_job(contacts, now - dt.timedelta(minutes=30), grace=3600)
    # Two schedulers come back on the same database: the job runs, each notice goes out once.
    a = make_scheduler(contacts, Schedule(grace=3600), background=True)
    b = make_scheduler(contacts, Schedule(grace=3600), background=True)
    a.start()
    b.start()
    try:
        assert _wait(lambda: len(smtp.messages) == 2 and len(webhook.received) == 1)
        time.sleep(1.0)
        assert len(smtp.messages) == 2 and len(webhook.received) == 1
        assert a.get_job(DAILY).next_run_time > now
    finally:
        a.shutdown(wait=True)
        b.shutdown(wait=True)
        writer.shutdown(wait=True)


def test_a_run_missed_beyond_the_grace_period_is_skipped(contacts, db_url, smtp):
    now = dt.datetime.now(dt.timezone.utc)
    writer = _stored_job(contacts, now - dt.timedelta(hours=3), grace=60)
    s = make_scheduler(contacts, Schedule(grace=60), background=True)
    s.start()
    try:
        assert _wait(lambda: s.get_job(DAILY).next_run_time > now)
        time.sleep(0.5)
    finally:
        s.shutdown(wait=True)
        writer.shutdown(wait=True)
    assert smtp.messages == [] and notice_store.dispatches(contacts) == []


def test_the_cli_sends_once_and_reports(contacts, cli, smtp, webhook):
    bad = cli("contacts", "set", "bb02", "nonsense")
    assert bad.exit_code == 2 and "nonsense" in bad.stderr
    assert cli("contacts", "set", "ghost", "json://127.0.0.1/x").exit_code == 2
    assert cli.json("notify", "--date", "2026-11-25") == {"sent": 3, "failed": 0, "skipped": 0, "gave_up": 0}
    assert cli.json("notify", "--date", "2026-11-25")["skipped"] == 3
    rows = cli.json("dispatches")["dispatches"]
    assert {(r["recipient"], r["kind"], r["status"]) for r in rows} == {
        ("bb01", "duties", "sent"), ("bb01", "gaps", "sent"), ("bb06", "duties", "sent")}
    assert all("@" not in r["target"] or "example.gov.cn" in r["target"] for r in rows)


def test_a_notice_for_a_day_of_an_estimated_calendar_says_so_first():
    import datetime as dt
    from roles.demo import demo_workbook
    from roles.notify.notices import compose
    day = dt.date(2027, 2, 22)
    notices = compose(demo_workbook(day), day, 3, NoticeWords.of("zh"))
    assert notices and all(n.body.startswith("【注意】2027 年节假日安排尚未载入") for n in notices)
    assert not any("【注意】" in n.body for n in compose(demo_workbook(dt.date(2026, 11, 25)),
                                                        dt.date(2026, 11, 25), 3, NoticeWords.of("zh")))


def _installed(engine):
    s = make_scheduler(engine, Schedule(), background=True)
    s.start(paused=True)
    try:
        install(s, Schedule())
    finally:
        s.shutdown(wait=False)


def test_the_stored_jobs_hold_no_database_url_and_no_pickle(contacts, db_url):
    """The job table is readable by whoever reads the database: no URL, no password, and plain JSON."""
    from sqlalchemy import text
    _installed(contacts)
    with contacts.connect() as conn:
        states = [bytes(r[0]) for r in conn.execute(text("SELECT job_state FROM apscheduler_jobs"))]
    assert len(states) == len(FUNCTIONS)  # daily, retry, weekly
    for state in states:
        assert db_url.encode() not in state and b"postgresql" not in state and b"sqlite" not in state
        job = json.loads(state)
        assert job["func"] in FUNCTIONS.values() and "db" not in job["kwargs"]


@pytest.mark.parametrize("forged", [
    pytest.param(lambda s: json.dumps(json.loads(s) | {"func": "os:system", "args": ["touch {marker}"]}).encode(),
                 id="another-function"),
    pytest.param(lambda s: __import__("pickle").dumps(__import__("os").system), id="a-pickle"),
])
def test_a_forged_job_row_is_refused_and_dropped_never_run(contacts, tmp_path, forged):
    """Whoever can write the job table cannot make the scheduler run code: a row naming a function
    other than ours, or a pickle, is not read, and is removed."""
    from sqlalchemy import text
    _installed(contacts)
    marker = tmp_path / "ran"
    with contacts.begin() as conn:
        state = bytes(conn.execute(text("SELECT job_state FROM apscheduler_jobs WHERE id = :i"), {"i": DAILY}).scalar())
        row = forged(state).replace(b"{marker}", str(marker).encode())
        conn.execute(text("UPDATE apscheduler_jobs SET job_state = :s, next_run_time = 0 WHERE id = :i"),
                     {"s": row, "i": DAILY})
    s = make_scheduler(contacts, Schedule(), background=True)
    s.start()
    try:
        assert _wait(lambda: s.get_job(DAILY) is None)
    finally:
        s.shutdown(wait=True)
    assert not marker.exists()
    with contacts.connect() as conn:
        assert sorted(r[0] for r in conn.execute(text("SELECT id FROM apscheduler_jobs"))) == sorted(set(FUNCTIONS) - {DAILY})


def test_jobs_stored_by_an_older_abflow_name_their_function_anew_and_run(empty_db_url):
    """Before 0024 the jobs named ui.scheduled:…; the upgrade renames them where the functions now
    live, so a scheduler that comes back reads them rather than refusing them as forged."""
    from sqlalchemy import text

    from roles.storage.engines import engine_for
    from ..conftest import database_at
    old = {"id": DAILY, "func": "ui.scheduled:daily", "trigger": {"type": "cron"}, "kwargs": {"ahead": 3}}
    with database_at(empty_db_url, "0023") as conn:
        conn.execute(text("INSERT INTO apscheduler_jobs (id, next_run_time, job_state) VALUES (:i, 0, :s)"),
                     {"i": DAILY, "s": json.dumps(old).encode()})
    with engine_for(empty_db_url).connect() as conn:
        job = json.loads(bytes(conn.execute(text("SELECT job_state FROM apscheduler_jobs")).scalar()))
    assert job == old | {"func": FUNCTIONS[DAILY]} and FUNCTIONS[DAILY] == "roles.notify.scheduled:daily"
