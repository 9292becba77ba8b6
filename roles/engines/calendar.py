"""Which days are workdays: China's national calendar (holidays and adjusted working weekends,
from the maintained `chinese_calendar` package, updated yearly when the State Council publishes
the next year's schedule), then the workbook's own overrides."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import chinese_calendar

from roles.model import CalendarDay

log = logging.getLogger("abflow")
_warned_years: set[int] = set()


def national_workday(day: dt.date) -> bool:
    """The national calendar; for a year it does not cover yet, plain Monday-to-Friday."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning("the national holiday calendar does not cover %s yet: counting Monday to Friday "
                        "as workdays, plus the workbook's calendar overrides (update chinesecalendar)", day.year)
        return day.weekday() < 5


@dataclass(frozen=True)
class OffDay:
    """Why a day is no workday: a calendar override (with its note), a holiday, or a weekend."""

    kind: str  # "override" | "holiday" | "weekend"
    note: str | None = None
    holiday_zh: str | None = None
    holiday_en: str | None = None


def _holiday(day: dt.date) -> OffDay | None:
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    if not (on_holiday and name):
        return None
    zh = next((h.chinese for h in chinese_calendar.Holiday if h.value == name), name)
    return OffDay("holiday", holiday_zh=zh, holiday_en=name)


class WorkCalendar:
    def __init__(self, overrides: Iterable[CalendarDay] = ()):
        self.overrides = {c.date: c for c in overrides}

    def is_workday(self, day: dt.date) -> bool:
        o = self.overrides.get(day)
        return o.workday if o is not None else national_workday(day)

    def why_not_workday(self, day: dt.date) -> OffDay | None:
        if self.is_workday(day):
            return None
        o = self.overrides.get(day)
        if o is not None:
            return OffDay("override", note=o.note)
        return _holiday(day) or OffDay("weekend" if day.weekday() >= 5 else "holiday")

    def workdays(self, start: dt.date, end: dt.date) -> Iterator[dt.date]:
        day = start
        while day <= end:
            if self.is_workday(day):
                yield day
            day += dt.timedelta(days=1)

    def next_workdays(self, start: dt.date, count: int) -> list[dt.date]:
        """The first `count` workdays on or after `start` (bounded, so a bad calendar cannot hang)."""
        out: list[dt.date] = []
        day = start
        for _ in range(count * 7 + 60):
            if len(out) == count:
                break
            if self.is_workday(day):
                out.append(day)
            day += dt.timedelta(days=1)
        return out
