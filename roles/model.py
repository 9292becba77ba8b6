"""The organisation as plain data: departments, sections before and after the reform, people,
absences and calendar overrides, plus `Workbook`, the whole data set that engines work on.

`Workbook` mirrors the interchange format of the spec one to one, so that file, database and
engines speak the same shape and an export imports back unchanged. Each entity's fields are
declared here and only here (`declare`, as a step's are): the workbook's keys and sheet columns,
its reader and writer, and the store's rows follow from the declaration; a new field is one line
below, its column in roles/storage/tables.py and an Alembic migration.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TypeVar

from flows import limits
from flows.fields import FieldSpec, declared
from flows.model import Process, declare

POSTS = ("head", "deputy", "staff")
POST_ZH = {"head": "负责人", "deputy": "副职", "staff": "工作人员"}
SECTION_KINDS = ("comprehensive", "business")
ABSENCE_REASONS = ("leave", "trip", "training", "sick", "other")
#: The halves of a workday: leave is counted in half days (请假以半天计), so an absence may begin
#: or end at noon.
HALVES = ("am", "pm")
#: Where the morning ends.
NOON = dt.time(12, 0)


def half_at(moment: dt.time, starts: bool) -> str | None:
    """The half of its day a leave starting (`starts`) or ending at this time of day takes: a
    start at noon or later is an afternoon's ("pm"), an end after midnight and by noon a
    morning's ("am"); anything else takes the whole day (None)."""
    if starts:
        return "pm" if moment >= NOON else None
    return "am" if dt.time(0) < moment <= NOON else None


@dataclass(frozen=True)
class SectionBefore:
    id: str = field(metadata=declare("id"))
    name: str = field(metadata=declare("text"))
    staff: int | None = field(default=None, metadata=declare("count"))


@dataclass(frozen=True)
class Function:
    id: str = field(metadata=declare("id"))
    name: str = field(metadata=declare("text"))
    approval: bool = field(default=False, metadata=declare("flag"))


@dataclass(frozen=True)
class Section:
    id: str = field(metadata=declare("id"))
    name: str = field(metadata=declare("text"))
    kind: str = field(default="business", metadata=declare("choice", options=SECTION_KINDS))
    merged_from: tuple[str, ...] = field(default=(), metadata=declare("ids", own_table=True))
    staffing: int | None = field(default=None, metadata=declare("count"))
    leader_posts: int | None = field(default=None, metadata=declare("count"))
    counterparts: tuple[str, ...] = field(default=(), metadata=declare("ids"))
    functions: tuple[str, ...] = field(default=(), metadata=declare("ids", own_table=True))


@dataclass(frozen=True)
class Exemption:
    """A recorded exception to a reform rule (the guidance allows them for small departments):
    the rule's findings about the department (or only about `subject`) show as exempted."""

    rule: str = field(metadata=declare("text"))
    reason: str = field(metadata=declare("text"))
    subject: str | None = field(default=None, metadata=declare("text"))


@dataclass(frozen=True)
class Department:
    id: str = field(metadata=declare("id"))
    name: str = field(metadata=declare("text"))
    batch: int | None = field(default=None, metadata=declare("count"))
    sections_before: tuple[SectionBefore, ...] = ()
    sections: tuple[Section, ...] = ()
    functions: tuple[Function, ...] = ()
    exemptions: tuple[Exemption, ...] = ()


@dataclass(frozen=True)
class Power:
    """An item of the power and responsibility list (权责清单): an administrative power of a
    department, the section that exercises it, the processes it runs through, its responsibility
    items and its accountability cases (追责情形)."""

    id: str = field(metadata=declare("id"))
    department: str = field(metadata=declare("ref", column="department_id"))
    name: str = field(metadata=declare("text"))
    kind: str | None = field(default=None, metadata=declare("text"))  # 行政许可, 行政处罚, 行政检查, …
    section: str | None = field(default=None, metadata=declare("ref", column="section_id"))
    processes: tuple[str, ...] = field(default=(), metadata=declare("ids"))
    responsibilities: tuple[str, ...] = field(default=(), metadata=declare("texts"))
    accountability: tuple[str, ...] = field(default=(), metadata=declare("texts"))
    #: its legal basis, a law and article a line (《中华人民共和国行政许可法》第十二条)
    basis: tuple[str, ...] = field(default=(), metadata=declare("texts"))
    #: the steps that exercise it, `PROCESS:STEP` (its decision among them: an approval step)
    steps: tuple[str, ...] = field(default=(), metadata=declare("ids"))


