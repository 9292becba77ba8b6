"""Named stand-ins in the database: who named whom to act for an absent person, on which steps
and days, and the named person's answer. The rules (who may name, who may answer, what a named
stand-in must be) are roles.actions.standin's; these functions take the unit of work, record
what they change on its audit trail and bump the data version (a stand-in changes who acts)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any


from flows.errors import Conflict, NotFound
from roles.actor import username
from roles.model import StandIn
from roles.storage.changes import bump
from roles.storage.rows import standin_of
from roles.storage.tables import StandInRow

if TYPE_CHECKING:
    from roles.storage.database import Writing


def _as_row(row: StandInRow) -> dict[str, Any]:
    return {c: getattr(row, c) for c in ("id", "person_id", "standin_id", "start", "end", "steps", "state", "named_by")}


def _audited(x: StandIn) -> dict[str, Any]:
    return {"id": x.id, "person": x.person, "standin": x.standin, "start": str(x.start), "end": str(x.end),
            "steps": list(x.steps), "state": x.state}


def add(tx: Writing, person: str, standin: str, start: dt.date, end: dt.date, steps: Iterable[str],
        state: str) -> StandIn:
    row = StandInRow(person_id=person, standin_id=standin, start=start, end=end, steps=list(steps), state=state,
                     named_by=username(tx.actor), named_at=dt.datetime.now(dt.timezone.utc),
                     decided_at=dt.datetime.now(dt.timezone.utc) if state != "asked" else None)
    tx.session.add(row)
    tx.session.flush()
    made = standin_of(_as_row(row))
    tx.record("standin.add", f"{person}/{made.id}", None, _audited(made))
    bump(tx.session)
    return made


def get(tx: Writing, standin_id: int) -> StandIn:
    row = tx.session.get(StandInRow, standin_id, with_for_update=True)
    if row is None:
        raise NotFound("stand-in", str(standin_id))
    return standin_of(_as_row(row))


def decide(tx: Writing, standin_id: int, state: str) -> StandIn:
    """Accept or decline a stand-in still waiting for its answer."""
    row = tx.session.get(StandInRow, standin_id, with_for_update=True)
    if row is None:
        raise NotFound("stand-in", str(standin_id))
    before = standin_of(_as_row(row))
    if row.state != "asked":
        raise Conflict(f"stand-in {standin_id} was {row.state} already")
    row.state, row.decided_at = state, dt.datetime.now(dt.timezone.utc)
    tx.session.add(row)
    tx.session.flush()
    after = standin_of(_as_row(row))
    tx.record(f"standin.{'accept' if state == 'accepted' else 'decline'}", f"{row.person_id}/{standin_id}",
              _audited(before), _audited(after))
    bump(tx.session)
    return after

