"""The workbook's fields and rules (docs/workbook.md): tree -> `Workbook`, and back.

Parsing collects every problem before giving up, each naming the entry, its place in the file
and the field. References may point into the database as well as into the file (a workbook of
absences only, say), through `Known`: what the database holds outside the departments that the
workbook replaces.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import replace
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, TypeVar

from flows import graph, limits
from flows.fields import STEP, STEP_NAMES, VERSION, VERSION_NAMES, FieldSpec, stage_of, step_problems, terms_problems
from flows.model import VERSIONS, WORK_KINDS, Branch, Process, Shape, Step, Version
from roles.model import (FIELDS, Known, Incoming, Absence, CalendarDay, Department, Exemption,
                         Function, Matter, Person, Power, Section, SectionBefore, Workbook)
from roles.engines.rules import RULES as RULE_IDS

from flows.errors import BadInput, Problem, Problems
from roles.formats.workbook_files import Entry, Later

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _Reader:
    def __init__(self, file: str, known: Known):
        self.file = file
        self.known = known
        self.problems = Problems(limits.MAX_PROBLEMS)

    # -- reporting and basic fields ------------------------------------------------------------

    def error(self) -> BadInput:
        return self.problems.error()

    def bad(self, label: str, node: Any, key: str | None, message: str) -> None:
        where = None
        if isinstance(node, Entry):
            where = node.where_of(key) if key else node.where
        elif node is not None:
            where = getattr(node, "where", None)
        self.problems.append(Problem(self.file, label, where, key, message))

    def entry(self, node: Any, label: str, allowed: tuple[str, ...], required: tuple[str, ...]) -> bool:
        if not isinstance(node, dict):
            self.bad(label, node, None, f"must be a mapping of {', '.join(allowed)}, not {_kind(node)}")
            return False
        for key in node:
            if key not in allowed:
                self.bad(label, node, key, f"unknown key; allowed here: {', '.join(allowed)}")
        for key in required:
            if node.get(key) in (None, ""):
                self.bad(label, node, key, "is required")
        return True

    def items(self, node: Any, key: str, label: str) -> list | Later:
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, (list, Later)):
            self.bad(label, node, key, f"must be a list, not {_kind(value)}")
            return []
        return value

    def text(self, node: dict, key: str, label: str) -> str | None:
        value = node.get(key)
        if value is None:
            return None
        if type(value) is str and len(value) <= limits.MAX_TEXT and (stripped := value.strip()).isprintable():
            return stripped or None  # the usual text, which limits.text_problem lets in at once
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.bad(label, node, key, f"must be text, not {_kind(value)}")
            return None
        value = str(value).strip() if isinstance(value, str) else _number_text(value)
        if value is None or (problem := limits.text_problem(value)):
            self.bad(label, node, key, problem or "must be text, not a number that is not finite")
            return None
        return value or None

    def integer(self, node: dict, key: str, label: str) -> int | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.bad(label, node, key, f"must be a whole number, 0 or more, not {limits.short(value)}")
            return None
        if problem := limits.number_problem(value):
            self.bad(label, node, key, problem)
            return None
        return value

    def number(self, node: dict, key: str, label: str) -> float | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.bad(label, node, key, f"must be a number, 0 or more, not {limits.short(value)}")
            return None
        if problem := limits.number_problem(value):
            self.bad(label, node, key, problem)
            return None
        return float(value)

    def boolean(self, node: dict, key: str, label: str, default: bool) -> bool:
        value = node.get(key)
        if value is None:
            return default
        if isinstance(value, str) and value.strip().lower() in _BOOL_WORDS:
            return _BOOL_WORDS[value.strip().lower()]
        if not isinstance(value, bool):
            self.bad(label, node, key, f"must be true or false, not {limits.short(value)}")
            return default
        return value

    def choice(self, node: dict, key: str, label: str, options: tuple[str, ...], default: str) -> str:
        value = node.get(key)
        if value is None:
            return default
        if value not in options:
            self.bad(label, node, key, f"must be one of {', '.join(options)}, not {limits.short(value)}")
            return default
        return value

    def date(self, node: dict, key: str, label: str) -> dt.date | None:
        value = node.get(key)
        if value is None:
            self.bad(label, node, key, "is required")
            return None
        if isinstance(value, dt.date):
            day = value
        else:
            text = str(value).strip() if isinstance(value, str) else ""
            if not _DATE.match(text):
                self.bad(label, node, key, f"must be a date as YYYY-MM-DD, not {limits.short(value)}")
                return None
            try:
                day = dt.date.fromisoformat(text)
            except ValueError as e:
                self.bad(label, node, key, f"{limits.short(text)} is no date: {e}")
                return None
        if problem := limits.date_problem(day):
            self.bad(label, node, key, problem)
            return None
        return day

    def texts(self, node: dict, key: str, label: str) -> tuple[str, ...]:
        out = []
        for item in self.items(node, key, label):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                self.bad(label, node, key, f"must list text, not {_kind(item)}")
                continue
            text = item.strip() if isinstance(item, str) else _number_text(item)
            if text is None or (problem := limits.text_problem(text)):
                self.bad(label, node, key, problem or "must list text, not a number that is not finite")
                continue
            out.append(text)
        if len(set(out)) != len(out):
            self.bad(label, node, key, "lists the same value twice")
        return tuple(out)


def _number_text(value: int | float) -> str | None:
    """A number given where text is due (an id of digits), as text; None when it is not finite."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


