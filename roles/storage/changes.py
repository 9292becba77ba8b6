"""The data version: one number every write of the data bumps, so a long-running reader (the app,
the scheduler) knows with one indexed read whether what it loaded is still current. Read on the
bare driver (`lean.data_version`), which every cached read asks first."""
from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col

from roles.storage.tables import DataVersionRow


def bump(s: Session) -> None:
    """Mark the data changed; call inside every write transaction."""
    s.execute(update(DataVersionRow).where(col(DataVersionRow.id) == 1).values(n=col(DataVersionRow.n) + 1))
