"""The reform rules of the workbook spec, checked on a whole workbook.

Each rule is a function of the workbook and the settings that yields findings; `check` runs them
all. The thresholds are settings with the guidance's values as defaults, because the guidance
allows exceptions (small departments, special units).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction

from .model import Workbook
from .pairing import pairing_issues, processes_of, section_steps

RULES = ("reduction-ratio", "section-size", "leader-posts", "comprehensive-share", "function-coverage",
         "approval-concentration", "ab-pairing", "step-holders")


@dataclass(frozen=True)
class Settings:
    min_reduction: Fraction = Fraction(30, 100)
    min_size: int = 3
    max_size: int = 9
    max_comprehensive_share: Fraction = Fraction(1, 3)
    #: (lowest staffing, leader posts allowed) from the guidance: 4 → 1, 5–7 → 2, 8 or more → 3
    leader_table: tuple[tuple[int, int], ...] = ((0, 1), (5, 2), (8, 3))

    def leader_posts_for(self, staffing: int) -> int:
        return max(posts for lowest, posts in self.leader_table if staffing >= lowest)


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # "error" | "warning"
    subject: str
    message: str
    #: The recorded exemption's reason when the department is exempted from this rule here.
    exemption: str | None = None

    @property
    def blocking(self) -> bool:
        """An error nobody has exempted: what makes `check` fail."""
        return self.severity == "error" and self.exemption is None


def _pct(x: Fraction | float) -> str:
    return f"{float(x):.1%}"


def reduction_ratio(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    for d in wb.departments:
        before, after = len(d.sections_before), len(d.sections)
        if not before:
            yield Finding("reduction-ratio", "warning", d.id,
                          f"{d.name}: no sections before the reform are recorded, so the reduction cannot be told")
            continue
        ratio = Fraction(before - after, before)
        if ratio < cfg.min_reduction:
            yield Finding("reduction-ratio", "warning", d.id,
                          f"{d.name}: {before} sections became {after}, a reduction of {_pct(ratio)}; "
                          f"the reform asks for at least {_pct(cfg.min_reduction)} in principle")


def section_size(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    for d in wb.departments:
        for s in d.sections:
            n = len(wb.people_by_section.get(s.id, []))
            if n < cfg.min_size:
                kind = {1: "a one-person section (一人科)", 2: "a two-person section (两人科)"}.get(n, "a section with no one")
                yield Finding("section-size", "error", s.id,
                              f"{s.name} has {n} people: {kind}; a big section needs {cfg.min_size} to {cfg.max_size}")
            elif n > cfg.max_size:
                yield Finding("section-size", "warning", s.id,
                              f"{s.name} has {n} people, more than the {cfg.max_size} a big section should have")


def leader_posts(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    for d in wb.departments:
        for s in d.sections:
            if s.leader_posts is None or s.staffing is None:
                continue
            allowed = cfg.leader_posts_for(s.staffing)
            if s.leader_posts > allowed:
                yield Finding("leader-posts", "error", s.id,
                              f"{s.name} has {s.leader_posts} leader posts for a staffing of {s.staffing}; "
                              f"the table allows {allowed} (4 → 1, 5–7 → 2, 8 or more → 3)")


def comprehensive_share(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    for d in wb.departments:
        if not d.sections:
            continue
        comp = sum(s.kind == "comprehensive" for s in d.sections)
        share = Fraction(comp, len(d.sections))
        if share > cfg.max_comprehensive_share:
            yield Finding("comprehensive-share", "warning", d.id,
                          f"{d.name}: {comp} of {len(d.sections)} sections are comprehensive ({_pct(share)}); "
                          f"at most {_pct(cfg.max_comprehensive_share)} should be")


def function_coverage(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    for d in wb.departments:
        holders = Counter(f for s in d.sections for f in set(s.functions))
        for f in d.functions:
            if holders[f.id] == 0:
                yield Finding("function-coverage", "error", f.id,
                              f"{d.name}: duty '{f.name}' is assigned to no section; every duty needs one")
            elif holders[f.id] > 1:
                where = ", ".join(s.name for s in d.sections if f.id in s.functions)
                yield Finding("function-coverage", "warning", f.id,
                              f"{d.name}: duty '{f.name}' sits in {holders[f.id]} sections ({where}): an overlap")


def approval_concentration(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    for d in wb.departments:
        approvals = {f.id for f in d.functions if f.approval}
        sections = [s for s in d.sections if approvals & set(s.functions)]
        if len(sections) > 1:
            yield Finding("approval-concentration", "warning", d.id,
                          f"{d.name}: approval duties sit in {len(sections)} sections "
                          f"({', '.join(s.name for s in sections)}); the reform gathers them in one")


def ab_pairing(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    person = wb.person_by_id
    name = lambda pid: person[pid].name if pid in person else pid  # noqa: E731
    for d in wb.departments:
        steps = [x for s in d.sections for x in section_steps(processes_of(wb, s.id))]
        for issue in pairing_issues(steps, person):
            if issue.kind == "posts":
                proc = wb.process_by_id[issue.process]
                step = proc.after.step(issue.step)
                yield Finding("ab-pairing", "warning", issue.subject,
                              f"{proc.name}, step {step.id} ({step.label}): {name(issue.a)} "
                              f"({person[issue.a].post}) is backed by {name(issue.b)} ({person[issue.b].post}); "
                              "the head and a deputy back each other, and deputies back staff")
            else:
                yield Finding("ab-pairing", "warning", issue.subject,
                              f"{name(issue.b)} backs {name(issue.a)} but is backed by {name(issue.a)} nowhere; "
                              "A/B roles should be mutual (互为AB角)")


def step_holders(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    for p in wb.processes:
        if p.after is None:
            continue
        dept = wb.department_of_section.get(p.section)
        for s in p.after.work_steps:
            subject = f"{p.id}/{s.id}"
            where = f"{p.name}, step {s.id} ({s.label})"
            missing = [k for k in ("a", "b") if not getattr(s, k)]
            if missing:
                yield Finding("step-holders", "error", subject,
                              f"{where} has no {' and no '.join(k.upper() + ' holder' for k in missing)}")
            elif s.a == s.b:
                yield Finding("step-holders", "error", subject, f"{where}: A and B are the same person ({s.a})")
            for k in ("a", "b"):
                h = getattr(s, k)
                if h and h in wb.person_by_id and wb.department_of_section.get(wb.person_by_id[h].section) != dept:
                    yield Finding("step-holders", "error", subject,
                                  f"{where}: {k.upper()} holder {h} is of another department")


CHECKS = {"reduction-ratio": reduction_ratio, "section-size": section_size, "leader-posts": leader_posts,
          "comprehensive-share": comprehensive_share, "function-coverage": function_coverage,
          "approval-concentration": approval_concentration, "ab-pairing": ab_pairing, "step-holders": step_holders}


def department_of_subject(wb: Workbook, subject: str) -> str | None:
    """The department a finding is about: its subject is a department, section, duty, process/step
    or person/person id."""
    depts = {d.id for d in wb.departments}
    if subject in depts:
        return subject
    if subject in wb.department_of_section:
        return wb.department_of_section[subject]
    for d in wb.departments:
        if any(f.id == subject for f in d.functions):
            return d.id
    head = subject.split("/", 1)[0]
    if head in wb.process_by_id:
        return wb.department_of_section.get(wb.process_by_id[head].section)
    if head in wb.person_by_id:
        return wb.department_of_section.get(wb.person_by_id[head].section)
    return None


def check(wb: Workbook, cfg: Settings = Settings(), rules: tuple[str, ...] = RULES) -> list[Finding]:
    """Every finding of the rules asked for; those a department is exempted from carry the reason."""
    exemptions = {d.id: d.exemptions for d in wb.departments if d.exemptions}
    out = []
    for rule in rules:
        for f in CHECKS[rule](wb, cfg):
            if exemptions:
                for e in exemptions.get(department_of_subject(wb, f.subject) or "", ()):
                    if e.rule == f.rule and e.subject in (None, f.subject):
                        f = replace(f, exemption=e.reason)
                        break
            out.append(f)
    return out