_BOOL_WORDS = {"true": True, "false": False, "yes": True, "no": False, "是": True, "否": False}


def _kind(value: Any) -> str:
    return {dict: "a mapping", Entry: "a mapping", list: "a list", str: "text", bool: "true/false",
            int: "a number", float: "a number", type(None): "nothing"}.get(type(value), type(value).__name__)


_TOP = ("version", "departments", "people", "processes", "absences", "calendar", "powers", "matters")
#: A department's nested lists, each of an entity of its own, after its own fields.
#: key: (entity, what an entry is called in messages; None: "exemption #n" of its department).
NESTED: dict[str, tuple[type, str | None]] = {"sections_before": (SectionBefore, "section_before"),
                                              "sections": (Section, "section"), "functions": (Function, "function"),
                                              "exemptions": (Exemption, None)}
_DEPT = (*(f.name for f in FIELDS[Department]), *NESTED)
_PROCESS = ("id", "section", "name", "before", "after")
_VERSION = ("steps", *VERSION_NAMES)
_STEP = STEP_NAMES
_BRANCH = ("to", "name", "condition")


def parse(tree: Any, file: str, known: Known | None = None) -> Workbook:
    """Read a workbook tree into a `Workbook` and check it; raise `BadInput` with all problems."""
    incoming = read(tree, file, known)
    processes = tuple(incoming.processes)
    return replace(incoming.rest(), processes=processes)


