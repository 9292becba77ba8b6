"""Which absences call for a handover (交接单, issue 17): an absence of A of at least one workday on
which someone else acts on one of A's redesigned steps (B, or a head or deputy it went up to).
The handover lists A's steps and who acts on each over the absence, so A knows whom to brief and
each acting person knows what to report on A's return.

Absences that overlap or follow on over days off are one absence (acting.Absences), so a leave
recorded in two pieces gets one handover. Pure: the store keeps the records and their states.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from roles.engines.acting import Absences, status_of, up_chain
from roles.engines.calendar import WorkCalendar
from roles.model import Absence, Due, HandoverStep, StandIn, Workbook

#: An absence that ended this many days ago or less still gets its handover: A has just come back.
RECENT_DAYS = 30


def due(wb: Workbook, calendar: WorkCalendar, today: dt.date) -> list[Due]:
    """The absences, ended at most RECENT_DAYS ago or still to come, that need a handover."""
    return due_over((wb,), wb.absences, calendar, today, wb.standins)


def due_over(parts: Iterable[Workbook], absences: Iterable[Absence], calendar: WorkCalendar,
             today: dt.date, standins: Iterable[StandIn] = ()) -> list[Due]:
    """`due` for an organisation given in `parts`, each a few departments in their order with
    their processes, read one after another (a province's steps are never all held), and all its
    `absences`: the same handovers, their steps in the same order."""
    away = Absences(absences, calendar, standins)
    runs = [(person, start, end) for person, start, end in away.runs()
            if end >= today - dt.timedelta(days=RECENT_DAYS)]
    days_of = {(person, start): [away.away(d) for d in calendar.workdays(start, end)] for person, start, end in runs}
    runs_of: dict[str, list[tuple[dt.date, list]]] = {}
    for person, start, _ in runs:
        runs_of.setdefault(person, []).append((start, days_of[(person, start)]))
    steps: dict[tuple[str, dt.date], list[HandoverStep]] = {key: [] for key in days_of}
    for wb in parts:
        chain = up_chain(wb)
        for p in wb.processes:
            if p.after is None:
                continue
            for s in p.after.work_steps:
                if (holder := s.a) is None or holder not in runs_of:
                    continue
                for start, days in runs_of[holder]:
                    acting = dict.fromkeys(who for away_then in days
                                           if (who := status_of(s, away_then, chain.get(p.section, ()), p.id)[1]) is not None)
                    steps[(holder, start)].append(HandoverStep(p.id, s.id, f"{p.name} · {s.label}", tuple(acting)))
    return [Due(person, start, end, tuple(steps[(person, start)])) for person, start, end in runs
            if days_of[(person, start)] and any(h.acting for h in steps[(person, start)])]
