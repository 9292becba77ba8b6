"""Lint for a process version: what a section head should fix before publishing, each finding
with its step. Structural checks need only the version; the holder checks take a map of person →
department from the caller, since flows knows nothing of the organisation."""
from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from .graph import entry_steps, stuck_steps
from .model import Version

CODES = ("unreachable", "dead-end", "no-a", "no-b", "same-ab", "other-department", "one-way-gateway")


@dataclass(frozen=True)
class LintFinding:
    step: str
    code: str
    message: str


def reachable(version: Version) -> set[str]:
    """Steps reached from the start events, or, where there are none, from the steps nothing
    points to (the implied starts of the workbook spec), or, when a rework loop points back to
    every step, from the first step of the table."""
    starts = ([s.id for s in version.steps if s.kind == "start"] or entry_steps(version)
              or [s.id for s in version.steps[:1]])
    by_id = {s.id: s for s in version.steps}
    seen, queue = set(starts), deque(starts)
    while queue:
        for t in by_id[queue.popleft()].next:
            if t in by_id and t not in seen:
                seen.add(t)
                queue.append(t)
    return seen


def lint(version: Version, holders: bool = True, person_department: Mapping[str, str] | None = None,
         department: str | None = None) -> list[LintFinding]:
    out = []
    reached = reachable(version)
    out += [LintFinding(s.id, "unreachable", f"{s.label}: no path from the start leads here")
            for s in version.steps if s.id not in reached]
    out += [LintFinding(sid, "dead-end", f"{version.step(sid).label}: no way on to an end")
            for sid in stuck_steps(version)]
    indegree: dict[str, int] = {s.id: 0 for s in version.steps}
    for s in version.steps:
        for t in s.next:
            if t in indegree:
                indegree[t] += 1
    for s in version.steps:
        if s.kind == "gateway" and len(s.next) <= 1 and indegree[s.id] <= 1:
            out.append(LintFinding(s.id, "one-way-gateway",
                                   f"{s.label}: a gateway with {len(s.next)} way(s) out and {indegree[s.id]} in "
                                   "decides nothing; link the steps directly"))
        if not holders or not s.is_work:
            continue
        if not s.a:
            out.append(LintFinding(s.id, "no-a", f"{s.label}: no A holder (主办)"))
        if not s.b:
            out.append(LintFinding(s.id, "no-b", f"{s.label}: no B holder (备岗)"))
        if s.a and s.a == s.b:
            out.append(LintFinding(s.id, "same-ab", f"{s.label}: A and B are the same person ({s.a})"))
        if person_department is not None and department is not None:
            for key in ("a", "b"):
                who = getattr(s, key)
                if who and person_department.get(who) != department:
                    out.append(LintFinding(s.id, "other-department",
                                           f"{s.label}: {key.upper()} holder {who} is of another department"))
    return out