def read(tree: Any, file: str, known: Known | None = None) -> Incoming:
    """Read a workbook tree as an import takes it in: its departments and people at once, each
    process read and checked as it is asked for (one at a time from a streamed tree's `Later`),
    the rest once they are through, with every problem collected. A process is given only while
    no problem has been found, so nothing wrong is written before the import is refused."""
    r = _Reader(file, known or Known())
    if not r.entry(tree, "the workbook", _TOP, ()):
        raise r.error()
    read_keys = set(tree)
    at = _Places()
    departments = tuple(d for i, node in enumerate(r.items(tree, "departments", "the workbook"))
                        if (d := _department(r, at, node, i)) is not None)
    people = tuple(p for i, node in enumerate(r.items(tree, "people", "the workbook"))
                   if (p := _person(r, at, node, i)) is not None)
    head = Workbook(departments=departments, people=people)
    checks = _Checks(r)
    checks.head(head, at)

    def processes() -> Iterator[Process]:
        for i, node in enumerate(r.items(tree, "processes", "the workbook")):
            places = _Places()  # this process's own: its objects are let go once it is written
            if (proc := _process(r, places, node, i)) is not None:
                checks.process(proc, places)
                if not r.problems:
                    yield proc

    def rest() -> Workbook:
        r.entry(Entry({k: v for k, v in tree.items() if k not in read_keys}), "the workbook", _TOP, ())
        if (version := tree.get("version", 1)) != 1:
            r.bad("the workbook", tree, "version", f"this program reads version 1, not {version!r}")
        wb = replace(head, absences=tuple(a for i, node in enumerate(r.items(tree, "absences", "the workbook"))
                                          if (a := _absence(r, at, node, i)) is not None),
                     calendar=tuple(c for i, node in enumerate(r.items(tree, "calendar", "the workbook"))
                                    if (c := _calendar_day(r, at, node, i)) is not None),
                     powers=tuple(power for i, node in enumerate(r.items(tree, "powers", "the workbook"))
                                  if (power := _power(r, at, node, i)) is not None),
                     matters=tuple(m for i, node in enumerate(r.items(tree, "matters", "the workbook"))
                                   if (m := _entity(r, at, Matter, node, _label("matter", node, i))) is not None))
        checks.rest(wb, at)
        if r.problems:
            raise r.error()
        return wb
    if r.problems:  # nothing may be written: read on only for the problems of the rest
        for _ in processes():
            pass
        rest()
    return Incoming(head, processes(), rest)


def validate(wb: Workbook, file: str, known: Known | None = None) -> None:
    """Check a workbook made in memory (the demo, generated data) as an imported file is checked:
    ids, references, step graphs; `BadInput` with all problems. Its fields are typed already."""
    r = _Reader(file, known or Known())
    checks, at = _Checks(r), _Places()
    checks.head(wb, at)
    for proc in wb.processes:
        checks.process(proc, at)
    checks.rest(wb, at)
    if r.problems:
        raise r.error()


class _Places:
    """Where each object read from a tree stood: its label and its node, for line numbers. An object
    made in memory has none, and is named by its id."""

    def __init__(self) -> None:
        self._of: dict[int, tuple[str, Any]] = {}

    def keep(self, obj, label: str, node: Any):
        self._of[id(obj)] = (label, node)
        return obj

    def __call__(self, obj, label: str) -> tuple[str, Any]:
        return self._of.get(id(obj), (label, None))


T = TypeVar("T")


# --- reading: a tree's entries into objects, each field of its type ---------------------------

def _label(kind: str, node: Any, index: int, key: str = "id") -> str:
    value = node.get(key) if isinstance(node, dict) else None
    return f"{kind} {limits.named(value)}" if value not in (None, "") else f"{kind} #{index + 1}"


def _entity(r: _Reader, at: _Places, cls: type[T], node: Any, label: str, **nested: Callable[[], tuple]) -> T | None:
    """An entry read into `cls` by its declared fields (roles/model.py), each by its kind's reader;
    None when an id, reference or date it needs could not be read (the reader said why). A name
    or reason that could not be read stands empty, so the entry's other problems are found too."""
    fields = FIELDS[cls]
    if not r.entry(node, label, (*(f.name for f in fields), *nested), tuple(f.name for f in fields if f.required)):
        return None
    lists = {key: read() for key, read in nested.items()}
    values = {f.name: _READERS[f.kind](r, node, f, label) for f in fields}
    if any(values[f.name] is None for f in fields if f.required and f.kind in ("id", "ref", "date")):
        return None
    values |= {f.name: "" for f in fields if f.required and values[f.name] is None}
    return at.keep(cls(**values, **lists), label, node)


