"""The data version: one number every write of the data bumps, so a long-running reader (the app,
the scheduler) knows with one indexed read whether what it loaded is still current."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from roles.storage.tables import DataVersionRow


def data_version(engine: Engine) -> int:
    """A number that changes whenever the stored data does (one indexed read)."""
    with engine.connect() as conn:
        return conn.execute(select(col(DataVersionRow.n)).where(col(DataVersionRow.id) == 1)).scalar() or 0


def bump(s: Session) -> None:
    """Mark the data changed; call inside every write transaction."""
    s.execute(update(DataVersionRow).where(col(DataVersionRow.id) == 1).values(n=col(DataVersionRow.n) + 1))
