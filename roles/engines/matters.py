"""Matters done once (一件事一次办) across departments: each as it ran before the reform and as it
runs now, with its parts in stages (one after another; the parts of a stage together), its step
count, 四减, serial stages and end-to-end time, and what is wrong with it.

A part's time is its process version's time (its promise, else its longest route). A stage takes
as long as its longest part, and the matter's path is the sum of its stages: what a citizen waits
when every department keeps its promise. The matter's time is its own promise where it gives one,
else that path. Its materials are its own list (asked once for all parts), else the parts' lists
merged, each material once; its trips its own, else the parts' added up.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from flows.metrics import reduction, step_count
from flows.model import Step, Version
from flows.timelimits import time_of
from flows.wording import Worded, values

from roles.engines.stats import plain
from roles.model import Matter, Workbook

#: What a matter's check finds: its rule id and whether it is an error (else a warning).
RULES = {"matter-part-missing": True, "matter-part-unredesigned": True, "matter-within-promised": True,
         "matter-lead-part": False}
#: The four measures of 四减, as for a process (roles.engines.stats.FOUR).
MEASURES = ("steps", "materials", "days", "trips")


@dataclass(frozen=True)
class Part:
    process: str
    name: str
    section: str | None      # None: no process of that id in the data
    department: str | None
    steps: int | None        # its version's step count; None where it has no such version
    days: float | None       # its version's time (promise, else path)


@dataclass(frozen=True)
class MatterRun:
    """A matter as it runs in one version (before or after the reform)."""

    stages: tuple[tuple[Part, ...], ...]
    promised_days: int | None
    materials: tuple[str, ...] | None
    trips: int | None

    @cached_property
    def parts(self) -> tuple[Part, ...]:
        return tuple(p for stage in self.stages for p in stage)

    @property
    def steps(self) -> int | None:
        counts = [p.steps for p in self.parts]
        return sum(c for c in counts if c is not None) if counts and None not in counts else None

    @cached_property
    def _days(self) -> list[list[float]] | None:
        """Each stage's parts' days; None where a part's are unknown."""
        days = [[p.days for p in stage] for stage in self.stages]
        if not days or any(d is None for stage in days for d in stage):
            return None
        return [[d for d in stage if d is not None] for stage in days]

    @property
    def path(self) -> float | None:
        """Workdays end to end when each part takes its time: the longest part of each stage, added up."""
        return None if self._days is None else round(sum(max(stage) for stage in self._days), 4)

    @property
    def serial(self) -> float | None:
        """Workdays were every part done one after another: what running parts together saves."""
        return None if self._days is None else round(sum(sum(stage) for stage in self._days), 4)

    @property
    def days(self) -> float | None:
        return float(self.promised_days) if self.promised_days is not None else self.path

    def measure(self, name: str) -> float | int | None:
        return {"steps": self.steps, "materials": None if self.materials is None else len(self.materials),
                "days": self.days, "trips": self.trips}[name]


@dataclass(frozen=True)
class Finding(Worded):
    rule: str
    key: str
    params: tuple[tuple[str, object], ...] = ()
    process: str | None = None

    CATALOG = {
        "part-missing": ("环节流程 {process} 在数据中不存在", "part {process} names no process in the data"),
        "part-unredesigned": ("环节流程 {name}（{process}）尚无改革后的流程", "part {process} ({name}) has no redesigned version"),
        "beyond-promised": ("各部门按承诺时限办理，全程需 {path} 个工作日，超过承诺的 {promised} 个工作日",
                            "its parts take {path} workdays end to end, beyond its promise of {promised}"),
        "lead-no-part": ("牵头部门 {lead} 不办理其中任何环节", "its lead department {lead} runs none of its parts"),
    }

    @property
    def error(self) -> bool:
        return RULES[self.rule]

    def as_json(self) -> dict:
        return {"rule": self.rule, "error": self.error, "message": self.message, "process": self.process}