def _department(r: _Reader, at: _Places, node: Any, i: int) -> Department | None:
    label = _label("department", node, i)

    def listed(key: str) -> Callable[[], tuple]:
        cls, kind = NESTED[key]
        return lambda: tuple(e for j, item in enumerate(r.items(node, key, label))
                             if (e := _entity(r, at, cls, item, _label(kind, item, j) if kind
                                              else f"{label}, exemption #{j + 1}")) is not None)
    return _entity(r, at, Department, node, label, **{key: listed(key) for key in NESTED})


def _person(r: _Reader, at: _Places, node: Any, i: int) -> Person | None:
    return _entity(r, at, Person, node, _label("person", node, i))


def _process(r: _Reader, at: _Places, node: Any, i: int) -> Process | None:
    label = _label("process", node, i)
    if not r.entry(node, label, _PROCESS, ("id", "section", "name", "after")):
        return None
    pid = r.text(node, "id", label)
    versions = {v: _version(r, at, node, v, f"{label}, {v}") for v in VERSIONS if node.get(v) is not None}
    if pid is None:
        return None
    return at.keep(Process(id=pid, section=r.text(node, "section", label) or "", name=r.text(node, "name", label) or "",
                           before=versions.get("before"), after=versions.get("after")), label, node)


def _version(r: _Reader, at: _Places, proc: dict, which: str, label: str) -> Version | None:
    node = proc[which]
    if not r.entry(node, label, _VERSION, ("steps",)):
        return None
    steps: list[Step] = []
    raw = r.items(node, "steps", label)
    if not raw and node.get("steps") is not None:
        r.bad(label, node, "steps", "a version needs at least one step")
    for j, sn in enumerate(raw):
        sl = f"{label}, " + _label("step", sn, j)
        if not r.entry(sn, sl, _STEP, ("id",)):
            continue
        # A field the entry leaves out is its default (each reader says so for a missing key):
        # read only those given, a few of a step's 26 (a province has 600,000 steps).
        values = {f.name: _READERS[f.kind](r, sn, f, sl) for f in STEP if f.name in sn}
        if values.get("id") is not None:
            steps.append(at.keep(Step(**values), sl, sn))
    return at.keep(Version(tuple(steps), **{f.name: _READERS[f.kind](r, node, f, label) for f in VERSION}), label, node)


#: How each kind of declared field is read from a workbook entry (flows.fields.KINDS).
_READERS: dict[str, Callable[[_Reader, dict, FieldSpec, str], Any]] = {
    "id": lambda r, node, f, label: r.text(node, f.name, label),
    "text": lambda r, node, f, label: r.text(node, f.name, label),
    "person": lambda r, node, f, label: r.text(node, f.name, label),
    "ref": lambda r, node, f, label: r.text(node, f.name, label),
    "xml": lambda r, node, f, label: _verbatim(r, node, f.name, label),
    "choice": lambda r, node, f, label: r.choice(node, f.name, label, f.options, f.default),
    "flag": lambda r, node, f, label: r.boolean(node, f.name, label, bool(f.default)),
    "count": lambda r, node, f, label: r.integer(node, f.name, label),
    "names": lambda r, node, f, label: None if node.get(f.name) is None else r.texts(node, f.name, label),
    "ids": lambda r, node, f, label: r.texts(node, f.name, label),
    "texts": lambda r, node, f, label: r.texts(node, f.name, label),
    "date": lambda r, node, f, label: r.date(node, f.name, label),
    "number": lambda r, node, f, label: r.number(node, f.name, label),
    "branches": lambda r, node, f, label: _branches(r, node, label),
    "shape": lambda r, node, f, label: _shape(r, node, label),
    "stages": lambda r, node, f, label: _stages(r, node, f.name, label),
}


