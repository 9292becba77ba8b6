"""The functions the scheduler's stored jobs name (`roles.notify.scheduled:daily`, …): each opens
the scheduler process's own database (ABFLOW_DB; a stored job names none) and calls the use case
that sends the notices, in the chosen language. The scheduler acts as the office."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from roles import actions, clock
from roles.notify.digest import DigestWords
from roles.notify.notices import NoticeWords

SCHEDULER = actions.Account("scheduler", "office")


def _today(day: str | None, timezone: str) -> dt.date:
    """The day a job runs for: the one it names, else today in the scheduler's zone."""
    return dt.date.fromisoformat(day) if day else dt.datetime.now(ZoneInfo(timezone)).date()


def daily(ahead: int, language: str, timezone: str, day: str | None = None):
    """The day's notices, on the scheduler process's database (ABFLOW_DB): a stored job names none."""
    return actions.send_notices(actions.open_database(), SCHEDULER, day=_today(day, timezone), ahead=ahead,
                                words=NoticeWords.of(language))


def changes(ahead: int, language: str, timezone: str, day: str | None = None):
    """Tell each person of a change to what they do over the next workdays, once."""
    return actions.send_duty_changes(actions.open_database(), SCHEDULER, day=_today(day, timezone), ahead=ahead,
                                     words=NoticeWords.of(language))


def retry():
    return actions.send_notices(actions.open_database(), SCHEDULER, day=clock.today(), ahead=0,
                                words=NoticeWords.of("zh"), retry_only=True)


def weekly(language: str, timezone: str, day: str | None = None):
    """The week's digest, sent by the first run of the week on a workday."""
    return actions.send_digest(actions.open_database(), SCHEDULER, day=_today(day, timezone),
                               words=DigestWords.of(language))


def leave():
    """Approved leave from the OA, when one is set up (else nothing to do)."""
    if not actions.leave_sources():
        return None
    return actions.pull_leave(actions.open_database(), SCHEDULER)
