"""The recurring jobs: the daily notices at a set time, the weekly digest on the week's first
workday, and a retry of failed sends, with
APScheduler keeping its jobs in our database (table `apscheduler_jobs`, made by our migrations,
as JSON: `roles.storage.jobstore`).

A missed run (the machine was off at 8:00) runs once when the scheduler comes back within the
grace period (`coalesce`, `misfire_grace_time`); later than that it is skipped and logged. Two
schedulers on one database may both fire; the dispatch log's unique key lets only one send.
Jobs name their function by text (`roles.notify.scheduled:daily`), as a stored job must, and that
function opens the database and calls the use case, which calls `run_daily` here.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


from roles.storage.jobstore import JsonJobStore
from roles.notify.dispatch import Report, Sender, deliver, follow, retry, send_any
from roles.storage.notices import contacts
from roles.notify.digest import DigestWords, compose_digest, week_of
from roles.notify.notices import Notice, NoticeWords, compose
from roles.storage.engines import Engine
from roles.storage.handovers import Handover
from roles.notify.review_notices import compose_reviews, matters_waiting_for, waiting_for
from roles.storage.matters import changes as matter_changes
from roles.storage.accounts import all_accounts
from roles.storage.organisation import load
from roles.storage.reviews import reviews

log = logging.getLogger("abflow.jobs")
DAILY, RETRY, WEEKLY, CHANGES, LEAVE = "daily-notices", "retry-notices", "weekly-digest", "duty-changes", "leave-pull"
#: What the stored jobs may run; a row of the job table naming anything else is refused.
FUNCTIONS = {DAILY: "roles.notify.scheduled:daily", RETRY: "roles.notify.scheduled:retry",
             WEEKLY: "roles.notify.scheduled:weekly", CHANGES: "roles.notify.scheduled:changes",
             LEAVE: "roles.notify.scheduled:leave"}


@dataclass(frozen=True)
class Schedule:
    at: dt.time = dt.time(8, 0)
    ahead: int = 3  # workdays of gaps ahead in the heads' notice
    timezone: str = "Asia/Shanghai"
    grace: int = 4 * 3600  # seconds a missed run may still run late
    retry_minutes: int = 15
    language: str = "zh"


def run_daily(engine: Engine, day: dt.date, ahead: int, words: NoticeWords, send: Sender = send_any,
              tries: int = 3, pause: float = 2.0) -> Report:
    """Compose and send the day's notices to everyone with a contact."""
    who = contacts(engine)
    wb = load(engine, ("after",))
    notices = compose(wb, day, ahead, words, recipients=set(who)) + _review_notices(engine, wb, day, words, set(who))
    report = deliver(engine, notices, who, send, tries, pause)
    log.info("notices for %s: %s", day, report)
    return report


def _review_notices(engine: Engine, wb, day: dt.date, words: NoticeWords, recipients: set[str]) -> list:
    """What waits for each reviewer, and what was decided of each author's since the last workday."""
    from roles.clock import local
    from roles.engines.roster import calendar_of
    cal = calendar_of(wb)
    since = day - dt.timedelta(days=1)
    while not cal.is_workday(since) and since > day - dt.timedelta(days=30):
        since -= dt.timedelta(days=1)
    people = [a for a, off in all_accounts(engine) if not off]
    return compose_reviews(day, since, reviews(engine), people, wb, words, local, recipients,
                           matters=matter_changes(engine))


def waiting_reviews(engine: Engine, wb) -> dict[str, int]:
    """Each reviewer (person): how many submissions wait for them, of processes and of matters done
    once; the weekly digest counts them."""
    people = [a for a, off in all_accounts(engine) if not off]
    counted = Counter({p: len(r) for p, r in waiting_for(reviews(engine), people, wb).items()})
    counted.update({p: len(c) for p, c in matters_waiting_for(matter_changes(engine), people).items()})
    return dict(counted)


def run_weekly(engine: Engine, day: dt.date, words: DigestWords, handovers: Iterable[Handover],
               office: Iterable[str], send: Sender = send_any, tries: int = 3, pause: float = 2.0) -> Report:
    """Compose and send the week's digest (of `day`'s week) to the heads and `office` with a
    contact; each gets it once a week, however many runs ask."""
    who = contacts(engine)
    wb = load(engine, ("after",))
    notices = compose_digest(wb, day, words, handovers, office, recipients=set(who),
                             reviews_waiting=waiting_reviews(engine, wb))
    report = deliver(engine, notices, who, send, tries, pause)
    log.info("digest for the week of %s: %s", week_of(day), report)
    return report


