"""Resilience before vs after the reform: whether the big sections (大科室) keep their work staffed
better than the small sections they replaced, over the recorded absences of a year.

A step's *able* people are those of its section who could act on it: its holders, and every
member who has its skill (everyone, for a step that asks none) — the same rule before and after,
so the comparison is of the sections, not of the rules. Before the reform a section is one of the
department's `sections_before`: its people are those whose `section_before` names it, its steps
those of the `before` versions it ran (`section_before` of the version). After, a big section, its
people and the steps of its processes' redesigned versions.

Per section: the share of its steps with at least two able people present on every workday of the
range (someone to act and someone to back them, whoever is away), and `k`, how many people it can
lose at once with no step left without an able person (the fewest able people of a step, less one).
A department is compared only where its people's and its processes' sections before are recorded.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from flows.model import Step

from roles.engines.calendar import WorkCalendar
from roles.engines.resilience import qualified
from roles.engines.roster import calendar_of
from roles.model import Person, Workbook


@dataclass(frozen=True)
class Unit:
    """A section before or after the reform, as the comparison counts it."""

    version: str          # "before" | "after"
    section: str
    name: str
    department: str
    people: int
    steps: int
    covered: int          # steps with two able people present every workday
    k: int                # people it can lose at once with no step left uncovered (-1: a step has nobody)

    @property
    def share(self) -> float | None:
        return None if not self.steps else round(self.covered / self.steps, 4)

    def as_json(self) -> dict:
        return self.__dict__ | {"share": self.share}


def _unit(version: str, section: str, name: str, department: str, members: list[Person], steps: Iterable[Step],
          away_on: list[frozenset[str]]) -> Unit:
    ids = {p.id for p in members}
    able = [qualified(s, members) for s in steps]
    away = [a & ids for a in away_on]
    away = [a for a in away if a]  # only days someone of the section is away can leave a step short
    covered = sum(1 for a in able if len(a) >= 2 and all(len(a - out) >= 2 for out in away))
    k = min((len(a) for a in able), default=len(members) + 1) - 1
    return Unit(version, section, name, department, len(members), len(able), covered, k)


def before_after(wb: Workbook, start: dt.date, end: dt.date, calendar: WorkCalendar | None = None) -> dict:
    """Each department's sections before and after, with the figures summed per department and for
    the city over the departments known both ways; the shape of `abflow resilience --reform --json`."""
    cal = calendar or calendar_of(wb)
    days = list(cal.workdays(start, end))
    relevant = [a for a in wb.absences if a.end >= start and a.start <= end]
    away_on = [frozenset(a.person for a in relevant if a.covers(d)) for d in days]
    units: list[Unit] = []
    known: set[str] = set()
    for d in wb.departments:
        before_people: dict[str, list[Person]] = {}
        for sid in wb.sections_of_department.get(d.id, ()):
            for p in wb.people_by_section.get(sid, []):
                if p.section_before is not None:
                    before_people.setdefault(p.section_before, []).append(p)
        before_steps: dict[str, list[Step]] = {}
        after_units = []
        for sec in d.sections:
            processes = wb.processes_by_section.get(sec.id, [])
            for proc in processes:
                if proc.before is not None and proc.before.section_before is not None:
                    before_steps.setdefault(proc.before.section_before, []).extend(proc.before.work_steps)
            after_units.append(_unit("after", sec.id, sec.name, d.id, wb.people_by_section.get(sec.id, []),
                                     (s for proc in processes if proc.after for s in proc.after.work_steps), away_on))
        if before_people and before_steps:
            known.add(d.id)
            units += [_unit("before", sb.id, sb.name, d.id, before_people.get(sb.id, []), before_steps.get(sb.id, []),
                            away_on) for sb in d.sections_before]
        units += after_units
    by_dept = [{"department": d.id, "name": d.name, "known": d.id in known,
                **{v: _sum(u for u in units if u.department == d.id and u.version == v) for v in ("before", "after")}}
               for d in wb.departments]
    return {"from": start.isoformat(), "to": end.isoformat(), "workdays": len(days),
            "city": {v: _sum(u for u in units if u.department in known and u.version == v) for v in ("before", "after")},
            "departments": by_dept, "sections": [u.as_json() for u in units]}


def _sum(units: Iterable[Unit]) -> dict | None:
    """Sections, people, steps and those covered, their share, and the weakest and mean k."""
    units = [u for u in units if u.steps]
    if not units:
        return None
    steps = sum(u.steps for u in units)
    covered = sum(u.covered for u in units)
    return {"sections": len(units), "people": sum(u.people for u in units), "steps": steps, "covered": covered,
            "share": round(covered / steps, 4), "k_min": min(u.k for u in units),
            "k_mean": round(sum(u.k for u in units) / len(units), 2)}