def _stages(r: _Reader, node: dict, key: str, label: str) -> tuple[tuple[str, ...], ...]:
    """A matter's stages: each an id, several run together as a list of ids or, in a sheet's
    cell, joined by `+` (`scj-p1, wsj-p2 + xf-p3`)."""
    out = []
    for k, item in enumerate(r.items(node, key, label)):
        if isinstance(item, str):
            stage = stage_of(item)
        elif isinstance(item, list) and all(isinstance(x, str) for x in item):
            stage = tuple(x.strip() for x in item if x.strip())
        else:
            r.bad(f"{label}, stage #{k + 1}", node, key, f"must be a process id or a list of them, not {_kind(item)}")
            continue
        if not stage:
            r.bad(f"{label}, stage #{k + 1}", node, key, "names no process")
        elif problem := next((p for x in stage if (p := limits.id_problem(x))), None):
            r.bad(f"{label}, stage #{k + 1}", node, key, problem)
        else:
            out.append(stage)
    return tuple(out)


def _verbatim(r: _Reader, node: dict, key: str, label: str) -> str | None:
    """Text kept exactly as written, line breaks included (a sub-process's inner BPMN); the field's
    own check says what it may hold."""
    value = node.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        r.bad(label, node, key, f"must be text, not {_kind(value)}")
        return None
    return value


def _branches(r: _Reader, sn: dict, label: str) -> tuple[Branch, ...]:
    """Names and conditions of outgoing flows: entries {to, name, condition}, or in a sheet's
    cell one `to=name[condition]` per line."""
    out = []
    for k, node in enumerate(r.items(sn, "branches", label)):
        bl = f"{label}, branch #{k + 1}"
        if isinstance(node, str):
            out.append(Branch.parse(node))
        elif r.entry(node, bl, _BRANCH, ("to",)):
            out.append(Branch(r.text(node, "to", bl) or "", r.text(node, "name", bl), r.text(node, "condition", bl)))
    return tuple(out)


def _shape(r: _Reader, sn: dict, label: str) -> Shape | None:
    """Where the step was drawn (`x y width height; next: x y x y …`), as a BPMN import left it."""
    text = r.text(sn, "shape", label)
    if text is None:
        return None
    try:
        return Shape.parse(text)
    except ValueError as e:
        r.bad(label, sn, "shape", str(e))
        return None


def _absence(r: _Reader, at: _Places, node: Any, i: int) -> Absence | None:
    label = f"absence #{i + 1}" + (f" (person {limits.named(node.get('person'))})" if isinstance(node, dict) and node.get("person") else "")
    return _entity(r, at, Absence, node, label)


def _calendar_day(r: _Reader, at: _Places, node: Any, i: int) -> CalendarDay | None:
    return _entity(r, at, CalendarDay, node, _label("calendar day", node, i, key="date"))


def _power(r: _Reader, at: _Places, node: Any, i: int) -> Power | None:
    return _entity(r, at, Power, node, _label("power", node, i))


# --- checking: ids, references and step graphs, on the objects --------------------------------

