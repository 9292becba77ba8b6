"""Who covers each redesigned step on a date (workbook spec, "Who covers a step on a date"),
the gaps over a range of days, and the gaps a proposed absence would add.

Pure functions of a `Workbook`: the CLI, the app and the scheduler all call these.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from roles.engines.acting import Absences, Away, Status, status_of, up_chain
from roles.engines.calendar import OffDay, WorkCalendar
from roles.model import Absence, Workbook
from roles.engines.standin import suggest_standin


@dataclass(frozen=True)
class StepDay:
    """One redesigned step on one day: who holds it and who acts."""

    date: dt.date
    department: str
    section: str
    process: str
    process_name: str
    step: str
    step_name: str
    a: str | None
    b: str | None
    status: Status
    acting: str | None
    suggested: str | None = None


@dataclass(frozen=True)
class Roster:
    date: dt.date
    workday: bool
    steps: tuple[StepDay, ...]
    off: OffDay | None = None  # why the day is no workday
    calendar: str = "official"  # or "estimated": the year's published schedule is not known yet


def _steps(wb: Workbook, department: str | None, section: str | None = None):
    for p in wb.processes:
        if p.after is None:
            continue
        if section is not None and p.section != section:
            continue
        dept = wb.department_of_section.get(p.section, "")
        if department is not None and dept != department:
            continue
        for s in p.after.work_steps:
            yield dept, p, s


def _step_days(wb: Workbook, day: dt.date, away: Away, department: str | None,
               section: str | None = None, suggest: bool = True) -> list[StepDay]:
    out, chain = [], up_chain(wb)
    for dept, p, s in _steps(wb, department, section):
        status, acting = status_of(s, away, chain.get(p.section, ()), p.id)
        suggested = suggest_standin(wb, p, s, away) if (status == "gap" and suggest) else None
        out.append(StepDay(day, dept, p.section, p.id, p.name, s.id, s.label, s.a, s.b, status, acting, suggested))
    return out


def calendar_of(wb: Workbook) -> WorkCalendar:
    return WorkCalendar(wb.calendar, wb.official_years)


def roster(wb: Workbook, day: dt.date, department: str | None = None, section: str | None = None,
           calendar: WorkCalendar | None = None, absences: Absences | None = None) -> Roster:
    """`absences` (of `wb`, on `calendar`) saves indexing them again when asking day after day."""
    cal = calendar or calendar_of(wb)
    if not cal.is_workday(day):
        return Roster(day, False, (), cal.why_not_workday(day), cal.source(day))
    away = (absences or Absences(wb.absences, cal, wb.standins)).away(day)
    return Roster(day, True, tuple(_step_days(wb, day, away, department, section)), calendar=cal.source(day))


def calendar_source(wb: Workbook, start: dt.date, end: dt.date) -> str:
    """`official` when every year from `start` to `end` has its published schedule, else `estimated`."""
    return calendar_of(wb).source(*(dt.date(y, 1, 1) for y in range(start.year, end.year + 1)))


def gaps(wb: Workbook, start: dt.date, end: dt.date, department: str | None = None,
         section: str | None = None, calendar: WorkCalendar | None = None,
         extra: Iterable[Absence] = (), suggest: bool = True, statuses: tuple[str, ...] = ("gap",)) -> list[StepDay]:
    """Every workday and redesigned step in [start, end] left with no one to act (or, with
    `statuses`, whose status is one of those: ("up", "gap") for every step its holders left)."""
    cal = calendar or calendar_of(wb)
    # Absences ending before the range still count: they may be the start of one that runs on.
    absences = Absences((a for a in (*wb.absences, *extra) if a.start <= end), cal, wb.standins)
    steps, chain = list(_steps(wb, department, section)), up_chain(wb)
    # Only a step whose A is away (or missing: the spec counts it as away) can become a gap: each
    # day looks at the steps of those away only, found by their A, in the steps' order.
    by_a: dict[str | None, list[int]] = {}
    for i, (_, _, s) in enumerate(steps):
        by_a.setdefault(s.a or None, []).append(i)
    out: list[StepDay] = []
    for day in cal.workdays(start, end):
        away = absences.away(day)
        for i in sorted(i for a in (*away, None) for i in by_a.get(a, ())):
            dept, p, s = steps[i]
            status, acting = status_of(s, away, chain.get(p.section, ()), p.id)
            if status in statuses:
                out.append(StepDay(day, dept, p.section, p.id, p.name, s.id, s.label, s.a, s.b, status, acting,
                                   suggest_standin(wb, p, s, away) if suggest and status == "gap" else None))
    return out


def whatif(wb: Workbook, person: str, start: dt.date, end: dt.date,
           calendar: WorkCalendar | None = None) -> list[StepDay]:
    """The gaps that an absence of `person` from `start` to `end` would add to those expected."""
    cal = calendar or calendar_of(wb)
    before = {(g.date, g.process, g.step) for g in gaps(wb, start, end, calendar=cal, suggest=False)}
    proposed = Absence(person, start, end, "leave")
    return [g for g in gaps(wb, start, end, calendar=cal, extra=[proposed])
            if (g.date, g.process, g.step) not in before]

