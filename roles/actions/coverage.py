"""Who covers what: the roster of a day, the gaps over a range, what a leave would add, a
person's days and their calendar feed, and how robust each section's A/B cover is."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from flows import limits
from flows.errors import BadInput, NotFound
from roles.bulk import many_objects
from roles.engines import person_days as days_of, roster as rosters
from roles.engines.load import DayLoad, PersonSummary, SectionPeak, daily_load, summary as summarise_load
from roles.engines.pairing import BLoad, PairingIssue, b_loads, pairing_issues, processes_of, section_steps
from roles.engines.resilience import SectionResilience, resilience as section_resilience
from roles.model import Absence, Workbook
from roles.storage.database import Database

if TYPE_CHECKING:
    from roles.engines.leaders import LeadersAway
    from roles.engines.overrun import Case, OverrunReport, ProcessOverrun
    from roles.formats.ical import Words

from .access import Account, within

__all__ = ["SectionPairing", "calendar", "check_range", "duty_feed", "gaps", "LeaveCheck", "leave_check", "load",
           "load_summary",
           "overrun", "pairing", "person_days", "resilience", "roster", "whatif", "workdays"]

#: The longest range a question may span: ten years of days is already more than anyone plans.
MAX_DAYS = 3660
#: Overrun starts a case per process and workday: a year of starts is what anyone plans ahead.
MAX_OVERRUN_DAYS = 366


def check_day(day: dt.date) -> dt.date:
    if problem := limits.date_problem(day):
        raise BadInput(f"date: {problem}")
    return day


def check_range(start: dt.date, end: dt.date) -> None:
    check_day(start)
    check_day(end)
    if end < start:
        raise BadInput(f"the range ends on {end}, before it starts on {start}")
    if (end - start).days >= MAX_DAYS:
        raise BadInput(f"the range {start} to {end} is longer than {MAX_DAYS} days")


def department(wb: Workbook, ident: str | None) -> str | None:
    if ident is not None and ident not in {d.id for d in wb.departments}:
        raise NotFound("department", ident)
    return ident


def section(wb: Workbook, ident: str | None) -> str | None:
    if ident is not None and ident not in wb.section_by_id:
        raise NotFound("section", ident)
    return ident


def person(wb: Workbook, ident: str) -> str:
    if ident not in wb.person_by_id:
        raise NotFound("person", ident)
    return ident


def scoped(db: Database, department_id: str | None = None, section_id: str | None = None,
           person_id: str | None = None, *, read: Literal["who", "when", "all"] = "who") -> Workbook:
    """The redesigned processes a question needs, read for its department, section or person
    only (the whole database when it names none); NotFound for an unknown one. `read` says what
    of each step: "who" holds it and its flow (`Database.coverage`, on the bare driver), "when"
    with its days too (an overrun forecast), "all" its every field (a section's loads)."""
    def read_of(departments: frozenset[str] | None) -> Workbook:
        if read == "all":
            return db.workbook(("after",), departments)
        return db.coverage(departments, timed=read == "when")
    if section_id is not None:
        found = db.departments_of(section=section_id)
        if not found:
            raise NotFound("section", section_id)
        return read_of(found)
    if person_id is not None:
        found = db.departments_of(person=person_id)
        if not found:
            raise NotFound("person", person_id)
        return read_of(found)
    if department_id is not None:
        wb = read_of(frozenset({department_id}))
        department(wb, department_id)
        return wb
    return read_of(None)


@many_objects
def roster(db: Database, actor: Account, *, day: dt.date, department_id: str | None = None,
           section_id: str | None = None) -> rosters.Roster:
    check_day(day)
    department_id = within(db, actor, department_id=department_id, section_id=section_id)

    def answer() -> rosters.Roster:
        wb = scoped(db, department_id, section_id)
        return rosters.roster(wb, day, department(wb, department_id), section(wb, section_id))
    if department_id is None and section_id is None:
        return answer()  # the whole database: too large to keep many of
    return db.answer(("roster", day, department_id, section_id), answer)


@many_objects
def gaps(db: Database, actor: Account, *, start: dt.date, end: dt.date, department_id: str | None = None,
         section_id: str | None = None) -> list[rosters.StepDay]:
    check_range(start, end)
    department_id = within(db, actor, department_id=department_id, section_id=section_id)
    wb = scoped(db, department_id, section_id)
    return rosters.gaps(wb, start, end, department(wb, department_id), section(wb, section_id))


def load(db: Database, actor: Account, *, start: dt.date, end: dt.date,
         department_id: str | None = None) -> list[DayLoad]:
    """Each workday's minutes per person who acts (A, named, B or up), from the steps' minutes and
    monthly counts: what covering costs whoever covers."""
    return _loads(db, actor, start, end, department_id)[1]


def load_summary(db: Database, actor: Account, *, start: dt.date, end: dt.date,
                 department_id: str | None = None) -> tuple[list[PersonSummary], list[SectionPeak]]:
    """Per person, the days over 100 % and 120 % and how much of their work is cover; per section,
    the peak load and who carries it."""
    return summarise_load(*_loads(db, actor, start, end, department_id))


def _loads(db: Database, actor: Account, start: dt.date, end: dt.date,
           department_id: str | None) -> tuple[Workbook, list[DayLoad]]:
    """The data read for the loads, and the loads: the summary names people from the same read."""
    check_range(start, end)
    department_id = within(db, actor, department_id=department_id)
    wb = scoped(db, department_id, read="all")
    return wb, daily_load(wb, start, end, department(wb, department_id))


def calendar(db: Database, actor: Account, *, start: dt.date, end: dt.date) -> str:
    """Whether the days from `start` to `end` follow published schedules (`official`) or only the
    statutory holidays (`estimated`)."""
    check_range(start, end)
    return rosters.calendar_source(db.coverage(frozenset()), start, end)  # the calendar alone


def workdays(db: Database, actor: Account, *, start: dt.date, end: dt.date) -> list[dt.date]:
    """The workdays from `start` to `end`, on the national calendar with the stored adjustments."""
    check_range(start, end)
    return list(rosters.calendar_of(db.coverage(frozenset())).workdays(start, end))


@many_objects
def whatif(db: Database, actor: Account, *, person_id: str, start: dt.date, end: dt.date,
           start_half: str | None = None, end_half: str | None = None) -> list[rosters.StepDay]:
    """The gaps a leave of `person_id` from `start` to `end` (halves as in `Absence`) would add to
    those expected."""
    _check_leave(start, end, start_half, end_half)
    within(db, actor, person_id=person_id)
    return rosters.whatif(scoped(db, person_id=person_id), person_id, start, end, start_half=start_half,
                          end_half=end_half)


def _check_leave(start: dt.date, end: dt.date, start_half: str | None, end_half: str | None) -> None:
    """A proposed leave's dates and halves, refused as a stored one would be."""
    check_range(start, end)
    leave = Absence("", start, end, "leave", start_half, end_half)
    if (problem := next(iter(leave.value_problems()), None) or leave.problem()) is not None:
        raise BadInput(f"{problem[0]}: {problem[1]}")


def check_overrun_range(start: dt.date, end: dt.date) -> None:
    """A range to start cases on: a year at most, each case being a walk through the calendar."""
    check_range(start, end)
    if (end - start).days >= MAX_OVERRUN_DAYS:
        raise BadInput(f"the range {start} to {end} starts cases on more than {MAX_OVERRUN_DAYS} days; ask for a year at most")


@many_objects
def overrun(db: Database, actor: Account, *, start: dt.date, end: dt.date,
            department_id: str | None = None) -> "OverrunReport":
    """Cases of every process with a promised limit started on each workday from `start` to `end`,
    moved along their longest route through who is away: which run late, and by which absence."""
    from roles.engines.overrun import overrun as run
    check_overrun_range(start, end)
    department_id = within(db, actor, department_id=department_id)
    wb = scoped(db, department_id, read="when")
    return run(wb, start, end, department(wb, department_id))


@dataclass(frozen=True)
class LeaveCheck:
    """What a leave request would do, checked before it is approved (CLI `whatif`, the app's form)."""

    gaps: list[rosters.StepDay]                 # the gaps it adds (cli spec `whatif`)
    leaders_apart: list["LeadersAway"]          # workdays it puts a head and their paired deputy away together
    late: list[tuple["ProcessOverrun", "Case"]]  # the cases it makes miss their promised limit


@many_objects
def leave_check(db: Database, actor: Account, *, person_id: str, start: dt.date, end: dt.date,
                cases: bool = True, start_half: str | None = None, end_half: str | None = None) -> LeaveCheck:
    """The three checks of a leave of `person_id` from `start` to `end` (halves as in `Absence`),
    on one read of their department; `cases=False` leaves out the overrun forecast (the costliest)."""
    from roles.engines.leaders import added_by_leave
    from roles.engines.overrun import added_by
    _check_leave(start, end, start_half, end_half)
    within(db, actor, person_id=person_id)
    wb = scoped(db, person_id=person_id, read="when" if cases else "who")
    leave = Absence(person(wb, person_id), start, end, "leave", start_half, end_half)
    # A leave of over a year: its gaps say more than cases started in it.
    late = added_by(wb, leave) if cases and (end - start).days < MAX_OVERRUN_DAYS else []
    return LeaveCheck(rosters.whatif(wb, person_id, start, end, start_half=start_half, end_half=end_half),
                      added_by_leave(wb, leave), late)


@many_objects
def person_days(db: Database, actor: Account, *, person_id: str, start: dt.date,
                end: dt.date) -> list[days_of.PersonDay]:
    check_range(start, end)
    within(db, actor, person_id=person_id)
    return list(db.answer(("person_days", person_id, start, end),
                          lambda: tuple(days_of.person_days(scoped(db, person_id=person_id), person_id, start, end))))


def duty_feed(db: Database, actor: Account, *, person_id: str, start: dt.date, end: dt.date,
              words: "Words") -> bytes:
    """The person's duties and cover days as iCalendar, for a phone's calendar."""
    days = person_days(db, actor, person_id=person_id, start=start, end=end)
    from roles.formats.ical import duty_feed as ical_feed
    return ical_feed(scoped(db, person_id=person_id), person_id, days, words)


def resilience(db: Database, actor: Account, *, section_id: str | None = None) -> list[SectionResilience]:
    wb = scoped(db, within(db, actor, section_id=section_id), section_id, read="all")
    return section_resilience(wb, section(wb, section_id))


@dataclass(frozen=True)
class SectionPairing:
    section: str
    issues: list[PairingIssue]
    loads: list[BLoad]


def pairing(db: Database, actor: Account, *, section_id: str | None = None) -> list[SectionPairing]:
    """Per section, where A/B pairs break the pairing rules, and each member's A and B load."""
    wb = scoped(db, within(db, actor, section_id=section_id), section_id, read="all")
    ids = [section_id] if section(wb, section_id) and section_id else [s.id for d in wb.departments
                                                                       for s in d.sections]
    out = []
    for sid in ids:
        steps = section_steps(processes_of(wb, sid))
        out.append(SectionPairing(sid, pairing_issues(steps, wb.person_by_id, wb.sections_with_deputy),
                                  b_loads(steps, wb.people_by_section.get(sid, []))))
    return out