@dataclass(frozen=True)
class Matter:
    """A matter done once (一件事一次办): what a citizen or business sees as one thing (opening a
    restaurant) runs through processes of several departments, under one lead department that
    receives it and answers for its promise. Its parts run in stages, one after another; the
    parts of one stage run together (串联改并联). It has its own promise, materials (asked once
    for all parts) and trips, before the reform and after, so its 四减 compares the two."""

    id: str = field(metadata=declare("id"))
    name: str = field(metadata=declare("text"))
    lead: str = field(metadata=declare("ref", column="lead_id"))
    stages: tuple[tuple[str, ...], ...] = field(default=(), metadata=declare("stages"))
    promised_days: int | None = field(default=None, metadata=declare("count"))
    materials: tuple[str, ...] | None = field(default=None, metadata=declare("names"))
    trips: int | None = field(default=None, metadata=declare("count"))
    #: As it ran before the reform (the processes' `before` versions): empty stages are unknown.
    before_stages: tuple[tuple[str, ...], ...] = field(default=(), metadata=declare("stages"))
    before_promised_days: int | None = field(default=None, metadata=declare("count"))
    before_materials: tuple[str, ...] | None = field(default=None, metadata=declare("names"))
    before_trips: int | None = field(default=None, metadata=declare("count"))

    def terms(self, which: str) -> tuple[tuple[tuple[str, ...], ...], int | None, tuple[str, ...] | None, int | None]:
        """(stages, promised days, materials, trips) of the matter as it runs `which` version."""
        if which == "before":
            return self.before_stages, self.before_promised_days, self.before_materials, self.before_trips
        return self.stages, self.promised_days, self.materials, self.trips


@dataclass(frozen=True)
class Person:
    id: str = field(metadata=declare("id"))
    name: str = field(metadata=declare("text"))
    section: str = field(metadata=declare("ref", column="section_id"))
    post: str = field(default="staff", metadata=declare("choice", options=POSTS))
    skills: tuple[str, ...] = field(default=(), metadata=declare("ids"))
    #: The section before the reform the person worked in (one of the department's
    #: `sections_before`), where it is known: resilience before vs after counts them there.
    section_before: str | None = field(default=None, metadata=declare("ref", column="section_before_id"))


@dataclass(frozen=True)
class Absence:
    """Away from `start` to `end`: from the morning of `start`, or from noon with `start_half`
    "pm"; to the evening of `end`, or to noon with `end_half` "am"."""

    person: str = field(metadata=declare("ref", column="person_id"))
    start: dt.date = field(metadata=declare("date"))
    end: dt.date = field(metadata=declare("date"))
    reason: str = field(default="leave", metadata=declare("choice", options=ABSENCE_REASONS))
    start_half: str | None = field(default=None, metadata=declare("choice", options=HALVES))
    end_half: str | None = field(default=None, metadata=declare("choice", options=HALVES))

    def covers(self, day: dt.date) -> bool:
        """Whether the person is away for some of `day`."""
        return self.start <= day <= self.end

    def halves(self, day: dt.date) -> tuple[str, ...]:
        """The halves of `day` the person is away: both inside the absence, one on a day it
        begins or ends at noon, none outside it."""
        if not self.covers(day):
            return ()
        return tuple(h for h in HALVES if not (h == "am" and day == self.start and self.start_half == "pm")
                     and not (h == "pm" and day == self.end and self.end_half == "am"))

    @property
    def partial_days(self) -> tuple[dt.date, ...]:
        """The days this absence takes only half of."""
        return tuple(sorted({d for d, half in ((self.start, self.start_half == "pm"), (self.end, self.end_half == "am"))
                             if half}))

    def value_problems(self) -> list[tuple[str, str]]:
        """(field, what is wrong) of each value no store takes: a date out of range, a reason or a
        half not among the words for them."""
        out = [(key, problem) for key, day in (("start", self.start), ("end", self.end))
               if (problem := limits.date_problem(day))]
        if self.reason not in ABSENCE_REASONS:
            out.append(("reason", f"must be one of {', '.join(ABSENCE_REASONS)}, not {limits.short(self.reason)}"))
        return out + [(key, f"must be one of {', '.join(HALVES)}, not {limits.short(str(half))}")
                      for key, half in (("start_half", self.start_half), ("end_half", self.end_half))
                      if half not in (None, *HALVES)]

    def problem(self) -> tuple[str, str] | None:
        """(field, what is wrong) when its end is before its start, halves counted."""
        if self.end < self.start:
            return "end", f"ends ({self.end}) before it starts ({self.start})"
        if self.end == self.start and not self.halves(self.start):
            return "end_half", f"begins at noon and ends at noon on the same day ({self.start})"
        return None


