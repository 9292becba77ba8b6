"""The audit trail: every change recorded in the transaction that makes it, each row chained to
the one before by its hash, so an edited or deleted row shows."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from roles.actor import Account, username
from roles.storage.bulk import bulk_insert
from roles.storage.engines import writing
from roles.storage.tables import AuditRow


def chain_hash(prev: str, at: dt.datetime, user: str, action: str, subject: str, before, after) -> str:
    """A row's hash: of the row before's hash and this row's content, in one canonical form, so
    that editing any field of any row, or deleting one, breaks the chain from there on."""
    at = at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)  # SQLite hands back naive UTC
    content = json.dumps([at.astimezone(dt.timezone.utc).isoformat(), user, action, subject, before, after],
                         sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev}\n{content}".encode()).hexdigest()


def audit(s: Session, who: Account | str, action: str, subject: str, before, after) -> None:
    """Record a change inside the transaction that makes it, so one never exists without the other."""
    audit_many(s, who, [(action, subject, before, after)])


def audit_many(s: Session, who: Account | str, records: list[tuple[str, str, object, object]]) -> None:
    """Record changes, each (action, subject, before, after), inside the transaction that makes
    them, chained to the row before and to each other (appends wait for each other, so the chain
    never forks), in one insert: opening a province's handovers writes some 16,000 rows."""
    if not records:
        return
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK})
    prev = s.execute(select(col(AuditRow.hash)).order_by(col(AuditRow.id).desc()).limit(1)).scalar() or ""
    at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    user = username(who)
    rows = []
    for action, subject, before, after in records:
        row_hash = chain_hash(prev, at, user, action, subject, before, after)
        rows.append({"at": at, "user": user, "action": action, "subject": subject, "before": before, "after": after,
                     "prev_hash": prev, "hash": row_hash})
        prev = row_hash
    bulk_insert(s, AuditRow, rows)  # in order: ids follow the chain


_AUDIT_LOCK = 0x61626661  # "abfa"


def record(engine: Engine, who: Account | str, action: str, subject: str, after=None) -> None:
    """An audit row for something that changes no data (a sign-in, an export, a publish)."""
    with writing(engine) as s:
        audit(s, who, action, subject, None, after)


def verify_trail(engine: Engine) -> tuple[int, str, list[str]]:
    """Check every audit row against the chain: (rows, the newest hash, problems). Keep the newest
    hash somewhere else (a backup log): a trail cut short at its end shows only against it."""
    problems: list[str] = []
    prev, n = "", 0
    with Session(engine) as s:
        for r in s.execute(select(AuditRow).order_by(col(AuditRow.id))).scalars():
            n += 1
            if r.prev_hash != prev:
                problems.append(f"row {r.id} ({r.at:%Y-%m-%d %H:%M:%S}, {r.action}): the row before it was "
                                "deleted or changed")
            elif r.hash != chain_hash(prev, r.at, r.user, r.action, r.subject, r.before, r.after):
                problems.append(f"row {r.id} ({r.at:%Y-%m-%d %H:%M:%S}, {r.action}): changed after it was written")
            prev = r.hash or ""
    return n, prev, problems


def audit_trail(engine: Engine, limit: int = 500) -> list[AuditRow]:
    with Session(engine) as s:
        return list(s.scalars(select(AuditRow).order_by(col(AuditRow.id).desc()).limit(limit)))
