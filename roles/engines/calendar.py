"""Which days are workdays: China's national calendar, then the workbook's own overrides.

The national calendar is official for a year when the maintained `chinese_calendar` package knows
it (it is updated once the State Council publishes the year's schedule of holidays and adjusted
working weekends) or when the office has loaded that schedule itself (`abflow calendar import`).
For any other year it is estimated: weekends and the statutory holidays, which the `holidays`
package computes for any year (lunar ones included), but no adjusted working weekends, which only
the State Council's notice can tell. Every answer says which it was."""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import chinese_calendar
from typing import Literal

from roles.model import CalendarDay

OFFICIAL, ESTIMATED = "official", "estimated"


@functools.lru_cache(maxsize=256)
def library_covers(year: int) -> bool:
    """Whether `chinese_calendar` holds the State Council's schedule for `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


@functools.lru_cache(maxsize=256)
def _statutory(year: int) -> dict[dt.date, tuple[str, str]]:
    """The statutory holidays of a year the library does not know, in Chinese and English."""
    import holidays
    zh = holidays.China(years=year, language="zh_CN")
    en = holidays.China(years=year, language="en_US")
    return {day: (name, en.get(day, name)) for day, name in zh.items()}


def national_workday(day: dt.date) -> bool:
    """The national calendar; for a year it does not cover, weekends and statutory holidays off."""
    if library_covers(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5 and day not in _statutory(day.year)


@dataclass(frozen=True)
class OffDay:
    """Why a day is no workday: a calendar override (with its note), a holiday, or a weekend."""

    kind: Literal["override", "holiday", "weekend"]
    note: str | None = None
    holiday_zh: str | None = None
    holiday_en: str | None = None


def _holiday(day: dt.date) -> OffDay | None:
    if not library_covers(day.year):
        names = _statutory(day.year).get(day)
        return OffDay("holiday", holiday_zh=names[0], holiday_en=names[1]) if names else None
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    if not (on_holiday and name):
        return None
    zh = next((h.chinese for h in chinese_calendar.Holiday if h.value == name), name)
    return OffDay("holiday", holiday_zh=zh, holiday_en=name)


class WorkCalendar:
    def __init__(self, overrides: Iterable[CalendarDay] = (), official_years: Iterable[int] = ()):
        self.overrides = {c.date: c for c in overrides}
        #: Years whose State Council schedule the office loaded as overrides.
        self.official_years = frozenset(official_years)

    def source(self, *days: dt.date) -> str:
        """`official` when every day's year has its published schedule, else `estimated`."""
        covered = all(library_covers(d.year) or d.year in self.official_years for d in days)
        return OFFICIAL if covered else ESTIMATED

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
