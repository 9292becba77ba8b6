"""Overrun risk from absences (workbook spec "Time limits and 四减", cli spec `abflow overrun`):
for each process whose redesigned version promises a time limit, a case started on each workday
of a range moves along the version's longest route; a step takes its `days` on workdays when
someone acts on it (as the roster says: A, else B, else up to the head or a deputy), waits on days no one does, and a special
step's days pass without a holder. A case is late when its counted workdays (special days left
out) exceed the promise. Each late case names the absences that make it late: those without
which it would be on time or less late.

A step with a timer on its border (a boundary timer's duration: its own deadline, 超时督办) on which
a case stays longer, waits for an absent holder included, is overdue in that case.

Time is counted in workdays as a real number from the start of the case's first day, so a step
of half a day leaves the rest of that day to the next step; a step waits in half days, since
leave begins and ends at noon as well.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from flows.model import Process, Step, Version
from flows.timelimits import deadlines, longest_route

from roles.engines.calendar import WorkCalendar
from roles.engines.acting import Absences, Away, status_of, up_chain
from roles.engines.roster import calendar_of
from roles.model import Absence, Matter, StandIn, Workbook

EPS = 1e-9
#: Workdays a case waits on one step before it is called stalled (a step nobody holds, or whose
#: holders are away for a year): it is then reported late by at least this much, not waited out.
MAX_WAIT = 250


@dataclass(frozen=True)
class Case:
    start: dt.date
    end: dt.date          # the workday the last step finishes
    days: float           # counted workdays from start to end, special days left out
    over: float           # days beyond the promise (0 when on time)
    absences: tuple[int, ...] = ()  # indexes into OverrunReport.absences: what makes it late
    #: Steps the case stays on past their own deadline (a boundary timer's, 超时督办), waits included.
    overdue: tuple[str, ...] = ()

    @property
    def late(self) -> bool:
        return self.over > EPS


@dataclass(frozen=True)
class ProcessOverrun:
    process: str
    name: str
    section: str
    department: str | None
    promised_days: int
    cases: tuple[Case, ...]

    @cached_property
    def late(self) -> tuple[Case, ...]:
        return tuple(c for c in self.cases if c.late)

    @cached_property
    def overdue(self) -> dict[str, int]:
        """Step → the cases that stay on it past its timer's deadline."""
        return dict(Counter(sid for c in self.cases for sid in c.overdue))

    @property
    def worst_days(self) -> float:
        return max((c.over for c in self.cases), default=0.0)


@dataclass(frozen=True)
class OverrunReport:
    start: dt.date
    end: dt.date
    processes: tuple[ProcessOverrun, ...]
    absences: tuple[Absence, ...] = field(default=())  # those some late case is caused by

    def late_cases_of(self) -> list[int]:
        """How many late cases each of `absences` makes late, in their order."""
        counts = Counter(k for p in self.processes for c in p.late for k in c.absences)
        return [counts[k] for k in range(len(self.absences))]


class _Days:
    """Workdays from a first one onwards, by index, extended as far as a case runs, with who is
    away on each (the absences given), and who would be with one absence taken back."""

    def __init__(self, cal: WorkCalendar, first: dt.date, absences: Iterable[Absence], standins: Iterable[StandIn] = ()):
        self.cal, self.days = cal, [first]
        self.absences = list(absences)
        self._index: dict[int | None, Absences] = {None: Absences(self.absences, cal, standins)}

    def date(self, i: int) -> dt.date:
        while len(self.days) <= i:
            d = self.days[-1] + dt.timedelta(days=1)
            while not self.cal.is_workday(d):
                d += dt.timedelta(days=1)
            self.days.append(d)
        return self.days[i]

    def away(self, i: int, without: int | None = None, half: str | None = None) -> Away:
        """Who is away on workday `i`, or its `half` where someone is away half of it (each
        Absences keeps its days' answers)."""
        if without is not None and without not in self._index:
            self._index[without] = self._index[None].without(self.absences[without])
        absences, day = self._index[without], self.date(i)
        return absences.away(day, half if absences.split(day) else None)