def run_changes(engine: Engine, day: dt.date, ahead: int, words: NoticeWords, send: Sender = send_any,
                tries: int = 3, pause: float = 2.0) -> Report:
    """Tell each person with a contact, once, how what they act on over the next `ahead` workdays
    changed since the last run (an absence, a stand-in, an A/B change); the first run only
    records what everyone does."""
    import hashlib

    from roles.engines.duty_changes import change, views
    from roles.engines.roster import calendar_of
    from roles.storage import duty_views
    wb = load(engine, ("after",))
    days = [d.isoformat() for d in calendar_of(wb).next_workdays(day, ahead)]  # `day` first, when it is one
    now, before, who = views(wb, map(dt.date.fromisoformat, days)), duty_views.stored(engine), contacts(engine)
    name = lambda pid: wb.person_by_id[pid].name if pid in wb.person_by_id else pid  # noqa: E731
    label = {(p.id, s.id): f"{p.name} · {s.label}" for p in wb.processes if p.after for s in p.after.work_steps}
    how = lambda e: getattr(words, f"change_how_{e[3]}").format(who=name(e[4]))  # noqa: E731
    notices = []
    for person, entries in now.items():
        if person not in who or person not in before:
            continue
        found = change(*before[person], days, entries)
        if not found:
            continue
        lines = [words.change_added.format(date=e[0], step=label.get((e[1], e[2]), f"{e[1]} {e[2]}"), how=how(e))
                 for e in found.added]
        lines += [words.change_removed.format(date=e[0], step=label.get((e[1], e[2]), f"{e[1]} {e[2]}"))
                  for e in found.removed]
        fingerprint = hashlib.sha256(repr((found.added, found.removed)).encode()).hexdigest()[:16]
        notices.append(Notice(day, f"change:{fingerprint}", person,
                              words.change_title.format(name=name(person), start=days[0], end=days[-1]),
                              "\n".join(lines)))
    report = deliver(engine, notices, who, send, tries, pause) if notices else Report()
    duty_views.keep(engine, days, now)
    log.info("duty changes for %s: %s", day, report)
    return report


def run_retry(engine: Engine, send: Sender = send_any) -> Report:
    """Send again what failed, and ask the platforms what became of the work notices sent."""
    report = retry(engine, contacts(engine), send)
    if changed := follow(engine):
        log.info("%d work notices delivered or read since the last run", changed)
    return report


def make_scheduler(engine: Engine, schedule: Schedule, background: bool = False):
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler
    kind = BackgroundScheduler if background else BlockingScheduler
    return kind(jobstores={"default": JsonJobStore(engine, frozenset(FUNCTIONS.values()))},
                job_defaults={"coalesce": True, "misfire_grace_time": schedule.grace, "max_instances": 1},
                timezone=schedule.timezone)


def install(scheduler, schedule: Schedule) -> None:
    """Put (or replace) the jobs in the store; a changed time takes effect at once. The jobs
    name no database: they run on the scheduler's own (ABFLOW_DB), so no URL, and no password
    in it, is ever written into the job table."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger
    scheduler.add_job(FUNCTIONS[DAILY], CronTrigger(hour=schedule.at.hour, minute=schedule.at.minute,
                                                   timezone=schedule.timezone),
                      id=DAILY, replace_existing=True,
                      kwargs={"ahead": schedule.ahead, "language": schedule.language,
                              "timezone": schedule.timezone})
    scheduler.add_job(FUNCTIONS[RETRY], IntervalTrigger(minutes=schedule.retry_minutes), id=RETRY,
                      replace_existing=True)
    # A change to someone's next workdays is told within the quarter hour, once.
    scheduler.add_job(FUNCTIONS[CHANGES], IntervalTrigger(minutes=schedule.retry_minutes), id=CHANGES,
                      replace_existing=True, kwargs={"ahead": schedule.ahead, "language": schedule.language,
                                                     "timezone": schedule.timezone})
    # Approved leave from the OA, where one is set up, every hour (a pull again changes nothing).
    scheduler.add_job(FUNCTIONS[LEAVE], IntervalTrigger(minutes=60), id=LEAVE, replace_existing=True)
    # Every weekday at the same time: the first workday of the week sends the digest, the dispatch
    # log's unique key (the week's Monday) makes the others send nothing.
    scheduler.add_job(FUNCTIONS[WEEKLY], CronTrigger(day_of_week="mon-fri", hour=schedule.at.hour,
                                                    minute=schedule.at.minute, timezone=schedule.timezone),
                      id=WEEKLY, replace_existing=True,
                      kwargs={"language": schedule.language, "timezone": schedule.timezone})