class _Checks:
    """Every rule that spans entries, for a workbook read from a file or made in memory alike: its
    organisation first, then each process as it comes, then what refers to them all."""

    def __init__(self, r: _Reader):
        self.r = r
        self.seen: dict[str, dict[str, str]] = {}  # kind -> id -> label of first use
        self.sections: set[str] = set()
        self.department_of: dict[str, str] = {}  # section -> department, of the workbook
        self.before_of: dict[str, str] = {}      # section before the reform -> department
        self.person_ids: set[str] = set()
        self.process_ids: set[str] = set()

    def bad(self, at: _Places, obj, label: str, key: str | None, message: str, part: str = "") -> None:
        """A problem of `obj` (named `label` when it was made in memory), or of a `part` of it."""
        where_label, node = at(obj, label)
        self.r.bad(where_label + part, node, key, message)

    def ident(self, at: _Places, obj, kind: str, label: str) -> None:
        value = obj.id
        if not value:
            return
        label = at(obj, label)[0]
        if problem := limits.id_problem(value):
            self.bad(at, obj, label, "id", problem)
        first = self.seen.setdefault(kind, {}).get(value)
        if first:
            self.bad(at, obj, label, "id", f"{kind} id '{value}' is used twice (also by {first})")
        other = self.r.known.department_of(kind, value)
        if other:
            self.bad(at, obj, label, "id", f"{kind} id '{value}' already belongs to department '{other}' in "
                                           f"the database; include that department to replace it")
        self.seen[kind][value] = label

    def section_ref(self, at: _Places, obj, label: str, sid: str) -> None:
        if sid and sid not in self.sections and self.r.known.department_of("section", sid) is None:
            self.bad(at, obj, label, "section", f"no section '{sid}' in the workbook or the database")

    def before_ref(self, at: _Places, obj, label: str, key: str, section: str, before: str) -> None:
        """`before` is a section before the reform of the department of `section`."""
        dept = self.department_of.get(section) or self.r.known.department_of("section", section)
        if (self.before_of.get(before) or self.r.known.department_of("section_before", before)) != dept:
            self.bad(at, obj, label, key, f"'{before}' is no section before the reform of department '{dept}'")

    def person_ref(self, at: _Places, obj, label: str, key: str, pid: str | None) -> None:
        if pid and pid not in self.person_ids and self.r.known.department_of("person", pid) is None:
            self.bad(at, obj, label, key, f"no person '{pid}' in the workbook or the database")

    def head(self, wb: Workbook, at: _Places) -> None:
        """The departments, their sections and the people, and none dropped who holds steps elsewhere."""
        for d in wb.departments:
            self.ident(at, d, "department", f"department {limits.named(d.id)}")
            for sb in d.sections_before:
                self.ident(at, sb, "section_before", f"section_before {limits.named(sb.id)}")
            for fn in d.functions:
                self.ident(at, fn, "function", f"function {limits.named(fn.id)}")
            for j, ex in enumerate(d.exemptions):
                if ex.rule and ex.rule not in RULE_IDS:
                    self.bad(at, ex, f"department {limits.named(d.id)}, exemption #{j + 1}", "rule",
                             f"'{ex.rule}' is no reform rule ({', '.join(RULE_IDS)})")
            before_ids, function_ids = {s.id for s in d.sections_before}, {f.id for f in d.functions}
            for sec in d.sections:
                label = f"section {limits.named(sec.id)}"
                for m in sec.merged_from:
                    if m not in before_ids:
                        self.bad(at, sec, label, "merged_from", f"'{m}' is no section of this department's sections_before")
                for f in sec.functions:
                    if f not in function_ids:
                        self.bad(at, sec, label, "functions", f"'{f}' is no function of this department")
                self.ident(at, sec, "section", label)
        self.sections = {s.id for d in wb.departments for s in d.sections}
        self.department_of = {s.id: d.id for d in wb.departments for s in d.sections}
        self.before_of = {sb.id: d.id for d in wb.departments for sb in d.sections_before}
        self.person_ids = {p.id for p in wb.people}
        for p in wb.people:
            self.ident(at, p, "person", f"person {limits.named(p.id)}")
            self.section_ref(at, p, f"person {limits.named(p.id)}", p.section)
            if p.section_before is not None:
                self.before_ref(at, p, f"person {limits.named(p.id)}", "section_before", p.section, p.section_before)
        _check_dropped_holders(self.r, wb, self.person_ids)

    def process(self, proc: Process, at: _Places) -> None:
        self.process_ids.add(proc.id)
        self.ident(at, proc, "process", f"process {limits.named(proc.id)}")
        self.section_ref(at, proc, f"process {limits.named(proc.id)}", proc.section)
        for which in VERSIONS:
            v = proc.version(which)
            if v is not None:
                label = f"process {limits.named(proc.id)}, {which}"
                _check_version(v, label, which, partial(self.bad, at), partial(self.person_ref, at), at)
                if v.section_before is not None and which == "after":
                    self.bad(at, v, label, "section_before", "only a 'before' version names the section that ran it")
                elif v.section_before is not None:
                    self.before_ref(at, v, label, "section_before", proc.section, v.section_before)

    def rest(self, wb: Workbook, at: _Places) -> None:
        """Absences, the calendar and powers."""
        for i, a in enumerate(wb.absences):
            label = f"absence #{i + 1} (person {limits.named(a.person)})"
            self.person_ref(at, a, label, "person", a.person)
            if (problem := a.problem()) is not None:
                self.bad(at, a, label, *problem)
        days: set[dt.date] = set()
        for c in wb.calendar:
            if c.date in days:
                self.bad(at, c, f"calendar day {c.date}", "date", f"{c.date} is given twice")
            days.add(c.date)
        dept_ids = {d.id for d in wb.departments}
        section_dept = {s.id: d.id for d in wb.departments for s in d.sections}
        for pw in wb.powers:
            label = f"power {limits.named(pw.id)}"
            self.ident(at, pw, "power", label)
            if pw.department and pw.department not in dept_ids:
                self.bad(at, pw, label, "department", f"'{pw.department}' is no department of this workbook")
            if pw.section is not None and section_dept.get(pw.section) != pw.department:
                self.bad(at, pw, label, "section", f"'{pw.section}' is no section of department '{pw.department or None}'")
            for x in pw.processes:
                if x not in self.process_ids:
                    self.bad(at, pw, label, "processes", f"'{x}' is no process of this workbook")
        for m in wb.matters:
            self.matter(m, at, dept_ids)

    def matter(self, m: Matter, at: _Places, dept_ids: set[str]) -> None:
        """Its lead is a department, and each of its parts a process, of the workbook or the
        database; no process runs twice in one version of it."""
        label = f"matter {limits.named(m.id)}"
        self.ident(at, m, "matter", label)
        if m.lead and m.lead not in dept_ids and self.r.known.department_of("department", m.lead) is None:
            self.bad(at, m, label, "lead", f"no department '{m.lead}' in the workbook or the database")
        for key in ("before_stages", "stages"):
            seen: set[str] = set()
            for stage in getattr(m, key):
                for x in stage:
                    if x not in self.process_ids and self.r.known.department_of("process", x) is None:
                        self.bad(at, m, label, key, f"no process '{x}' in the workbook or the database")
                    elif x in seen:
                        self.bad(at, m, label, key, f"process '{x}' runs twice")
                    seen.add(x)
        if not m.stages:
            self.bad(at, m, label, "stages", "a matter needs at least one process")


