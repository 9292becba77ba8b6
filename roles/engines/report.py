"""The reform office's consolidation report (per department, batch and city) and work saturation
(工作饱和度) per section and person: plain data for the CLI, the app and the Excel report."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from statistics import mean

from flows.metrics import step_minutes

from roles.model import Department, Workbook
from roles.engines.rules import Settings


def _ratio(before: int, after: int) -> float | None:
    return float(Fraction(before - after, before)) if before else None


def department_report(wb: Workbook, d: Department, cfg: Settings | None = None) -> dict:
    cfg = cfg or Settings()
    sizes = [len(wb.people_by_section.get(s.id, [])) for s in d.sections]
    comp = sum(s.kind == "comprehensive" for s in d.sections)
    with_staffing = [s for s in d.sections if s.staffing is not None]
    by_office: dict[str, list[str]] = defaultdict(list)
    for s in d.sections:
        for c in s.counterparts:
            by_office[c].append(s.id)
    before_name = {b.id: b.name for b in d.sections_before}
    duty_name = {f.id: f.name for f in d.functions}
    return {
        "department": d.id, "name": d.name, "batch": d.batch,
        "sections_before": len(d.sections_before), "sections_after": len(d.sections),
        "reduction": _ratio(len(d.sections_before), len(d.sections)),
        "people": sum(sizes),
        "size_largest": max(sizes, default=0), "size_smallest": min(sizes, default=0),
        "size_average": round(mean(sizes), 2) if sizes else 0.0,
        "one_person": sizes.count(1), "two_person": sizes.count(2),
        "comprehensive": comp, "comprehensive_share": comp / len(d.sections) if d.sections else None,
        "leader_posts": sum(s.leader_posts or 0 for s in with_staffing),
        "leader_posts_allowed": sum(cfg.leader_posts_for(s.staffing or 0) for s in with_staffing),
        "counterparts_1_to_n": {s.id: list(s.counterparts) for s in d.sections if len(s.counterparts) > 1},
        "counterparts_n_to_1": {o: ids for o, ids in by_office.items() if len(ids) > 1},
        "duty_map": [{"section": s.id, "name": s.name, "merged_from": [before_name.get(m, m) for m in s.merged_from],
                      "duties": [duty_name.get(f, f) for f in s.functions]} for s in d.sections],
    }


def _totals(rows: list[dict]) -> dict:
    before = sum(r["sections_before"] for r in rows)
    after = sum(r["sections_after"] for r in rows)
    cuts = [r["reduction"] for r in rows if r["reduction"] is not None]
    sizes_one = sum(r["one_person"] for r in rows)
    return {"departments": len(rows), "sections_before": before, "sections_after": after,
            "reduction": _ratio(before, after),
            "highest": max(cuts, default=None), "lowest": min(cuts, default=None),
            "mean_of_departments": mean(cuts) if cuts else None,
            "people": sum(r["people"] for r in rows),
            "size_largest": max((r["size_largest"] for r in rows), default=0),
            "size_smallest": min((r["size_smallest"] for r in rows if r["sections_after"]), default=0),
            "one_person": sizes_one, "two_person": sum(r["two_person"] for r in rows),
            "comprehensive": sum(r["comprehensive"] for r in rows),
            "leader_posts": sum(r["leader_posts"] for r in rows),
            "leader_posts_allowed": sum(r["leader_posts_allowed"] for r in rows)}


def consolidation(wb: Workbook, cfg: Settings | None = None) -> dict:
    """Sections before and after and what became of them, per department, batch and the city."""
    cfg = cfg or Settings()
    depts = [department_report(wb, d, cfg) for d in wb.departments]
    batches: dict[int | None, list[dict]] = defaultdict(list)
    for r in depts:
        batches[r["batch"]].append(r)
    return {"departments": depts,
            "batches": [{"batch": b, **_totals(rows)} for b, rows in sorted(batches.items(), key=lambda x: (x[0] is None, x[0] or 0))],
            "city": _totals(depts)}


@dataclass(frozen=True)
class SaturationSettings:
    #: A standard working month: 21.75 days of 8 hours.
    hours_per_month: float = 174.0
    over: float = 1.0   # above this share of the hours a section is overloaded
    under: float = 0.5  # below it, under-loaded
    #: Share of an A holder's work their B is expected to absorb (leave, trips, training: about a tenth).
    cover_share: float = 0.1


def saturation(wb: Workbook, cfg: SaturationSettings = SaturationSettings()) -> dict:
    """Monthly minutes of the redesigned steps over the minutes a section's people have; per person,
    their A work plus the expected share of what they back."""
    month = cfg.hours_per_month * 60
    a_min: dict[str, float] = defaultdict(float)
    b_min: dict[str, float] = defaultdict(float)
    sec_min: dict[str, float] = defaultdict(float)
    known: set[str] = set()
    for p in wb.processes:
        if p.after is None:
            continue
        for s in p.after.work_steps:
            load = step_minutes(s)
            if s.minutes is not None and s.per_month is not None:
                known.add(p.section)
            sec_min[p.section] += load
            if s.a:
                a_min[s.a] += load
            if s.b:
                b_min[s.b] += load

    def flag(x: float | None) -> str | None:
        if x is None:
            return None
        return "over" if x > cfg.over else "under" if x < cfg.under else "ok"

    sections, people = [], []
    for d in wb.departments:
        for sec in d.sections:
            members = wb.people_by_section.get(sec.id, [])
            share = sec_min[sec.id] / (len(members) * month) if members and sec.id in known else None
            sections.append({"section": sec.id, "name": sec.name, "department": d.id, "people": len(members),
                             "minutes": sec_min[sec.id], "saturation": share, "flag": flag(share)})
            for m in members:
                expected = a_min[m.id] + cfg.cover_share * b_min[m.id]
                people.append({"person": m.id, "name": m.name, "section": sec.id, "a_minutes": a_min[m.id],
                               "b_minutes": b_min[m.id], "expected_minutes": expected,
                               "saturation": expected / month if sec.id in known else None,
                               "flag": flag(expected / month) if sec.id in known else None})
    return {"hours_per_month": cfg.hours_per_month, "sections": sections, "people": people}
