"""What each person acts on over the next workdays, and what a change (an absence, a stand-in, an
A/B change) did to it: the steps that came to them and those that left, on the days two views
share. Pure: the caller keeps the views and tells people (roles.notify.jobs.run_changes)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from roles.engines.calendar import WorkCalendar
from roles.engines.roster import calendar_of, roster
from roles.model import Workbook

#: (date, process, step, status, the step's A holder): one step a person acts on, on one day.
Entry = tuple[str, ...]


def views(wb: Workbook, days: Iterable[dt.date], calendar: WorkCalendar | None = None) -> dict[str, frozenset[Entry]]:
    """Per person, every step they act on (as A, named stand-in, B or gone up to them) on `days`:
    one roster of the whole organisation a day, not one per person."""
    cal = calendar or calendar_of(wb)
    out: dict[str, set[Entry]] = {p.id: set() for p in wb.people}
    for day in days:
        for d in roster(wb, day, calendar=cal).steps:
            if d.acting is not None:
                out.setdefault(d.acting, set()).add((day.isoformat(), d.process, d.step, d.status, d.a or ""))
    return {p: frozenset(e) for p, e in out.items()}


@dataclass(frozen=True)
class Change:
    """What came to a person (`added`) and what left them (`removed`), on the days both views saw."""

    added: tuple[Entry, ...]
    removed: tuple[Entry, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


def change(old_days: Iterable[str], old: Iterable[Entry], new_days: Iterable[str], new: Iterable[Entry]) -> Change:
    """The difference on the days both views looked at: a day coming into view, or one passing,
    is no change."""
    shared = set(old_days) & set(new_days)
    before = {e for e in old if e[0] in shared}
    after = {e for e in new if e[0] in shared}
    return Change(tuple(sorted(after - before)), tuple(sorted(before - after)))
