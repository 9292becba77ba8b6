"""The calendar in the database: a year's published schedule (holidays and adjusted working days)
made official, replacing that year's earlier overrides."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from roles.actor import username
from roles.model import CalendarDay
from roles.storage.bulk import bulk_insert, table_of
from roles.storage.changes import bump
from roles.storage.rows import row_of
from roles.storage.tables import CalendarRow, CalendarYearRow

if TYPE_CHECKING:
    from roles.storage.database import Writing


def load_calendar_year(tx: Writing, year: int, days: list[CalendarDay], source: str) -> int:
    """Make `days` (a published schedule: holidays and adjusted working days) the calendar
    overrides of `year`, replacing that year's earlier ones, and mark the year official; together
    or not at all (the use case checks it is the whole year's). Returns how many days were set."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    s = tx.session
    c = table_of(CalendarRow).c
    before = [{"date": str(r.date), "workday": r.workday, "note": r.note} for r in s.execute(
        select(c.date, c.workday, c.note).where((c.date >= first) & (c.date <= last)).order_by(c.date))]
    s.execute(delete(table_of(CalendarRow)).where((c.date >= first) & (c.date <= last)))
    bulk_insert(s, CalendarRow, [row_of(d) for d in days])
    s.execute(delete(table_of(CalendarYearRow)).where(table_of(CalendarYearRow).c.year == year))
    bulk_insert(s, CalendarYearRow, [{"year": year, "loaded_at": dt.datetime.now(dt.timezone.utc),
                                  "loaded_by": username(tx.actor), "source": source}])
    tx.record("calendar.year", str(year), before or None,
              [{"date": str(d.date), "workday": d.workday, "note": d.note} for d in days])
    bump(s)
    return len(days)
