"""Reviews in the database: each submission of a draft and its decision, comments on drafts and
their steps, each department's review policy, and the A/B filings of sections. The decisions'
rules (who may approve what) are roles.actions.review's; these functions take the unit of work
and record what they change on its audit trail.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from flows.errors import Conflict, NotFound
from flows.model import Which
from roles.actor import username
from roles.storage.tables import CommentRow, FilingRow, ReviewPolicyRow, ReviewRow

if TYPE_CHECKING:
    from roles.storage.database import Writing

#: A review's states: waiting for a decision, sent back to its author (a draft again), live.
STATES = ("submitted", "returned", "approved")


def _utc(t: dt.datetime) -> dt.datetime:
    """SQLite hands back naive UTC."""
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def _maybe(t: dt.datetime | None) -> dt.datetime | None:
    return None if t is None else _utc(t)


def _key(row_id: int | None) -> int:
    """A stored row's id (it has one once flushed)."""
    if row_id is None:
        raise RuntimeError("a review row without its id: it was not flushed")
    return row_id


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclasses.dataclass(frozen=True)
class Comment:
    id: int
    process: str
    version: str
    step: str | None
    author: str
    at: dt.datetime
    text: str
    resolved_by: str | None
    resolved_at: dt.datetime | None

    @property
    def open(self) -> bool:
        return self.resolved_at is None

    def json(self) -> dict:
        return {"id": self.id, "step": self.step, "author": self.author, "at": _stamp(self.at), "text": self.text,
                "state": "open" if self.open else "resolved", "resolved_by": self.resolved_by,
                "resolved_at": _stamp(self.resolved_at)}


@dataclasses.dataclass(frozen=True)
class Review:
    id: int
    process: str
    version: str
    kind: str
    state: str
    author: str
    submitted: dt.datetime
    draft_revision: int
    approver: str | None
    decided: dt.datetime | None
    revision: int | None
    comments: tuple[Comment, ...] = ()

    def json(self) -> dict:
        """The `abflow review list --json` entry (docs/cli.md)."""
        return {"process": self.process, "version": self.version, "kind": self.kind, "state": self.state,
                "author": self.author, "submitted": _stamp(self.submitted), "approver": self.approver,
                "decided": _stamp(self.decided), "revision": self.revision,
                "comments": [c.json() for c in self.comments]}


def _stamp(t: dt.datetime | None) -> str | None:
    return t.isoformat(timespec="seconds") if t else None


def _review(row: ReviewRow, comments: tuple[Comment, ...] = ()) -> Review:
    return Review(_key(row.id), row.process_id, row.version, row.kind, row.state, row.author, _utc(row.submitted_at),
                  row.draft_revision, row.approver, _maybe(row.decided_at), row.revision, comments)


def _comment(row: CommentRow) -> Comment:
    return Comment(_key(row.id), row.process_id, row.version, row.step, row.author, _utc(row.at), row.text,
                   row.resolved_by, _maybe(row.resolved_at))


def latest(session: Session, process_id: str, which: Which) -> Review | None:
    """The process version's last submission, whatever became of it."""
    row = session.scalars(select(ReviewRow).where((col(ReviewRow.process_id) == process_id)
                                                  & (col(ReviewRow.version) == which))
                          .order_by(col(ReviewRow.id).desc()).limit(1)).first()
    return _review(row) if row is not None else None


def pending(session: Session, process_id: str, which: Which) -> Review | None:
    """The submission waiting for a decision, if any: while there is one the draft is locked."""
    found = latest(session, process_id, which)
    return found if found is not None and found.state == "submitted" else None


def require_unlocked(session: Session, process_id: str, which: Which, what: str) -> None:
    """A draft under review is what the reviewer is reading: nobody changes it under them."""
    if (r := pending(session, process_id, which)) is not None:
        raise Conflict(f"process {process_id}, {which}: submitted for review by {r.author} at "
                       f"{_stamp(r.submitted)}; it cannot be {what} until it is approved or returned")


def submit(tx: Writing, process_id: str, which: Which, kind: str, draft_revision: int, comment: str | None) -> Review:
    require_unlocked(tx.session, process_id, which, "submitted again")
    row = ReviewRow(process_id=process_id, version=which, kind=kind, state="submitted", author=username(tx.actor),
                    submitted_at=_now(), draft_revision=draft_revision)
    tx.session.add(row)
    tx.session.flush()
    if comment:
        add_comment(tx, process_id, which, None, comment)
    tx.record("review.submit", f"{process_id}/{which}", None, {"kind": kind, "draft_revision": draft_revision}
              | ({"comment": comment} if comment else {}))
    return _review(row)


def decide(tx: Writing, review: Review, state: str, revision: int | None, comment: str | None) -> Review:
    """Approve or return `review`, which must still be the one waiting (Conflict if someone else
    decided it in between)."""
    row = tx.session.get(ReviewRow, review.id, with_for_update=True)
    if row is None or row.state != "submitted":
        raise Conflict(f"process {review.process}, {review.version}: the review was already "
                       f"{row.state if row else 'removed'} by {row.approver if row else 'someone else'}")
    row.state, row.approver, row.decided_at, row.revision = state, username(tx.actor), _now(), revision
    if comment:
        add_comment(tx, review.process, review.version, None, comment)
    tx.record(f"review.{'approve' if state == 'approved' else 'return'}", f"{review.process}/{review.version}",
              {"state": "submitted", "author": review.author},
              {"state": state, "revision": revision} | ({"comment": comment} if comment else {}))
    return _review(row)


