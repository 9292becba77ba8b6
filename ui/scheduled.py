"""The scheduler's stored jobs name these functions: they bring the chosen language's words to
the domain's job code, which knows no UI."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from roles.notify.jobs import run_daily, run_retry
from roles.notify.notices import NoticeWords

from roles.storage.database import engine_for
from .i18n import t


def notice_words(language: str) -> NoticeWords:
    return NoticeWords(**{k: t(f"notice.{k}", language) for k in NoticeWords.__dataclass_fields__})


def daily(db: str, ahead: int, language: str, timezone: str, day: str | None = None):
    today = dt.date.fromisoformat(day) if day else dt.datetime.now(ZoneInfo(timezone)).date()
    return run_daily(engine_for(db), today, ahead, notice_words(language))


def retry(db: str):
    return run_retry(engine_for(db))
