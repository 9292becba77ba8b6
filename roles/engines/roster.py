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
    half: str | None = None  # "am" or "pm" when this answer holds for that half of the day only


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


def _halves(absences: Absences, day: dt.date) -> tuple[Away, ...]:
    """Who is away on `day`: once for the whole day, or for the morning and the afternoon when
    someone is away only half of it."""
    return (absences.away(day, "am"), absences.away(day, "pm")) if absences.split(day) else (absences.away(day),)


def _answers(wb: Workbook, day: dt.date, dept: str, p, s, aways: tuple[Away, ...], up: tuple[str, ...],
             suggest: bool) -> list[StepDay]:
    """A step's answer for the day, or one for each half when its halves differ."""
    found = [status_of(s, away, up, p.id) for away in aways]
    split = len(set(found)) > 1
    return [StepDay(day, dept, p.section, p.id, p.name, s.id, s.label, s.a, s.b, status, acting,
                    suggest_standin(wb, p, s, away) if status == "gap" and suggest else None,
                    away.half if split else None)
            for away, (status, acting) in zip(aways, found, strict=True) if split or away is aways[0]]


def _step_days(wb: Workbook, day: dt.date, aways: tuple[Away, ...], department: str | None,
               section: str | None = None) -> list[StepDay]:
    chain = up_chain(wb)
    return [d for dept, p, s in _steps(wb, department, section)
            for d in _answers(wb, day, dept, p, s, aways, chain.get(p.section, ()), True)]


def calendar_of(wb: Workbook) -> WorkCalendar:
    return WorkCalendar(wb.calendar, wb.official_years)


def roster(wb: Workbook, day: dt.date, department: str | None = None, section: str | None = None,
           calendar: WorkCalendar | None = None, absences: Absences | None = None) -> Roster:
    """`absences` (of `wb`, on `calendar`) saves indexing them again when asking day after day."""
    cal = calendar or calendar_of(wb)
    if not cal.is_workday(day):
        return Roster(day, False, (), cal.why_not_workday(day), cal.source(day))
    aways = _halves(absences or Absences(wb.absences, cal, wb.standins), day)
    return Roster(day, True, tuple(_step_days(wb, day, aways, department, section)), calendar=cal.source(day))


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
        aways = _halves(absences, day)
        for i in sorted({i for away in aways for a in (*away, None) for i in by_a.get(a, ())}):
            dept, p, s = steps[i]
            out += [d for d in _answers(wb, day, dept, p, s, aways, chain.get(p.section, ()), suggest)
                    if d.status in statuses]
    return out


def whatif(wb: Workbook, person: str, start: dt.date, end: dt.date,
           calendar: WorkCalendar | None = None, start_half: str | None = None,
           end_half: str | None = None) -> list[StepDay]:
    """The gaps that an absence of `person` from `start` to `end` (from noon with `start_half`
    "pm", to noon with `end_half` "am") would add to those expected."""
    cal = calendar or calendar_of(wb)
    before = {(g.date, g.process, g.step, half) for g in gaps(wb, start, end, calendar=cal, suggest=False)
              for half in ((g.half,) if g.half else (None, "am", "pm"))}
    proposed = Absence(person, start, end, "leave", start_half, end_half)
    return [g for g in gaps(wb, start, end, calendar=cal, extra=[proposed])
            if (g.date, g.process, g.step, g.half) not in before]

