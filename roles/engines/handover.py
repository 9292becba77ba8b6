"""Which absences call for a handover (交接单, issue 17): an absence of A of at least one workday on
which someone else acts on one of A's redesigned steps (B, or a head or deputy it went up to).
The handover lists A's steps and who acts on each over the absence, so A knows whom to brief and
each acting person knows what to report on A's return.

Absences that overlap or follow on over days off are one absence (acting.Absences), so a leave
recorded in two pieces gets one handover. Pure: the store keeps the records and their states.
"""
from __future__ import annotations

import datetime as dt

from roles.engines.acting import Absences, status_of, up_chain
from roles.engines.calendar import WorkCalendar
from roles.model import Due, HandoverStep, Workbook

#: An absence that ended this many days ago or less still gets its handover: A has just come back.
RECENT_DAYS = 30


def due(wb: Workbook, calendar: WorkCalendar, today: dt.date) -> list[Due]:
    """The absences, ended at most RECENT_DAYS ago or still to come, that need a handover."""
    absences = Absences(wb.absences, calendar)
    chain = up_chain(wb)
    held: dict[str, list] = {}
    for p in wb.processes:
        if p.after is not None:
            for s in p.after.work_steps:
                if s.a:
                    held.setdefault(s.a, []).append((p, s))
    out = []
    for person, start, end in absences.runs():
        if end < today - dt.timedelta(days=RECENT_DAYS) or person not in held:
            continue
        days = [absences.away(d) for d in calendar.workdays(start, end)]
        steps = []
        for p, s in held[person]:
            acting = dict.fromkeys(who for away in days
                                   if (who := status_of(s, away, chain.get(p.section, ()))[1]) is not None)
            steps.append(HandoverStep(p.id, s.id, f"{p.name} · {s.label}", tuple(acting)))
        if days and any(s.acting for s in steps):
            out.append(Due(person, start, end, tuple(steps)))
    return out
