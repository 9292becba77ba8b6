"""A matter done once across departments (一件事) as a BPMN 2.0 collaboration, out and in: a pool
per department, each part a call activity (`calledElement`: the part's process) in its
department's pool, the parts of one stage in a pool between a parallel split and join, sequence
flows within a pool and message flows where the work passes to another department.

Reading derives the stages from the flows alone (a part's stage is its depth on the longest way
through the parts, gateways and events looked through), so a collaboration drawn in another tool
reads as well as our own; our attributes (abflow:matter, abflow:lead, the terms) are read where
present. The same hardened parser as processes (flows.bpmn.parse_xml) reads the file first.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from types import MappingProxyType
from dataclasses import dataclass, field

from .bpmn import ABFLOW, BPMNDI, DC, DI, MODEL, BpmnError, _xml_id, parse_xml

_M = "{" + MODEL + "}"
_A = "{" + ABFLOW + "}"
#: The shapes' sizes and the grid they sit on, in the diagram's units (pixels in bpmn-js).
_TASK_W, _TASK_H, _GATE, _EVENT, _COLUMN, _ROW, _LEFT = 150, 80, 50, 36, 300, 100, 160


@dataclass(frozen=True)
class Part:
    process: str
    name: str
    department: str


@dataclass(frozen=True)
class Collaboration:
    """A matter as a file holds it: ids, names and our attributes as text, for the caller to check."""

    id: str
    name: str
    #: each stage's parts, by the processes they call
    stages: tuple[tuple[str, ...], ...]
    #: (department id or None, pool name) of each pool, in the file's order
    pools: tuple[tuple[str | None, str], ...]
    #: our attributes of the collaboration (lead, promised_days, before_stages, …), as text
    attributes: dict[str, str] = field(default_factory=dict)
    #: our lists (materials, before_materials), where the file gives them
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)


def write(matter_id: str, name: str, stages: tuple[tuple[Part, ...], ...], departments: Mapping[str, str],
          attributes: Mapping[str, str], lists: Mapping[str, tuple[str, ...]],
          words: Mapping[str, str] = MappingProxyType({"start": "start", "end": "end"})) -> bytes:
    """The matter as BPMN 2.0 XML: `departments` (id → name, the lead first) are its pools;
    `words` names each pool's start and end."""
    for prefix, uri in (("bpmn", MODEL), ("bpmndi", BPMNDI), ("dc", DC), ("di", DI), ("abflow", ABFLOW)):
        ET.register_namespace(prefix, uri)
    mid = _xml_id(matter_id)
    root = ET.Element(_M + "definitions", {"id": f"defs_{mid}", "targetNamespace": ABFLOW, "exporter": "abflow",
                                           "exporterVersion": "1"})
    collab = ET.SubElement(root, _M + "collaboration", {"id": f"matter_{mid}", "name": name, _A + "matter": matter_id}
                           | {_A + k: v for k, v in attributes.items()})
    if lists:
        ext = ET.SubElement(collab, _M + "extensionElements")
        for key, items in lists.items():
            listed = ET.SubElement(ext, _A + key)
            for item in items:
                ET.SubElement(listed, _A + "item").text = item
    pools = [d for d in departments if any(p.department == d for stage in stages for p in stage)]
    node = {p.process: f"part_{_xml_id(p.process)}" for stage in stages for p in stage}
    # Where the work passes to another department: from each part of a stage to each part of the
    # next that is in another pool.
    messages = [(node[p.process], node[q.process]) for stage, following in zip(stages, stages[1:], strict=False)
                for p in stage for q in following if p.department != q.department]
    shapes: dict[str, tuple[float, float, float, float]] = {}
    flows: list[tuple[str, str, str, bool]] = []  # (id, source, target, message)
    y = 0.0
    for i, dept in enumerate(pools):
        did = f"{mid}_{i}"
        ET.SubElement(collab, _M + "participant", {"id": f"pool_{did}", "name": departments[dept],
                                                   "processRef": f"proc_{did}", _A + "department": dept})
        rows = max(sum(p.department == dept for p in stage) for stage in stages)
        height = 60 + rows * _ROW
        middle = y + height / 2
        shapes[f"pool_{did}"] = (0, y, _LEFT + len(stages) * _COLUMN + 120, height)
        elements: list[tuple[str, dict[str, str]]] = [("startEvent", {"id": f"start_{did}", "name": words["start"]})]
        shapes[f"start_{did}"] = (80, middle - _EVENT / 2, _EVENT, _EVENT)
        seq: list[tuple[str, str]] = []
        last = f"start_{did}"
        for k, stage in enumerate(stages):
            mine = [p for p in stage if p.department == dept]
            x = _LEFT + k * _COLUMN + 60
            top = middle - (len(mine) * _ROW - (_ROW - _TASK_H)) / 2
            for j, p in enumerate(mine):
                elements.append(("callActivity", {"id": node[p.process], "name": p.name, "calledElement": p.process}))
                shapes[node[p.process]] = (x, top + j * _ROW, _TASK_W, _TASK_H)
            if len(mine) == 1:
                seq.append((last, node[mine[0].process]))
                last = node[mine[0].process]
            elif mine:
                split, join = f"split_{did}_{k}", f"join_{did}_{k}"
                for gate, gx in ((split, x - _GATE - 5), (join, x + _TASK_W + 5)):
                    elements.append(("parallelGateway", {"id": gate}))
                    shapes[gate] = (gx, middle - _GATE / 2, _GATE, _GATE)
                seq += [(last, split), *((split, node[p.process]) for p in mine), *((node[p.process], join) for p in mine)]
                last = join
        elements.append(("endEvent", {"id": f"end_{did}", "name": words["end"]}))
        shapes[f"end_{did}"] = (_LEFT + len(stages) * _COLUMN + 40, middle - _EVENT / 2, _EVENT, _EVENT)
        seq.append((last, f"end_{did}"))
        ids = [(f"flow_{did}_{n}", src, tgt) for n, (src, tgt) in enumerate(seq)]
        proc = ET.SubElement(root, _M + "process", {"id": f"proc_{did}", "isExecutable": "false"})
        for tag, attrs in elements:  # each node names its flows, as BPMN tools read them
            el = ET.SubElement(proc, _M + tag, attrs)
            for side, end in (("incoming", 2), ("outgoing", 1)):
                for flow in ids:
                    if flow[end] == attrs["id"]:
                        ET.SubElement(el, _M + side).text = flow[0]
        for fid, src, tgt in ids:
            ET.SubElement(proc, _M + "sequenceFlow", {"id": fid, "sourceRef": src, "targetRef": tgt})
            flows.append((fid, src, tgt, False))
        y += height + 30
    for n, (src, tgt) in enumerate(messages, 1):
        ET.SubElement(collab, _M + "messageFlow", {"id": f"message_{mid}_{n}", "sourceRef": src, "targetRef": tgt})
        flows.append((f"message_{mid}_{n}", src, tgt, True))
    _diagram(root, f"matter_{mid}", shapes, flows)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _diagram(root: ET.Element, plane_of: str, shapes: dict[str, tuple[float, float, float, float]],
             flows: list[tuple[str, str, str, bool]]) -> None:
    d = lambda tag: f"{{{BPMNDI}}}{tag}"  # noqa: E731
    diagram = ET.SubElement(root, d("BPMNDiagram"), {"id": f"diagram_{plane_of}"})
    plane = ET.SubElement(diagram, d("BPMNPlane"), {"id": f"plane_{plane_of}", "bpmnElement": plane_of})
    for element, (x, y, w, h) in shapes.items():
        shape = ET.SubElement(plane, d("BPMNShape"), {"id": f"{element}_di", "bpmnElement": element}
                              | ({"isHorizontal": "true"} if element.startswith("pool_") else {}))
        ET.SubElement(shape, f"{{{DC}}}Bounds", {"x": _n(x), "y": _n(y), "width": _n(w), "height": _n(h)})
    for fid, src, tgt, message in flows:
        sx, sy, sw, sh = shapes[src]
        tx, ty, tw, th = shapes[tgt]
        if message:  # down or up from one pool to the other, across the gap between them
            down = ty > sy
            start, finish = (sx + sw / 2, sy + sh if down else sy), (tx + tw / 2, ty if down else ty + th)
            mid = (start[1] + finish[1]) / 2
            points = [start, (start[0], mid), (finish[0], mid), finish]
        else:
            start, finish = (sx + sw, sy + sh / 2), (tx, ty + th / 2)
            points = [start, finish] if start[1] == finish[1] else \
                [start, ((start[0] + finish[0]) / 2, start[1]), ((start[0] + finish[0]) / 2, finish[1]), finish]
        edge = ET.SubElement(plane, d("BPMNEdge"), {"id": f"{fid}_di", "bpmnElement": fid})
        for x, y in points:
            ET.SubElement(edge, f"{{{DI}}}waypoint", {"x": _n(x), "y": _n(y)})


