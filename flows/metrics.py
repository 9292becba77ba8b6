"""Step metrics of a process version, as the reform office counts them (workbook spec, "Steps")."""
from __future__ import annotations

from .graph import work_successors
from .model import Step, Version


def step_count(version: Version | None) -> int | None:
    return None if version is None else len(version.work_steps)


def handoffs(version: Version | None) -> int | None:
    """Edges between work steps (gateways looked through) whose A holders differ.

    None where the version names no A holder at all (a `before` version), since the number
    would be meaningless rather than zero. A pair where either side lacks an A is not counted.
    """
    if version is None or not any(s.a for s in version.work_steps):
        return None
    a = {s.id: s.a for s in version.steps}
    return sum(
        1
        for u, vs in work_successors(version).items()
        for v in vs
        if a[u] and a[v] and a[u] != a[v]
    )


def reduction(before: int | None, after: int | None) -> float | None:
    if before is None or after is None or before == 0:
        return None
    return round((before - after) / before, 4)


def step_minutes(step: Step) -> float:
    """Monthly minutes of a step: per occurrence × occurrences a month (0 when either is unknown)."""
    return float((step.minutes or 0) * (step.per_month or 0))


def monthly_minutes(version: Version | None) -> float:
    """Workload of a version per month, over the steps that give both figures."""
    if version is None:
        return 0.0
    return sum(step_minutes(s) for s in version.work_steps)


def approvals(version: Version | None) -> int | None:
    return None if version is None else sum(s.kind == "approval" for s in version.steps)


def longest_path(version: Version | None) -> int | None:
    """Work steps on the longest way through the process, loops for rework taken once: how many
    hands a case passes at worst."""
    if version is None:
        return None
    succ = work_successors(version)
    best: dict[str, int] = {}
    on_path: set[str] = set()

    def walk(u: str) -> int:
        if u in best:
            return best[u]
        on_path.add(u)
        longest = 0
        for v in succ.get(u, ()):
            if v not in on_path:  # an edge back into the current path is a rework loop
                longest = max(longest, walk(v))
        on_path.discard(u)
        best[u] = 1 + longest
        return best[u]

    return max((walk(s.id) for s in version.work_steps), default=0)
