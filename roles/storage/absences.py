"""Absences in the database: added from a leave file or the app, changed together or not at all,
never twice."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlmodel import Session, col

from flows.errors import BadInput, Conflict, Problem
from roles.model import Absence
from roles.storage.bulk import bulk_insert, table_of
from roles.storage.changes import bump
from roles.storage.rows import entity_of, row_of
from roles.storage.tables import AbsenceRow, PersonRow

if TYPE_CHECKING:
    from roles.storage.database import Writing


def add_absences(tx: Writing, absences, source: str) -> int:
    """Add absences (from a leave file or the app); all or none. Returns how many were new."""
    return change_absences(tx, (), absences, source)


def change_absences(tx: Writing, removed, added, source: str) -> int:
    """Remove some absences and add others, together or not at all; returns how many were added.
    Each removed absence must still be stored as it was read (person, dates, reason): if someone
    changed or removed it meanwhile, Conflict, and nothing changes."""
    removed, added = list(removed), list(added)
    s = tx.session
    _check(s, [(f"absence {i} ({a.person})", a) for i, a in enumerate(added, 1)], source)
    c = table_of(AbsenceRow).c
    for a in removed:
        row = s.execute(select(c.id).where(_same(c, a)).limit(1).with_for_update()).scalar()
        if row is None:
            raise Conflict(f"the absence of {a.person} from {a.start} to {a.end} was changed by someone "
                                "else meanwhile")
        s.execute(delete(table_of(AbsenceRow)).where(c.id == row))
    rows = new_absences(s, added)
    bulk_insert(s, AbsenceRow, rows)
    if rows or removed:
        tx.record("absences.change" if removed else "absences.add", source, [_audited(row_of(a)) for a in removed] or None,
                  [_audited(r) for r in rows] or None)
        bump(s)
    return len(rows)


def new_absences(s: Session, absences) -> list[dict]:
    """Absence rows to add, leaving out those the database holds already (re-importing a leave
    list must not double it)."""
    people = list({a.person for a in absences})
    have: set[tuple] = set()
    for start in range(0, len(people), 500):
        have.update(s.execute(select(col(AbsenceRow.person_id), col(AbsenceRow.start), col(AbsenceRow.end),
                                     col(AbsenceRow.reason), col(AbsenceRow.start_half), col(AbsenceRow.end_half))
                              .where(col(AbsenceRow.person_id).in_(people[start:start + 500]))).all())
    rows, seen = [], set()
    for a in absences:
        key = (a.person, a.start, a.end, a.reason, a.start_half, a.end_half)
        if key not in have and key not in seen:
            seen.add(key)
            rows.append(row_of(a))
    return rows


def _check(s: Session, labelled: list[tuple[str, Absence]], source: str) -> None:
    """Refuse (BadInput, every problem named) absences of unknown people, with a bad date, reason or
    half, or ending before they start."""
    people = set(s.scalars(select(col(PersonRow.id)).where(col(PersonRow.id).in_({a.person for _, a in labelled}))))
    problems = [Problem(source, label, None, "person", f"no person '{a.person}'")
                for label, a in labelled if a.person not in people]
    problems += [Problem(source, label, None, *problem)
                 for label, a in labelled if (problem := a.problem()) is not None]
    problems += [Problem(source, label, None, key, problem)
                 for label, a in labelled for key, problem in a.value_problems()]
    if problems:
        raise BadInput(problems)


def _same(c, a: Absence):
    """The condition on `c` (the absence table's columns) of rows holding absence `a` as it is."""
    return (c.person_id == a.person) & (c.start == a.start) & (c.end == a.end) & (c.reason == a.reason) \
        & _is(c.start_half, a.start_half) & _is(c.end_half, a.end_half)


def _is(column, value):
    """`column` holds `value`, None included (SQL's = never matches NULL)."""
    return column.is_(None) if value is None else column == value


def _audited(row: dict) -> dict:
    """A row as the audit keeps it: its values as text, the empty ones left out."""
    return {k: str(v) for k, v in row.items() if v is not None}


@dataclass(frozen=True)
class Synced:
    """What a pull from the OA changed: counts of absences added, changed, removed, as they were."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0


def sync_pulled(tx: Writing, held: dict[str, Absence | None], source: str) -> Synced:
    """Store leave pulled from the OA by its instance id (`held`: id -> the absence it approves,
    or None for one cancelled, refused or withdrawn there): a new one added, or an identical
    absence already held (typed in, or imported) taken as it; a changed one replaced; a withdrawn
    one removed. A pull repeated changes nothing. All or none, audited."""
    s = tx.session
    c = table_of(AbsenceRow).c
    _check(s, [(f"approval {ext}", a) for ext, a in held.items() if a is not None], source)
    ids = list(held)
    rows: dict[str, Any] = {}
    for start in range(0, len(ids), 500):
        rows.update({r.external_id: r for r in s.execute(select(table_of(AbsenceRow)).where(c.external_id.in_(ids[start:start + 500])))})
    count = {"added": 0, "changed": 0, "removed": 0, "unchanged": 0}
    before: list[dict] = []
    after: list[dict] = []
    for ext, absence in held.items():
        row = rows.get(ext)
        was = None if row is None else entity_of(Absence, row._mapping)
        if was == absence:
            count["unchanged"] += absence is not None
            continue
        if row is not None:
            s.execute(delete(table_of(AbsenceRow)).where(c.id == row.id))
            before.append(_audited(row_of(was, external_id=ext)))
        if absence is not None:
            same = s.execute(select(c.id).where(_same(c, absence) & c.external_id.is_(None)).limit(1)).scalar()
            if same is not None:  # held already, typed in or imported: this approval is it
                s.execute(table_of(AbsenceRow).update().where(c.id == same).values(external_id=ext))
            else:
                bulk_insert(s, AbsenceRow, [row_of(absence, external_id=ext)])
            after.append(_audited(row_of(absence, external_id=ext)))
        count["added" if row is None else "removed" if absence is None else "changed"] += 1
    if before or after:
        tx.record("absences.pull", source, before or None, after or None)
        bump(s)
    return Synced(**count)
