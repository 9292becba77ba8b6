"""Who acts on a step on a day (workbook spec "Who covers a step on a date" and "Escalation and
handover"): A; with A away, the stand-in named for A and agreed (`named`), if present; else B if
present and allowed (`b_may_act`, and no further than the
`b_max_days`-th workday of A's current absence); else the step goes up to the first present head
of the step's section, then deputy (by id), never the absent A; else nobody acts (a gap).

The roster, gaps, what-if, overrun, handovers and the digest all ask `status_of`, so every view
tells the same story.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence, Set as AbstractSet

from typing import Literal, get_args

from flows.model import Step

from roles.engines.calendar import WorkCalendar
from roles.model import Absence, StandIn, Workbook

#: Posts a step goes up to, in order (then by id within a post).
UP_POSTS = ("head", "deputy")
#: A step's status on a day, best first: A acts, a named stand-in acts, B acts, a head or deputy
#: acts (up), nobody.
Status = Literal["A", "named", "B", "up", "gap"]
STATUSES: tuple[Status, ...] = get_args(Status)


class Absences:
    """The absences of a data set by person, with the calendar: who is away on a day (or on one
    half of it), and which workday of their current absence it is. Absences that overlap, or
    follow on with only days off between them, are one absence: splitting a long leave in two
    does not restart B's days, and a day someone is away half of counts as a day of it."""

    def __init__(self, absences: Iterable[Absence], calendar: WorkCalendar, standins: Iterable[StandIn] = ()):
        self.calendar = calendar
        self._named: dict[str, list[StandIn]] = {}
        for x in standins:
            if x.state == "accepted":
                self._named.setdefault(x.person, []).append(x)
        spans: dict[str, list[tuple[dt.date, dt.date]]] = {}
        self._given: dict[str, list[Absence]] = {}
        for a in sorted(absences, key=lambda a: (a.person, a.start)):
            self._given.setdefault(a.person, []).append(a)
            runs = spans.setdefault(a.person, [])
            if runs and self._joined(runs[-1][1], a.start):
                runs[-1] = (runs[-1][0], max(runs[-1][1], a.end))
            else:
                runs.append((a.start, a.end))
        self._runs = spans
        self._starts = {p: [r[0] for r in runs] for p, runs in spans.items()}
        self._ordinal: dict[tuple[dt.date, dt.date], int] = {}
        self._away: dict[tuple[dt.date, str | None], Away] = {}
        self._partial: dict[dt.date, set[str]] = {}  # day -> who is away only half of it
        for given in self._given.values():
            for a in given:
                for day in a.partial_days:
                    self._partial.setdefault(day, set()).add(a.person)

    def _joined(self, end: dt.date, start: dt.date) -> bool:
        """Whether an absence starting on `start` follows on from one ending on `end`."""
        return start <= end + dt.timedelta(days=1) or \
            next(self.calendar.workdays(end + dt.timedelta(days=1), start - dt.timedelta(days=1)), None) is None

    def _run(self, person: str, day: dt.date) -> tuple[dt.date, dt.date] | None:
        starts = self._starts.get(person)
        if not starts:
            return None
        k = bisect_right(starts, day) - 1
        if k < 0:
            return None
        run = self._runs[person][k]
        return run if run[1] >= day else None

    def without(self, absence: Absence) -> Absences:
        """These absences with one taken back (what would change without it): only its person's
        absences are joined again, and each day's answer is derived from this one's."""
        return _Without(self, absence)

    def is_away(self, person: str, day: dt.date, half: str | None = None) -> bool:
        """Whether `person` is away on `day` (for some of it), or on its `half` ("am", "pm")."""
        if self._run(person, day) is None:
            return False
        return half is None or person not in self._partial.get(day, ()) or \
            any(half in a.halves(day) for a in self._given.get(person, ()))

    def split(self, day: dt.date) -> bool:
        """Whether someone is away only half of `day`, so its morning and afternoon may differ."""
        return bool(self._partial.get(day))

    def named(self, person: str, process: str | None, step: str, day: dt.date, half: str | None = None) -> str | None:
        """Who stands in for `person` on this step and day (or half day) by an agreed naming, if they are in."""
        return next((x.standin for x in self._named.get(person, ())
                     if x.covers(process, step, day) and x.standin != person
                     and not self.is_away(x.standin, day, half)), None)

    def away(self, day: dt.date, half: str | None = None) -> Away:
        """Who is away on `day`: for some of it, or (with `half`) on that half."""
        if (day, half) not in self._away:
            self._away[day, half] = Away((p for p in self._runs if self.is_away(p, day, half)), day, self, half)
        return self._away[day, half]

    def runs(self) -> Iterator[tuple[str, dt.date, dt.date]]:
        """(person, first day, last day) of each absence, absences that follow on joined."""
        for person, runs in self._runs.items():
            for start, end in runs:
                yield person, start, end

    def workday_of(self, person: str, day: dt.date) -> int:
        """Which workday of `person`'s current absence `day` is (1: its first); 0 when present."""
        run = self._run(person, day)
        if run is None:
            return 0
        key = (run[0], day)
        if key not in self._ordinal:
            self._ordinal[key] = sum(1 for _ in self.calendar.workdays(run[0], day))
        return self._ordinal[key]