def _run(route: Sequence[Step], up: tuple[str, ...], start: float, days: _Days, without: int | None = None,
         due: dict[str, float] | None = None, process: str | None = None) -> tuple[float, float, tuple[str, ...]]:
    """(where the case ends, its special days, the steps it stays on past their deadline `due`)
    in workday units from day 0 of `days`; `up` is whom the route's steps go up to
    (acting.up_chain)."""
    t, special, overdue = float(start), 0.0, []
    for s in route:
        need, began = float(s.days or 0), t
        if s.special:
            t += need
            special += need
            continue
        waited = 0.0
        while need > EPS and waited < MAX_WAIT:  # half a day at a time: leave is taken in half days
            d = math.floor(t + EPS)
            pm = t + EPS >= d + 0.5
            end = d + (1.0 if pm else 0.5)
            if status_of(s, days.away(d, without, "pm" if pm else "am"), up, process)[0] == "gap":
                t, waited = end, waited + 0.5
                continue
            use = min(need, end - t)
            t += use
            need -= use
        if due and s.id in due and t - began > due[s.id] + EPS:
            overdue.append(s.id)
    return t, special, tuple(overdue)


def _end_day(t: float, start: int) -> int:
    return max(start, math.ceil(t - EPS) - 1)


def overrun(wb: Workbook, start: dt.date, end: dt.date, department: str | None = None,
            calendar: WorkCalendar | None = None, extra: Iterable[Absence] = ()) -> OverrunReport:
    """Cases started on each workday from `start` to `end` of every process with a promised limit
    (of `department` only, when given); `extra` adds proposed absences (a leave request)."""
    cases = _Cases(wb, start, end, calendar, extra)
    if not cases.starts:
        return OverrunReport(start, end, ())
    chain = up_chain(wb)
    out = []
    for p, version, promised in _promising(wb, department):
        leg = _Leg.of(p, version, chain)
        out.append(ProcessOverrun(p.id, p.name, p.section, wb.department_of_section.get(p.section), promised,
                                  cases.run([[leg]], promised)))
    return cases.report(out)


def matter_overrun(wb: Workbook, matter: Matter, start: dt.date, end: dt.date,
                   calendar: WorkCalendar | None = None) -> OverrunReport:
    """Cases of a matter done once (一件事) started on each workday from `start` to `end`: each
    stage starts when the one before it ends, its parts run together, each in its own department
    with its own holders and their absences, and the stage ends when its last part does. Late
    against the matter's promise, else against its parts' promises end to end; parts that are not
    in the data or not redesigned take no time (`abflow matter` names them). One entry, the matter."""
    from roles.engines.matters import figures
    promised = matter.promised_days
    if promised is None:
        path = figures(wb, matter).after.path
        promised = None if path is None else math.ceil(path - EPS)
    cases = _Cases(wb, start, end, calendar)
    if not cases.starts or promised is None:
        return OverrunReport(start, end, ())
    chain = up_chain(wb)
    stages = [[_Leg.of(p, p.after, chain) for pid in stage
               if (p := wb.process_by_id.get(pid)) is not None and p.after is not None] for stage in matter.stages]
    entry = ProcessOverrun(matter.id, matter.name, "", matter.lead, promised, cases.run(stages, promised))
    return cases.report([entry])


@dataclass(frozen=True)
class _Leg:
    """One process's part of a case: its route of work steps, whom they go up to, its steps' own
    deadlines, and whose absence can hold it up."""

    process: str
    route: tuple[Step, ...]
    up: tuple[str, ...]
    due: dict[str, float]
    holders: frozenset[str]

    @classmethod
    def of(cls, p: Process, version: Version, chain: dict[str, tuple[str, ...]]) -> "_Leg":
        route = tuple(s for s in (version.step(sid) for sid in longest_route(version).steps) if s.is_work)
        up = chain.get(p.section, ())
        return cls(p.id, route, up, deadlines(version),
                   frozenset({h for s in route if not s.special for h in (s.a, s.b) if h} | set(up)))