def _n(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


def read(data: bytes, source: str) -> Collaboration:
    """The matter a collaboration draws: its parts are the call activities of its pools (each
    naming its process in `calledElement`), in stages by the flows between them."""
    root = parse_xml(data, source)
    collabs = list(root.iterchildren(_M + "collaboration"))
    if not collabs:
        raise BpmnError(f"{source}: no <collaboration>: a matter across departments is drawn as pools, one per department")
    collab = next((c for c in collabs if c.get(_A + "matter")), collabs[0])
    processes = {p.get("id"): p for p in root.iterchildren(_M + "process")}
    pools: list[tuple[str | None, str]] = []
    succ: dict[str, list[str]] = {}
    calls: dict[str, str] = {}   # node id -> the process it calls
    order: list[str] = []
    for participant in collab.iterchildren(_M + "participant"):
        pools.append((participant.get(_A + "department"), participant.get("name") or participant.get("id") or ""))
        proc = processes.get(participant.get("processRef"))
        for el in proc.iterchildren() if proc is not None else ():
            if not isinstance(el.tag, str):
                continue
            local = el.tag.rpartition("}")[2]
            if local == "sequenceFlow":
                succ.setdefault(el.get("sourceRef") or "", []).append(el.get("targetRef") or "")
            elif local == "callActivity":
                called = (el.get("calledElement") or "").strip()
                if not called:
                    raise BpmnError(f"{source}: call activity '{el.get('id')}' names no process (calledElement)")
                calls[el.get("id") or ""] = called
                order.append(el.get("id") or "")
    for flow in collab.iterchildren(_M + "messageFlow"):
        succ.setdefault(flow.get("sourceRef") or "", []).append(flow.get("targetRef") or "")
    if not calls:
        raise BpmnError(f"{source}: its pools call no process (callActivity with calledElement): no part to read")
    depth = _depths(calls, succ, order, source)
    stages = tuple(tuple(calls[n] for n in order if depth[n] == k) for k in range(max(depth.values()) + 1))
    attributes = {k[len(_A):]: v for k, v in collab.attrib.items() if k.startswith(_A) and k != _A + "matter"}
    lists = {}
    for ext in collab.iterchildren(_M + "extensionElements"):
        for listed in ext:
            if isinstance(listed.tag, str) and listed.tag.startswith(_A):
                lists[listed.tag[len(_A):]] = tuple((item.text or "").strip() for item in listed.iterchildren(_A + "item"))
    return Collaboration(collab.get(_A + "matter") or collab.get("id") or "", collab.get("name") or "",
                         tuple(s for s in stages if s), tuple(pools), attributes, lists)


def _depths(calls: dict[str, str], succ: dict[str, list[str]], order: list[str], source: str) -> dict[str, int]:
    """Each call activity's stage: the most call activities on a way to it, other nodes looked through."""
    after: dict[str, set[str]] = {}
    for n in calls:  # the call activities each one leads to, through anything else
        seen, todo, found = {n}, list(succ.get(n, ())), set()
        while todo:
            m = todo.pop()
            if m in seen:
                continue
            seen.add(m)
            if m in calls:
                found.add(m)
            else:
                todo += succ.get(m, ())
        after[n] = found
    depth = {n: 0 for n in calls}
    for _ in range(len(calls)):  # longest path by relaxation: a way of n steps settles in n rounds
        changed = False
        for n in order:
            for m in after[n]:
                if depth[m] < depth[n] + 1:
                    depth[m], changed = depth[n] + 1, True
        if not changed:
            return depth
    raise BpmnError(f"{source}: its flows between parts go round in a loop; a matter's stages follow one another")
