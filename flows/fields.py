"""Fields declared once, on a model dataclass (`flows.model.declare`), and everything derived from
that declaration: the stored (JSON-ready) form, the workbook tree's form, a table cell's text and
a BPMN attribute's text. A kind says how a value of the field is carried; adding a field of a
known kind needs no code here.

| kind | value | stored / tree | cell |
|---|---|---|---|
| id, text, person, ref | str | str | text |
| xml | BPMN elements as text, kept as read | str | — |
| choice | one of `options` | str (tree: the default left out) | text |
| ids | tuple of str | list | `a, b` |
| number | float, 0 or more | float (tree: a whole number as int) | number |
| branches | tuple of Branch | list of {to, name, condition} | `to=name[condition]; …` |
| shape | Shape | `x y w h; to: x y …` | — |
| flag | bool | bool (tree: the default left out) | checkbox |
| count | int, 0 or more | int | number |
| names | tuple of text, or None (unknown) | list | `a, b` |
| texts | tuple of sentences | list | one a line |
| date | date | date | `YYYY-MM-DD` |
| stages | tuple of stages, each a tuple of ids run together | list of lists (tree: one id alone as itself) | `a, b + c` |

A version's terms (kind, time limits, materials, trips) are declared the same way, on `Version`,
and so are the organisation's entities (roles/model.py).
"""
from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from collections.abc import Callable, Mapping
from typing import Any

from . import limits
from .model import SUBPROCESS_TYPES, Branch, Shape, Step, Version

KINDS = ("id", "text", "choice", "person", "ref", "xml", "ids", "number", "branches", "shape", "flag", "count", "names",
         "texts", "date", "stages")
_LIST_SPLIT = re.compile(r"\s*[,，]\s*")
#: What joins the parts of a stage that run together (`scj-p1 + wsj-p2`); no id holds it.
TOGETHER = "+"


def stage_of(text: str) -> tuple[str, ...]:
    """A stage written as one text: its ids joined by `+`."""
    return tuple(x.strip() for x in text.split(TOGETHER) if x.strip())


