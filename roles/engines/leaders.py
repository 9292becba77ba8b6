"""Paired leaders apart (workbook spec, "Escalation and handover"): a head and a deputy who are A
and B of each other on some step (either way round) should not be away on the same workday, or
the step has nobody to act and no one to take it up. Used by `check` (rule `leaders-apart`) over
the recorded absences and by every leave-request check over what a leave would add."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from roles.engines.calendar import WorkCalendar
from roles.engines.roster import calendar_of
from roles.model import Absence, Workbook


@dataclass(frozen=True)
class LeadersAway:
    date: dt.date
    head: str
    deputy: str


def leader_pairs(wb: Workbook) -> list[tuple[str, str]]:
    """(head, deputy) pairs who hold some redesigned step as A and B, in either order."""
    post = {p.id: p.post for p in wb.people}
    pairs: dict[tuple[str, str], None] = {}
    for p in wb.processes:
        for s in p.after.work_steps if p.after else ():
            if s.a and s.b:
                for x, y in ((s.a, s.b), (s.b, s.a)):
                    if post.get(x) == "head" and post.get(y) == "deputy":
                        pairs[(x, y)] = None
    return list(pairs)


def leaders_away(wb: Workbook, absences: Iterable[Absence] | None = None,
                 calendar: WorkCalendar | None = None) -> list[LeadersAway]:
    """Every workday on which both of a head–deputy pair are away, by date then pair."""
    cal = calendar or calendar_of(wb)
    by_person: dict[str, list[Absence]] = {}
    for a in wb.absences if absences is None else absences:
        by_person.setdefault(a.person, []).append(a)
    days: set[LeadersAway] = set()
    for head, deputy in leader_pairs(wb):
        for x in by_person.get(head, ()):
            for y in by_person.get(deputy, ()):
                start, end = max(x.start, y.start), min(x.end, y.end)
                if start <= end:
                    days.update(LeadersAway(d, head, deputy) for d in cal.workdays(start, end))
    return sorted(days, key=lambda x: (x.date, x.head, x.deputy))


def added_by_leave(wb: Workbook, proposed: Absence, calendar: WorkCalendar | None = None) -> list[LeadersAway]:
    """The days a proposed absence would put a head and their paired deputy away together."""
    cal = calendar or calendar_of(wb)
    before = set(leaders_away(wb, calendar=cal))
    return [x for x in leaders_away(wb, [*wb.absences, proposed], cal) if x not in before]
