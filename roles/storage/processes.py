"""Processes in the database: read them as plain `Process` objects, write and delete them in bulk,
save one version (checked as an import checks it, audited); the designer's drafts beside them.

Functions that take a session never commit: the caller owns the transaction, so a workbook
import that writes processes among other things stays all-or-nothing.
"""
from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, true, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from flows.errors import BadInput, Conflict, Problem
from flows.fields import (STEP_NAMES, VERSION_NAMES, step_from_stored, stored_step, terms_of, terms_problems, version_problems,
                          with_terms)
from flows.graph import faults
from flows.model import VERSIONS, Draft, Process, Step, Version, Which
from roles.actor import username
from roles.storage import reviews
from roles.storage.bulk import bulk_insert, table_of
from roles.storage.changes import bump
from roles.storage.tables import DraftRow, PersonRow, ProcessRow, SectionRow, StepRow, VersionRow

if TYPE_CHECKING:
    from roles.storage.database import Writing


def read_processes(session: Session, versions: tuple[str, ...] = VERSIONS,
                   damaged: list[str] | None = None, only=None) -> list[tuple[int, Process]]:
    """Every process with its versions, as (position, process), in stored order; versions not
    asked for are left `None` (the roster needs only `after`, half the rows). `only`, a select of
    process ids, reads just those. A stored value that cannot be read back is named in `damaged`
    and left at its default.

    Plain Core rows, not ORM objects: a city holds some 30,000 steps and this runs on every
    roster, so the ORM's per-row bookkeeping would cost more than the query."""
    conn = session.connection()
    st = table_of(StepRow).c
    steps: dict[tuple[str, str], list[Step]] = {}
    which = (lambda column: column.in_(only)) if only is not None else (lambda column: true())
    for row in conn.execute(select(st.process_id, st.version, *(st[f] for f in STEP_NAMES))
                            .where(st.version.in_(versions) & which(st.process_id))
                            .order_by(st.process_id, st.version, st.position)).mappings():
        def report(field: str, why: str, row=row) -> None:
            if damaged is not None:
                damaged.append(f"process {row['process_id']}, {row['version']}, step {row['id']}, "
                               f"field '{field}': {why}")
        steps.setdefault((row["process_id"], row["version"]), []).append(step_from_stored(row, report))
    revisions: dict[str, dict[str, int]] = {}
    terms: dict[tuple[str, str], Mapping] = {}
    vc = table_of(VersionRow).c
    for row in conn.execute(select(vc.process_id, vc.version, vc.revision, *(vc[f] for f in VERSION_NAMES))
                            .where(which(vc.process_id))).mappings():
        revisions.setdefault(row["process_id"], {})[row["version"]] = row["revision"]
        terms[(row["process_id"], row["version"])] = row
    out = []
    p = table_of(ProcessRow).c
    for pid, section, name, position in conn.execute(select(p.id, p.section_id, p.name, p.position)
                                                     .where(which(p.id)).order_by(p.position)).all():
        revs = revisions.get(pid, {})
        made = {v: with_terms(Version(tuple(steps.get((pid, v), ()))), terms[(pid, v)]) if v in revs and v in versions
                else None for v in VERSIONS}
        out.append((position, Process(id=pid, section=section, name=name, revisions=dict(revs), **made)))
    return out


@dataclass(frozen=True)
class Written:
    processes: int
    steps: int