def stage_text(stage: tuple[str, ...]) -> str:
    return f" {TOGETHER} ".join(stage)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    default: Any = None
    options: tuple[str, ...] = ()
    #: carried as an attribute of our own namespace in BPMN (what BPMN cannot say itself)
    bpmn: bool = False
    #: a column of the designer's step table
    editor: bool = True
    #: its table's column, where that is not its name (a reference: `section_id`)
    column: str | None = None
    #: a list kept as rows of a table of its own (a section's `merged_from`), not as a column
    own_table: bool = False
    #: no default: every entry gives it
    required: bool = False

    @property
    def stored_as(self) -> str | None:
        """The column of the entity's table that keeps it; None for a list kept in its own table."""
        return None if self.own_table else self.column or self.name

    def stored(self, value) -> Any:
        """The value as a table column or a JSON draft keeps it."""
        if self.kind in ("ids", "texts"):
            return list(value)
        if self.kind == "stages":
            return [list(stage) for stage in value]
        if self.kind == "branches":
            return [dataclasses.asdict(b) for b in value] or None
        if self.kind == "shape":
            return value.text() if value else None
        if self.kind == "names":
            return None if value is None else list(value)
        return value

    def from_stored(self, value) -> Any:
        if self.kind in ("ids", "texts"):
            return tuple(value or ())
        if self.kind == "stages":
            return tuple(tuple(stage) for stage in value or ())
        if self.kind == "names":
            return None if value is None else tuple(value)
        if self.kind == "flag":
            return bool(self.default) if value is None else bool(value)
        if self.kind == "branches":
            return tuple(Branch(**x) for x in value) if value else ()
        if self.kind == "shape":
            return Shape.parse(value) if value else None
        if self.kind == "choice" and value is None:
            return self.default
        return value

    def tree(self, value) -> Any:
        """The value in a workbook tree (YAML, JSON, a sheet): defaults and empties left out (None)."""
        if self.kind == "choice":
            return None if value == self.default else value
        if self.kind == "number":
            return int(value) if value is not None and float(value).is_integer() else value
        if self.kind == "branches":
            return [{k: v for k, v in dataclasses.asdict(b).items() if v is not None} for b in value] or None
        if self.kind in ("ids", "texts"):
            return list(value) or None
        if self.kind == "stages":
            return [stage[0] if len(stage) == 1 else list(stage) for stage in value] or None
        if self.kind == "flag":
            return None if bool(value) == bool(self.default) else bool(value)
        return self.stored(value)

    def cell(self, value) -> Any:
        """The value in an edited table's cell."""
        if self.kind == "ids":
            return ", ".join(value)
        if self.kind == "stages":
            return ", ".join(stage_text(stage) for stage in value)
        if self.kind == "names":
            return "" if value is None else ", ".join(value)
        if self.kind == "branches":
            return "; ".join(b.text() for b in value)
        if self.kind == "text":
            return value or ""
        return value

    def from_cell(self, text: str | None, number: float | None) -> Any:
        """The value of an edited cell, given as its stripped text (None: empty) and its number."""
        if self.kind == "ids":
            return tuple(x for x in _LIST_SPLIT.split(text or "") if x)
        if self.kind == "stages":
            return tuple(stage for x in _LIST_SPLIT.split(text or "") if (stage := stage_of(x)))
        if self.kind == "names":
            return None if text is None else tuple(x for x in _LIST_SPLIT.split(text) if x)
        if self.kind == "flag":
            return bool(self.default) if text is None else text.lower() in ("true", "1", "yes", "是", "✓")
        if self.kind == "count":
            return None if number is None else (int(number) if float(number).is_integer() else number)
        if self.kind == "branches":
            return tuple(Branch.parse(x) for x in (text or "").split(";") if x.strip())
        if self.kind == "number":
            return number
        if self.kind == "choice":
            return text or self.default
        return text

    def problem(self, value) -> str | None:
        """What is wrong with a value of this field from outside (flows/limits.py), or None."""
        if self.kind == "id" and not value:
            return "is required"
        if value is None or value == () or value == "":
            return None
        if self.kind in ("id", "ref"):
            return limits.step_id_problem(value)
        if self.kind == "person":
            return limits.id_problem(value)
        if self.kind == "xml":
            from .bpmn import fragment_problem  # BPMN's reader knows what XML may be let in
            return fragment_problem(value)
        if self.kind == "text":
            return limits.text_problem(value)
        if self.kind == "choice":
            return None if value in self.options else f"must be one of {', '.join(self.options)}, not {limits.short(value)}"
        if self.kind == "ids":
            return next((p for x in value if (p := limits.step_id_problem(x))), None)
        if self.kind == "stages":
            return next((p for stage in value for x in stage if (p := limits.id_problem(x))), None)
        if self.kind in ("number", "count") and (isinstance(value, bool) or not isinstance(value, (int, float))):
            return f"must be a number, not {limits.short(value)}"
        if self.kind == "number":
            return limits.number_problem(value)
        if self.kind == "count":
            return limits.number_problem(value) or (None if isinstance(value, int)
                                                    else f"must be a whole number, not {limits.short(value)}")
        if self.kind == "flag":
            return None if isinstance(value, bool) else f"must be true or false, not {limits.short(value)}"
        if self.kind == "names":
            if len(value) > limits.MAX_ITEMS:
                return f"lists {len(value):,} names; at most {limits.MAX_ITEMS:,}"
            return next((p for x in value if (p := limits.text_problem(x))), None)
        if self.kind == "branches":
            return next((p for b in value for p in (limits.step_id_problem(b.to), limits.text_problem(b.name or ""),
                                                     limits.text_problem(b.condition or "")) if p), None)
        if self.kind == "shape":
            numbers = [value.x, value.y, value.w, value.h] + [c for _, pts in value.edges for pt in pts for c in pt]
            return None if all(math.isfinite(n) and abs(n) <= 10 * limits.MAX_NUMBER for n in numbers) else \
                "holds a coordinate that is not a finite number within bounds"
        return None

    def attribute(self, value) -> str | None:
        """The value as an XML attribute's text."""
        if value is None or (self.kind == "flag" and bool(value) == bool(self.default)):
            return None
        if self.kind == "flag":
            return "true" if value else "false"
        return f"{value:g}" if isinstance(value, float) else str(value)

    def from_attribute(self, text: str) -> Any:
        """The inverse of `attribute`; text that is no value of the kind is kept as it is, for
        `problem` to name."""
        if self.kind == "flag":
            return {"true": True, "1": True, "false": False, "0": False}.get(text.strip().lower(), text)
        if self.kind in ("number", "count"):
            try:
                number = limits.xml_number(text)
            except ValueError:
                return text
            return int(number) if self.kind == "count" and number.is_integer() else number
        return text


def declared(cls) -> tuple[FieldSpec, ...]:
    """The declared fields of a model dataclass, in order (a version's steps are no such field)."""
    out = []
    for f in dataclasses.fields(cls):
        if "abflow" not in f.metadata:
            continue
        kind, options = f.metadata["abflow"]
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        default = None if f.default is dataclasses.MISSING else f.default
        out.append(FieldSpec(f.name, kind, default, required=required, **options))
    return tuple(out)


STEP = declared(Step)
STEP_NAMES = tuple(f.name for f in STEP)
#: A version's terms: its kind, time limits, materials and trips.
VERSION = declared(Version)
VERSION_NAMES = tuple(f.name for f in VERSION)


def terms_of(version: Version) -> dict:
    """A version's terms in their stored form (JSON-ready), by name."""
    return {f.name: f.stored(getattr(version, f.name)) for f in VERSION}


