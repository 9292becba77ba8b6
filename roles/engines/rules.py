"""The reform rules of the workbook spec, checked on a whole workbook.

Each rule is a function of the workbook and the settings that yields findings, registered under
its id with `@rule`; `check` runs them all. A new rule is one such function here, its messages in
`Finding.CATALOG` and its name in ui/i18n.py (`rule.<id>`). The thresholds are settings with the
guidance's values as defaults, because the guidance allows exceptions (small departments, special
units).
"""
from __future__ import annotations

from typing import Literal

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from fractions import Fraction

from flows.model import VERSIONS, Version
from flows.timelimits import Route, longest_route
from flows.wording import Worded, values

from roles.model import POST_ZH, Workbook
from roles.engines.leaders import leaders_away
from roles.engines.pairing import pairing_issues, processes_of, section_steps

Check = Callable[[Workbook, "Settings"], Iterator["Finding"]]
#: Rule id → its check, in the order findings are listed.
CHECKS: dict[str, Check] = {}


def rule(rule_id: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        CHECKS[rule_id] = fn
        return fn
    return register


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
class Finding(Worded):
    rule: str
    severity: Literal["error", "warning"]
    subject: str
    key: str
    params: tuple[tuple[str, object], ...] = ()
    #: The recorded exemption's reason when the department is exempted from this rule here.
    exemption: str | None = None

    CATALOG = {
        "reduction-unknown": ("{dept}：未记录改革前的科室，无法计算精简比例",
                              "{dept}: no sections before the reform are recorded, so the reduction cannot be told"),
        "reduction-low": ("{dept}：科室由 {before} 个减为 {after} 个，精简 {ratio}；改革要求原则上不低于 {min}",
                          "{dept}: {before} sections became {after}, a reduction of {ratio}; "
                          "the reform asks for at least {min} in principle"),
        "size-0": ("{section} 没有人员；大科室应有 {min}–{max} 人",
                   "{section} has 0 people: a section with no one; a big section needs {min} to {max}"),
        "size-1": ("{section} 只有 1 人，是一人科；大科室应有 {min}–{max} 人",
                   "{section} has 1 people: a one-person section (一人科); a big section needs {min} to {max}"),
        "size-2": ("{section} 只有 2 人，是两人科；大科室应有 {min}–{max} 人",
                   "{section} has 2 people: a two-person section (两人科); a big section needs {min} to {max}"),
        "size-large": ("{section} 有 {n} 人，超过大科室应有的 {max} 人",
                       "{section} has {n} people, more than the {max} a big section should have"),
        "leader-posts": ("{section} 核定编制 {staffing} 名，设领导职数 {posts} 名；按配备表只能设 {allowed} 名"
                         "（4 名→1，5–7 名→2，8 名及以上→3）",
                         "{section} has {posts} leader posts for a staffing of {staffing}; "
                         "the table allows {allowed} (4 → 1, 5–7 → 2, 8 or more → 3)"),
        "comprehensive-share": ("{dept}：{total} 个科室中有 {comp} 个综合科室（{share}），不应超过 {max}",
                                "{dept}: {comp} of {total} sections are comprehensive ({share}); "
                                "at most {max} should be"),
        "duty-none": ("{dept}：职责“{duty}”未划入任何科室；每项职责都要有承担科室",
                      "{dept}: duty '{duty}' is assigned to no section; every duty needs one"),
        "duty-overlap": ("{dept}：职责“{duty}”分在 {n} 个科室（{where}），职责交叉",
                         "{dept}: duty '{duty}' sits in {n} sections ({where}): an overlap"),
        "approvals-spread": ("{dept}：审批职责分在 {n} 个科室（{where}）；改革要求审批职责集中到一个科室",
                             "{dept}: approval duties sit in {n} sections ({where}); the reform gathers them in one"),
        "pairing-posts": ("{process}，环节 {step}（{label}）：{a}（{a_post}）由 {b}（{b_post}）备岗；"
                          "应为负责人与副职互为AB角、副职与工作人员互为AB角",
                          "{process}, step {step} ({label}): {a} ({a_post}) is backed by {b} ({b_post}); "
                          "the head and a deputy back each other, and deputies back staff"),
        "pairing-one-way": ("{b} 为 {a} 备岗，但 {a} 没有为 {b} 备岗；AB角应当互为备岗",
                            "{b} backs {a} but is backed by {a} nowhere; A/B roles should be mutual (互为AB角)"),
        "holders-no-a": ("{process}，环节 {step}（{label}）没有主办（A角）", "{process}, step {step} ({label}) has no A holder"),
        "holders-no-b": ("{process}，环节 {step}（{label}）没有备岗（B角）", "{process}, step {step} ({label}) has no B holder"),
        "holders-none": ("{process}，环节 {step}（{label}）没有主办，也没有备岗",
                         "{process}, step {step} ({label}) has no A holder and no B holder"),
        "holders-same": ("{process}，环节 {step}（{label}）：主办和备岗是同一人（{person}）",
                         "{process}, step {step} ({label}): A and B are the same person ({person})"),
        "promised-over-legal": ("{process}（{version}）：承诺时限 {promised} 个工作日超过法定时限 {legal} 个工作日",
                                "{process} ({version}): the promised limit of {promised} workdays is over the "
                                "legal limit of {legal}"),
        "path-over-promised": ("{process}（{version}）：最长办理路径 {path} 个工作日（{route}），超过承诺时限 {promised} 个工作日",
                               "{process} ({version}): its longest path takes {path} workdays ({route}), over the "
                               "promised limit of {promised}"),
        "instant-not-same-day": ("{process}（{version}）：即办件的办理路径要 {path} 个工作日（{route}），应当日办结",
                                 "{process} ({version}): an instant matter whose path takes {path} workdays ({route}); "
                                 "it must be done the same day"),
        "leaders-away": ("{date}：{head}（负责人）与 {deputy}（副职）互为AB角，同日不在岗；至少一人应在岗",
                         "{date}: {head} (head) and {deputy} (deputy), A and B of each other, are both away; "
                         "one of them should be in"),
        "standin-authority": ("{person} 离岗期间指定 {standin}（{post}）代岗，其中审批环节 {steps} 应由负责人或副职代行",
                              "{standin} ({post}), named to stand in for {person}, would act on the approval step(s) "
                              "{steps}, which a head or deputy should"),
        "holders-other-department": ("{process}，环节 {step}（{label}）：{role}角 {person} 属于其他部门",
                                     "{process}, step {step} ({label}): {role} holder {person} is of another department"),
    }

    @property
    def blocking(self) -> bool:
        """An error nobody has exempted: what makes `check` fail."""
        return self.severity == "error" and self.exemption is None


def _pct(x: Fraction | float) -> str:
    return f"{float(x):.1%}"


@rule("reduction-ratio")
def reduction_ratio(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    for d in wb.departments:
        before, after = len(d.sections_before), len(d.sections)
        if not before:
            yield Finding("reduction-ratio", "warning", d.id, "reduction-unknown", values(dept=d.name))
            continue
        ratio = Fraction(before - after, before)
        if ratio < cfg.min_reduction:
            yield Finding("reduction-ratio", "warning", d.id, "reduction-low",
                          values(dept=d.name, before=before, after=after, ratio=_pct(ratio), min=_pct(cfg.min_reduction)))


@rule("section-size")
def section_size(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    for d in wb.departments:
        for s in d.sections:
            n = len(wb.people_by_section.get(s.id, []))
            if n < cfg.min_size:
                yield Finding("section-size", "error", s.id, f"size-{min(n, 2)}",
                              values(section=s.name, n=n, min=cfg.min_size, max=cfg.max_size))
            elif n > cfg.max_size:
                yield Finding("section-size", "warning", s.id, "size-large", values(section=s.name, n=n, max=cfg.max_size))


@rule("leader-posts")
def leader_posts(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    for d in wb.departments:
        for s in d.sections:
            if s.leader_posts is None or s.staffing is None:
                continue
            allowed = cfg.leader_posts_for(s.staffing)
            if s.leader_posts > allowed:
                yield Finding("leader-posts", "error", s.id, "leader-posts",
                              values(section=s.name, posts=s.leader_posts, staffing=s.staffing, allowed=allowed))


@rule("comprehensive-share")
def comprehensive_share(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    for d in wb.departments:
        if not d.sections:
            continue
        comp = sum(s.kind == "comprehensive" for s in d.sections)
        share = Fraction(comp, len(d.sections))
        if share > cfg.max_comprehensive_share:
            yield Finding("comprehensive-share", "warning", d.id, "comprehensive-share",
                          values(dept=d.name, comp=comp, total=len(d.sections), share=_pct(share),
                                 max=_pct(cfg.max_comprehensive_share)))


@rule("function-coverage")
def function_coverage(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    for d in wb.departments:
        holders = Counter(f for s in d.sections for f in set(s.functions))
        for f in d.functions:
            if holders[f.id] == 0:
                yield Finding("function-coverage", "error", f.id, "duty-none", values(dept=d.name, duty=f.name))
            elif holders[f.id] > 1:
                where = ", ".join(s.name for s in d.sections if f.id in s.functions)
                yield Finding("function-coverage", "warning", f.id, "duty-overlap",
                              values(dept=d.name, duty=f.name, n=holders[f.id], where=where))


@rule("approval-concentration")
def approval_concentration(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    for d in wb.departments:
        approvals = {f.id for f in d.functions if f.approval}
        sections = [s for s in d.sections if approvals & set(s.functions)]
        if len(sections) > 1:
            yield Finding("approval-concentration", "warning", d.id, "approvals-spread",
                          values(dept=d.name, n=len(sections), where=", ".join(s.name for s in sections)))


@rule("ab-pairing")
def ab_pairing(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    person = wb.person_by_id
    name = lambda pid: person[pid].name if pid in person else pid  # noqa: E731
    for d in wb.departments:
        steps = [x for s in d.sections for x in section_steps(processes_of(wb, s.id))]
        for issue in pairing_issues(steps, person, wb.sections_with_deputy):
            proc = wb.process_by_id.get(issue.process or "")
            if issue.kind == "posts" and proc is not None and proc.after is not None:
                step = proc.after.step(issue.step or "")
                a_post, b_post = person[issue.a].post, person[issue.b].post
                yield Finding("ab-pairing", "warning", issue.subject, "pairing-posts",
                              values(process=proc.name, step=step.id, label=step.label, a=name(issue.a), a_post=a_post,
                                     a_post_zh=POST_ZH.get(a_post, a_post), b=name(issue.b), b_post=b_post,
                                     b_post_zh=POST_ZH.get(b_post, b_post)))
            else:
                yield Finding("ab-pairing", "warning", issue.subject, "pairing-one-way",
                              values(a=name(issue.a), b=name(issue.b)))


@rule("step-holders")
def step_holders(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    for p in wb.processes:
        if p.after is None:
            continue
        dept = wb.department_of_section.get(p.section)
        for s in p.after.work_steps:
            subject = f"{p.id}/{s.id}"
            where = values(process=p.name, step=s.id, label=s.label)
            missing = [k for k in ("a", "b") if not getattr(s, k)]
            if missing:
                yield Finding("step-holders", "error", subject,
                              "holders-none" if len(missing) == 2 else f"holders-no-{missing[0]}", where)
            elif s.a == s.b:
                yield Finding("step-holders", "error", subject, "holders-same", where + values(person=s.a))
            for k in ("a", "b"):
                h = getattr(s, k)
                if h and h in wb.person_by_id and wb.department_of_section.get(wb.person_by_id[h].section) != dept:
                    yield Finding("step-holders", "error", subject, "holders-other-department",
                                  where + values(role=k.upper(), person=h))


VERSION_ZH = {"before": "改革前", "after": "改革后"}


def _timed(wb: Workbook) -> Iterator[tuple[str, str, Version, tuple[tuple[str, object], ...]]]:
    """(subject, version name, version, wording) of every version of every process."""
    for p in wb.processes:
        for which in VERSIONS:
            v = p.version(which)
            if v is not None:
                yield f"{p.id}/{which}", which, v, values(process=p.name, version=which, version_zh=VERSION_ZH[which])


def _days(x: float) -> str:
    return f"{x:g}"


def _route(v: Version, route: Route) -> str:
    named = [v.step(sid) for sid in route.steps]
    return " → ".join(s.label for s in named if s.is_work)


@rule("promised-within-legal")
def promised_within_legal(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    for subject, _, v, where in _timed(wb):
        if v.promised_days is not None and v.legal_days is not None and v.promised_days > v.legal_days:
            yield Finding("promised-within-legal", "error", subject, "promised-over-legal",
                          where + values(promised=v.promised_days, legal=v.legal_days))


@rule("path-within-promised")
def path_within_promised(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    for subject, _, v, where in _timed(wb):
        if v.promised_days is None:
            continue
        route = longest_route(v)
        if route.days > v.promised_days + 1e-9:
            yield Finding("path-within-promised", "error", subject, "path-over-promised",
                          where + values(path=_days(route.days), promised=v.promised_days, route=_route(v, route)))


@rule("instant-same-day")
def instant_same_day(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    for subject, _, v, where in _timed(wb):
        if v.kind != "instant":
            continue
        route = longest_route(v)
        if route.days > 1 + 1e-9:
            yield Finding("instant-same-day", "error", subject, "instant-not-same-day",
                          where + values(path=_days(route.days), route=_route(v, route)))


@rule("leaders-apart")
def leaders_apart(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    name = lambda pid: wb.person_by_id[pid].name if pid in wb.person_by_id else pid  # noqa: E731
    for x in leaders_away(wb):
        yield Finding("leaders-apart", "error", f"{x.head}/{x.deputy}", "leaders-away",
                      values(date=x.date.isoformat(), head=name(x.head), deputy=name(x.deputy)))


@rule("standin-authority")
def standin_authority(wb: Workbook, cfg: Settings) -> Iterator[Finding]:
    """A named stand-in (asked or accepted) who is staff, on a step that needs approval authority."""
    person = wb.person_by_id
    for x in wb.standins:
        if x.state == "declined" or x.standin not in person or person[x.standin].post in ("head", "deputy"):
            continue
        approvals = [f"{p.name} · {s.label}" for p in wb.processes if p.after for s in p.after.work_steps
                     if s.a == x.person and s.kind == "approval" and (not x.steps or f"{p.id}:{s.id}" in x.steps)]
        if approvals:
            post = person[x.standin].post
            yield Finding("standin-authority", "warning", f"{x.person}/{x.standin}", "standin-authority",
                          values(person=person[x.person].name if x.person in person else x.person,
                                 standin=person[x.standin].name, post=post, post_zh=POST_ZH.get(post, post),
                                 steps="、".join(approvals)))


#: Every rule id, in the order the checks are listed.
RULES = tuple(CHECKS)


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
    return wb.department_of_person(head)


def check(wb: Workbook, cfg: Settings | None = None, rules: tuple[str, ...] = RULES) -> list[Finding]:
    """Every finding of the rules asked for; those a department is exempted from carry the reason."""
    cfg = cfg or Settings()
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