def reviews(engine: Engine, process_ids: Iterable[str] | None = None, *, every: bool = False) -> list[Review]:
    """Each process version's latest review (every one, with `every`), newest first, with the
    comments of its process version."""
    with Session(engine) as s:
        query = select(ReviewRow).order_by(col(ReviewRow.id).desc())
        if process_ids is not None:
            query = query.where(col(ReviewRow.process_id).in_(list(process_ids)))
        rows = list(s.scalars(query))
        wanted = {(r.process_id, r.version) for r in rows}
        notes: dict[tuple[str, str], list[Comment]] = {}
        cq = select(CommentRow).order_by(col(CommentRow.id))
        if process_ids is not None:
            cq = cq.where(col(CommentRow.process_id).in_({p for p, _ in wanted}))
        for c in s.scalars(cq):
            notes.setdefault((c.process_id, c.version), []).append(_comment(c))
    out, seen = [], set()
    for r in rows:
        key = (r.process_id, r.version)
        if every or key not in seen:
            seen.add(key)
            out.append(_review(r, tuple(notes.get(key, ()))))
    return out


def last_approved(engine: Engine) -> dict[tuple[str, str], Review]:
    """Each process version's last approval: the record a chart's title block shows."""
    with Session(engine) as s:
        rows = s.scalars(select(ReviewRow).where(col(ReviewRow.state) == "approved").order_by(col(ReviewRow.id)))
        return {(r.process_id, r.version): _review(r) for r in rows}


def add_comment(tx: Writing, process_id: str, which: str, step: str | None, text: str) -> Comment:
    row = CommentRow(process_id=process_id, version=which, step=step, author=username(tx.actor), at=_now(), text=text)
    tx.session.add(row)
    tx.session.flush()
    tx.record("review.comment", f"{process_id}/{which}", None, {"id": row.id, "step": step, "text": text})
    return _comment(row)


def comment(session: Session, comment_id: int) -> Comment:
    row = session.get(CommentRow, comment_id)
    if row is None:
        raise NotFound("comment", str(comment_id))
    return _comment(row)


def resolve(tx: Writing, comment_id: int) -> Comment:
    row = tx.session.get(CommentRow, comment_id, with_for_update=True)
    if row is None:
        raise NotFound("comment", str(comment_id))
    if row.resolved_at is None:
        row.resolved_by, row.resolved_at = username(tx.actor), _now()
        tx.record("review.resolve", f"{row.process_id}/{row.version}", {"id": row.id, "state": "open"},
                  {"id": row.id, "state": "resolved"})
    return _comment(row)


def policies(session: Session) -> dict[str, bool]:
    """The departments whose policy was set, and whether they require review (the rest do)."""
    return {r.department_id: r.required for r in session.scalars(select(ReviewPolicyRow))}


def required(session: Session, department_id: str | None) -> bool:
    """The department's policy alone (see `required_of`)."""
    row = session.get(ReviewPolicyRow, department_id) if department_id else None
    return True if row is None else row.required


def set_policy(tx: Writing, department_id: str, required_: bool) -> None:
    row = tx.session.get(ReviewPolicyRow, department_id)
    before = True if row is None else row.required
    if row is None:
        tx.session.add(ReviewPolicyRow(department_id=department_id, required=required_))
    else:
        row.required = required_
    tx.record("review.policy", department_id, {"required": before}, {"required": required_})


@dataclasses.dataclass(frozen=True)
class Filing:
    id: int
    section: str
    filed_at: dt.datetime
    filed_by: str
    entries: tuple[dict, ...]


def last_filing(engine: Engine, section_id: str) -> Filing | None:
    with Session(engine) as s:
        row = s.scalars(select(FilingRow).where(col(FilingRow.section_id) == section_id)
                        .order_by(col(FilingRow.id).desc()).limit(1)).first()
    if row is None:
        return None
    return Filing(_key(row.id), row.section_id, _utc(row.filed_at), row.filed_by, tuple(row.entries))


def last_two_filings(engine: Engine) -> dict[str, tuple[Filing, Filing | None]]:
    """Each filed section's last filing and the one before it (None for a first filing)."""
    out: dict[str, list[Filing]] = {}
    with Session(engine) as s:
        for row in s.scalars(select(FilingRow).order_by(col(FilingRow.id).desc())):
            kept = out.setdefault(row.section_id, [])
            if len(kept) < 2:
                kept.append(Filing(_key(row.id), row.section_id, _utc(row.filed_at), row.filed_by, tuple(row.entries)))
    return {sec: (pair[0], pair[1] if len(pair) > 1 else None) for sec, pair in out.items()}


def add_filing(tx: Writing, section_id: str, entries: list[dict]) -> Filing:
    row = FilingRow(section_id=section_id, filed_at=_now(), filed_by=username(tx.actor), entries=entries)
    tx.session.add(row)
    tx.session.flush()
    tx.record("ab.filing", section_id, None, {"id": row.id, "steps": len(entries)})
    return Filing(_key(row.id), section_id, _utc(row.filed_at), row.filed_by, tuple(entries))


def pending_of(engine: Engine, process_id: str, which: Which) -> Review | None:
    with Session(engine) as s:
        return pending(s, process_id, which)


def latest_of(engine: Engine, process_id: str, which: Which) -> Review | None:
    with Session(engine) as s:
        return latest(s, process_id, which)


def policies_of(engine: Engine) -> dict[str, bool]:
    with Session(engine) as s:
        return policies(s)


def required_of(engine: Engine, department_id: str | None) -> bool:
    """Whether a change of the department waits for an approval: where the office did not switch
    its review off, and only in a database with accounts. A single-user installation has nobody
    else to approve; it publishes as before."""
    from roles.storage.tables import AccountRow
    with Session(engine) as s:
        return required(s, department_id) and s.scalars(select(col(AccountRow.username)).limit(1)).first() is not None


def comment_of(engine: Engine, comment_id: int) -> Comment:
    with Session(engine) as s:
        return comment(s, comment_id)