#: How the power list changes (权责清单动态调整): a power added, cancelled, devolved to a lower
#: level, or changed (its name, basis, section or processes).
POWER_CHANGES = ("added", "cancelled", "devolved", "changed")


@dataclass(frozen=True)
class PowerChange:
    """One change to the power list, by the document that made it (文件依据) and its date. A
    cancelled or devolved power leaves the current list; the change keeps what it was. Where the
    department's changes are reviewed it waits for the office or the department's leader (never
    its author) before it is made. Kept in the database only (not in workbook files), by id."""

    id: int
    power: str
    name: str               # the power's name when the change was made
    kind: str               # one of POWER_CHANGES
    document: str
    date: dt.date
    note: str = ""
    recorded_by: str = ""
    #: One of CHANGE_STATES: a change waiting for review leaves the list as it was.
    state: str = "approved"
    decider: str | None = None
    decision: str | None = None   # the reviewer's note


#: A proposed change's states: waiting for a decision, sent back to its author, made.
CHANGE_STATES = ("submitted", "returned", "approved")


@dataclass(frozen=True)
class MatterChange:
    """A change to a matter done once, as proposed: the matter as it would be, and as it stood
    when the change was made (None: a new matter). It goes live when the leader in charge of the
    lead department (or the office) approves it, never its author; kept in the database only."""

    id: int
    proposed: Matter
    base: Matter | None
    author: str
    submitted_at: dt.datetime
    state: str = "submitted"
    decider: str | None = None
    decided_at: dt.datetime | None = None
    note: str | None = None


@dataclass(frozen=True)
class StandIn:
    """A named stand-in (指定代岗): `standin` acts for the absent `person` from `start` to `end`, on
    the steps listed (`PROCESS:STEP`) or, with none listed, on every step `person` holds as A.
    Only once the named person has accepted does it change who acts; kept in the database only
    (not in workbook files), by id."""

    id: int
    person: str
    standin: str
    start: dt.date
    end: dt.date
    steps: tuple[str, ...] = ()
    state: str = "asked"  # waiting for the named person's answer, or "accepted", or "declined"
    named_by: str = ""

    def covers(self, process: str | None, step: str, day: dt.date) -> bool:
        """Whether it is agreed and applies to this step of `person`'s on this day."""
        return self.state == "accepted" and self.start <= day <= self.end and \
            (not self.steps or f"{process}:{step}" in self.steps)


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date = field(metadata=declare("date"))
    workday: bool = field(metadata=declare("flag"))
    note: str | None = field(default=None, metadata=declare("text"))


