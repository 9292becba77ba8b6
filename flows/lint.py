"""Lint for a process version: what a section head should fix before publishing, each finding
with its step. Structural checks need only the version; the holder checks take a map of person →
department from the caller, since flows knows nothing of the organisation."""
from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from .graph import entry_steps, stuck_steps
from .model import Version
from .wording import Worded, values

CODES = ("unreachable", "dead-end", "no-a", "no-b", "same-ab", "other-department", "one-way-gateway")


@dataclass(frozen=True)
class LintFinding(Worded):
    step: str
    code: str
    params: tuple[tuple[str, object], ...] = ()

    CATALOG = {
        "unreachable": ("{label}：从开始无法到达此环节", "{label}: no path from the start leads here"),
        "dead-end": ("{label}：此后无法到达结束", "{label}: no way on to an end"),
        "one-way-gateway": ("{label}：此判断节点只有 {out} 个出口、{into} 个入口，不起判断作用；请把前后环节直接相连",
                            "{label}: a gateway with {out} way(s) out and {into} in decides nothing; "
                            "link the steps directly"),
        "no-a": ("{label}：没有主办（A角）", "{label}: no A holder (主办)"),
        "no-b": ("{label}：没有备岗（B角）", "{label}: no B holder (备岗)"),
        "same-ab": ("{label}：主办和备岗是同一人（{person}）", "{label}: A and B are the same person ({person})"),
        "other-department": ("{label}：{role}角 {person} 属于其他部门",
                             "{label}: {role} holder {person} is of another department"),
    }

    @property
    def key(self) -> str:  # type: ignore[override]  # a lint finding's code is its message key
        return self.code


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


def lint(version: Version, holders: bool = True, person_department: Mapping[str, str | None] | None = None,
         department: str | None = None) -> list[LintFinding]:
    out = []
    reached = reachable(version)
    out += [LintFinding(s.id, "unreachable", values(label=s.label)) for s in version.steps if s.id not in reached]
    out += [LintFinding(sid, "dead-end", values(label=version.step(sid).label)) for sid in stuck_steps(version)]
    indegree: dict[str, int] = {s.id: 0 for s in version.steps}
    for s in version.steps:
        for t in s.next:
            if t in indegree:
                indegree[t] += 1
    for s in version.steps:
        if s.kind == "gateway" and len(s.next) <= 1 and indegree[s.id] <= 1:
            out.append(LintFinding(s.id, "one-way-gateway", values(label=s.label, out=len(s.next), into=indegree[s.id])))
        if not holders or not s.is_work:
            continue
        if not s.a:
            out.append(LintFinding(s.id, "no-a", values(label=s.label)))
        if not s.b:
            out.append(LintFinding(s.id, "no-b", values(label=s.label)))
        if s.a and s.a == s.b:
            out.append(LintFinding(s.id, "same-ab", values(label=s.label, person=s.a)))
        if person_department is not None and department is not None:
            for key in ("a", "b"):
                who = getattr(s, key)
                if who and person_department.get(who) != department:
                    out.append(LintFinding(s.id, "other-department",
                                           values(label=s.label, role=key.upper(), person=who)))
    return out