def _check_version(v: Version, label: str, which: str, bad, person_ref, at: _Places) -> None:
    for key, problem in terms_problems(v):
        bad(v, label, key, problem)
    ids: set[str] = set()

    def named(s: Step) -> str:  # a step's label, made only for a problem (a province has 600,000 steps)
        return f"{label}, step {limits.named(s.id)}"
    for s in v.steps:
        for key, problem in step_problems(s):
            bad(s, named(s), key, problem)
        if s.id in ids:
            bad(s, named(s), "id", f"step id '{s.id}' is used twice in this version")
        ids.add(s.id)
        if s.name is None and s.kind in WORK_KINDS:
            bad(s, named(s), "name", f"a {s.kind} step needs a name")
        held = [name for name in _HOLDERS if getattr(s, name)]
        for name in held:
            person_ref(s, named(s), name, getattr(s, name))
        if which == "before" and held:
            bad(s, named(s), held[0], "steps of the 'before' version carry no holders")
        for k, b in enumerate(s.branches):
            if b.to not in s.next:
                bad(s, named(s), "branches", f"'{b.to}' is not among this step's next steps", f", branch #{k + 1}")
        for to, _ in s.shape.edges if s.shape else ():
            if to not in s.next:
                bad(s, named(s), "shape", f"draws a flow to '{to}', which is not among this step's next steps")
    steps = {s.id: s for s in v.steps}
    # Links only: a branch to no next step was named above, with its number.
    links = Version(tuple(s if all(b.to in s.next for b in s.branches)
                          else replace(s, branches=tuple(b for b in s.branches if b.to in s.next)) for s in v.steps))
    for sid, message in graph.faults(links):
        bad(steps[sid], f"{label}, step {limits.named(sid)}", "next", message)