class _Cases:
    """Cases started on each workday of a range, over who is away (the workbook's absences and
    any proposed), and the absences found to make some case late."""

    def __init__(self, wb: Workbook, start: dt.date, end: dt.date, calendar: WorkCalendar | None = None,
                 extra: Iterable[Absence] = ()):
        cal = calendar or calendar_of(wb)
        self.start, self.end = start, end
        self.starts = list(cal.workdays(start, end))
        self.absences = [*wb.absences, *extra]
        self.days = _Days(cal, self.starts[0] if self.starts else start, self.absences, wb.standins)
        self.of_person: dict[str, list[int]] = {}
        for k, a in enumerate(self.absences):
            if a.end >= start:  # an absence over before the range makes no case late
                self.of_person.setdefault(a.person, []).append(k)
        self.blamed: dict[int, int] = {}  # index into absences -> index into the report's absences

    def _walk(self, stages: list[list[_Leg]], i: int, without: int | None = None) -> tuple[float, float, list[str]]:
        """(where a case started on workday `i` ends, its special days, its overdue steps): each
        stage's parts from the stage's start, the stage over when its slowest part is; the special
        days counted are those of the slowest part of each stage."""
        t, special, overdue, many = float(i), 0.0, [], sum(len(s) for s in stages) > 1
        for stage in stages:
            ends = []
            for leg in stage:
                end, sp, late_steps = _run(leg.route, leg.up, t, self.days, without, leg.due, leg.process)
                ends.append((end, sp))
                overdue += [f"{leg.process}:{sid}" if many else sid for sid in late_steps]
            if ends:
                t, sp = max(ends)
                special += sp
        return t, special, overdue

    def run(self, stages: list[list[_Leg]], promised: int) -> tuple[Case, ...]:
        holders = {h for stage in stages for leg in stage for h in leg.holders}
        out = []
        for i, day in enumerate(self.starts):
            t, special, overdue = self._walk(stages, i)
            counted = t - i - special
            over = max(0.0, counted - promised)
            causes: list[int] = []
            last = self.days.date(_end_day(t, i))
            if over > EPS:
                for k in sorted(k for h in holders for k in self.of_person.get(h, ())):
                    a = self.absences[k]
                    if a.start <= last and a.end >= day and self._walk(stages, i, without=k)[0] < t - EPS:
                        causes.append(self.blamed.setdefault(k, len(self.blamed)))
            out.append(Case(day, last, round(counted, 4), round(over, 4), tuple(causes), tuple(overdue)))
        return tuple(out)

    def report(self, entries: list[ProcessOverrun]) -> OverrunReport:
        by_report = sorted(self.blamed.items(), key=lambda kv: kv[1])
        return OverrunReport(self.start, self.end, tuple(entries), tuple(self.absences[k] for k, _ in by_report))


def _promising(wb: Workbook, department: str | None) -> Iterable[tuple[Process, Version, int]]:
    """(process, its redesigned version, the promised days) of each process that promises a limit."""
    for p in wb.processes:
        if p.after is None or p.after.promised_days is None:
            continue
        if department is not None and wb.department_of_section.get(p.section) != department:
            continue
        yield p, p.after, p.after.promised_days


def added_by(wb: Workbook, proposed: Absence, calendar: WorkCalendar | None = None,
             department: str | None = None) -> list[tuple[ProcessOverrun, Case]]:
    """The late cases a proposed absence would add (a leave request's check): cases started on
    the workdays of the absence that are late with it and were on time, or less late, without."""
    cal = calendar or calendar_of(wb)
    base = overrun(wb, proposed.start, proposed.end, department, cal)
    then = overrun(wb, proposed.start, proposed.end, department, cal, extra=[proposed])
    was = {(p.process, c.start): c.over for p in base.processes for c in p.cases}
    return [(p, c) for p in then.processes for c in p.cases if c.late and c.over > was[(p.process, c.start)] + EPS]