def write_processes(session: Session, processes: Iterable[Process], first_position: int, *, user: str,
                    progress: Callable[[int], None] = lambda _: None) -> Written:
    """Write `processes` as they come, a block at a time (a province's are never all held); say
    how many are written after each block."""
    now = dt.datetime.now(dt.timezone.utc)
    count = steps = 0
    it = iter(processes)
    while block := list(itertools.islice(it, PROCESS_BLOCK)):
        versions = [(p, which, v) for p in block for which in VERSIONS if (v := p.version(which)) is not None]
        bulk_insert(session, ProcessRow, ({"id": p.id, "section_id": p.section, "name": p.name,
                                           "position": first_position + count + i} for i, p in enumerate(block)))
        bulk_insert(session, VersionRow, ({"process_id": p.id, "version": which, "revision": p.revisions.get(which, 1),
                                           "updated_at": now, "updated_by": user} | terms_of(v) for p, which, v in versions))
        bulk_insert(session, StepRow, (_step_row(p.id, which, j, s) for p, which, v in versions
                                       for j, s in enumerate(v.steps)))
        count += len(block)
        steps += sum(len(v.steps) for _, _, v in versions)
        progress(count)
    return Written(count, steps)


#: Processes written at a time: some 20,000 steps' rows, and few enough statements.
PROCESS_BLOCK = 1000


def _step_row(process_id: str, version: str, position: int, s: Step) -> dict:
    return {"process_id": process_id, "version": version, "position": position} | stored_step(s)


def delete_processes(session: Session, process_ids: Iterable[str]) -> None:
    ids = list(process_ids)
    for start in range(0, len(ids), 500):  # stay well under SQLite's bound-parameter limit
        chunk = ids[start:start + 500]
        for table in (StepRow, VersionRow):
            session.execute(delete(table_of(table)).where(table_of(table).c.process_id.in_(chunk)))
        session.execute(delete(table_of(ProcessRow)).where(table_of(ProcessRow).c.id.in_(chunk)))


def process_ids_of_sections(session: Session, section_ids: Iterable[str]) -> list[str]:
    ids = list(section_ids)
    return list(session.scalars(select(col(ProcessRow.id)).where(col(ProcessRow.section_id).in_(ids)))) if ids else []


def max_position(session: Session) -> int:
    return session.scalar(select(func.coalesce(func.max(col(ProcessRow.position)), -1))) or 0


def replace_version(session: Session, process_id: str, which: Which, version: Version,
                    expected_revision: int | None, *, user: str) -> int:
    """Store `version` as the process's `which` version and return its new revision. With
    `expected_revision`, refuse (Conflict) when the stored one has moved on since it was read."""
    v = table_of(VersionRow)
    found = session.execute(select(v.c.revision, v.c.updated_by).where((v.c.process_id == process_id) & (v.c.version == which))
                            .with_for_update()).first()
    current = found[0] if found else None
    if expected_revision is not None and (current or 0) != expected_revision:
        by = found[1] if found else None
        raise Conflict(f"process {process_id}, {which}: saved as revision {current} by {by or 'someone else'} since "
                       f"revision {expected_revision} was read", by=by)
    st = table_of(StepRow)
    session.execute(delete(st).where((st.c.process_id == process_id) & (st.c.version == which)))
    revision = (current or 0) + 1
    now = dt.datetime.now(dt.timezone.utc)
    if current is None:
        bulk_insert(session, v, [{"process_id": process_id, "version": which, "revision": revision,
                                  "updated_at": now, "updated_by": user} | terms_of(version)])
    else:
        session.execute(v.update().where((v.c.process_id == process_id) & (v.c.version == which))
                        .values(revision=revision, updated_at=now, updated_by=user, **terms_of(version)))
    bulk_insert(session, st, [_step_row(process_id, which, j, s) for j, s in enumerate(version.steps)])
    return revision


def read_draft(session: Session, process_id: str, which: Which) -> Draft | None:
    row = session.get(DraftRow, (process_id, which))
    if row is None:
        return None
    return Draft(with_terms(Version(tuple(step_from_stored(f) for f in row.steps)), row.terms), row.base_revision,
                 Version(tuple(step_from_stored(f) for f in row.base)), row.revision, row.saved_at, row.saved_by)


