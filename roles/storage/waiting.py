"""What every change that waits for review shares in the database (a matter's, a power list's):
one waiting at a time per subject, read for update to be decided once, and the decision kept with
who took it and when. What a change does when approved is its own module's."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from flows.errors import Conflict, NotFound

T = TypeVar("T")


def one(engine: Engine, table, change_id: int, where: str, change: Callable[..., T]) -> T:
    """The change `change_id` of `table`, as `change` makes it of its row; NotFound naming `where`."""
    with Session(engine) as s:
        row = s.get(table, change_id)
        if row is None:
            raise NotFound("change", str(change_id), where)
        return change(row)


def none_waiting(s: Session, table, column, subject: str, what: str) -> None:
    """Conflict while a change of `subject` (in `column` of `table`) waits for review."""
    if s.scalar(select(func.count()).select_from(table).where(column == subject, table.state == "submitted")):
        raise Conflict(f"{what} {subject}: a change of it waits for review already")


def waiting(s: Session, table, change_id: int, where: str):
    """The change `change_id` of `table`, read for update: NotFound, or Conflict once decided."""
    row = s.get(table, change_id, with_for_update=True)
    if row is None:
        raise NotFound("change", str(change_id), where)
    if row.state != "submitted":
        raise Conflict(f"change {change_id} was {row.state} already")
    return row


def decided(s: Session, row, approve: bool, decider: str, **note: str | None) -> None:
    """Keep the decision on the change's row: its state, who took it, when, and the note given
    (in the row's own column for it)."""
    row.state, row.decider = ("approved" if approve else "returned"), decider
    row.decided_at = dt.datetime.now(dt.timezone.utc)
    for column, value in note.items():
        setattr(row, column, value)
    s.add(row)
    s.flush()
