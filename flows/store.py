"""Processes in the database: read them as plain `Process` objects, write and delete them in bulk.

Functions take an open session and never commit: the caller owns the transaction, so a
workbook import that writes processes among other things stays all-or-nothing.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, func, insert, select
from sqlmodel import Session

from .model import VERSIONS, Process, Step, Version
from .tables import EdgeRow, ProcessRow, StepRow, VersionRow


def read_processes(session: Session) -> list[tuple[int, Process]]:
    """Every process with its versions, as (position, process), in stored order."""
    edges: dict[tuple[str, str, str], list[str]] = {}
    for pid, ver, src, tgt in session.execute(
        select(EdgeRow.process_id, EdgeRow.version, EdgeRow.source, EdgeRow.target)
        .order_by(EdgeRow.process_id, EdgeRow.version, EdgeRow.source, EdgeRow.position)
    ):
        edges.setdefault((pid, ver, src), []).append(tgt)
    steps: dict[tuple[str, str], list[Step]] = {}
    for row in session.execute(select(StepRow.__table__).order_by(StepRow.process_id, StepRow.version, StepRow.position)).mappings():
        key = (row["process_id"], row["version"])
        steps.setdefault(key, []).append(Step(
            id=row["id"], name=row["name"], kind=row["kind"], next=tuple(edges.get((*key, row["id"]), ())),
            a=row["a"], b=row["b"], minutes=row["minutes"], per_month=row["per_month"], skill=row["skill"]))
    revisions: dict[str, dict[str, int]] = {}
    for pid, ver, rev in session.execute(select(VersionRow.process_id, VersionRow.version, VersionRow.revision)):
        revisions.setdefault(pid, {})[ver] = rev
    out = []
    for pid, section, name, position in session.execute(
        select(ProcessRow.id, ProcessRow.section_id, ProcessRow.name, ProcessRow.position).order_by(ProcessRow.position)
    ):
        revs = revisions.get(pid, {})
        versions = {v: Version(tuple(steps.get((pid, v), ()))) if v in revs else None for v in VERSIONS}
        out.append((position, Process(id=pid, section=section, name=name, revisions=dict(revs), **versions)))
    return out


def write_processes(session: Session, processes: Iterable[Process], first_position: int = 0,
                    user: str | None = None) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    procs, versions, steps, edges = [], [], [], []
    for i, p in enumerate(processes):
        procs.append({"id": p.id, "section_id": p.section, "name": p.name, "position": first_position + i})
        for which in VERSIONS:
            v = p.version(which)
            if v is None:
                continue
            versions.append({"process_id": p.id, "version": which, "revision": p.revisions.get(which, 1),
                             "updated_at": now, "updated_by": user})
            steps.extend(_step_row(p.id, which, j, s) for j, s in enumerate(v.steps))
            edges.extend({"process_id": p.id, "version": which, "source": s.id, "position": k, "target": t}
                         for s in v.steps for k, t in enumerate(s.next))
    for table, rows in ((ProcessRow, procs), (VersionRow, versions), (StepRow, steps), (EdgeRow, edges)):
        if rows:
            session.execute(insert(table.__table__), rows)


def _step_row(process_id: str, version: str, position: int, s: Step) -> dict:
    return {"process_id": process_id, "version": version, "id": s.id, "position": position, "name": s.name,
            "kind": s.kind, "a": s.a, "b": s.b, "minutes": s.minutes, "per_month": s.per_month, "skill": s.skill}


def delete_processes(session: Session, process_ids: Iterable[str]) -> None:
    ids = list(process_ids)
    for start in range(0, len(ids), 500):  # stay well under SQLite's bound-parameter limit
        chunk = ids[start:start + 500]
        for table in (EdgeRow, StepRow, VersionRow):
            session.execute(delete(table).where(table.process_id.in_(chunk)))
        session.execute(delete(ProcessRow).where(ProcessRow.id.in_(chunk)))


def process_ids_of_sections(session: Session, section_ids: Iterable[str]) -> list[str]:
    ids = list(section_ids)
    return list(session.scalars(select(ProcessRow.id).where(ProcessRow.section_id.in_(ids)))) if ids else []


def max_position(session: Session) -> int:
    return session.scalar(select(func.coalesce(func.max(ProcessRow.position), -1)))