def write_draft(session: Session, process_id: str, which: Which, version: Version, base_revision: int,
                base: Version, expected_revision: int, user: str | None) -> int:
    """Keep `version` as the draft and return the draft's new revision; `expected_revision` is the
    draft revision the editor started from (0: it started from no draft). Conflict when
    another save of the draft came in between."""
    d = table_of(DraftRow)
    key = (d.c.process_id == process_id) & (d.c.version == which)
    found = session.execute(select(d.c.revision, d.c.saved_by).where(key).with_for_update()).first()
    current = found[0] if found else None
    if (current or 0) != expected_revision:
        by = found[1] if found else None
        raise Conflict(f"process {process_id}, {which}: the draft was saved as revision {current} by "
                       f"{by or 'someone else'} since revision {expected_revision} was read", by=by)
    revision = (current or 0) + 1
    values = {"steps": [stored_step(s) for s in version.steps], "terms": terms_of(version), "base_revision": base_revision,
              "base": [stored_step(s) for s in base.steps],
              "revision": revision, "saved_at": dt.datetime.now(dt.timezone.utc), "saved_by": user}
    if current is None:
        session.execute(d.insert().values(process_id=process_id, version=which, **values))
    else:
        session.execute(d.update().where(key).values(**values))
    return revision


def delete_draft(session: Session, process_id: str, which: Which) -> None:
    d = table_of(DraftRow)
    session.execute(delete(d).where((d.c.process_id == process_id) & (d.c.version == which)))


def drop_orphan_drafts(session: Session) -> None:
    """Drafts of processes an import removed: nothing could publish them any more."""
    d = table_of(DraftRow)
    session.execute(delete(d).where(d.c.process_id.not_in(select(table_of(ProcessRow).c.id))))


def save_version(tx: Writing, process_id: str, which: Which, version: Version, source: str,
                 section: str | None = None, name: str | None = None, expected_revision: int | None = None) -> int:
    """Store one version of a process (from the editor or a BPMN file), creating the process in
    `section` if it is new. Checked like a workbook import; on a problem nothing changes."""
    revision = _save_version(tx, process_id, which, version, source, section, name, expected_revision)
    bump(tx.session)
    return revision


def save_versions(tx: Writing, edits: list[tuple[str, Which, Version, int | None]], source: str) -> list[int]:
    """Store several versions (process, which, version, expected revision) in one unit of work:
    an accepted assignment proposal touches many processes of a section at once."""
    revisions = [_save_version(tx, pid, which, v, source, expected_revision=rev) for pid, which, v, rev in edits]
    bump(tx.session)
    return revisions


def load_draft(engine: Engine, process_id: str, which: Which) -> Draft | None:
    with Session(engine) as s:
        return read_draft(s, process_id, which)


def save_draft(tx: Writing, process_id: str, which: Which, version: Version, base_revision: int, base: Version,
               expected_draft: int) -> int:
    """Keep an unfinished edit without touching the live version; it may still have faults.
    Conflict if someone else saved the draft since `expected_draft` was read; BadInput for a value
    no reader lets in (a draft is kept, and read back, like any version)."""
    problems = _value_problems(version, "designer", f"process {process_id}, {which} (draft)")
    if problems:
        raise BadInput(problems)
    reviews.require_unlocked(tx.session, process_id, which, "changed")
    before = read_draft(tx.session, process_id, which)
    revision = write_draft(tx.session, process_id, which, version, base_revision, base, expected_draft,
                           username(tx.actor))
    tx.record("draft.save", f"{process_id}/{which}", _steps_json(before.version) if before else None,
              _steps_json(version))
    return revision


def publish_draft(tx: Writing, process_id: str, which: Which, version: Version, source: str,
                  expected_revision: int) -> int:
    """Make the edit the live version (checked like any save) and drop the draft, together."""
    revision = _save_version(tx, process_id, which, version, source, expected_revision=expected_revision)
    delete_draft(tx.session, process_id, which)
    bump(tx.session)
    return revision


