"""The daily notices: each person's duties for the day, and each section head's gaps for today and
the next workdays. Plain text made from the same engines the app shows, in the words the UI layer
passes in (Chinese or English)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from roles.engines.calendar import WorkCalendar
from roles.engines.person_days import person_days
from roles.model import Workbook
from roles.engines.roster import StepDay, calendar_of, gaps


@dataclass(frozen=True)
class NoticeWords:
    duties_title: str   # {date} {name}
    holds: str          # {n} {steps}
    covers: str         # {step} {who}
    stands_in: str      # {step} {a} {b}
    covered: str        # {step} {who}
    gaps_title: str     # {section} {start} {end} {n}
    gap: str            # {date} {step} {a} {b} {who}
    nobody: str
    estimated: str      # {year}: the year's published schedule is not loaded; workdays are estimated
    review_title: str     # {n}
    review_waiting: str   # {n}
    review_item: str      # {process} {kind} {author} {at}
    review_decided: str   # {n}
    review_approved: str  # {process} {approver} {at}
    review_returned: str  # {process} {approver} {at} {said}
    review_holders: str
    review_process: str
    review_matter: str
    review_comments: str  # {n}
    review_comment: str   # {who} {process} {text}
    standin_asked: str    # {person} {start} {end} {by} {id}
    standin_risk: str     # {person} {start} {end} {by} {state}
    standin_state_asked: str
    standin_state_declined: str
    change_title: str     # {name} {start} {end}
    change_added: str     # {date} {step} {how}
    change_removed: str   # {date} {step}
    change_how_A: str
    change_how_named: str  # {who}
    change_how_B: str      # {who}
    change_how_up: str     # {who}

    @classmethod
    def of(cls, language: str) -> NoticeWords:
        return cls(**in_language(NOTICE_WORDS, language))


def in_language(catalog: dict[str, tuple[str, str]], language: str) -> dict[str, str]:
    """A catalog's (Chinese, English) words in `language` ("en", else Chinese)."""
    return {k: en if language == "en" else zh for k, (zh, en) in catalog.items()}


#: The notices' words, Chinese and English: the scheduler sends them with no UI about.
NOTICE_WORDS: dict[str, tuple[str, str]] = {
    "duties_title": ("{date} 今日工作：{name}", "Your duties on {date}, {name}"),
    "holds": ("主办 {n} 项：{steps}", "A holder of {n}: {steps}"),
    "covers": ("代岗：{step}（{who} 不在岗）", "Covering: {step} ({who} is away)"),
    "stands_in": ("请顶岗：{step}（主办 {a}、备岗 {b} 均不在岗）",
        "Please stand in: {step} (A {a} and B {b} are both away)"),
    "covered": ("您离岗期间：{step} 由 {who} 办理", "While you are away: {step} is with {who}"),
    "gaps_title": ("{section}：{start} 至 {end} 有 {n} 处空缺", "{section}: {n} gap(s) from {start} to {end}"),
    "gap": ("{date} {step}：主办 {a}、备岗 {b} 均不在岗，建议 {who} 顶岗",
        "{date} {step}: A {a} and B {b} both away; suggested stand-in {who}"),
    "nobody": ("无人", "nobody"),
    "estimated": ("【注意】{year} 年节假日安排尚未载入，今天按估算为工作日，如遇调休请以单位通知为准。",
        "[Note] The {year} holiday schedule is not loaded: today is estimated to be a workday; follow your unit's notice if it was moved."),
    "review_title": ("审核事项 {n} 项", "{n} review item(s)"),
    "review_waiting": ("待您审核 {n} 项：", "{n} change(s) wait for your review:"),
    "review_item": ("{process}（{kind}，{author} 提交于 {at}）", "{process} ({kind}, submitted by {author} at {at})"),
    "review_decided": ("您提交的 {n} 项已有结果：", "{n} of your submissions were decided:"),
    "review_approved": ("{process}：{approver} 已批准（{at}），已生效", "{process}: approved by {approver} ({at}); live now"),
    "review_returned": ("{process}：{approver} 退回（{at}）：{said}", "{process}: returned by {approver} ({at}): {said}"),
    "review_holders": ("AB角调整", "A/B change"),
    "review_process": ("流程再造", "redesign"),
    "review_matter": ("一件事", "matter done once"),
    "review_comments": ("您的草稿收到 {n} 条意见：", "{n} comment(s) on your drafts:"),
    "review_comment": ("{who} 对 {process}：{text}", "{who} on {process}: {text}"),
    "standin_asked": ("{by} 请您在 {person} 离岗期间（{start} 至 {end}）代岗，请在“今日在岗”页接受或拒绝（编号 {id}）",
                      "{by} asks you to stand in for {person} from {start} to {end}: accept or decline on Today (id {id})"),
    "standin_risk": ("{person} 离岗期间（{start} 至 {end}）指定的代岗人 {by} {state}，请另行安排或催办",
                     "{by}, named to stand in for {person} from {start} to {end}, {state}: name someone else or ask again"),
    "change_title": ("{name}：{start} 至 {end} 的工作有变化", "{name}: your duties from {start} to {end} changed"),
    "change_added": ("新增 {date} {step}（{how}）", "New on {date}: {step} ({how})"),
    "change_removed": ("不再办理 {date} {step}", "No longer yours on {date}: {step}"),
    "change_how_A": ("主办", "as A"),
    "change_how_named": ("代 {who} 指定代岗", "standing in for {who}"),
    "change_how_B": ("代 {who} 备岗代办", "as B for {who}"),
    "change_how_up": ("{who} 的环节上报由您代行", "gone up to you from {who}"),
    "standin_state_asked": ("尚未确认", "has not answered"),
    "standin_state_declined": ("已拒绝", "declined"),
}



