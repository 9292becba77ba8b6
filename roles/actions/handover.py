"""Handovers (交接单): who has one pending, and its three steps, each by the one person who may
take it: the person leaving adds open items, the person acting reports what was done (代行情况),
and the person back confirms; the office may take any step for anyone.

The records follow the absences, but only a write opens or changes them (`open_handovers`): every
use case that changes absences, holders or steps, and the scheduler's daily job, each over every
person's whole set of steps. Reads only filter what is stored, whatever their scope, so a reader of
one department can never cut or drop the handover of a person of another who holds its steps.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flows import limits
from flows.errors import BadInput, PermissionDenied
from roles import clock
from roles.engines.handover import RECENT_DAYS, due_over
from roles.engines.roster import calendar_of
from roles.storage import handovers as records
from roles.storage.database import Database
from roles.storage.handovers import Handover

from .access import Account, may_edit_absence, whole, within
from .coverage import department

__all__ = ["SYSTEM", "Handover", "HandoverShare", "confirm_handover", "get_handover", "handover_items", "handover_shares",
           "handovers", "open_handovers", "report_handover"]

#: The longest open items or report a handover takes: a page of text.
MAX_HANDOVER_TEXT = 4000
#: Who opens handovers, as the audit trail names it.
SYSTEM = "abflow"


@dataclass(frozen=True)
class HandoverShare:
    """A section's handovers: all of them and how many are confirmed; and of the absences that are
    over, how many, and the share of those confirmed (what the office follows up)."""

    section: str
    department: str | None
    handovers: int
    confirmed: int
    ended: int
    ended_confirmed: int

    @property
    def share(self) -> float | None:
        return self.ended_confirmed / self.ended if self.ended else None


def open_handovers(db: Database, actor: Account, *, today: dt.date | None = None) -> None:
    """Open the handovers recorded absences call for, and bring the open ones up to date, from the
    whole database: each person's handover lists all their steps, whoever asked. Writes only when
    something changed; any account may ask (it changes nothing anyone wrote, and is recorded as
    the system's)."""
    day = today or clock.today()
    with db.in_parts() as (everyone, parts):  # who acts on each step, a few departments at a time
        found = due_over(parts, everyone.absences, calendar_of(everyone), day, everyone.standins)
    records.sync(db.engine, found, everyone.person_by_id, day - dt.timedelta(days=RECENT_DAYS), SYSTEM)


def handovers(db: Database, actor: Account, *, open_only: bool = False, department_id: str | None = None,
              person_id: str | None = None) -> list[Handover]:
    """Stored handovers, newest absence first: of a department's own people, when given; of those
    `person_id` leaves or acts in, when given; `open_only`: those not confirmed yet. Reads only."""
    department_id = within(db, actor, department_id=department_id, person_id=person_id)
    people = None
    if department_id is not None:
        wb = db.workbook((), frozenset({department_id}))
        department(wb, department_id)
        people = {p.id for p in wb.people if wb.department_of_section.get(p.section) == department_id}
    found = records.handovers(db.engine, people, open_only)
    return found if person_id is None else [h for h in found if h.person == person_id or person_id in h.acting]


def get_handover(db: Database, actor: Account, *, handover_id: int) -> Handover:
    """One handover as stored (NotFound for an unknown id)."""
    found = records.get(db.engine, handover_id)
    within(db, actor, person_id=found.person)
    return found


def handover_shares(db: Database, actor: Account, *, today: dt.date | None = None) -> list[HandoverShare]:
    """Per section, its handovers and the share confirmed of those whose absence is over by `today`."""
    whole(actor, "every section's handovers")
    day = today or clock.today()

    def shares() -> tuple[HandoverShare, ...]:
        wb = db.workbook(())
        counts: dict[str, list[int]] = {}
        for h in records.handovers(db.engine):
            person = wb.person_by_id.get(h.person)
            if person is None:
                continue
            c = counts.setdefault(person.section, [0, 0, 0, 0])
            done, over = h.state == "confirmed", h.end < day
            c[0], c[1], c[2], c[3] = c[0] + 1, c[1] + done, c[2] + over, c[3] + (done and over)
        return tuple(HandoverShare(sec, wb.department_of_section.get(sec), *c) for sec, c in sorted(counts.items()))
    return list(db.answer(("handover_shares", day, records.fingerprint(db.engine)), shares))


def _text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise BadInput(f"{field}: is empty")
    lines = value.replace("\r\n", "\n").replace("\t", " ")
    if problem := limits.text_problem(lines.replace("\n", " "), MAX_HANDOVER_TEXT):
        raise BadInput(f"{field}: {problem}")
    return lines


#: Why a step of a handover cannot be taken in its state: (step, state) → the reason.
_TOO_LATE_OR_EARLY = {
    ("items", "reported"): "the open items close once the report is in",
    ("items", "confirmed"): "it is closed",
    ("report", "confirmed"): "it is closed; its report no longer changes",
    ("confirm", "open"): "it can be confirmed once reported",
    ("confirm", "confirmed"): "it is confirmed already",
}


def _check_state(h: Handover, step: str) -> None:
    if (reason := _TOO_LATE_OR_EARLY.get((step, h.state))) is not None:
        raise BadInput(f"handover {h.id} is {h.state}: {reason}")


def handover_items(db: Database, actor: Account, *, handover_id: int, revision: int, items: str) -> Handover:
    """The person leaving (their head, or the office) lists the open items, until the report is in."""
    h = records.get(db.engine, handover_id)
    if not may_edit_absence(db.workbook(()), actor, h.person):
        raise PermissionDenied(f"{actor.username}: may not write the open items of {h.person}'s handover "
                               "(they, their head or the office may)")
    _check_state(h, "items")
    return records.change(db.engine, handover_id, revision, "handover.items", {"items": _text(items, "items")}, actor)


def report_handover(db: Database, actor: Account, *, handover_id: int, revision: int, report: str,
                    by: str | None = None, today: dt.date | None = None) -> Handover:
    """A person who acted records what was done (代行情况), once the absence has begun; the office
    may record it for them (`by`: who acted)."""
    h = records.get(db.engine, handover_id)
    reporter = actor.person if actor.role != "office" else (by or actor.person)
    if actor.role != "office" and reporter not in h.acting:
        raise PermissionDenied(f"{actor.username}: did not act for {h.person} in handover {h.id} "
                               f"(those who did: {', '.join(h.acting)}, or the office, may report)")
    if by is not None and by not in h.acting:
        raise BadInput(f"by: {by} did not act for {h.person} in handover {h.id} (those who did: {', '.join(h.acting)})")
    _check_state(h, "report")
    if (today or clock.today()) < h.start:
        raise BadInput(f"handover {h.id}: the absence begins on {h.start}; report once you have acted")
    return records.change(db.engine, handover_id, revision, "handover.report",
                          {"report": _text(report, "report"), "reported_by": reporter or actor.username,
                           "reported_at": clock.now()}, actor)


def confirm_handover(db: Database, actor: Account, *, handover_id: int, revision: int) -> Handover:
    """The person back confirms the report: the handover is closed."""
    h = records.get(db.engine, handover_id)
    if actor.role != "office" and actor.person != h.person:
        raise PermissionDenied(f"{actor.username}: only {h.person} (or the office) may confirm this handover")
    _check_state(h, "confirm")
    return records.change(db.engine, handover_id, revision, "handover.confirm",
                          {"confirmed_by": actor.person or actor.username, "confirmed_at": clock.now()}, actor)
