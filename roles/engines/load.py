"""The load on whoever acts (issue 31): each workday, the minutes of the steps a person acts on
that day, as A, named stand-in, B or gone up to them. A step's minutes on workday D are
`minutes × per_month ÷ (workdays in D's calendar month)`, half of it to each half of a day whose
morning and afternoon differ; a load of 1.0 is a working day of 480 minutes. Covering is no
longer free in the figures: it lands on whoever covers."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from roles.engines.acting import Absences
from roles.engines.calendar import WorkCalendar
from roles.engines.roster import calendar_of, roster
from roles.model import Workbook

#: Minutes in a working day: a load of 1.0.
DAY_MINUTES = 480


@dataclass(frozen=True)
class PersonLoad:
    person: str
    minutes: float

    @property
    def load(self) -> float:
        return self.minutes / DAY_MINUTES


@dataclass(frozen=True)
class DayLoad:
    date: dt.date
    people: tuple[PersonLoad, ...]


def _month_workdays(cal: WorkCalendar, day: dt.date) -> int:
    first = day.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return sum(1 for _ in cal.workdays(first, last))


def daily_load(wb: Workbook, start: dt.date, end: dt.date, department: str | None = None,
               calendar: WorkCalendar | None = None) -> list[DayLoad]:
    """Each workday from `start` to `end`: the people who act on steps with minutes that day, in
    the organisation's order, with their minutes; people with none that day are left out."""
    cal = calendar or calendar_of(wb)
    absences = Absences(wb.absences, cal, wb.standins)
    monthly = {(p.id, s.id): s.minutes * s.per_month for p in wb.processes if p.after
               for s in p.after.work_steps if s.minutes and s.per_month}
    order = {p.id: i for i, p in enumerate(wb.people)}
    months: dict[tuple[int, int], int] = {}
    out = []
    for day in cal.workdays(start, end):
        n = months.setdefault((day.year, day.month), _month_workdays(cal, day))
        acc: dict[str, float] = {}
        for d in roster(wb, day, department, calendar=cal, absences=absences).steps:
            if d.acting is not None and (d.process, d.step) in monthly:
                share = 0.5 if d.half else 1.0  # a step acted on by one person in the morning, another after
                acc[d.acting] = acc.get(d.acting, 0.0) + share * monthly[(d.process, d.step)] / n
        out.append(DayLoad(day, tuple(PersonLoad(p, m) for p, m in
                                      sorted(acc.items(), key=lambda x: order.get(x[0], len(order))))))
    return out