def with_terms(version: Version, stored: Mapping | None) -> Version:
    """`version` with the terms of a stored `terms_of` (None or missing keys: unknown)."""
    stored = stored or {}
    return dataclasses.replace(version, **{f.name: f.from_stored(stored.get(f.name)) for f in VERSION})


def has_terms(version: Version | None) -> bool:
    """Whether a version states any term: what a service guide is made for."""
    return version is not None and any(getattr(version, f.name) is not None for f in VERSION)


def terms_problems(version: Version) -> list[tuple[str, str]]:
    """(field, problem) for each term of a version that no reader may let in."""
    return [(f.name, p) for f in VERSION if (p := f.problem(getattr(version, f.name)))]


def step_problems(s: Step) -> list[tuple[str, str]]:
    """(field, problem) for each value of a step that no reader may let in, and each field that
    does not fit the step's kind (a gateway type on a task, a timer on no timer event). A field
    at its default is fine as it is (tests/flows/test_fields.py): only the others, and the id
    every step must have, are asked."""
    values = s.__dict__
    found = []
    for name, problem, default, default_type, asked in _CHECKED:
        v = values[name]
        if (asked or not (v is default or (type(v) is default_type and v == default))) and (p := problem(v)):
            found.append((name, p))
    return found + _misfits(s)


#: Per step field: its name, its problem check, its default and that default's type, and whether
#: it is asked even at its default (the id every step must have), for `step_problems`.
_CHECKED = [(f.name, f.problem, f.default, type(f.default), f.kind == "id") for f in STEP]


#: Fields only some kinds of step have: the kinds, and what a misplaced one is told.
_ONLY_ON = {"gateway": (("gateway",), "only a gateway has a gateway type"),
            "activity": (("task", "approval"), "only a task or approval has an activity type"),
            "event": (("start", "end", "event"), "only an event has an event type"),
            "attached": (("event",), "only an intermediate event sits on a step"),
            "catches": (("event",), "only an intermediate event catches"),
            "compensates": (("task", "approval"), "only a task or approval compensates"),
            "inside": (("task", "approval", "start", "end", "event"), "only a sub-process or an event keeps elements as read")}


def _misfits(s: Step) -> list[tuple[str, str]]:
    out = [(name, f"{said}; this step is a {s.kind}") for name, (kinds, said) in _ONLY_ON.items()
           if getattr(s, name) not in (None, False) and s.kind not in kinds]
    if s.timer is not None and s.event != "timer":
        out.append(("timer", "only a timer event has a timer"))
    if s.definition is not None and s.event not in ("link", "conditional"):
        out.append(("definition", "only a link or conditional event has a definition text"))
    if s.inside is not None and s.is_work and s.activity not in SUBPROCESS_TYPES:
        out.append(("inside", "only a sub-process has inner steps"))
    if not s.interrupting and s.attached is None:
        out.append(("interrupting", "only a boundary event may be non-interrupting"))
    if s.otherwise is not None and s.otherwise not in s.next:
        out.append(("otherwise", f"'{s.otherwise}' is not among this step's next steps"))
    return out


def version_problems(steps) -> list[tuple[str, str, str]]:
    """(step id, field, problem) for a version's values, and for a step id given twice."""
    out, seen = [], set()
    for s in steps:
        out += [(s.id, key, problem) for key, problem in step_problems(s)]
        if s.id in seen:
            out.append((s.id, "id", f"step id '{s.id}' is used twice in this version"))
        seen.add(s.id)
    return out


def stored_step(s: Step) -> dict:
    """A step in its stored columns' form (JSON-ready); drafts keep steps the same way."""
    values = s.__dict__
    return {name: values[name] if convert is None else convert(values[name]) for name, convert in _STORING}


#: Per step field, how its value is stored: None where as it is (most of them; an import stores
#: hundreds of thousands of steps).
_STORING = [(f.name, None if f.kind not in ("ids", "texts", "branches", "shape", "names") else f.stored) for f in STEP]


def step_from_stored(row, damaged: Callable[[str, str], None] | None = None,
                     fields: tuple[FieldSpec, ...] = STEP) -> Step:
    """A stored step (with `fields` only, the rest at their defaults, where a question reads no
    more). A value that cannot be read back (written by an older version, or by hand) is
    reported to `damaged(field, why)` and left at its default, so one bad row never stops the
    roster, the pages or the export that would repair it; without `damaged`, it raises."""
    values = {}
    for f in fields:
        try:
            value = f.from_stored(row[f.name])
            if f.kind == "number" and value is not None and (problem := limits.number_problem(value)):
                raise ValueError(problem)
        except (ValueError, TypeError, KeyError) as e:
            if damaged is None or f.kind == "id":
                raise
            damaged(f.name, str(e))
            value = f.default
        values[f.name] = value
    return Step(**values)
