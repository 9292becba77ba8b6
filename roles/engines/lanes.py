"""People on process diagrams: how a holder is titled on a lane, and how the lanes of a BPMN file
from another tool become A holders. Lanes there are named by person, by post or by role; only a
lane whose name is a person of the section (by id, name, or name before a bracket) is taken, and
every other lane is reported rather than guessed."""
from __future__ import annotations

import dataclasses
import re

from flows.bpmn import BpmnProcess
from flows.model import Version

from roles.model import POST_ZH, Person

POST_EN = {"head": "head", "deputy": "deputy", "staff": "staff"}


def lane_title(person: Person, language: str = "zh") -> str:
    if language == "en":
        return f"{person.name} ({POST_EN.get(person.post, person.post)})"
    return f"{person.name}（{POST_ZH.get(person.post, person.post)}）"


def lane_titles(people, language: str = "zh") -> dict[str, str]:
    """Person id → lane title, for every person given."""
    return {p.id: lane_title(p, language) for p in people}


def _match(name: str, people: list[Person]) -> Person | None:
    key = re.split(r"[（(\s]", name.strip(), maxsplit=1)[0]
    for p in people:
        if name in (p.id, p.name) or key in (p.id, p.name):
            return p
    return None


@dataclasses.dataclass
class Assigned:
    version: Version
    matched: dict[str, str]      # lane name → person id
    unmatched: list[str]         # lane names that name no person of the section
    ignored_holders: list[str]   # abflow:a/b attributes naming nobody of the section


def assign_holders(bp: BpmnProcess, people: list[Person]) -> Assigned:
    """The version with its A holders from the lanes that name a person of the section (the lane
    is what the drawing shows: a step moved into another lane changes hands), else from our own
    attributes; B from the attributes. A step moved into its B holder's lane swaps the two."""
    ids = {p.id for p in people}
    matched, unmatched = {}, []
    for lane in bp.lanes:
        p = _match(lane, people)
        if p:
            matched[lane] = p.id
        elif lane not in unmatched:
            unmatched.append(lane)
    steps, ignored = [], []
    for s in bp.version.steps:
        a, b = bp.holders.get(s.id, (None, None))
        for h in (a, b):
            if h and h not in ids:
                ignored.append(f"{s.id}: {h}")
        a = a if a in ids else None
        b = b if b in ids else None
        drawn_in = matched.get(bp.lane_of.get(s.id, "")) if s.is_work else None
        if drawn_in is not None and drawn_in != a:
            a, b = drawn_in, (a if b == drawn_in else b)  # into B's lane: A and B trade places
        if b == a:
            b = None
        steps.append(dataclasses.replace(s, a=a, b=b))
    return Assigned(dataclasses.replace(bp.version, steps=tuple(steps)), matched, unmatched, ignored)