@dataclass(frozen=True)
class Workbook:
    departments: tuple[Department, ...] = ()
    people: tuple[Person, ...] = ()
    processes: tuple[Process, ...] = ()
    absences: tuple[Absence, ...] = ()
    calendar: tuple[CalendarDay, ...] = ()
    powers: tuple[Power, ...] = ()
    matters: tuple[Matter, ...] = ()
    version: int = 1
    #: Stored values that could not be read back, each named (process, step, field): left at their
    #: defaults so everything else works, and shown to the office to repair.
    damaged: tuple[str, ...] = field(default=(), compare=False)
    #: Years whose published schedule the office loaded (their calendar is official); kept in
    #: the database, not in workbook files.
    official_years: tuple[int, ...] = field(default=(), compare=False)
    #: Named stand-ins (kept in the database, not in workbook files).
    standins: tuple[StandIn, ...] = field(default=(), compare=False)

    # Look-ups built once per data set (frozen dataclasses allow cached_property to fill __dict__).

    @cached_property
    def person_by_id(self) -> dict[str, Person]:
        return {p.id: p for p in self.people}

    @cached_property
    def process_by_id(self) -> dict[str, Process]:
        return {p.id: p for p in self.processes}

    @cached_property
    def section_by_id(self) -> dict[str, Section]:
        return {s.id: s for d in self.departments for s in d.sections}

    @cached_property
    def matter_by_id(self) -> dict[str, Matter]:
        return {m.id: m for m in self.matters}

    @cached_property
    def department_by_id(self) -> dict[str, Department]:
        return {d.id: d for d in self.departments}

    @cached_property
    def namesakes(self) -> dict[str, int]:
        """How many people bear each name: two 叶斌 are told apart by their section."""
        counted: dict[str, int] = {}
        for p in self.people:
            counted[p.name] = counted.get(p.name, 0) + 1
        return counted

    def department_of_person(self, person_id: str) -> str | None:
        """The department of a person's section; None for someone the data lacks."""
        p = self.person_by_id.get(person_id)
        return self.department_of_section.get(p.section) if p else None

    def department_name(self, department_id: str | None) -> str:
        """A department's name; its id for one the data lacks, — for none."""
        d = self.department_by_id.get(department_id or "")
        return d.name if d else (department_id or "—")

    def section_names(self, section_id: str) -> tuple[str, str]:
        """A section's name and its department's (every department has a 综合科); the id for a
        section the data lacks."""
        sec = self.section_by_id.get(section_id)
        dept = self.department_by_id.get(self.department_of_section.get(section_id, ""))
        return (sec.name if sec else section_id), (dept.name if dept else "")

    @cached_property
    def department_of_section(self) -> dict[str, str]:
        return {s.id: d.id for d in self.departments for s in d.sections}

    @cached_property
    def sections_of_department(self) -> dict[str, tuple[str, ...]]:
        return {d.id: tuple(s.id for s in d.sections) for d in self.departments}

    @cached_property
    def processes_by_section(self) -> dict[str, list[Process]]:
        return _by_section(self.processes)

    @cached_property
    def sections_with_deputy(self) -> frozenset[str]:
        return frozenset(p.section for p in self.people if p.post == "deputy")

    @cached_property
    def people_by_section(self) -> dict[str, list[Person]]:
        return _by_section(self.people)

    def department_of(self, process: Process) -> str:
        return self.department_of_section[process.section]


_S = TypeVar("_S", Person, Process)


def _by_section(items: tuple[_S, ...]) -> dict[str, list[_S]]:
    out: dict[str, list[_S]] = {}
    for x in items:
        out.setdefault(x.section, []).append(x)
    return out


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


@dataclass
class Incoming:
    """A workbook as an import takes it in: its organisation at once, its processes one at a time
    (a province's do not fit in memory together, read whole), and what follows them once they are
    through. `rest` gives the whole workbook but its processes, or raises `BadInput` with every
    problem found, in the processes too: it is asked last, before anything is kept."""

    head: Workbook
    processes: Iterator[Process]
    rest: Callable[[], Workbook]

    @classmethod
    def whole(cls, wb: Workbook) -> Incoming:
        """A workbook already in memory, checked."""
        organisation = replace(wb, processes=())
        return cls(organisation, iter(wb.processes), lambda: organisation)


@dataclass(frozen=True)
class HandoverStep:
    process: str
    step: str
    name: str                # "process · step", as the people concerned know it
    acting: tuple[str, ...]  # who acts on it over the absence, in the order they start


@dataclass(frozen=True)
class Due:
    """An absence that needs a handover."""

    person: str
    start: dt.date
    end: dt.date
    steps: tuple[HandoverStep, ...]


#: Each entity's declared fields, in order: what the reader, the writer, the sheets and the store
#: derive from (a department's nested lists are no fields of its own).
FIELDS: dict[type, tuple[FieldSpec, ...]] = {cls: declared(cls) for cls in (
    Department, SectionBefore, Section, Function, Exemption, Person, Absence, CalendarDay, Power, Matter)}


@dataclass(frozen=True)
class Approval:
    """The approval on record of a live version (roles.actions.review): who approved it (their
    name where their account has a person), when, and the live revision it made. The print pack's
    title block and the published site show it."""

    approver: str
    decided: dt.datetime
    on: dt.date           # the office's day of `decided`
    revision: int | None


@dataclass(frozen=True)
class FilingChange:
    """A step whose A and B differ from a section's last AB filing: (A, B) then and now, (None,
    None) where the step was not there."""

    process: str
    step: str
    was: tuple[str | None, str | None]
    now: tuple[str | None, str | None]


@dataclass(frozen=True)
class FiledList:
    """A section's last AB filing as the published site shows it: the office's day it was filed,
    by whom, and what it changed of the filing before (every step, for a first filing)."""

    filed: dt.date
    by: str
    changes: tuple[FilingChange, ...]
    first: bool = False   # the section's first filing: nothing before it to change