@dataclass(frozen=True)
class MatterFigures:
    matter: Matter
    departments: tuple[str, ...]   # the lead first, then those of the parts, in order
    before: MatterRun | None       # None where the matter does not say how it ran before
    after: MatterRun
    findings: tuple[Finding, ...]

    @cached_property
    def four(self) -> dict[str, list]:
        """四减: each measure as [before, after], None where unknown."""
        return {k: [plain(self.before.measure(k)) if self.before else None, plain(self.after.measure(k))]
                for k in MEASURES}

    @cached_property
    def cuts(self) -> dict[str, float | None]:
        return {k: reduction(b, a) for k, (b, a) in self.four.items()}

    @property
    def stage_counts(self) -> list[int | None]:
        """Serial stages [before, after]; None where it does not say how it ran before."""
        return [len(self.before.stages) if self.before else None, len(self.after.stages)]


def drawn(run: MatterRun) -> Version:
    """The matter as a process to draw: a step per part, whose A holder is the part's department
    (so a chart's lanes are the departments), running its part's process (`call`) in its time;
    the parts of a stage between a parallel split and join."""
    firsts = [f"·split·{i}" if len(stage) > 1 else stage[0].process for i, stage in enumerate(run.stages, 1)]
    # ids no process has (a process id is letters, digits, '_', '.' and '-'): a part may be "start"
    start, end = "·start", "·end"
    steps = [Step(start, kind="start", next=(firsts[0] if firsts else end,))]
    for i, (stage, first, then) in enumerate(zip(run.stages, firsts, [*firsts[1:], end], strict=True), 1):
        if len(stage) > 1:
            join = f"·join·{i}"
            steps.append(Step(first, kind="gateway", gateway="parallel", next=tuple(p.process for p in stage)))
            steps += [_drawn_part(p, join) for p in stage]
            steps.append(Step(join, kind="gateway", gateway="parallel", next=(then,)))
        else:
            steps.append(_drawn_part(stage[0], then))
    steps.append(Step(end, kind="end"))
    return Version(tuple(steps), promised_days=run.promised_days, materials=run.materials, trips=run.trips)


def _drawn_part(p: Part, then: str) -> Step:
    return Step(p.process, name=p.name, next=(then,), a=p.department or "?", activity="call", days=p.days)


def figures(wb: Workbook, matter: Matter) -> MatterFigures:
    after = _run(wb, matter, "after")
    before = _run(wb, matter, "before") if matter.before_stages else None
    departments = tuple(dict.fromkeys([matter.lead, *(p.department for run in (after, before) if run
                                                     for p in run.parts if p.department)]))
    return MatterFigures(matter, departments, before, after, tuple(_findings(matter, after, before)))


def all_figures(wb: Workbook) -> list[MatterFigures]:
    return [figures(wb, m) for m in wb.matters]


def _run(wb: Workbook, matter: Matter, which: str) -> MatterRun:
    stages, promised, materials, trips = matter.terms(which)
    parts = tuple(tuple(_part(wb, pid, which) for pid in stage) for stage in stages)
    found = [wb.process_by_id.get(pid) for stage in stages for pid in stage]
    versions = [v for p in found if p is not None and (v := p.version(which)) is not None]
    if len(versions) == len(found):  # every part known: what the matter leaves unsaid, its parts say
        if materials is None and all(v.materials is not None for v in versions):
            materials = tuple(dict.fromkeys(m for v in versions for m in v.materials or ()))
        if trips is None and all(v.trips is not None for v in versions):
            trips = sum(v.trips or 0 for v in versions)
    return MatterRun(parts, promised, materials, trips)


def _part(wb: Workbook, pid: str, which: str) -> Part:
    p = wb.process_by_id.get(pid)
    if p is None:
        return Part(pid, pid, None, None, None, None)
    v = p.version(which)
    return Part(pid, p.name, p.section, wb.department_of_section.get(p.section), step_count(v), time_of(v))


def _findings(matter: Matter, after: MatterRun, before: MatterRun | None):
    for pid in dict.fromkeys(p.process for run in (after, before) if run for p in run.parts if p.section is None):
        yield Finding("matter-part-missing", "part-missing", values(process=pid), pid)
    for p in after.parts:
        if p.section is not None and p.steps is None:
            yield Finding("matter-part-unredesigned", "part-unredesigned", values(process=p.process, name=p.name),
                          p.process)
    if after.promised_days is not None and after.path is not None and after.path > after.promised_days:
        yield Finding("matter-within-promised", "beyond-promised", values(path=f"{after.path:g}",
                                                                          promised=after.promised_days))
    if after.parts and all(p.department not in (None, matter.lead) for p in after.parts):
        yield Finding("matter-lead-part", "lead-no-part", values(lead=matter.lead))
