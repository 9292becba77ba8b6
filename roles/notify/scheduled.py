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


def daily(ahead: int, language: str, timezone: str, day: str | None = None):
    """The day's notices, on the scheduler process's database (ABFLOW_DB): a stored job names none."""
    today = dt.date.fromisoformat(day) if day else dt.datetime.now(ZoneInfo(timezone)).date()
    return actions.send_notices(actions.open_database(), SCHEDULER, day=today, ahead=ahead,
                                words=NoticeWords.of(language))


def changes(ahead: int, language: str, timezone: str, day: str | None = None):
    """Tell each person of a change to what they do over the next workdays, once."""
    today = dt.date.fromisoformat(day) if day else dt.datetime.now(ZoneInfo(timezone)).date()
    return actions.send_duty_changes(actions.open_database(), SCHEDULER, day=today, ahead=ahead,
                                     words=NoticeWords.of(language))


def retry():
    return actions.send_notices(actions.open_database(), SCHEDULER, day=clock.today(), ahead=0,
                                words=NoticeWords.of("zh"), retry_only=True)


def weekly(language: str, timezone: str, day: str | None = None):
    """The week's digest, sent by the first run of the week on a workday."""
    today = dt.date.fromisoformat(day) if day else dt.datetime.now(ZoneInfo(timezone)).date()
    return actions.send_digest(actions.open_database(), SCHEDULER, day=today, words=DigestWords.of(language))


def leave():
    """Approved leave of the last 30 days from the OA, when one is set up (else nothing to do)."""
    from roles import oa_leave
    if not oa_leave.configured():
        return None
    return actions.pull_leave(actions.open_database(), SCHEDULER, since=clock.today() - dt.timedelta(days=30))
