"""The power and responsibility list (权责清单, "一表两单"): checks that every power item can be
answered for, and its rows in the standard layout (one power per row, its responsibility items and
accountability cases as the two lists)."""
from __future__ import annotations

import re
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
        "no-basis": ("{name}：没有设定依据（法律法规及条款）", "{name}: no legal basis (law and article)"),
        "unknown-step": ("{name}：环节 {step} 不是其办理流程改革后的环节", "{name}: {step} is no step of its processes' redesign"),
        "no-decision": ("{name}：{kind}须有作出决定的审批环节，所列环节中没有", "{name}: a {kind} needs an approval step to decide it; none is listed"),
        "no-authority": ("{name}：决定环节 {step} 的{role} {who} 不是科室负责人或副职，无权作出决定",
                         "{name}: {role} {who} of the deciding step {step} is neither head nor deputy, so has no authority to decide"),
        "duty-unassigned": ("{name}：责任事项“{duty}”没有落实到其办理流程的任何环节",
                            "{name}: its responsibility item '{duty}' is carried by no step of its processes"),
        "unknown-duty": ("{name}：环节 {step} 承担的“{duty}”不是该事项的责任事项",
                         "{name}: step {step} carries '{duty}', which is no responsibility item of it"),
    }


#: Kinds of power whose exercise ends in a decision someone with authority must take (the
#: section's head or deputy, 科室负责人审批): their steps must hold an approval step so held.
DECIDING = ("行政许可", "行政处罚", "行政强制", "行政征收", "行政给付", "行政裁决", "行政确认")
#: Who may take a deciding step, A or B.
AUTHORITY = ("head", "deputy")


def check_powers(wb: Workbook) -> list[PowerFinding]:
    """Each power needs a responsible section, a process that exercises it (of that section), its
    legal basis and at least one accountability case; the steps it lists must be steps of its
    processes' redesign, and a deciding power's approval steps must be held by a head or deputy."""
    out = []
    for p in wb.powers:
        if not p.basis:
            out.append(PowerFinding(p.id, "basis", "no-basis", values(name=p.name)))
        out += _step_findings(wb, p)
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
        out += _duty_findings(wb, p)
        if not p.accountability:
            out.append(PowerFinding(p.id, "accountability", "no-accountability", values(name=p.name)))
    return out


#: The standard layout's columns, Chinese headers first.
COLUMNS = ("序号", "部门", "权力类型", "权力事项名称", "设定依据", "承办科室", "办理流程及行使环节", "责任事项", "追责情形")


def power_rows(wb: Workbook) -> list[tuple]:
    depts = {d.id: d.name for d in wb.departments}
    sections = wb.section_by_id
    out = []
    for i, p in enumerate(wb.powers, 1):
        out.append((i, depts.get(p.department, p.department), p.kind or "", p.name, "\n".join(p.basis),
                    sections[p.section].name if p.section in sections else (p.section or ""),
                    "\n".join(_process_line(wb, p, x) for x in p.processes),
                    "\n".join(p.responsibilities), "\n".join(p.accountability)))
    return out


def _process_line(wb: Workbook, power, process_id: str) -> str:
    """A process of a power, with the steps of it that exercise the power, each with the duty it
    carries: 食品生产许可（scj-p05）：受理并审查材料（受理责任）、科长审批（决定责任）."""
    proc = wb.process_by_id.get(process_id)
    if proc is None:
        return process_id
    steps = exercising(wb, power, process_id)
    return f"{proc.name}（{process_id}）" + (f"：{'、'.join(steps)}" if steps else "")


def exercising(wb: Workbook, power, process_id: str) -> list[str]:
    """The steps of a process that exercise a power, by name, each with the duty it carries:
    受理并审查材料（受理责任）. A listed step the redesign lacks is named by its reference."""
    proc = wb.process_by_id.get(process_id)
    work = proc.after.work_steps if proc is not None and proc.after is not None else ()
    labels = {s.id: s.label + (f"（{s.duty}）" if s.duty else "") for s in work}
    return [labels.get(ref.partition(":")[2], ref) for ref in power.steps if ref.partition(":")[0] == process_id]


def duty_name(item: str) -> str:
    """A responsibility item's name, the words before its colon: 受理责任 of 受理责任：一次性告知…"""
    return re.split(r"[：:]", item, maxsplit=1)[0].strip()


def _duty_findings(wb: Workbook, power) -> list[PowerFinding]:
    """Once any step of its processes carries one of its duties, each of its responsibility items
    must be carried by some step, and each duty carried must be one of its items."""
    steps = [(f"{pid}:{s.id}", s) for pid in power.processes if (proc := wb.process_by_id.get(pid)) and proc.after
             for s in proc.after.work_steps if s.duty]
    items = [duty_name(r) for r in power.responsibilities]
    mine = [(ref, s) for ref, s in steps if s.duty in items]
    if not mine:
        return []
    out = [PowerFinding(power.id, "responsibilities", "duty-unassigned", values(name=power.name, duty=item))
           for item in items if item not in {s.duty for _, s in mine}]
    # a duty of no item of this power, on a process that exercises no other power whose item it is
    others = {duty_name(r) for q in wb.powers if q.id != power.id for r in q.responsibilities}
    out += [PowerFinding(power.id, "steps", "unknown-duty", values(name=power.name, step=ref, duty=s.duty))
            for ref, s in steps if s.duty not in items and s.duty not in others]
    return out


def _step_findings(wb: Workbook, power) -> list[PowerFinding]:
    """The steps a power lists: each a redesigned step of one of its processes; for a deciding
    kind, an approval step among them, held A and B by a head or deputy."""
    out, approvals = [], []
    for ref in power.steps:
        process_id, _, step_id = ref.partition(":")
        proc = wb.process_by_id.get(process_id)
        step = next((s for s in proc.after.work_steps if s.id == step_id), None) \
            if proc is not None and proc.after is not None and process_id in power.processes else None
        if step is None:
            out.append(PowerFinding(power.id, "steps", "unknown-step", values(name=power.name, step=ref)))
        elif step.kind == "approval":
            approvals.append((ref, step))
    if power.steps and (power.kind or "") in DECIDING and not approvals:
        out.append(PowerFinding(power.id, "steps", "no-decision", values(name=power.name, kind=power.kind)))
    for ref, step in approvals:
        for role, holder in (("A", step.a), ("B", step.b)):
            person = wb.person_by_id.get(holder) if holder else None
            if person is not None and person.post not in AUTHORITY:
                out.append(PowerFinding(power.id, "steps", "no-authority",
                                        values(name=power.name, step=ref, role=role, who=person.name)))
    return out
