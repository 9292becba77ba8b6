"""The scheduler's stored jobs name these functions: they bring the chosen language's words to
the use case that sends the notices, which knows no UI. The scheduler acts as the office."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from roles import actions, clock
from roles.notify.digest import DigestWords
from roles.notify.notices import NoticeWords

from .i18n import t

SCHEDULER = actions.Account("scheduler", "office")


def notice_words(language: str) -> NoticeWords:
    return NoticeWords(**{k: t(f"notice.{k}", language) for k in NoticeWords.__dataclass_fields__})


def digest_words(language: str) -> DigestWords:
    return DigestWords(**{k: t(f"digest.{k}", language) for k in DigestWords.__dataclass_fields__})


def daily(ahead: int, language: str, timezone: str, day: str | None = None):
    """The day's notices, on the scheduler process's database (ABFLOW_DB): a stored job names none."""
    today = dt.date.fromisoformat(day) if day else dt.datetime.now(ZoneInfo(timezone)).date()
    return actions.send_notices(actions.open_database(), SCHEDULER, day=today, ahead=ahead,
                                words=notice_words(language))


def retry():
    return actions.send_notices(actions.open_database(), SCHEDULER, day=clock.today(), ahead=0,
                                words=notice_words("zh"), retry_only=True)


def weekly(language: str, timezone: str, day: str | None = None):
    """The week's digest, sent by the first run of the week on a workday."""
    today = dt.date.fromisoformat(day) if day else dt.datetime.now(ZoneInfo(timezone)).date()
    return actions.send_digest(actions.open_database(), SCHEDULER, day=today, words=digest_words(language))
