"""Changes to matters done once in the database: proposed, then approved (the matter replaced in
the same unit of work) or returned. The rules (who may propose and decide, what a matter must
hold) are roles.actions.one_thing'; these functions take the unit of work and keep the audit."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from flows.errors import Conflict
from roles.actor import username
from roles.model import Matter, MatterChange
from roles.storage.bulk import table_of
from roles.storage.changes import bump
from roles.storage.engines import Engine
from roles.storage.rows import entity_of, row_of
from roles.storage.tables import MatterChangeRow, MatterRow
from roles.storage.waiting import decided, none_waiting, one, waiting

if TYPE_CHECKING:
    from roles.storage.database import Writing


def _live(s: Session, matter_id: str) -> tuple[Matter | None, int | None]:
    """The matter as it stands, read for update, and its place in the list."""
    c = table_of(MatterRow).c
    row = s.execute(select(table_of(MatterRow)).where(c.id == matter_id).with_for_update()).mappings().first()
    return (None, None) if row is None else (entity_of(Matter, row), row["position"])


def propose(tx: Writing, matter: Matter, base: Matter | None, live: bool) -> MatterChange:
    """Record a change of `matter` made from `base` (None: a new one); `live` applies it at once
    (a department whose changes are not reviewed). Conflict when the matter is no longer `base`
    or a change of it already waits for review."""
    s = tx.session
    now, _ = _live(s, matter.id)
    if now != base:
        raise Conflict(f"matter {matter.id}: " + ("it exists already" if base is None and now is not None else
                                                  "it was changed by someone else meanwhile"))
    none_waiting(s, MatterChangeRow, col(MatterChangeRow.matter_id), matter.id, "matter")
    at = dt.datetime.now(dt.timezone.utc)
    row = MatterChangeRow(matter_id=matter.id, lead_id=matter.lead, proposed=row_of(matter),
                          base=None if base is None else row_of(base), author=username(tx.actor), submitted_at=at,
                          state="approved" if live else "submitted", decided_at=at if live else None)
    s.add(row)
    s.flush()
    tx.record("matters.propose", matter.id, row.base, row.proposed)
    if live:
        _apply(tx, matter)
    bump(s)
    return _change(row)


def decide(tx: Writing, change_id: int, approve: bool, note: str | None) -> MatterChange:
    """Approve (the matter replaced by the change, Conflict if it changed since) or return."""
    s = tx.session
    row = waiting(s, MatterChangeRow, change_id, "the changes of matters")
    change = _change(row)
    if approve:
        now, _ = _live(s, row.matter_id)
        if now != change.base:
            raise Conflict(f"matter {row.matter_id} was changed since this change was proposed; "
                           "return it, and propose it again from the matter as it stands")
        _apply(tx, change.proposed)
    decided(s, row, approve, username(tx.actor), note=note)
    tx.record("matters.approve" if approve else "matters.return", row.matter_id, None, {"change": change_id}
              | ({"note": note} if note else {}))
    bump(s)
    return _change(row)


def _apply(tx: Writing, matter: Matter) -> None:
    s = tx.session
    _, position = _live(s, matter.id)
    if position is None:
        position = (s.scalar(select(func.max(col(MatterRow.position)))) or 0) + 1
    s.execute(delete(table_of(MatterRow)).where(table_of(MatterRow).c.id == matter.id))
    s.execute(table_of(MatterRow).insert().values(**row_of(matter, position=position)))


def changes(engine: Engine, matter_id: str | None = None) -> list[MatterChange]:
    """Changes of matters (of one, when given), newest first."""
    with Session(engine) as s:
        q = select(MatterChangeRow).order_by(col(MatterChangeRow.id).desc())
        if matter_id is not None:
            q = q.where(col(MatterChangeRow.matter_id) == matter_id)
        return [_change(r) for r in s.scalars(q)]


def change(engine: Engine, change_id: int) -> MatterChange:
    return one(engine, MatterChangeRow, change_id, "the changes of matters", _change)


def _utc(t: dt.datetime) -> dt.datetime:
    """SQLite hands back naive UTC."""
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def _change(r: MatterChangeRow) -> MatterChange:
    return MatterChange(int(r.id or 0), entity_of(Matter, r.proposed), None if r.base is None else entity_of(Matter, r.base),
                        r.author, _utc(r.submitted_at), r.state, r.decider, r.decided_at and _utc(r.decided_at), r.note)
