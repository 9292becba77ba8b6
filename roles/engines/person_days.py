"""One person's duties day by day: what they hold, whom they cover for, who covers for them, and
the gaps they are the suggested stand-in for. Feeds the Today page, the iCal feed and the daily
notice, so all three tell a person the same thing."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from roles.engines.calendar import WorkCalendar
from roles.model import Workbook
from roles.engines.acting import Absences
from roles.engines.roster import StepDay, calendar_of, roster


@dataclass(frozen=True)
class PersonDay:
    date: dt.date
    workday: bool
    away: bool
    holds: tuple[StepDay, ...] = ()        # steps they act on as A
    covers: tuple[StepDay, ...] = ()       # steps they act on as B, or as head or deputy (up), because A is away
    covered: tuple[StepDay, ...] = ()      # their own A steps that someone else acts on (or nobody)
    stands_in: tuple[StepDay, ...] = ()    # gaps for which they are the suggested stand-in


def person_days(wb: Workbook, person: str, start: dt.date, end: dt.date,
                calendar: WorkCalendar | None = None) -> list[PersonDay]:
    """Every day from `start` to `end`; non-workdays carry no duties. Only the person's
    department's roster is computed: holders come from the same department (rule `step-holders`)."""
    cal = calendar or calendar_of(wb)
    department = wb.department_of_person(person)
    out, absences = [], Absences(wb.absences, cal, wb.standins)
    day = start
    while day <= end:
        r = roster(wb, day, department, calendar=cal, absences=absences)
        away = absences.is_away(person, day)
        if not r.workday:
            out.append(PersonDay(day, False, away))
        else:
            d = r.steps
            out.append(PersonDay(
                day, True, away,
                holds=tuple(x for x in d if x.status == "A" and x.a == person),
                covers=tuple(x for x in d if x.status in ("named", "B", "up") and x.acting == person),
                covered=tuple(x for x in d if x.a == person and x.status != "A"),
                stands_in=tuple(x for x in d if x.status == "gap" and x.suggested == person)))
        day += dt.timedelta(days=1)
    return out
