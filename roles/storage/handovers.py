"""Handover records (交接单) in the database: opened for each absence that needs one
(engines.handover.due), then filled in by the person leaving (open items), the person acting
(their report, 代行情况) and confirmed by the person on return. Every change is audited in the
transaction that makes it, and carries the revision it was made against (Conflict otherwise).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from flows.errors import Conflict, NotFound
from roles.actor import Account
from roles.storage.audit import audit, audit_many
from roles.storage.bulk import table_of
from roles.storage.engines import writing
from roles.model import Due
from roles.storage.tables import HandoverRow


@dataclasses.dataclass(frozen=True)
class Handover:
    id: int
    person: str
    start: dt.date
    end: dt.date
    steps: tuple[dict, ...]
    items: str | None
    report: str | None
    reported_by: str | None
    reported_at: dt.datetime | None
    confirmed_by: str | None
    confirmed_at: dt.datetime | None
    opened_at: dt.datetime
    revision: int

    @property
    def state(self) -> str:
        """open (nothing reported yet), reported (waiting for the person's confirmation), confirmed."""
        return "confirmed" if self.confirmed_at else "reported" if self.report else "open"

    @property
    def acting(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p for s in self.steps for p in s["acting"]))

    def json(self) -> dict:
        """The `abflow handovers --json` entry (the API returns the same)."""
        def stamp(t: dt.datetime | None) -> str | None:  # SQLite hands back naive UTC
            return (t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)).isoformat(timespec="seconds") if t else None
        return {"id": self.id, "person": self.person, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "state": self.state, "acting": list(self.acting), "steps": [dict(s) for s in self.steps],
                "items": self.items, "report": self.report, "reported_by": self.reported_by,
                "reported_at": stamp(self.reported_at), "confirmed_by": self.confirmed_by,
                "confirmed_at": stamp(self.confirmed_at), "opened_at": stamp(self.opened_at), "revision": self.revision}


def _of(row: HandoverRow) -> Handover:
    return Handover(row.id or 0, row.person_id, row.start, row.end, tuple(row.steps), row.items, row.report,
                    row.reported_by, row.reported_at, row.confirmed_by, row.confirmed_at, row.opened_at, row.revision)


def _steps(d: Due) -> list[dict]:
    return [{"process": s.process, "step": s.step, "name": s.name, "acting": list(s.acting)} for s in d.steps]


def _subject(row: HandoverRow) -> str:
    return f"handover {row.id}: {row.person_id} {row.start}"


def _stored(s: Session, people: set[str], since: dt.date, lock: bool = False) -> dict[tuple[str, dt.date], HandoverRow]:
    q = select(HandoverRow).where(col(HandoverRow.end) >= since)
    return {(r.person_id, r.start): r for r in s.scalars(q.with_for_update() if lock else q) if r.person_id in people}


def _changes(have: dict, wanted: dict[tuple[str, dt.date], Due], since: dt.date):
    """(rows to drop, rows to bring up to date with their absence, absences to open handovers for)."""
    drop, follow = [], []
    for key, row in have.items():
        if row.confirmed_at is not None:
            continue
        d = wanted.get(key)
        if d is None:
            if not (row.items or row.report):  # someone wrote in it: kept, to be confirmed
                drop.append(row)
        elif (row.end, row.steps) != (d.end, _steps(d)):
            follow.append((row, d))
    return drop, follow, [d for key, d in wanted.items() if key not in have and d.end >= since]


