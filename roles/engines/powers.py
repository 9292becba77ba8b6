"""The power and responsibility list (权责清单, "一表两单"): checks that every power item can be
answered for, and its rows in the standard layout (one power per row, its responsibility items and
accountability cases as the two lists)."""
from __future__ import annotations

from dataclasses import dataclass

from flows.wording import Worded, values

from roles.model import Workbook


@dataclass(frozen=True)
class PowerFinding(Worded):
    power: str
    field: str
    key: str
    params: tuple[tuple[str, object], ...] = ()

    CATALOG = {
        "no-section": ("{name}：没有责任科室", "{name}: no responsible section"),
        "no-process": ("{name}：没有行使该事项的流程", "{name}: no process exercises it"),
        "other-section": ("{name}：流程 {process} 属于科室 {other}，不属于责任科室 {section}",
                          "{name}: process {process} belongs to section {other}, not to the responsible section {section}"),
        "no-responsibility": ("{name}：没有责任事项", "{name}: no responsibility items"),
        "no-accountability": ("{name}：没有追责情形", "{name}: no accountability case (追责情形)"),
    }


def check_powers(wb: Workbook) -> list[PowerFinding]:
    """Each power needs a responsible section, a process that exercises it (of that section), and at
    least one accountability case; a department with approval duties but no power listed is noted."""
    out = []
    for p in wb.powers:
        if not p.section:
            out.append(PowerFinding(p.id, "section", "no-section", values(name=p.name)))
        if not p.processes:
            out.append(PowerFinding(p.id, "processes", "no-process", values(name=p.name)))
        for proc in p.processes:
            other = wb.process_by_id.get(proc)
            if other is not None and p.section and other.section != p.section:
                out.append(PowerFinding(p.id, "processes", "other-section",
                                        values(name=p.name, process=proc, other=other.section, section=p.section)))
        if not p.responsibilities:
            out.append(PowerFinding(p.id, "responsibilities", "no-responsibility", values(name=p.name)))
        if not p.accountability:
            out.append(PowerFinding(p.id, "accountability", "no-accountability", values(name=p.name)))
    return out


#: The standard layout's columns, Chinese headers first.
COLUMNS = ("序号", "部门", "权力类型", "权力事项名称", "承办科室", "办理流程", "责任事项", "追责情形")


def power_rows(wb: Workbook) -> list[tuple]:
    depts = {d.id: d.name for d in wb.departments}
    sections = wb.section_by_id
    out = []
    for i, p in enumerate(wb.powers, 1):
        procs = "\n".join(f"{wb.process_by_id[x].name}（{x}）" if x in wb.process_by_id else x for x in p.processes)
        out.append((i, depts.get(p.department, p.department), p.kind or "", p.name,
                    sections[p.section].name if p.section in sections else (p.section or ""), procs,
                    "\n".join(p.responsibilities), "\n".join(p.accountability)))
    return out
