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


#: The fields of a step that are its A/B assignment: a draft that changes only these is an A/B
#: change (reviewed as "holders"), not a redesign of the process.
HOLDER_FIELDS = frozenset({"a", "b", "b_max_days", "b_may_act"})
#: Where a step was drawn is not a change of the process.
_DRAWING = frozenset({"shape"})
_STEP_FIELDS = tuple(f for f in Step.__dataclass_fields__ if f not in _DRAWING and f != "id")
_TERMS = tuple(f for f in Version.__dataclass_fields__ if f != "steps")


@dataclass(frozen=True)
class Comparison:
    """Two versions of a process compared step by step, every field but the drawing: what a
    reviewer is shown, drawn on the chart (added green, removed red, changed amber)."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    #: Step id → the fields that differ, in declaration order.
    changed: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: The version's terms that differ (kind, promised days, materials, …).
    terms: tuple[str, ...] = ()

    @property
    def steps_changed(self) -> bool:
        """Whether any step was added, removed or changed (the terms aside)."""
        return bool(self.added or self.removed or self.changed)

    @property
    def empty(self) -> bool:
        return not (self.steps_changed or self.terms)

    def marks(self) -> dict[str, str]:
        """Each step a chart marks, and how: "added", "changed" or "removed"."""
        return ({sid: "added" for sid in self.added} | {sid: "changed" for sid, _ in self.changed}
                | dict.fromkeys(self.removed, "removed"))

    @property
    def holders_only(self) -> bool:
        """Only A/B assignments changed: an A/B change, not a new process design."""
        return not (self.added or self.removed or self.terms) and bool(self.changed) and all(
            set(fields) <= HOLDER_FIELDS for _, fields in self.changed)

    def fields_of(self, step: str) -> tuple[str, ...]:
        return dict(self.changed).get(step, ())


def compare(old: Version | None, new: Version | None) -> Comparison:
    """Every step of `new` against the step of `old` with its id (gateways and events too: their
    flows are the process)."""
    before = {s.id: s for s in (old.steps if old else ())}
    after = {s.id: s for s in (new.steps if new else ())}
    changed = []
    for sid, s in after.items():
        o = before.get(sid)
        if o is not None and (fields := tuple(f for f in _STEP_FIELDS if getattr(o, f) != getattr(s, f))):
            changed.append((sid, fields))
    terms = tuple(f for f in _TERMS if old is not None and new is not None and getattr(old, f) != getattr(new, f))
    return Comparison(tuple(sid for sid in after if sid not in before), tuple(sid for sid in before if sid not in after),
                      tuple(changed), terms)
