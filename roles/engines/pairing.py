"""The reform's A/B pairing rules and each person's B load.

The guidance pairs posts: the section head and a deputy back each other, deputies and staff back
each other; staff may back each other, and a section without a deputy pairs its head with staff.
What it rules out is the head paired with staff while a deputy is there to take that place.
Pairs should also be mutual (互为AB角): whoever backs X somewhere is backed by X somewhere.
"""
from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Literal

from dataclasses import dataclass

from flows.metrics import step_minutes
from flows.model import Process, Step

from roles.model import Person, Workbook


def pair_allowed(a_post: str, b_post: str, has_deputy: bool) -> bool:
    """May a person of post `b_post` back one of post `a_post` (and so the other way round)?"""
    posts = {a_post, b_post}
    return not ("head" in posts and "staff" in posts and has_deputy)


@dataclass(frozen=True)
class PairingIssue:
    kind: Literal["posts", "one-way"]
    subject: str  # "process/step" or "a/b"
    a: str
    b: str
    process: str | None = None
    step: str | None = None


@dataclass(frozen=True)
class BLoad:
    """What a person may have to absorb as B: the steps they back and those steps' monthly minutes."""

    person: str
    steps: int
    minutes: float
    a_steps: int
    a_minutes: float


def section_steps(processes: list[Process]) -> list[tuple[Process, Step]]:
    return [(p, s) for p in processes if p.after is not None for s in p.after.work_steps]


def pairing_issues(steps: list[tuple[Process, Step]], people: dict[str, Person],
                   with_deputy: AbstractSet[str]) -> list[PairingIssue]:
    """Steps whose A and B are posts that should not pair (`with_deputy`: the sections that have
    a deputy), then pairs that run one way only."""
    out, pairs = [], set()
    for proc, s in steps:
        if not (s.a and s.b) or s.a == s.b:
            continue
        pairs.add((s.a, s.b))
        a, b = people.get(s.a), people.get(s.b)
        if a and b and not pair_allowed(a.post, b.post, a.section in with_deputy):
            out.append(PairingIssue("posts", f"{proc.id}/{s.id}", s.a, s.b, proc.id, s.id))
    out += [PairingIssue("one-way", f"{a}/{b}", a, b) for a, b in sorted(pairs) if (b, a) not in pairs]
    return out


def b_loads(steps: list[tuple[Process, Step]], members: list[Person]) -> list[BLoad]:
    """Every member's B load beside their A work, heaviest B load first."""
    acc = {p.id: [0, 0.0, 0, 0.0] for p in members}
    for _, s in steps:
        if s.b in acc:
            acc[s.b][0] += 1
            acc[s.b][1] += step_minutes(s)
        if s.a in acc:
            acc[s.a][2] += 1
            acc[s.a][3] += step_minutes(s)
    loads = [BLoad(pid, int(b_steps), b_min, int(a_steps), a_min) for pid, (b_steps, b_min, a_steps, a_min) in acc.items()]
    return sorted(loads, key=lambda x: (-x.minutes, -x.steps, x.person))


def processes_of(wb: Workbook, section: str) -> list[Process]:
    return wb.processes_by_section.get(section, [])
