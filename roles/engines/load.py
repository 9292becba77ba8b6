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
    cover: float = 0.0  # of `minutes`, those acted on for someone away (as named stand-in, B, or up)

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
        acc: dict[str, list[float]] = {}
        for d in roster(wb, day, department, calendar=cal, absences=absences).steps:
            if d.acting is not None and (d.process, d.step) in monthly:
                share = 0.5 if d.half else 1.0  # a step acted on by one person in the morning, another after
                minutes = share * monthly[(d.process, d.step)] / n
                mine = acc.setdefault(d.acting, [0.0, 0.0])
                mine[0] += minutes
                mine[1] += minutes if d.status != "A" else 0.0
        out.append(DayLoad(day, tuple(PersonLoad(p, m, c) for p, (m, c) in
                                      sorted(acc.items(), key=lambda x: order.get(x[0], len(order))))))
    return out


#: Loads a person is flagged at: a full day's work, and a fifth more.
FULL, OVER = 1.0, 1.2


@dataclass(frozen=True)
class PersonSummary:
    """One person's load over a range of workdays."""

    person: str
    days: int             # workdays they act on something with minutes
    over_full: int        # of those, days above 100 %
    over: int             # days above 120 %
    peak: float
    peak_date: dt.date
    cover_share: float    # of all their minutes, the share acted on for someone away


@dataclass(frozen=True)
class SectionPeak:
    """The highest load in a section over the range: on whom, and when."""

    section: str
    person: str
    date: dt.date
    load: float


def summary(wb: Workbook, days: list[DayLoad]) -> tuple[list[PersonSummary], list[SectionPeak]]:
    """Per person (in the organisation's order) and per section (the peak and who carries it)."""
    per: dict[str, list[tuple[dt.date, PersonLoad]]] = {}
    for d in days:
        for x in d.people:
            per.setdefault(x.person, []).append((d.date, x))
    people = []
    for person, loads in per.items():
        total = sum(x.minutes for _, x in loads)
        peak_date, peak = max(loads, key=lambda dx: (dx[1].minutes, -dx[0].toordinal()))
        people.append(PersonSummary(person, len(loads), sum(x.load > FULL + 1e-9 for _, x in loads),
                                    sum(x.load > OVER + 1e-9 for _, x in loads), peak.load, peak_date,
                                    sum(x.cover for _, x in loads) / total if total else 0.0))
    sections: dict[str, SectionPeak] = {}
    for s in people:
        section = wb.person_by_id[s.person].section if s.person in wb.person_by_id else ""
        if section not in sections or s.peak > sections[section].load:
            sections[section] = SectionPeak(section, s.person, s.peak_date, s.peak)
    order = {p.id: i for i, p in enumerate(wb.people)}
    return sorted(people, key=lambda s: order.get(s.person, len(order))), \
        sorted(sections.values(), key=lambda x: -x.load)
