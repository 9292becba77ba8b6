"""Step metrics of a process version, as the reform office counts them (workbook spec, "Steps")."""
from __future__ import annotations

from .graph import work_successors
from .model import Version


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


def monthly_minutes(version: Version | None) -> float:
    """Workload of a version per month: minutes x occurrences, over the steps that give both."""
    if version is None:
        return 0.0
    return float(sum((s.minutes or 0) * (s.per_month or 0) for s in version.work_steps))