class _Without(Absences):
    """`Absences.without`: the parent's answers, with one person's absences joined again."""

    def __init__(self, parent: Absences, absence: Absence):
        self.calendar, self._parent, self._person = parent.calendar, parent, absence.person
        self._named = parent._named
        given = list(parent._given.get(absence.person, ()))
        if absence in given:
            given.remove(absence)  # that one absence: another the same stays
        rest = Absences(given, parent.calendar)
        self._given = {**parent._given, absence.person: given}
        self._runs = {**parent._runs, absence.person: rest._runs.get(absence.person, [])}
        self._starts = {**parent._starts, absence.person: rest._starts.get(absence.person, [])}
        self._partial = {day: (people - {self._person}) | (rest._partial.get(day, set()) & {self._person})
                         for day, people in parent._partial.items()}
        self._ordinal, self._away = {}, {}

    def away(self, day: dt.date, half: str | None = None) -> Away:
        if (day, half) not in self._away:
            base = self._parent.away(day, half)
            people = base | {self._person} if self.is_away(self._person, day, half) else base - {self._person}
            self._away[day, half] = Away(people, day, self, half)
        return self._away[day, half]


class Away(frozenset[str]):
    """Who is away on one day or half day (a set of person ids), able to tell since when."""

    day: dt.date | None
    absences: Absences | None
    half: str | None

    def __new__(cls, people: Iterable[str], day: dt.date | None = None, absences: Absences | None = None,
                half: str | None = None):
        self = super().__new__(cls, people)
        self.day, self.absences, self.half = day, absences, half
        return self

    def workday_of(self, person: str | None) -> int:
        """Which workday of the person's current absence this day is; a missing holder has no
        absence to count (1), someone present 0."""
        if person is None:
            return 1
        if person not in self:
            return 0
        return self.absences.workday_of(person, self.day) if self.absences and self.day else 1


def up_chain(wb: Workbook) -> dict[str, tuple[str, ...]]:
    """Per section, whom its steps go up to: its heads by id, then its deputies by id."""
    return {section: tuple(p.id for post in UP_POSTS for p in sorted(people, key=lambda p: p.id) if p.post == post)
            for section, people in wb.people_by_section.items()}


def b_may_act(step: Step, away: Away) -> bool:
    """Whether the step's B is allowed to act on this day (their presence aside)."""
    return step.b_may_act and (step.b_max_days is None or away.workday_of(step.a) <= step.b_max_days)


def status_of(step: Step, away: AbstractSet[str], up: Sequence[str] = (),
              process: str | None = None) -> tuple[Status, str | None]:
    """(status, acting) of a step of `process` on a day, given who is away (an `Away`, or a plain
    set: then every absence is on its first workday, and no stand-in is named); `up` is the step's
    section's chain (`up_chain`)."""
    if not isinstance(away, Away):
        away = Away(away)
    if step.a and step.a not in away:
        return "A", step.a
    if step.a and away.absences is not None and away.day is not None and \
            (named := away.absences.named(step.a, process, step.id, away.day, away.half)) is not None:
        return "named", named
    if step.b and step.b not in away and b_may_act(step, away):
        return "B", step.b
    for person in up:
        if person != step.a and person not in away:
            return "up", person
    return "gap", None
