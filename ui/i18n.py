"""User-facing words in Chinese (the default) and English, shared by the CLI and the app.

`ABFLOW_LANG=en` (or the app's language switch) selects English.
"""
from __future__ import annotations

import os

WORDS: dict[str, tuple[str, str]] = {
    "status.A": ("主办在岗", "A acts"),
    "status.B": ("备岗代办", "B covers"),
    "status.gap": ("空缺", "gap"),
    "col.department": ("部门", "Department"),
    "col.section": ("科室", "Section"),
    "col.process": ("流程", "Process"),
    "col.step": ("环节", "Step"),
    "col.a": ("主办(A)", "A holder"),
    "col.b": ("备岗(B)", "B holder"),
    "col.status": ("状态", "Status"),
    "col.acting": ("今日办理人", "Acting"),
    "col.suggested": ("建议顶岗", "Suggested stand-in"),
    "col.date": ("日期", "Date"),
    "col.before": ("改革前环节", "Steps before"),
    "col.after": ("改革后环节", "Steps after"),
    "col.reduction": ("压减比例", "Reduction"),
    "col.handoffs": ("交接次数", "Handoffs"),
    "col.sections": ("科室数 前→后", "Sections before → after"),
    "not_workday": ("{date} 不是工作日（{why}），无需排班。", "{date} is not a workday ({why}): no roster."),
    "off.weekend": ("周末", "weekend"),
    "off.holiday": ("节假日", "holiday"),
    "roster.title": ("{date} 在岗情况", "Roster for {date}"),
    "roster.summary": ("共 {total} 个环节：主办在岗 {A}，备岗代办 {B}，空缺 {gap}。",
                       "{total} steps: {A} by A, {B} by B, {gap} gaps."),
    "gaps.none": ("{start} 至 {end} 没有空缺。", "No gaps from {start} to {end}."),
    "gaps.title": ("{start} 至 {end} 的空缺", "Gaps from {start} to {end}"),
    "whatif.none": ("{person} 在 {start} 至 {end} 请假不会新增空缺。",
                    "An absence of {person} from {start} to {end} adds no gap."),
    "whatif.title": ("{person} 在 {start} 至 {end} 请假将新增的空缺",
                     "Gaps an absence of {person} from {start} to {end} would add"),
    "stats.processes": ("流程", "Processes"),
    "stats.sections": ("科室", "Sections"),
    "stats.departments": ("部门", "Departments"),
    "import.done": ("已导入 {file}：{departments} 个部门（替换 {replaced} 个），{people} 人，{processes} 个流程，"
                    "{steps} 个环节，{absences} 条请假，{calendar} 个日历调整。",
                    "Imported {file}: {departments} department(s) ({replaced} replaced), {people} people, "
                    "{processes} processes, {steps} steps, {absences} absences, {calendar} calendar days."),
    "export.done": ("已导出到 {file}。", "Exported to {file}."),
    "all": ("全部", "All"),
    "page.flowchart": ("流程图", "Flowcharts"),
    "page.reform": ("改革成效", "Reform results"),
    "chart.version": ("版本", "Version"),
    "chart.direction": ("方向", "Direction"),
    "chart.LR": ("横向", "left to right"),
    "chart.TB": ("纵向", "top down"),
    "chart.show_today": ("显示当日在岗", "Show who acts"),
    "chart.drawing": ("正在绘制流程图…", "Drawing the flowchart…"),
    "reform.sections": ("科室数", "Sections"),
    "reform.section_cut": ("科室压减", "Sections cut"),
    "reform.steps": ("环节数", "Steps"),
    "reform.step_cut": ("环节压减", "Steps cut"),
    "reform.check": ("规则检查", "Rule check"),
    "reform.findings": ("{errors} 项错误，{warnings} 项提示。", "{errors} error(s), {warnings} warning(s)."),
    "check.none": ("未发现问题：各项改革规则均已满足。", "No findings: every reform rule is met."),
    "check.title": ("改革规则检查：{n} 项发现", "Reform rules: {n} finding(s)"),
    "col.rule": ("规则", "Rule"),
    "col.severity": ("级别", "Severity"),
    "col.subject": ("对象", "Subject"),
    "col.message": ("说明", "Message"),
    "severity.error": ("错误", "error"),
    "severity.warning": ("提示", "warning"),
    "version.before": ("改革前", "before"),
    "version.after": ("改革后", "after"),
    "chart.A": ("主办", "A"),
    "chart.B": ("备岗", "B"),
    "chart.gap": ("空缺", "gap"),
    "chart.steps": ("环节", "steps"),
    "chart.approval": ("审批", "approval"),
    "chart.none": ("未定", "none"),
    "chart.start": ("开始", "start"),
    "chart.end": ("结束", "end"),
    "chart.today": ("{date} 在岗", "on {date}"),
    "render.done": ("已生成 {file}。", "Wrote {file}."),
    "bpmn.exported": ("已导出 {file}（{steps} 个环节）。", "Wrote {file} ({steps} steps)."),
    "bpmn.imported": ("已导入 {file} 为流程 {process} 的{version}版本：{steps} 个环节，修订号 {revision}。",
                      "Imported {file} as the {version} version of {process}: {steps} steps, revision {revision}."),
    "bpmn.lane_matched": ("泳道“{lane}” → 主办 {person}", "lane '{lane}' → A holder {person}"),
    "bpmn.lane_unmatched": ("注意：泳道“{lane}”不是本科室的人员，其环节未定主办。",
                            "note: lane '{lane}' names no person of the section; its steps have no A holder."),
    "bpmn.note": ("注意：{note}", "note: {note}"),
    "page.today": ("今日在岗", "Today"),
    "today.empty": ("数据库中还没有数据：请先导入工作簿（abflow import FILE）或载入演示数据（abflow demo）。",
                    "The database is empty: import a workbook (abflow import FILE) or load the demo (abflow demo)."),
    "today.person": ("人员", "Person"),
    "today.steps": ("环节", "Steps"),
    "today.gaps": ("空缺：无人办理的环节", "Gaps: steps nobody covers"),
    "today.gaps_hint": ("{n} 个环节的主办和备岗都不在岗，请安排顶岗。",
                        "{n} step(s) have both holders away: arrange a stand-in."),
    "today.no_gaps": ("今天每个环节都有人办理。", "Every step is covered today."),
    "today.covered": ("备岗代办：主办不在岗", "Covered by B: the A holder is away"),
    "today.all": ("全部环节（{n}）", "All steps ({n})"),
    "today.ahead": ("未来空缺预报", "Gaps ahead"),
    "today.days": ("天数", "Days"),
}


def off_day(off, language: str | None = None) -> str:
    """Why a day is off, in words: the override's note, the holiday's name, or the weekend."""
    en = (language or lang()) == "en"
    if off is None:
        return ""
    if off.kind == "override":
        return off.note or ("calendar override" if en else "单位日历调整")
    if off.kind == "holiday" and (off.holiday_en or off.holiday_zh):
        return (off.holiday_en if en else off.holiday_zh) or ""
    return t("off." + off.kind, language)


def person_label(wb, pid: str | None) -> str:
    """A person as output names them: "name (id)", the bare id if unknown, a dash for nobody."""
    if not pid:
        return "—"
    p = wb.person_by_id.get(pid)
    return f"{p.name} ({pid})" if p else pid


def lang() -> str:
    return "en" if os.environ.get("ABFLOW_LANG", "zh").lower().startswith("en") else "zh"


def t(key: str, language: str | None = None, **values) -> str:
    zh, en = WORDS[key]
    text = en if (language or lang()) == "en" else zh
    return text.format(**values) if values else text