def sync(engine: Engine, due: Iterable[Due], people: Iterable[str], since: dt.date, user: Account | str) -> None:
    """Make the stored handovers of `people` (absences ending on or after `since`) match `due`:
    open the missing ones, follow a changed absence's end and acting people, and drop an unconfirmed
    one whose absence is gone, unless someone already wrote in it. Read first: most calls (every
    page that lists handovers) find nothing to change and take no write lock."""
    wanted = {(d.person, d.start): d for d in due}
    people = set(people)
    with Session(engine) as s:
        if not any(_changes(_stored(s, people, since), wanted, since)):
            return
    try:
        with writing(engine) as s:
            drop, follow, opening = _changes(_stored(s, people, since, lock=True), wanted, since)
            records: list[tuple[str, str, object, object]] = [
                ("handover.drop", _subject(row), _of(row).json(), None) for row in drop]
            if drop:
                s.execute(delete(HandoverRow).where(col(HandoverRow.id).in_([row.id for row in drop])))
            for row, d in follow:
                row.end, row.steps, row.revision = d.end, _steps(d), row.revision + 1
            audit_many(s, user, records)
            for i in range(0, len(opening), OPEN_BLOCK):  # a block's rows and audit let go before the next
                audit_many(s, user, [("handover.open", _subject(row), None, _of(row).json())
                                     for row in _open(s, opening[i:i + OPEN_BLOCK])])
    except (IntegrityError, Conflict):
        pass  # another caller opened the same handover at the same moment, or is writing: next time


#: Handovers opened, and audited, at a time.
OPEN_BLOCK = 1000


def _open(s: Session, opening: list[Due]) -> list[HandoverRow]:
    """New handovers, written in one statement that gives back their ids (they name them in the
    audit): a province's first import opens 16,000, which as ORM objects took 5 s to make."""
    if not opening:
        return []
    now = dt.datetime.now(dt.timezone.utc)
    rows: list[dict[str, Any]] = [{"person_id": d.person, "start": d.start, "end": d.end, "steps": _steps(d),
                                   "opened_at": now, "revision": 1} for d in opening]
    table = table_of(HandoverRow)
    ids = s.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()
    return [HandoverRow.model_construct(id=i, **row) for i, row in zip(ids, rows, strict=True)]


def fingerprint(engine: Engine) -> tuple:
    """What changes whenever any handover does, in one read: how many there are, the newest id
    and opening, the sum of their revisions (every change adds one) and how many are confirmed.
    An answer about all of them is kept under it (a rerun of the reform page asks again)."""
    with engine.connect() as conn:
        return tuple(conn.execute(select(func.count(), func.max(col(HandoverRow.id)), func.max(col(HandoverRow.opened_at)),
                                         func.sum(col(HandoverRow.revision)), func.count(col(HandoverRow.confirmed_at)))).one())


def handovers(engine: Engine, people: Iterable[str] | None = None, open_only: bool = False) -> list[Handover]:
    """Stored handovers (of `people`, when given), newest absence first."""
    with Session(engine) as s:
        q = select(HandoverRow).order_by(col(HandoverRow.start).desc(), col(HandoverRow.person_id))
        if open_only:
            q = q.where(col(HandoverRow.confirmed_at).is_(None))
        rows = list(s.scalars(q))
    wanted = None if people is None else set(people)
    return [_of(r) for r in rows if wanted is None or r.person_id in wanted]


#: The largest id a handover can have (a 64-bit integer on either database): beyond it, no handover.
MAX_ID = 2 ** 63 - 1


def _known(ident: int) -> None:
    if not 1 <= ident <= MAX_ID:
        raise NotFound("handover", str(ident)[:24])


def get(engine: Engine, ident: int) -> Handover:
    _known(ident)
    with Session(engine) as s:
        row = s.get(HandoverRow, ident)
        if row is None:
            raise NotFound("handover", str(ident))
        return _of(row)


def change(engine: Engine, ident: int, revision: int, action: str, values: dict, user: Account | str) -> Handover:
    """Set `values` on a handover read at `revision`, audited as `action`; Conflict when someone
    changed it since."""
    _known(ident)
    with writing(engine) as s:
        row = s.execute(select(HandoverRow).where(col(HandoverRow.id) == ident).with_for_update()).scalar()
        if row is None:
            raise NotFound("handover", str(ident))
        if row.revision != revision:
            raise Conflict(f"handover {ident} was changed by someone else meanwhile (revision {row.revision}, "
                           f"not {revision}); read it again")
        before = _of(row).json()
        for key, value in values.items():
            setattr(row, key, value)
        row.revision += 1
        s.flush()
        after = _of(row)
        audit(s, user, action, _subject(row), before, after.json())
        return after
