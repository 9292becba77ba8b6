"""Which people of a section must not be away together.

A step is left uncovered when everyone who may act for it is away. Under the A/B rule only its
two holders may act, so a step whose A and B are both away is a gap (a *critical pair*), and a step
with one holder is a gap as soon as that one is away. A section survives any `k` people away when
no step's cover set has `k` or fewer members: `k = min |cover| - 1`. The same formula, with the
cover widened to every member qualified to stand in, gives the looser figure that counts on
stand-ins.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flows.model import Process, Step

from roles.model import Person, Workbook


@dataclass(frozen=True)
class SectionResilience:
    section: str
    people: int
    steps: int
    #: Largest k such that any k people away leave every step with a holder (-1: a step has none).
    k: int
    #: The same with present, qualified section members standing in for gaps.
    k_with_standins: int
    critical_pairs: tuple[tuple[str, str], ...]
    #: Per person, the steps that have no holder left if that person alone is away.
    steps_at_risk: dict[str, int]
    #: Per person, how many critical pairs they belong to: who must plan leave with the most care.
    exposure: dict[str, int] = field(default_factory=dict)
    #: Steps nobody holds at all (uncovered even with everyone present).
    unheld: tuple[str, ...] = ()


def holders(step: Step) -> frozenset[str]:
    return frozenset(h for h in (step.a, step.b) if h)


def qualified(step: Step, members: list[Person]) -> frozenset[str]:
    """Everyone of the section who could act for the step: its holders and those with its skill."""
    return holders(step) | {p.id for p in members if not step.skill or step.skill in p.skills}


def _k(covers: list[frozenset[str]]) -> int:
    return min((len(c) for c in covers), default=0) - 1 if covers else 0


def section_resilience(section: str, processes: list[Process], members: list[Person]) -> SectionResilience:
    steps = [(p, s) for p in processes if p.after is not None for s in p.after.work_steps]
    pairs: set[tuple[str, str]] = set()
    at_risk: Counter[str] = Counter()
    unheld = []
    for p, s in steps:
        h = holders(s)
        if len(h) == 2:
            first, second = sorted(h)
            pairs.add((first, second))
        elif len(h) == 1:
            at_risk[next(iter(h))] += 1
        else:
            unheld.append(f"{p.id}/{s.id}")
    exposure: Counter[str] = Counter(x for pair in pairs for x in pair)
    covers = [holders(s) for _, s in steps]
    if not steps:
        k = k_standin = len(members)
    else:
        k = _k(covers)
        k_standin = _k([qualified(s, members) for _, s in steps])
    most_first = sorted(exposure.items(), key=lambda e: (-e[1], e[0]))  # ties by id: a set's order is the hash's
    return SectionResilience(section, len(members), len(steps), k, k_standin, tuple(sorted(pairs)),
                             dict(sorted(at_risk.items())), dict(most_first), tuple(unheld))


def resilience(wb: Workbook, section: str | None = None) -> list[SectionResilience]:
    """Every section (or one), weakest first: most critical pairs, then the lowest k."""
    by_section: dict[str, list[Process]] = {}
    for p in wb.processes:
        by_section.setdefault(p.section, []).append(p)
    ids = [section] if section else [s.id for d in wb.departments for s in d.sections]
    out = [section_resilience(s, by_section.get(s, []), wb.people_by_section.get(s, [])) for s in ids]
    return sorted(out, key=lambda r: (-len(r.critical_pairs), r.k, -sum(r.steps_at_risk.values()), r.section))

