"""The weekly digest (issue 17): to each section head, their section's next ten workdays (gaps,
steps gone up to a head or deputy), its steps with a weak A/B pair (A the same as B, or one
holder), and its open handovers; to the reform office, the same counted per department, with
the gaps listed. Plain text in the words the UI layer passes in, sent through the daily notices'
channels; its dispatch day is the week's Monday, so each recipient gets it once a week whoever
sends it and however often.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from roles.engines.calendar import WorkCalendar
from roles.engines.roster import StepDay, calendar_of, gaps
from roles.engines.load import PersonSummary, daily_load, summary
from roles.model import Workbook
from roles.notify.notices import Notice, NoticeKind, in_language
from roles.storage.handovers import Handover

#: Workdays ahead the digest looks at.
AHEAD = 10
#: Lines of one kind a digest lists before it says how many more there are.
MAX_LINES = 15
#: Dispatch kinds: a head's digest, and the office's (one person may be both).
KIND: NoticeKind = "digest"
OFFICE_KIND: NoticeKind = "digest-office"


@dataclass(frozen=True)
class DigestWords:
    title: str          # {section} {start} {end}
    office_title: str   # {start} {end}
    gaps: str           # {n}
    gap: str            # {date} {step} {a} {b}
    ups: str            # {n}
    up: str             # {date} {step} {who}
    weak: str           # {n}
    same: str           # {step} {who}: A and B are the same person
    single: str         # {step}: one holder, or none
    handovers: str      # {n}
    handover: str       # {who} {start} {end} {state}
    department: str     # {department} {gaps} {ups} {weak} {handovers}
    state_open: str
    state_reported: str
    none: str           # nothing to report
    more: str           # {n}
    nobody: str
    reviews: str        # {n}
    overloaded: str     # {n}: people over 120 % on some day
    overload: str       # {who} {days} {peak} {date} {cover}

    @classmethod
    def of(cls, language: str) -> DigestWords:
        return cls(**in_language(DIGEST_WORDS, language))


#: The digest's words, Chinese and English.
DIGEST_WORDS: dict[str, tuple[str, str]] = {
    "title": ("{section} 周报：{start} 至 {end}", "{section} weekly: {start} to {end}"),
    "office_title": ("AB角周报（全市）：{start} 至 {end}", "A/B weekly (city): {start} to {end}"),
    "gaps": ("空缺 {n} 处（无人办理）：", "{n} gap(s), nobody to act:"),
    "gap": ("{date} {step}（主办 {a}、备岗 {b}）", "{date} {step} (A {a}, B {b})"),
    "ups": ("上报代行 {n} 处：", "{n} step-day(s) gone up to a head or deputy:"),
    "up": ("{date} {step}：由 {who} 代行", "{date} {step}: {who} acts"),
    "weak": ("AB角设置薄弱的环节 {n} 个：", "{n} step(s) with a weak A/B pair:"),
    "same": ("{step}：主办与备岗同为 {who}", "{step}: A and B are both {who}"),
    "single": ("{step}：只有一名办理人", "{step}: one holder only"),
    "handovers": ("未完成的交接单 {n} 份：", "{n} handover(s) not yet confirmed:"),
    "handover": ("{who} {start} 至 {end}（{state}）", "{who} {start} to {end} ({state})"),
    "department": ("{department}：空缺 {gaps}，上报代行 {ups}，薄弱环节 {weak}，未完成交接单 {handovers}",
        "{department}: {gaps} gap(s), {ups} gone up, {weak} weak step(s), {handovers} open handover(s)"),
    "state_open": ("待报告", "open"),
    "state_reported": ("待确认", "reported"),
    "none": ("未来十个工作日没有需要关注的事项。", "Nothing needs attention in the next ten workdays."),
    "more": ("……另有 {n} 项", "… and {n} more"),
    "nobody": ("无人", "nobody"),
    "reviews": ("待您审核的修改 {n} 项（见“审核”页）", "{n} change(s) wait for your review (the Review page)"),
    "overloaded": ("负荷超过 120% 的人员 {n} 名：", "{n} person(s) over 120 % on some day:"),
    "overload": ("{who}：{days} 天超过 120%，峰值 {peak}（{date}），其中代岗占 {cover}",
                 "{who}: {days} day(s) over 120 %, peak {peak} ({date}), {cover} of it cover"),
}


def week_of(day: dt.date) -> dt.date:
    """The Monday of `day`'s week: the digest's dispatch day."""
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class _Weak:
    section: str
    label: str
    holder: str | None
    same: bool


def _weak_steps(wb: Workbook) -> list[_Weak]:
    out = []
    for p in wb.processes:
        for s in p.after.work_steps if p.after else ():
            if s.a and s.a == s.b:
                out.append(_Weak(p.section, f"{p.name} · {s.label}", s.a, True))
            elif not (s.a and s.b):
                out.append(_Weak(p.section, f"{p.name} · {s.label}", s.a or s.b, False))
    return out


def _block(heading: str, lines: list[str], words: DigestWords) -> list[str]:
    """A counted heading and its first MAX_LINES lines (and how many more); nothing for no lines."""
    if not lines:
        return []
    extra = len(lines) - MAX_LINES
    return [heading.format(n=len(lines))] + [f"  {x}" for x in lines[:MAX_LINES]] + \
        ([f"  {words.more.format(n=extra)}"] if extra > 0 else [])


def compose_digest(wb: Workbook, day: dt.date, words: DigestWords, handovers: Iterable[Handover],
                   office: Iterable[str], recipients: set[str] | None = None,
                   calendar: WorkCalendar | None = None, reviews_waiting: Mapping[str, int] | None = None
                   ) -> list[Notice]:
    """The digests of `day`'s week to each section head and each person of `office`, those of
    `recipients` only when given; a reviewer's says how many changes wait for them."""
    waiting = reviews_waiting or {}
    said = lambda pid: [words.reviews.format(n=waiting[pid])] if waiting.get(pid) else []  # noqa: E731
    cal = calendar or calendar_of(wb)
    days = cal.next_workdays(day, AHEAD)
    if not days:
        return []
    start, end = days[0], days[-1]
    name = lambda pid: wb.person_by_id[pid].name if pid in wb.person_by_id else (pid or words.nobody)  # noqa: E731
    label = lambda d: f"{d.process_name} · {d.step_name}"  # noqa: E731
    found = gaps(wb, start, end, suggest=False, statuses=("up", "gap"))
    over = [x for x in summary(wb, daily_load(wb, start, end, calendar=cal))[0] if x.over]
    weak = _weak_steps(wb)
    pending = [h for h in handovers if h.state != "confirmed" and h.person in wb.person_by_id]
    section_of = lambda pid: wb.person_by_id[pid].section  # noqa: E731
    state = {"open": words.state_open, "reported": words.state_reported}

    def holes(steps: list[StepDay]) -> list[str]:
        return _block(words.gaps, [words.gap.format(date=d.date, step=label(d), a=name(d.a), b=name(d.b))
                                   for d in steps if d.status == "gap"], words)

    def heavy(people: list[PersonSummary]) -> list[str]:
        return _block(words.overloaded, [words.overload.format(who=name(x.person), days=x.over, peak=f"{x.peak:.0%}",
                                                               date=x.peak_date, cover=f"{x.cover_share:.0%}")
                                         for x in people], words)

    def body(steps: list[StepDay], weak_here: list[_Weak], handovers_here: list[Handover],
             over_here: list[PersonSummary]) -> list[str]:
        lines = holes(steps) + _block(words.ups, [words.up.format(date=d.date, step=label(d), who=name(d.acting))
                                                  for d in steps if d.status == "up"], words)
        lines += heavy(over_here)
        lines += _block(words.weak, [words.same.format(step=w.label, who=name(w.holder)) if w.same
                                     else words.single.format(step=w.label) for w in weak_here], words)
        lines += _block(words.handovers, [words.handover.format(who=name(h.person), start=h.start, end=h.end,
                                                                state=state[h.state]) for h in handovers_here], words)
        return lines or [words.none]

    week, out = week_of(day), []
    for head in wb.people:
        if head.post != "head" or (recipients is not None and head.id not in recipients):
            continue
        sec = head.section
        title = words.title.format(section=wb.section_by_id[sec].name if sec in wb.section_by_id else sec,
                                   start=start, end=end)
        out.append(Notice(week, KIND, head.id, title, "\n".join(said(head.id) + body(
            [d for d in found if d.section == sec], [w for w in weak if w.section == sec],
            [h for h in pending if section_of(h.person) == sec],
            [x for x in over if x.person in wb.person_by_id and section_of(x.person) == sec]))))
    readers = [p for p in dict.fromkeys(office) if recipients is None or p in recipients]
    if readers:
        lines = []
        for dept in wb.departments:
            secs = {s.id for s in dept.sections}
            here = [d for d in found if d.section in secs]
            lines.append(words.department.format(
                department=dept.name, gaps=sum(d.status == "gap" for d in here),
                ups=sum(d.status == "up" for d in here), weak=sum(w.section in secs for w in weak),
                handovers=sum(section_of(h.person) in secs for h in pending)))
        text = "\n".join(lines + holes(found) + heavy(over))
        out += [Notice(week, OFFICE_KIND, pid, words.office_title.format(start=start, end=end),
                       "\n".join(said(pid) + [text])) for pid in readers]
    return out
