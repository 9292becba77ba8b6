"""The JSON documents of the cli spec, made in one place: `abflow … --json` prints them and the
API returns them, so a script gets the same answer from either."""
from __future__ import annotations

import datetime as dt

from roles.engines.stats import plain


def step_json(d, with_date: bool = False) -> dict:
    """A roster entry (with `with_date`: a gap entry) of the cli spec, with department, section and
    name, and `half` on a day whose morning and afternoon differ."""
    out = {"date": d.date.isoformat()} if with_date else {}
    out.update({"process": d.process, "step": d.step, "a": d.a, "b": d.b})
    if not with_date:
        out.update({"acting": d.acting, "status": d.status, "suggested": d.suggested})
    out.update({"department": d.department, "section": d.section, "name": d.step_name})
    if d.half:  # the answer holds for this half of the day only
        out["half"] = d.half
    return out


def roster_json(r, day: dt.date) -> dict:
    """`abflow roster --json`."""
    return {"date": day.isoformat(), "workday": r.workday, "calendar": r.calendar,
            "steps": [step_json(d) for d in r.steps]}


def gaps_json(found, start: dt.date, end: dt.date, calendar: str) -> dict:
    """`abflow gaps --json`."""
    return {"from": start.isoformat(), "to": end.isoformat(), "calendar": calendar,
            "gaps": [step_json(g, with_date=True) | {"suggested": g.suggested} for g in found]}


def handovers_json(found) -> dict:
    """`abflow handovers --json`."""
    return {"handovers": [h.json() for h in found]}


def person_day_json(day) -> dict:
    """One person's day (`abflow api`'s /acting/person): what they hold, cover, and who acts for them."""
    return {"date": day.date.isoformat(), "workday": day.workday, "away": day.away,
            "holds": [step_json(d) for d in day.holds], "covers": [step_json(d) for d in day.covers],
            "covered": [step_json(d) for d in day.covered], "stands_in": [step_json(d) for d in day.stands_in]}


def matter_json(f) -> dict:
    """A matter done once (`abflow matters --json`, `abflow matter M --json`): its departments,
    stages before and after with each part's department, steps and days, 四减 and findings."""
    def run(r) -> dict | None:
        if r is None:
            return None
        return {"stages": [[{"process": p.process, "name": p.name, "department": p.department, "section": p.section,
                             "steps": p.steps, "days": plain(p.days)} for p in stage] for stage in r.stages],
                "promised_days": r.promised_days, "path": plain(r.path), "serial": plain(r.serial),
                "steps": r.steps, "materials": None if r.materials is None else list(r.materials), "trips": r.trips}
    before, after = run(f.before), run(f.after)
    return {"matter": f.matter.id, "name": f.matter.name, "lead": f.matter.lead, "departments": list(f.departments),
            "stages": f.stage_counts, "path": [f.before and plain(f.before.path), plain(f.after.path)],
            "four": f.four, "four_cut": f.cuts, "before": before, "after": after,
            "findings": [x.as_json() for x in f.findings]}
