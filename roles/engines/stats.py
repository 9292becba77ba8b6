"""Step counts before and after, handoffs and reductions per process, section and department,
in the shape of `abflow stats --json` (cli spec), plus the reform's batches; and 四减 (steps,
materials, time, trips) at every level up to the city. Processes without a `before` version show
`before: null` and stay out of the sums, so a reduction is never diluted by unknowns; each 四减
measure likewise sums only processes that have it before and after."""
from __future__ import annotations

from flows.metrics import approvals, handoffs, longest_path, monthly_minutes, reduction, step_count
from typing import Any

from flows.model import Version
from flows.timelimits import longest_route, path_days, serial_days, time_of

from roles.model import Workbook


#: The four measures of 四减 (workbook spec, "Time limits and 四减"), each of a version or None.
FOUR = {"steps": step_count,
        "materials": lambda v: None if v is None or v.materials is None else len(v.materials),
        "days": time_of,
        "trips": lambda v: None if v is None else v.trips}


def four(before: Version | None, after: Version | None) -> dict[str, list]:
    """A process's 四减: each measure as [before, after], None where unknown."""
    return {k: [plain(measure(before)), plain(measure(after))] for k, measure in FOUR.items()}


def plain(x):
    """A figure as JSON carries it: a whole float as an int."""
    return int(x) if isinstance(x, float) and x.is_integer() else x


class _Four:
    """Sums of 四减 over processes: each measure over those that have it before and after."""

    def __init__(self) -> None:
        self.sums = {k: [0.0, 0.0] for k in FOUR}
        self.counted = {k: 0 for k in FOUR}

    def add(self, row: dict[str, list]) -> None:
        for k, (b, a) in row.items():
            if b is not None and a is not None:
                self.sums[k][0] += b
                self.sums[k][1] += a
                self.counted[k] += 1

    def merge(self, other: "_Four") -> None:
        for k in FOUR:
            self.sums[k][0] += other.sums[k][0]
            self.sums[k][1] += other.sums[k][1]
            self.counted[k] += other.counted[k]

    def out(self) -> dict:
        four_ = {k: [plain(round(b, 4)), plain(round(a, 4))] if self.counted[k] else [None, None]
                 for k, (b, a) in self.sums.items()}
        cut = {k: reduction(b, a) for k, (b, a) in four_.items()}
        return {"four": four_, "four_cut": cut}


def _saved(version, path: float | None = None) -> float | int | None:
    """Workdays the version's parallel work saves against doing its branches one after another
    (串联改并联), given its path days where they are known already; None without a version or
    where no step gives its days."""
    if version is None or not any(s.days is not None for s in version.work_steps):
        return None
    path = longest_route(version).days if path is None else path
    return plain(round(serial_days(version) - path, 4))


def stats(wb: Workbook) -> dict:
    processes = []
    by_section: dict[str, list[int]] = {}
    four_of: dict[str, _Four] = {}
    for p in wb.processes:
        before, after = step_count(p.before), step_count(p.after)
        dept = wb.department_of_section.get(p.section)
        row = four(p.before, p.after)
        path_before, path_after = path_days(p.before), path_days(p.after)
        processes.append({"process": p.id, "name": p.name, "section": p.section, "department": dept,
                          "before": before, "after": after, "reduction": reduction(before, after),
                          "handoffs_before": handoffs(p.before), "handoffs_after": handoffs(p.after),
                          "approvals_before": approvals(p.before), "approvals_after": approvals(p.after),
                          "longest_before": longest_path(p.before), "longest_after": longest_path(p.after),
                          "minutes_after": monthly_minutes(p.after),
                          "kind": p.after.kind if p.after else None,
                          "legal_days": p.after.legal_days if p.after else None,
                          "promised_days": p.after.promised_days if p.after else None,
                          "path_days_before": plain(path_before), "path_days_after": plain(path_after),
                          "parallel_saved_before": _saved(p.before, path_before),
                          "parallel_saved_after": _saved(p.after, path_after),
                          "four": row})
        four_of.setdefault(p.section, _Four()).add(row)
        sums = by_section.setdefault(p.section, [0, 0])
        if before is not None and after is not None:
            sums[0] += before
            sums[1] += after
    sections: list[dict[str, Any]] = []
    departments: list[dict[str, Any]] = []
    dept_four: dict[str, _Four] = {}
    for d in wb.departments:
        total = [0, 0]
        in_dept = dept_four[d.id] = _Four()
        for s in d.sections:
            b, a = by_section.get(s.id, [0, 0])
            total[0] += b
            total[1] += a
            in_section = four_of.get(s.id, _Four())
            in_dept.merge(in_section)
            sections.append({"section": s.id, "name": s.name, "department": d.id,
                             "before": b, "after": a, "reduction": reduction(b, a)} | in_section.out())
        n_before, n_after = len(d.sections_before), len(d.sections)
        departments.append({"department": d.id, "name": d.name, "batch": d.batch,
                            "before": total[0], "after": total[1], "reduction": reduction(*total),
                            "sections_before": n_before, "sections_after": n_after,
                            "section_reduction": reduction(n_before, n_after)} | in_dept.out())
    batches: dict = {}
    batch_four: dict = {}
    city = _Four()
    for d_row in departments:
        b = batches.setdefault(d_row["batch"], {"batch": d_row["batch"], "before": 0, "after": 0,
                                                "sections_before": 0, "sections_after": 0})
        for key in ("before", "after", "sections_before", "sections_after"):
            b[key] += d_row[key]
        batch_four.setdefault(d_row["batch"], _Four()).merge(dept_four[d_row["department"]])
        city.merge(dept_four[d_row["department"]])
    for b in batches.values():
        b["reduction"] = reduction(b["before"], b["after"])
        b["section_reduction"] = reduction(b["sections_before"], b["sections_after"])
        b |= batch_four[b["batch"]].out()
    return {"processes": processes, "sections": sections, "departments": departments,
            "batches": sorted(batches.values(), key=lambda b: (b["batch"] is None, b["batch"] or 0)),
            "city": city.out()}
