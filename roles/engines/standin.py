"""Who could stand in for a step that nobody covers on a day.

A present member of the step's section, never someone away; among them the one whose
qualifications fit (the step's required skill), then the section head, who may act for any
step, then whoever holds a neighbouring step and so knows the case, then the deputies.
"""
from __future__ import annotations

from collections.abc import Set as AbstractSet

from flows.graph import neighbours
from flows.model import Process, Step

from roles.model import Person, Workbook

_POST_RANK = {"head": 0, "deputy": 1, "staff": 2}


def standin_candidates(wb: Workbook, process: Process, step: Step, absent: AbstractSet[str]) -> list[Person]:
    """Present members of the section, best first."""
    near_holders: set[str] = set()
    if process.after is not None:
        for sid in neighbours(process.after, step.id):
            s = process.after.step(sid)
            near_holders.update(x for x in (s.a, s.b) if x)
    people = [p for p in wb.people_by_section.get(process.section, [])
              if p.id not in absent and p.id not in (step.a, step.b)]

    def rank(p: Person):
        lacks_skill = bool(step.skill) and step.skill not in p.skills
        return (lacks_skill, p.post != "head", p.id not in near_holders, _POST_RANK.get(p.post, 3))

    return sorted(people, key=rank)


def suggest_standin(wb: Workbook, process: Process, step: Step, absent: AbstractSet[str]) -> str | None:
    best = standin_candidates(wb, process, step, absent)
    return best[0].id if best else None
