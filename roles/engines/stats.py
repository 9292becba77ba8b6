"""Step counts before and after, handoffs and reductions per process, section and department,
in the shape of `abflow stats --json` (cli spec), plus the reform's batches. Processes without a
`before` version show `before: null` and stay out of the sums, so a reduction is never diluted by
unknowns."""
from __future__ import annotations

from flows.metrics import approvals, handoffs, longest_path, monthly_minutes, reduction, step_count

from roles.model import Workbook


def stats(wb: Workbook) -> dict:
    processes = []
    by_section: dict[str, list[int]] = {}
    for p in wb.processes:
        before, after = step_count(p.before), step_count(p.after)
        dept = wb.department_of_section.get(p.section)
        processes.append({"process": p.id, "name": p.name, "section": p.section, "department": dept,
                          "before": before, "after": after, "reduction": reduction(before, after),
                          "handoffs_before": handoffs(p.before), "handoffs_after": handoffs(p.after),
                          "approvals_before": approvals(p.before), "approvals_after": approvals(p.after),
                          "longest_before": longest_path(p.before), "longest_after": longest_path(p.after),
                          "minutes_after": monthly_minutes(p.after)})
        sums = by_section.setdefault(p.section, [0, 0])
        if before is not None and after is not None:
            sums[0] += before
            sums[1] += after
    sections, departments = [], []
    for d in wb.departments:
        total = [0, 0]
        for s in d.sections:
            b, a = by_section.get(s.id, [0, 0])
            total[0] += b
            total[1] += a
            sections.append({"section": s.id, "name": s.name, "department": d.id,
                             "before": b, "after": a, "reduction": reduction(b, a)})
        n_before, n_after = len(d.sections_before), len(d.sections)
        departments.append({"department": d.id, "name": d.name, "batch": d.batch,
                            "before": total[0], "after": total[1], "reduction": reduction(*total),
                            "sections_before": n_before, "sections_after": n_after,
                            "section_reduction": reduction(n_before, n_after)})
    batches: dict = {}
    for row in departments:
        b = batches.setdefault(row["batch"], {"batch": row["batch"], "before": 0, "after": 0, "sections_before": 0,
                                              "sections_after": 0})
        for key in ("before", "after", "sections_before", "sections_after"):
            b[key] += row[key]
    for b in batches.values():
        b["reduction"] = reduction(b["before"], b["after"])
        b["section_reduction"] = reduction(b["sections_before"], b["sections_after"])
    return {"processes": processes, "sections": sections, "departments": departments,
            "batches": sorted(batches.values(), key=lambda b: (b["batch"] is None, b["batch"] or 0))}
