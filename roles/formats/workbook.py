"""The workbook's fields and rules (docs/workbook.md): tree -> `Workbook`, and back.

Parsing collects every problem before giving up, each naming the entry, its place in the file
and the field. References may point into the database as well as into the file (a workbook of
absences only, say), through `Known`: what the database holds outside the departments that the
workbook replaces.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any

from flows import graph
from flows.fields import STEP, STEP_NAMES
from flows.model import VERSIONS, WORK_KINDS, Branch, Process, Shape, Step, Version
from roles.model import (ABSENCE_REASONS, POSTS, SECTION_KINDS, Absence, CalendarDay, Department, Exemption,
                         Function, Person, Power, Section, SectionBefore, Workbook)
from roles.engines.rules import RULES as RULE_IDS

from flows.errors import Problem, BadInput
from roles.formats.workbook_files import Entry

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Known:
    """Ids the database already holds outside the departments being replaced, by kind -> id ->
    department; and who holds steps there, so a replaced department cannot drop them silently."""

    ids: dict[str, dict[str, str]] = field(default_factory=dict)
    #: person id -> [(department, process, step)] for steps of departments that are kept
    holders: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    #: department id -> ids of its people now in the database (for replaced departments)
    people_of: dict[str, set[str]] = field(default_factory=dict)

    def department_of(self, kind: str, ident: str) -> str | None:
        return self.ids.get(kind, {}).get(ident)


class _Reader:
    def __init__(self, file: str, known: Known):
        self.file = file
        self.known = known
        self.problems: list[Problem] = []

    # -- reporting and basic fields ------------------------------------------------------------

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

    def items(self, node: Any, key: str, label: str) -> list:
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.bad(label, node, key, f"must be a list, not {_kind(value)}")
            return []
        return value

    def text(self, node: dict, key: str, label: str) -> str | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.bad(label, node, key, f"must be text, not {_kind(value)}")
            return None
        value = str(value).strip()
        return value or None

    def integer(self, node: dict, key: str, label: str) -> int | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.bad(label, node, key, f"must be a whole number, 0 or more, not {value!r}")
            return None
        return value

    def number(self, node: dict, key: str, label: str) -> float | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            self.bad(label, node, key, f"must be a number, 0 or more, not {value!r}")
            return None
        return float(value)

    def boolean(self, node: dict, key: str, label: str, default: bool) -> bool:
        value = node.get(key)
        if value is None:
            return default
        if isinstance(value, str) and value.strip().lower() in _BOOL_WORDS:
            return _BOOL_WORDS[value.strip().lower()]
        if not isinstance(value, bool):
            self.bad(label, node, key, f"must be true or false, not {value!r}")
            return default
        return value

    def choice(self, node: dict, key: str, label: str, options: tuple[str, ...], default: str) -> str:
        value = node.get(key)
        if value is None:
            return default
        if value not in options:
            self.bad(label, node, key, f"must be one of {', '.join(options)}, not {value!r}")
            return default
        return value

    def date(self, node: dict, key: str, label: str) -> dt.date | None:
        value = node.get(key)
        if value is None:
            self.bad(label, node, key, "is required")
            return None
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        if not _DATE.match(text):
            self.bad(label, node, key, f"must be a date as YYYY-MM-DD, not {value!r}")
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError as e:
            self.bad(label, node, key, f"{text!r} is no date: {e}")
            return None

    def texts(self, node: dict, key: str, label: str) -> tuple[str, ...]:
        out = []
        for item in self.items(node, key, label):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                self.bad(label, node, key, f"must list text, not {_kind(item)}")
                continue
            out.append(str(item).strip())
        if len(set(out)) != len(out):
            self.bad(label, node, key, "lists the same value twice")
        return tuple(out)


_BOOL_WORDS = {"true": True, "false": False, "yes": True, "no": False, "是": True, "否": False}


def _kind(value: Any) -> str:
    return {dict: "a mapping", Entry: "a mapping", list: "a list", str: "text", bool: "true/false",
            int: "a number", float: "a number", type(None): "nothing"}.get(type(value), type(value).__name__)


_TOP = ("version", "departments", "people", "processes", "absences", "calendar", "powers")
_DEPT = ("id", "name", "batch", "sections_before", "sections", "functions", "exemptions")
_EXEMPTION = ("rule", "subject", "reason")
_POWER = ("id", "department", "name", "kind", "section", "processes", "responsibilities", "accountability")
_SECTION_BEFORE = ("id", "name", "staff")
_SECTION = ("id", "name", "kind", "merged_from", "staffing", "leader_posts", "counterparts", "functions")
_FUNCTION = ("id", "name", "approval")
_PERSON = ("id", "name", "section", "post", "skills")
_PROCESS = ("id", "section", "name", "before", "after")
_VERSION = ("steps",)
_STEP = STEP_NAMES
_BRANCH = ("to", "name", "condition")
_ABSENCE = ("person", "start", "end", "reason")
_CALENDAR = ("date", "workday", "note")


def parse(tree: Any, file: str, known: Known | None = None) -> Workbook:
    """Validate a workbook tree and build the `Workbook`; raise `BadInput` with all problems."""
    r = _Reader(file, known or Known())
    if not r.entry(tree, "the workbook", _TOP, ()):
        raise BadInput(r.problems)
    version = tree.get("version", 1)
    if version != 1:
        r.bad("the workbook", tree, "version", f"this program reads version 1, not {version!r}")
    seen: dict[str, dict[str, str]] = {}  # kind -> id -> label of first use

    def ident(node: dict, kind: str, label: str) -> str | None:
        value = r.text(node, "id", label)
        if value is None:
            return None
        first = seen.setdefault(kind, {}).get(value)
        if first:
            r.bad(label, node, "id", f"{kind} id '{value}' is used twice (also by {first})")
        other = r.known.department_of(kind, value)
        if other:
            r.bad(label, node, "id", f"{kind} id '{value}' already belongs to department '{other}' in "
                                     f"the database; include that department to replace it")
        seen[kind][value] = label
        return value

    departments = [d for i, node in enumerate(r.items(tree, "departments", "the workbook"))
                   if (d := _department(r, node, i, ident)) is not None]
    sections = {s.id: s for d in departments for s in d.sections}
    people = [p for i, node in enumerate(r.items(tree, "people", "the workbook"))
              if (p := _person(r, node, i, ident, sections)) is not None]
    person_ids = {p.id for p in people}
    processes = [proc for i, node in enumerate(r.items(tree, "processes", "the workbook"))
                 if (proc := _process(r, node, i, ident, sections, person_ids)) is not None]
    absences = [a for i, node in enumerate(r.items(tree, "absences", "the workbook"))
                if (a := _absence(r, node, i, person_ids)) is not None]
    calendar = _calendar(r, tree)
    dept_ids = {d.id for d in departments}
    section_dept = {s.id: d.id for d in departments for s in d.sections}
    process_section = {p.id: p.section for p in processes}
    powers = [power for i, node in enumerate(r.items(tree, "powers", "the workbook"))
              if (power := _power(r, node, i, ident, dept_ids, section_dept, process_section)) is not None]
    _check_dropped_holders(r, departments, person_ids)
    if r.problems:
        raise BadInput(r.problems)
    return Workbook(departments=tuple(departments), people=tuple(people), processes=tuple(processes),
                    absences=tuple(absences), calendar=tuple(calendar), powers=tuple(powers), version=1)


def _power(r: _Reader, node: Any, i: int, ident, dept_ids: set[str], section_dept: dict[str, str],
           process_section: dict[str, str]) -> Power | None:
    label = _label("power", node, i)
    if not r.entry(node, label, _POWER, ("id", "department", "name")):
        return None
    pid = ident(node, "power", label)
    dept = r.text(node, "department", label)
    if dept is not None and dept not in dept_ids:
        r.bad(label, node, "department", f"'{dept}' is no department of this workbook")
    section = r.text(node, "section", label)
    if section is not None and section_dept.get(section) != dept:
        r.bad(label, node, "section", f"'{section}' is no section of department '{dept}'")
    procs = r.texts(node, "processes", label)
    for proc in procs:
        if proc not in process_section:
            r.bad(label, node, "processes", f"'{proc}' is no process of this workbook")
    return Power(id=pid or "", department=dept or "", name=r.text(node, "name", label) or "",
                 kind=r.text(node, "kind", label), section=section, processes=procs,
                 responsibilities=r.texts(node, "responsibilities", label),
                 accountability=r.texts(node, "accountability", label))


def _label(kind: str, node: Any, index: int, key: str = "id") -> str:
    value = node.get(key) if isinstance(node, dict) else None
    return f"{kind} {value}" if value not in (None, "") else f"{kind} #{index + 1}"


def _department(r: _Reader, node: Any, i: int, ident) -> Department | None:
    label = _label("department", node, i)
    if not r.entry(node, label, _DEPT, ("id", "name")):
        return None
    dept_id = ident(node, "department", label)
    before = []
    for j, sb in enumerate(r.items(node, "sections_before", label)):
        sl = _label("section_before", sb, j)
        if r.entry(sb, sl, _SECTION_BEFORE, ("id", "name")):
            sid = ident(sb, "section_before", sl)
            before.append(SectionBefore(sid or "", r.text(sb, "name", sl) or "", r.integer(sb, "staff", sl)))
    functions = []
    for j, fn in enumerate(r.items(node, "functions", label)):
        fl = _label("function", fn, j)
        if r.entry(fn, fl, _FUNCTION, ("id", "name")):
            fid = ident(fn, "function", fl)
            functions.append(Function(fid or "", r.text(fn, "name", fl) or "", r.boolean(fn, "approval", fl, False)))
    exemptions = []
    for j, ex in enumerate(r.items(node, "exemptions", label)):
        el = f"{label}, exemption #{j + 1}"
        if r.entry(ex, el, _EXEMPTION, ("rule", "reason")):
            rule = r.text(ex, "rule", el)
            if rule is not None and rule not in RULE_IDS:
                r.bad(el, ex, "rule", f"'{rule}' is no reform rule ({', '.join(RULE_IDS)})")
            exemptions.append(Exemption(rule or "", r.text(ex, "reason", el) or "", r.text(ex, "subject", el)))
    before_ids = {s.id for s in before}
    function_ids = {f.id for f in functions}
    sections = []
    for j, sn in enumerate(r.items(node, "sections", label)):
        sl = _label("section", sn, j)
        if not r.entry(sn, sl, _SECTION, ("id", "name")):
            continue
        merged = r.texts(sn, "merged_from", sl)
        for m in merged:
            if m not in before_ids:
                r.bad(sl, sn, "merged_from", f"'{m}' is no section of this department's sections_before")
        funcs = r.texts(sn, "functions", sl)
        for f in funcs:
            if f not in function_ids:
                r.bad(sl, sn, "functions", f"'{f}' is no function of this department")
        sections.append(Section(
            id=ident(sn, "section", sl) or "", name=r.text(sn, "name", sl) or "",
            kind=r.choice(sn, "kind", sl, SECTION_KINDS, "business"), merged_from=merged,
            staffing=r.integer(sn, "staffing", sl), leader_posts=r.integer(sn, "leader_posts", sl),
            counterparts=r.texts(sn, "counterparts", sl), functions=funcs))
    if dept_id is None:
        return None
    return Department(id=dept_id, name=r.text(node, "name", label) or "", batch=r.integer(node, "batch", label),
                      sections_before=tuple(before), sections=tuple(sections), functions=tuple(functions),
                      exemptions=tuple(exemptions))


def _section_ref(r: _Reader, node: dict, label: str, sections: dict) -> str | None:
    sid = r.text(node, "section", label)
    if sid is not None and sid not in sections and r.known.department_of("section", sid) is None:
        r.bad(label, node, "section", f"no section '{sid}' in the workbook or the database")
    return sid


def _person_ref(r: _Reader, node: dict, key: str, label: str, person_ids: set[str]) -> str | None:
    pid = r.text(node, key, label)
    if pid is not None and pid not in person_ids and r.known.department_of("person", pid) is None:
        r.bad(label, node, key, f"no person '{pid}' in the workbook or the database")
    return pid


def _person(r: _Reader, node: Any, i: int, ident, sections: dict) -> Person | None:
    label = _label("person", node, i)
    if not r.entry(node, label, _PERSON, ("id", "name", "section")):
        return None
    pid = ident(node, "person", label)
    section = _section_ref(r, node, label, sections)
    person = Person(id=pid or "", name=r.text(node, "name", label) or "", section=section or "",
                    post=r.choice(node, "post", label, POSTS, "staff"), skills=r.texts(node, "skills", label))
    return person if pid else None


def _process(r: _Reader, node: Any, i: int, ident, sections: dict, person_ids: set[str]) -> Process | None:
    label = _label("process", node, i)
    if not r.entry(node, label, _PROCESS, ("id", "section", "name", "after")):
        return None
    pid = ident(node, "process", label)
    section = _section_ref(r, node, label, sections)
    versions = {v: _version(r, node, v, f"{label}, {v}", person_ids) for v in VERSIONS if node.get(v) is not None}
    if pid is None:
        return None
    return Process(id=pid, section=section or "", name=r.text(node, "name", label) or "",
                   before=versions.get("before"), after=versions.get("after"))


def _version(r: _Reader, proc: dict, which: str, label: str, person_ids: set[str]) -> Version | None:
    node = proc[which]
    if not r.entry(node, label, _VERSION, ("steps",)):
        return None
    steps: list[Step] = []
    ids: set[str] = set()
    nodes: dict[str, dict] = {}
    raw = r.items(node, "steps", label)
    if not raw and node.get("steps") is not None:
        r.bad(label, node, "steps", "a version needs at least one step")
    for j, sn in enumerate(raw):
        sl = f"{label}, " + _label("step", sn, j)
        if not r.entry(sn, sl, _STEP, ("id",)):
            continue
        values: dict[str, Any] = {}
        for f in STEP:  # in declared order: `next` comes before the branches and shape that name it
            values[f.name] = _STEP_READERS[f.kind](r, sn, f, sl, values, person_ids)
        sid = values["id"]
        if sid in ids:
            r.bad(sl, sn, "id", f"step id '{sid}' is used twice in this version")
        if values["name"] is None and values["kind"] in WORK_KINDS:
            r.bad(sl, sn, "name", f"a {values['kind']} step needs a name")
        held = [f.name for f in STEP if f.kind == "person" and values[f.name]]
        if which == "before" and held:
            r.bad(sl, sn, held[0], "steps of the 'before' version carry no holders")
        if sid is None:
            continue
        ids.add(sid)
        nodes[sid] = sn
        steps.append(Step(**values))
    version = Version(tuple(steps))
    for sid, message in graph.faults(version):
        r.bad(f"{label}, step {sid}", nodes[sid], "next", message)
    return version


#: How each kind of declared step field is read from a workbook entry (flows.fields.KINDS).
_STEP_READERS: dict[str, Callable[..., Any]] = {
    "id": lambda r, node, f, label, values, people: r.text(node, f.name, label),
    "text": lambda r, node, f, label, values, people: r.text(node, f.name, label),
    "choice": lambda r, node, f, label, values, people: r.choice(node, f.name, label, f.options, f.default),
    "ids": lambda r, node, f, label, values, people: r.texts(node, f.name, label),
    "person": lambda r, node, f, label, values, people: _person_ref(r, node, f.name, label, people),
    "number": lambda r, node, f, label, values, people: r.number(node, f.name, label),
    "branches": lambda r, node, f, label, values, people: _branches(r, node, label, values["next"]),
    "shape": lambda r, node, f, label, values, people: _shape(r, node, label, values["next"]),
}


def _branches(r: _Reader, sn: dict, label: str, nxt: tuple[str, ...]) -> tuple[Branch, ...]:
    """Names and conditions of outgoing flows: entries {to, name, condition}, or in a sheet's
    cell one `to=name[condition]` per line."""
    out = []
    for k, node in enumerate(r.items(sn, "branches", label)):
        bl = f"{label}, branch #{k + 1}"
        if isinstance(node, str):
            branch = Branch.parse(node)
        elif r.entry(node, bl, _BRANCH, ("to",)):
            branch = Branch(r.text(node, "to", bl) or "", r.text(node, "name", bl), r.text(node, "condition", bl))
        else:
            continue
        if branch.to not in nxt:
            r.bad(bl, sn, "branches", f"'{branch.to}' is not among this step's next steps")
            continue
        out.append(branch)
    return tuple(out)


def _shape(r: _Reader, sn: dict, label: str, nxt: tuple[str, ...]) -> Shape | None:
    """Where the step was drawn (`x y width height; next: x y x y …`), as a BPMN import left it."""
    text = r.text(sn, "shape", label)
    if text is None:
        return None
    try:
        shape = Shape.parse(text)
    except ValueError as e:
        r.bad(label, sn, "shape", str(e))
        return None
    for to, _ in shape.edges:
        if to not in nxt:
            r.bad(label, sn, "shape", f"draws a flow to '{to}', which is not among this step's next steps")
    return shape


def _absence(r: _Reader, node: Any, i: int, person_ids: set[str]) -> Absence | None:
    label = f"absence #{i + 1}" + (f" (person {node.get('person')})" if isinstance(node, dict) and node.get("person") else "")
    if not r.entry(node, label, _ABSENCE, ("person", "start", "end")):
        return None
    person = _person_ref(r, node, "person", label, person_ids)
    start, end = r.date(node, "start", label), r.date(node, "end", label)
    reason = r.choice(node, "reason", label, ABSENCE_REASONS, "leave")
    if start and end and end < start:
        r.bad(label, node, "end", f"ends ({end}) before it starts ({start})")
    if person and start and end:
        return Absence(person, start, end, reason)
    return None


def _calendar(r: _Reader, tree: dict) -> list[CalendarDay]:
    days: dict[dt.date, CalendarDay] = {}
    for i, node in enumerate(r.items(tree, "calendar", "the workbook")):
        label = _label("calendar day", node, i, key="date")
        if not r.entry(node, label, _CALENDAR, ("date", "workday")):
            continue
        day = r.date(node, "date", label)
        if day in days:
            r.bad(label, node, "date", f"{day} is given twice")
        if day:
            days[day] = CalendarDay(day, r.boolean(node, "workday", label, True), r.text(node, "note", label))
    return list(days.values())


def _check_dropped_holders(r: _Reader, departments: list[Department], person_ids: set[str]) -> None:
    """A replaced department may not drop a person who still holds steps in another department."""
    for d in departments:
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
            if v is not None:
                out[which] = {"steps": [step(s, which == "after") for s in v.steps]}
        return out

    return _compact({
        "version": wb.version,
        "departments": [_compact({
            "id": d.id, "name": d.name, "batch": d.batch,
            "sections_before": [_compact({"id": s.id, "name": s.name, "staff": s.staff}) for s in d.sections_before],
            "sections": [_compact({"id": s.id, "name": s.name, "kind": s.kind, "merged_from": list(s.merged_from),
                                   "staffing": s.staffing, "leader_posts": s.leader_posts,
                                   "counterparts": list(s.counterparts), "functions": list(s.functions)})
                         for s in d.sections],
            "functions": [_compact({"id": f.id, "name": f.name, "approval": f.approval or None}) for f in d.functions],
            "exemptions": [_compact({"rule": e.rule, "subject": e.subject, "reason": e.reason}) for e in d.exemptions],
        }) for d in wb.departments],
        "people": [_compact({"id": p.id, "name": p.name, "section": p.section, "post": p.post,
                             "skills": list(p.skills)}) for p in wb.people],
        "processes": [process(p) for p in wb.processes],
        "absences": [{"person": a.person, "start": a.start, "end": a.end, "reason": a.reason} for a in wb.absences],
        "calendar": [_compact({"date": c.date, "workday": c.workday, "note": c.note}) for c in wb.calendar],
        "powers": [_compact({"id": p.id, "department": p.department, "name": p.name, "kind": p.kind,
                             "section": p.section, "processes": list(p.processes),
                             "responsibilities": list(p.responsibilities), "accountability": list(p.accountability)})
                   for p in wb.powers],
    })