def discard_draft(tx: Writing, process_id: str, which: Which) -> None:
    reviews.require_unlocked(tx.session, process_id, which, "discarded")
    before = read_draft(tx.session, process_id, which)
    if before is not None:
        delete_draft(tx.session, process_id, which)
        tx.record("draft.discard", f"{process_id}/{which}", _steps_json(before.version), None)


#: The source of a version an approval makes live.
REVIEWED = "review"


def _save_version(tx: Writing, process_id: str, which: Which, version: Version, source: str,
                  section: str | None = None, name: str | None = None, expected_revision: int | None = None) -> int:
    s = tx.session
    entry = f"process {process_id}, {which}"
    if source != REVIEWED:  # the approval of a review is what ends its lock
        reviews.require_unlocked(s, process_id, which, "saved over")
    problems = _value_problems(version, source, entry)
    problems += [Problem(source, f"{entry}, step {sid}", None, "next", message) for sid, message in faults(version)]
    stored = s.execute(select(col(ProcessRow.section_id)).where(col(ProcessRow.id) == process_id)).scalar()
    exists = stored is not None
    home = stored if stored is not None else section
    if home is None or (not exists and s.get(SectionRow, home) is None):
        raise BadInput([Problem(source, entry, None, "section",
                                f"no section '{section}'" if section else "a new process needs --section")])
    dept = s.execute(select(col(SectionRow.department_id)).where(col(SectionRow.id) == home)).scalar()
    people = set(s.scalars(select(col(PersonRow.id)).join(SectionRow, col(SectionRow.id) == col(PersonRow.section_id))
                           .where(col(SectionRow.department_id) == dept)))
    for step in version.steps:
        if which == "before" and (step.a or step.b):
            problems.append(Problem(source, f"{entry}, step {step.id}", None, "a",
                                    "steps of the 'before' version carry no holders"))
        for key in ("a", "b"):
            holder = getattr(step, key)
            if holder and holder not in people:
                problems.append(Problem(source, f"{entry}, step {step.id}", None, key,
                                        f"no person '{holder}' in department '{dept}'"))
    if problems:
        raise BadInput(problems)
    if not exists:
        write_processes(s, [Process(process_id, home, name or process_id)], max_position(s) + 1,
                        user=username(tx.actor))
    elif name:
        s.execute(update(table_of(ProcessRow)).where(table_of(ProcessRow).c.id == process_id).values(name=name))
    before = _steps_json(_stored_version(s, process_id, which)) or None if exists else None
    revision = replace_version(s, process_id, which, version, expected_revision, user=username(tx.actor))
    tx.record(f"process.save ({source})", f"{process_id}/{which}", before, _steps_json(version))
    return revision


def _steps_json(version: Version) -> list[dict] | dict:
    """A version for the audit trail: each step in its stored columns' form, empty fields left out;
    with its terms beside the steps where it has any."""
    steps = [{k: v for k, v in stored_step(st).items() if v not in (None, [], False)} | {"next": list(st.next)}
             for st in version.steps]
    terms = {k: v for k, v in terms_of(version).items() if v is not None}
    return {"terms": terms, "steps": steps} if terms else steps


def _stored_version(s: Session, process_id: str, which: Which) -> Version:
    c, v = table_of(StepRow).c, table_of(VersionRow).c
    terms = s.execute(select(*(v[f] for f in VERSION_NAMES))
                      .where((v.process_id == process_id) & (v.version == which))).mappings().first()
    return with_terms(Version(tuple(step_from_stored(r) for r in s.execute(
        select(*(c[f] for f in STEP_NAMES))
        .where((c.process_id == process_id) & (c.version == which)).order_by(c.position)).mappings())), terms)


def _value_problems(version: Version, source: str, entry: str) -> list[Problem]:
    """The values of a version's terms and steps that no reader lets in (ids, text, numbers, drawings)."""
    return [Problem(source, entry, None, key, problem) for key, problem in terms_problems(version)] + \
        [Problem(source, f"{entry}, step {sid}", None, key, problem)
         for sid, key, problem in version_problems(version.steps)]
