"""The power list's history in the database (权责清单动态调整): each change by its document and
date, audited; a cancelled or devolved power leaves the current list, its change keeping what it
was. The rules (who may record, which kinds) are roles.actions.reform's."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlmodel import Session, col

from flows.errors import Conflict, NotFound
from roles.actor import username
from roles.model import Power, PowerChange
from roles.storage.bulk import table_of
from roles.storage.changes import bump
from roles.storage.engines import Engine
from roles.storage.rows import entity_of, row_of
from roles.storage.tables import PowerChangeRow, PowerRow
from roles.storage.waiting import decided, none_waiting, one, waiting

if TYPE_CHECKING:
    from roles.storage.database import Writing

#: Kinds of change after which the power is no longer on this list.
LEAVING = ("cancelled", "devolved")


def record(tx: Writing, power_id: str, kind: str, document: str, date: dt.date, note: str, live: bool = True
           ) -> PowerChange:
    """Record a change of the power `power_id` (on the list now). `live` makes it at once (a
    cancelled or devolved power taken off the list in the same unit of work); else it waits for
    review, the list as it was. Conflict while another change of the power waits."""
    s = tx.session
    row = s.get(PowerRow, power_id)
    if row is None:
        raise NotFound("power", power_id, "the list of powers")
    none_waiting(s, PowerChangeRow, col(PowerChangeRow.power_id), power_id, "power")
    power = entity_of(Power, {c: getattr(row, c) for c in table_of(PowerRow).c.keys()})
    was = row_of(power)  # its columns, lists as lists: JSON as it stands
    now = dt.datetime.now(dt.timezone.utc)
    change = PowerChangeRow(power_id=power_id, name=power.name, kind=kind, document=document, date=date, note=note,
                            was=was, recorded_by=username(tx.actor), recorded_at=now,
                            state="approved" if live else "submitted", decided_at=now if live else None)
    s.add(change)
    if live:
        _make(s, change)
    s.flush()
    tx.record(f"powers.{kind}" if live else "powers.propose", power_id, was if live and kind in LEAVING else None,
              {"document": document, "date": str(date)} | ({"note": note} if note else {}) | ({} if live else {"kind": kind}))
    bump(s)
    return _change(change)


def decide(tx: Writing, change_id: int, approve: bool, note: str | None) -> PowerChange:
    """Approve a change waiting for review (it is made now) or return it to its author."""
    s = tx.session
    change = waiting(s, PowerChangeRow, change_id, "the changes of the power list")
    if approve:
        if s.get(PowerRow, change.power_id) is None:
            raise Conflict(f"power {change.power_id} is no longer on the list: return the change")
        _make(s, change)
    decided(s, change, approve, username(tx.actor), decision=note)
    tx.record(f"powers.{change.kind}" if approve else "powers.return", change.power_id,
              change.was if approve and change.kind in LEAVING else None,
              {"change": change_id} | ({"note": note} if note else {}))
    bump(s)
    return _change(change)


def _make(s: Session, change: PowerChangeRow) -> None:
    if change.kind in LEAVING:
        s.execute(delete(PowerRow).where(col(PowerRow.id) == change.power_id))


def change_of(engine: Engine, change_id: int) -> PowerChange:
    return one(engine, PowerChangeRow, change_id, "the changes of the power list", _change)


def changes(engine: Engine, since: dt.date | None = None) -> list[PowerChange]:
    """The list's changes, oldest first, those dated `since` or later when given."""
    with Session(engine) as s:
        q = select(PowerChangeRow).order_by(col(PowerChangeRow.date), col(PowerChangeRow.id))
        if since is not None:
            q = q.where(col(PowerChangeRow.date) >= since)
        return [_change(r) for r in s.scalars(q)]


def _change(r: PowerChangeRow) -> PowerChange:
    return PowerChange(int(r.id or 0), r.power_id, r.name, r.kind, r.document, r.date, r.note, r.recorded_by,
                       r.state, r.decider, r.decision)
