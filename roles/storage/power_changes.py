"""The power list's history in the database (权责清单动态调整): each change by its document and
date, audited; a cancelled or devolved power leaves the current list, its change keeping what it
was. The rules (who may record, which kinds) are roles.actions.reform's."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlmodel import Session, col

from flows.errors import NotFound
from roles.actor import username
from roles.model import Power, PowerChange
from roles.storage.bulk import table_of
from roles.storage.changes import bump
from roles.storage.engines import Engine
from roles.storage.rows import entity_of, row_of
from roles.storage.tables import PowerChangeRow, PowerRow

if TYPE_CHECKING:
    from roles.storage.database import Writing

#: Kinds of change after which the power is no longer on this list.
LEAVING = ("cancelled", "devolved")


def record(tx: Writing, power_id: str, kind: str, document: str, date: dt.date, note: str) -> PowerChange:
    """Record a change of the power `power_id` (on the list now); a cancelled or devolved one is
    taken off the list in the same unit of work."""
    s = tx.session
    row = s.get(PowerRow, power_id)
    if row is None:
        raise NotFound("power", power_id, "the list of powers")
    power = entity_of(Power, {c: getattr(row, c) for c in table_of(PowerRow).c.keys()})
    was = row_of(power)  # its columns, lists as lists: JSON as it stands
    change = PowerChangeRow(power_id=power_id, name=power.name, kind=kind, document=document, date=date, note=note,
                            was=was, recorded_by=username(tx.actor), recorded_at=dt.datetime.now(dt.timezone.utc))
    s.add(change)
    if kind in LEAVING:
        s.execute(delete(PowerRow).where(col(PowerRow.id) == power_id))
    s.flush()
    tx.record(f"powers.{kind}", power_id, was if kind in LEAVING else None,
              {"document": document, "date": str(date)} | ({"note": note} if note else {}))
    bump(s)
    return _change(change)


def changes(engine: Engine, since: dt.date | None = None) -> list[PowerChange]:
    """The list's changes, oldest first, those dated `since` or later when given."""
    with Session(engine) as s:
        q = select(PowerChangeRow).order_by(col(PowerChangeRow.date), col(PowerChangeRow.id))
        if since is not None:
            q = q.where(col(PowerChangeRow.date) >= since)
        return [_change(r) for r in s.scalars(q)]


def _change(r: PowerChangeRow) -> PowerChange:
    return PowerChange(int(r.id or 0), r.power_id, r.name, r.kind, r.document, r.date, r.note, r.recorded_by)
