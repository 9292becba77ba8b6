"""What each person was last known to act on over the next workdays (roles.engines.duty_changes),
kept so that the change job tells a change once. Written by the system, not audited: it holds
nothing anyone entered, only what the engines said."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from roles.storage.bulk import bulk_insert, table_of
from roles.storage.tables import DutyViewRow


def stored(engine: Engine) -> dict[str, tuple[list[str], frozenset[tuple[str, ...]]]]:
    """Per person, the days looked at and what they acted on then."""
    with Session(engine) as s:
        rows = s.execute(select(table_of(DutyViewRow))).mappings()
        return {r["person_id"]: (list(r["days"]), frozenset(tuple(e) for e in r["entries"])) for r in rows}


def keep(engine: Engine, days: Iterable[str], views: dict[str, frozenset[tuple[str, ...]]]) -> None:
    """Replace the views of these people with what they act on now."""
    days = list(days)
    now = dt.datetime.now(dt.timezone.utc)
    with Session(engine) as s, s.begin():
        people = list(views)
        for start in range(0, len(people), 500):
            s.execute(delete(table_of(DutyViewRow)).where(col(DutyViewRow.person_id).in_(people[start:start + 500])))
        bulk_insert(s, DutyViewRow, [{"person_id": p, "days": days, "entries": sorted(list(e) for e in v),
                                      "updated": now} for p, v in views.items()])
