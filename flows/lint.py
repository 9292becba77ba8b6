"""Lint for a process version: what a section head should fix before publishing, each finding
with its step. Structural checks need only the version; the holder checks take a map of person →
department from the caller, since flows knows nothing of the organisation."""
from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from .graph import entry_steps, stuck_steps, successors
from .timelimits import deadlines
from .model import Version
from .wording import Worded, values

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
        "parallel-deadlock": ("{label}：并行汇合等待所有分支，但分支来自择一判断「{split}」，只会有一条到达，流程将停在此处；"
                              "请改为择一汇合，或把「{split}」改为并行",
                              "{label}: a parallel join waits for every branch, but its branches come from the "
                              "exclusive split '{split}', of which only one arrives: the process stops here; make "
                              "the join exclusive, or '{split}' parallel"),
        "parallel-unsynchronised": ("{label}：并行分支（来自「{split}」）在此由择一节点汇合，后续环节会被执行多次；"
                                    "请改为并行汇合",
                                    "{label}: the parallel branches of '{split}' meet at an exclusive gateway, so "
                                    "what follows runs once per branch; make the join parallel"),
        "over-deadline": ("{label}：办理需 {days} 个工作日，超过其定时期限 {deadline} 个工作日；请缩短时限或放宽定时",
                          "{label}: takes {days} workdays, beyond its timer's deadline of {deadline}; shorten "
                          "the step or the deadline"),
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
    every step, from the first step of the table; and from each step started by its own event."""
    starts = ([s.id for s in version.steps if s.kind == "start"] or entry_steps(version)
              or [s.id for s in version.steps[:1]])
    starts += [s.id for s in version.steps if s.off_the_flow and s.attached is None]  # started by their own event
    succ = successors(version)
    seen, queue = set(starts), deque(starts)
    while queue:
        for t in succ[queue.popleft()]:
            if t in succ and t not in seen:
                seen.add(t)
                queue.append(t)
    return seen


def _split_of(version: Version, step_id: str, into: dict[str, list[str]]) -> str | None:
    """The split gateway a branch arriving from `step_id` starts at: walking back through steps of
    one way in and one way out; None where that is no single gateway (a start, a merge)."""
    by_id, seen = {s.id: s for s in version.steps}, set()
    while step_id not in seen:
        seen.add(step_id)
        s = by_id[step_id]
        if s.kind == "gateway" and len(s.next) >= 2:
            return step_id
        if len(into[step_id]) != 1:
            return None
        step_id = into[step_id][0]
    return None


def _joins(version: Version) -> list[LintFinding]:
    """Joins that do not match their split, where every branch into the join comes straight from
    one split gateway (a block as drawn): a parallel join after an exclusive split waits forever,
    an exclusive join after a parallel split lets what follows run once per branch."""
    into: dict[str, list[str]] = {s.id: [] for s in version.steps}
    for s in version.steps:
        for t in s.next:
            if t in into:
                into[t].append(s.id)
    by_id, out = {s.id: s for s in version.steps}, []
    for join in version.steps:
        if join.kind != "gateway" or len(into[join.id]) < 2:
            continue
        splits = {_split_of(version, p, into) for p in into[join.id]}
        sid = splits.pop() if len(splits) == 1 else None
        if sid is None:
            continue
        split = by_id[sid]
        one_way = (split.gateway or "exclusive") in ("exclusive", "event")
        if join.gateway == "parallel" and one_way:
            out.append(LintFinding(join.id, "parallel-deadlock", values(label=join.label, split=split.label)))
        elif (join.gateway or "exclusive") == "exclusive" and split.gateway == "parallel":
            out.append(LintFinding(join.id, "parallel-unsynchronised", values(label=join.label, split=split.label)))
    return out


def lint(version: Version, holders: bool = True, person_department: Mapping[str, str | None] | None = None,
         department: str | None = None) -> list[LintFinding]:
    out = []
    reached = reachable(version)
    out += [LintFinding(s.id, "unreachable", values(label=s.label)) for s in version.steps if s.id not in reached]
    out += [LintFinding(sid, "dead-end", values(label=version.step(sid).label)) for sid in stuck_steps(version)]
    out += _joins(version)
    for sid, deadline in deadlines(version).items():
        s = version.step(sid)
        if s.days is not None and s.days > deadline:
            out.append(LintFinding(sid, "over-deadline", values(label=s.label, days=f"{s.days:g}", deadline=f"{deadline:g}")))
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
