"""Named stand-ins (指定代岗): someone agreed beforehand to act for an absent person, ahead of B and
of escalation (roles.engines.acting), as on-call tools' overrides are.

The person, their section's head or the office names who acts, on which of the person's steps
and days; the named person accepts or declines, and only an accepted one changes who acts.
Someone who names themselves for a gap (我来顶岗) agrees in naming. A named stand-in must be
another person of the same department; the rule `standin-authority` flags one on an approval
step who is neither a head nor a deputy.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from flows import limits
from flows.errors import BadInput, PermissionDenied, Problem
from roles.actions.access import is_office, may_edit_absence, within
from roles.actor import Account
from roles.model import StandIn, Workbook
from roles.storage import standins as records
from roles.storage.database import Database

__all__ = ["add_standin", "answer_standin", "standins"]

SOURCE = "standin"


def add_standin(db: Database, actor: Account, *, person_id: str, standin_id: str, start: dt.date, end: dt.date,
                steps: Iterable[str] = ()) -> StandIn:
    """Name `standin_id` to act for `person_id` from `start` to `end`, on `steps` (PROCESS:STEP,
    each one `person_id` holds as A) or on all their steps. Asked of the named person, or agreed
    at once when they name themselves."""
    within(db, actor, person_id=person_id)
    wb = db.workbook(("after",))
    wanted = list(dict.fromkeys(steps))
    _check(wb, person_id, standin_id, start, end, wanted)
    volunteer = actor.person is not None and actor.person == standin_id
    if not (volunteer or may_edit_absence(wb, actor, person_id)):
        raise PermissionDenied(f"{actor.username}: may not name a stand-in for {person_id} (the person, their "
                               "head or the office may; or someone who stands in themselves)")
    with db.write(actor) as tx:
        return records.add(tx, person_id, standin_id, start, end, wanted, "accepted" if volunteer else "asked")


def answer_standin(db: Database, actor: Account, *, standin_id: int, accept: bool) -> StandIn:
    """The named person's answer (or the office's, recording one given by phone)."""
    with db.write(actor) as tx:
        found = records.get(tx, standin_id)
        if not (is_office(actor) or actor.person == found.standin):
            raise PermissionDenied(f"{actor.username}: only {found.standin}, who was named, or the office may "
                                   f"answer stand-in {standin_id}")
        return records.decide(tx, standin_id, "accepted" if accept else "declined")


def standins(db: Database, actor: Account, *, department_id: str | None = None,
             person_id: str | None = None) -> list[StandIn]:
    """The stand-ins named for a department's people (or a person's, or everyone's), oldest first."""
    department = within(db, actor, department_id=department_id, person_id=person_id)
    wb = db.workbook(())
    return [x for x in wb.standins
            if (person_id is None or person_id in (x.person, x.standin))
            and (department is None or wb.department_of_person(x.person) == department)]


def _check(wb: Workbook, person: str, standin: str, start: dt.date, end: dt.date, steps: list[str]) -> None:
    where = f"stand-in for {person}"
    problems = [Problem(SOURCE, where, None, key, f"no person '{pid}'")
                for key, pid in (("for", person), ("by", standin)) if pid not in wb.person_by_id]
    if not problems and person == standin:
        problems.append(Problem(SOURCE, where, None, "by", "a person cannot stand in for themselves"))
    if not problems and wb.department_of_person(person) != wb.department_of_person(standin):
        problems.append(Problem(SOURCE, where, None, "by", f"{standin} is of another department than {person}"))
    problems += [Problem(SOURCE, where, None, key, p) for key, day in (("from", start), ("to", end))
                 if (p := limits.date_problem(day))]
    if end < start:
        problems.append(Problem(SOURCE, where, None, "to", f"{end} is before the start {start}"))
    held = {f"{p.id}:{s.id}" for p in wb.processes if p.after for s in p.after.work_steps if s.a == person}
    problems += [Problem(SOURCE, where, None, "step", f"'{x}' is not a step {person} holds as A (PROCESS:STEP)")
                 for x in steps if x not in held]
    if problems:
        raise BadInput(problems)
