"""What changed between two versions of a process, as a published notice lists it: steps added,
removed, renamed and re-assigned (A or B holder changed). Steps are matched by id."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .model import Step, Version

ChangeKind = Literal["added", "removed", "renamed", "reassigned"]


@dataclass(frozen=True)
class Change:
    step: str
    kind: ChangeKind
    old: Step | None
    new: Step | None

    @property
    def latest(self) -> Step:
        """The step as it is now, or as it was where it was removed (a change has one side or both)."""
        step = self.new or self.old
        if step is None:
            raise ValueError(f"a change of step {self.step} with neither side")
        return step


def diff(old: Version | None, new: Version | None) -> list[Change]:
    """Changes to the work steps, in the new version's order, then the removed ones."""
    before = {s.id: s for s in (old.work_steps if old else ())}
    after = {s.id: s for s in (new.work_steps if new else ())}
    out = []
    for sid, s in after.items():
        o = before.get(sid)
        if o is None:
            out.append(Change(sid, "added", None, s))
            continue
        if o.label != s.label:
            out.append(Change(sid, "renamed", o, s))
        if (o.a, o.b) != (s.a, s.b):
            out.append(Change(sid, "reassigned", o, s))
    out += [Change(sid, "removed", o, None) for sid, o in before.items() if sid not in after]
    return out