#: A step's fields that name a person who holds it.
_HOLDERS = tuple(f.name for f in STEP if f.kind == "person")


def _check_dropped_holders(r: _Reader, wb: Workbook, person_ids: set[str]) -> None:
    """A replaced department may not drop a person who still holds steps in another department."""
    for d in wb.departments:
        for pid in sorted(r.known.people_of.get(d.id, set()) - person_ids):
            for dept, proc, step in r.known.holders.get(pid, []):
                r.problems.append(Problem(
                    r.file, f"department {d.id}", None, "people",
                    f"drops person '{pid}', who still holds step {step} of process {proc} "
                    f"(department {dept}); reassign that step first or keep the person"))


# --- Workbook -> tree -------------------------------------------------------------------------

def _compact(d: dict) -> dict:
    return {k: v for k, v in d.items() if v not in (None, [], ())}


def to_tree(wb: Workbook) -> dict:
    """The workbook as a tree for the file formats: canonical key order, defaults left out."""

    def step(s: Step, holders: bool) -> dict:
        return _compact({f.name: f.tree(getattr(s, f.name)) for f in STEP if holders or f.kind != "person"})

    def process(p: Process) -> dict:
        out: dict[str, Any] = {"id": p.id, "section": p.section, "name": p.name}
        for which in VERSIONS:
            v = p.version(which)
            if v is not None:  # terms: None is unknown and left out, an empty list of materials kept
                out[which] = {f.name: value for f in VERSION if (value := f.tree(getattr(v, f.name))) is not None} | \
                    {"steps": [step(s, which == "after") for s in v.steps]}
        return out

    return _compact({
        "version": wb.version,
        "departments": [_compact(_written(d) | {key: [_written(e) for e in getattr(d, key)] for key in NESTED})
                        for d in wb.departments],
        "people": [_written(p) for p in wb.people],
        "processes": [process(p) for p in wb.processes],
        "absences": [_written(a) for a in wb.absences],
        "calendar": [_written(c) for c in wb.calendar],
        "powers": [_written(p) for p in wb.powers],
        "matters": [_written(m) for m in wb.matters],
    })


def _written(entity) -> dict:
    """An entity as a tree holds it, by its declared fields: lists as lists, an optional flag only
    when it is set, empty values left out."""
    out = {}
    for f in FIELDS[type(entity)]:
        value = getattr(entity, f.name)
        if f.kind == "flag" and not f.required and value == f.default:
            continue
        written = f.tree(value) if f.kind == "stages" else f.stored(value)
        if written not in (None, [], ()) or (f.kind == "names" and value is not None):  # none needed is no unknown
            out[f.name] = written
    return out


def department_ids(tree) -> set[str]:
    """The departments a workbook tree names, before it is checked (what an import replaces)."""
    if not isinstance(tree, dict) or not isinstance(tree.get("departments"), list):
        return set()
    return {str(d["id"]) for d in tree["departments"] if isinstance(d, dict) and d.get("id") is not None}


def absence_list(tree, source: str, known: Known) -> list[Absence]:
    """The absences of a workbook tree that holds nothing else (a leave list kept in a spreadsheet),
    checked against the people `known` names; BadInput names each bad entry and field."""
    extra = sorted(k for k, v in tree.items() if k not in ("version", "absences") and v not in (None, [], {})
                   ) if isinstance(tree, dict) else []
    if not isinstance(tree, dict) or extra or "absences" not in tree:
        raise BadInput([Problem(source, "the file", None, ", ".join(extra) or None,
                                "a leave list holds only absences; a whole workbook goes through import")])
    return list(parse(tree, source, known).absences)