#: What a notice is: a person's duties, a head's gaps ahead, the weekly digest (a head's, the office's),
#: what waits for a person's review and what of theirs was decided, a change to what they do
#: ("change:" and the change's fingerprint, so that each change is told once and a second one too).
NoticeKind = Literal["duties", "gaps", "digest", "digest-office", "review"] | str


@dataclass(frozen=True)
class Notice:
    day: dt.date
    kind: NoticeKind
    recipient: str
    title: str
    body: str


def compose(wb: Workbook, day: dt.date, ahead: int, words: NoticeWords, recipients: set[str] | None = None,
            calendar: WorkCalendar | None = None) -> list[Notice]:
    """Notices for `day` to `recipients` (default: everyone). None on a day that is no workday."""
    cal = calendar or calendar_of(wb)
    if not cal.is_workday(day):
        return []
    # A day of a year whose schedule is not published yet may be an adjusted holiday: say so first.
    caveat = [words.estimated.format(year=day.year)] if cal.source(day) == "estimated" else []
    name = lambda pid: wb.person_by_id[pid].name if pid in wb.person_by_id else (pid or words.nobody)  # noqa: E731
    label = lambda d: f"{d.process_name} · {d.step_name}"  # noqa: E731
    out = []
    for p in wb.people:
        if recipients is not None and p.id not in recipients:
            continue
        today = person_days(wb, p.id, day, day, cal)[0]
        lines = []
        if today.holds:
            lines.append(words.holds.format(n=len(today.holds), steps="、".join(label(d) for d in today.holds)))
        lines += [words.covers.format(step=label(d), who=name(d.a)) for d in today.covers]
        lines += [words.stands_in.format(step=label(d), a=name(d.a), b=name(d.b)) for d in today.stands_in]
        lines += [words.covered.format(step=label(d), who=name(d.acting)) for d in today.covered]
        lines += [words.standin_asked.format(by=x.named_by, person=name(x.person), start=x.start, end=x.end, id=x.id)
                  for x in wb.standins if x.standin == p.id and x.state == "asked" and x.end >= day]
        if lines:
            out.append(Notice(day, "duties", p.id, words.duties_title.format(date=day, name=p.name),
        "\n".join(caveat + lines)))
    end = cal.next_workdays(day, ahead + 1)[-1]
    heads = [p for p in wb.people if p.post == "head" and (recipients is None or p.id in recipients)]
    for head in heads:
        found: list[StepDay] = gaps(wb, day, end, section=head.section, calendar=cal)
        # The stand-ins named for the section's people and not agreed, still ahead: a risk.
        unsure = [words.standin_risk.format(person=name(x.person), by=name(x.standin), start=x.start, end=x.end,
                                            state=getattr(words, f"standin_state_{x.state}"))
                  for x in wb.standins if x.state != "accepted" and x.end >= day and x.person != head.id
                  and x.person in wb.person_by_id and wb.person_by_id[x.person].section == head.section]
        if found or unsure:
            sec = wb.section_by_id.get(head.section)
            out.append(Notice(day, "gaps", head.id,
                              words.gaps_title.format(section=sec.name if sec else head.section, start=day, end=end,
                                                      n=len(found)),
        "\n".join(caveat + [words.gap.format(date=g.date, step=label(g), a=name(g.a),
                                                                    b=name(g.b), who=name(g.suggested)) for g in found]
                  + unsure)))
    return out
