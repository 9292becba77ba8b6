"""BPMN 2.0 XML in and out: one process version ⇄ one BPMN process, lanes and diagram included.

Our own reader (over lxml) and writer (over the standard library's ElementTree). bpmn-python,
the first choice, reads 60 of the 112 real files of tests/data/bpmn (it fails on lanes,
collaborations and vendor extensions) and writes neither lanes nor holders; this module reads all
of them (tests/flows/test_bpmn.py), drawings included, in 2.2× a bare lxml parse (bench/bpmn.py).

Untrusted files: a size limit first, then libxml2 with entities left unresolved, no network, no DTD
loading and its default depth and amplification limits, and any DTD at all refused, so a hostile
file is refused before it costs memory. defusedxml gives the same guarantees through Python-level
expat callbacks, which made reading 2.5× slower (it stays a dependency: openpyxl reads XLSX
through it).
"""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pyexpat

from lxml import etree

from . import limits
from .errors import BadInput
from .fields import STEP, VERSION
from .layout import Box, layout
from .model import Branch, Shape, Step, Version

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ABFLOW = "https://abflow.example/bpmn"  # our attributes: kind (approval) and ABFLOW_ATTRS
#: Step fields carried as our attributes: the holders, and each field declared `bpmn=True`.
ABFLOW_ATTRS = tuple(f.name for f in STEP if f.kind == "person" or f.bpmn)
MAX_BYTES = 20 * 1024 * 1024

ACTIVITIES = {"task", "userTask", "serviceTask", "manualTask", "scriptTask", "businessRuleTask", "sendTask",
              "receiveTask", "subProcess", "callActivity", "transaction", "adHocSubProcess"}
#: A gateway element's type (flows.model.GATEWAY_TYPES).
_GATEWAY_TYPE = {"exclusiveGateway": "exclusive", "parallelGateway": "parallel", "inclusiveGateway": "inclusive",
                 "eventBasedGateway": "event", "complexGateway": "complex"}
GATEWAYS = frozenset(_GATEWAY_TYPE)
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
FLOW_NODES = ACTIVITIES | GATEWAYS | EVENTS
#: Parts of BPMN we keep no model of: imported with a note, never silently.
NOT_MODELLED = {"dataObject": "data objects", "dataObjectReference": "data objects",
                "dataStoreReference": "data stores", "textAnnotation": "text annotations",
                "association": "associations", "group": "groups"}


class BpmnError(BadInput):
    """A file that is no usable BPMN; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Counts:
    activities: int = 0
    gateways: int = 0
    events: int = 0
    flows: int = 0
    lanes: int = 0


@dataclass
class BpmnProcess:
    """What a BPMN file gave for one process."""

    id: str
    name: str
    version: Version
    lane_of: dict[str, str] = field(default_factory=dict)   # step id → lane name
    lanes: list[str] = field(default_factory=list)
    holders: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # from our attributes
    notes: list[str] = field(default_factory=list)
    counts: Counts = Counts()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(name: str | None) -> str | None:
    if name is None:
        return None
    name = re.sub(r"\s+", " ", name).strip()
    return name or None


def _drawable(*numbers: float) -> bool:
    """Coordinates a drawing can use: finite and within bounds (NaN or 1e308 are left to our layout)."""
    return all(math.isfinite(n) and abs(n) <= 1e7 for n in numbers)


def _parser(recover: bool = False) -> etree.XMLParser:
    """A parser with our refusals: no entities, network, DTD or huge trees. One per call: lxml
    parsers are not to be shared between threads (the app serves many)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=True, remove_pis=True, recover=recover)


def parse_xml(data: bytes, source: str) -> etree._Element:
    if len(data) > MAX_BYTES:
        raise BpmnError(f"{source}: {len(data) // 1_048_576} MB is more than a process model can be "
                        f"({MAX_BYTES // 1_048_576} MB at most)")
    parser = _parser()
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        if _declares_dtd(data):  # libxml2 stopped at an entity: name the cause, not the symptom
            raise BpmnError(_DTD_REFUSED.format(source=source)) from e
        log = parser.error_log  # this parse's own (an exception's may hold earlier parses' too)
        wrong = [x for x in log if not x.type_name.startswith("WAR_NS")]
        if wrong or not log:
            said = f"{wrong[0].message}, line {wrong[0].line}, column {wrong[0].column}" if wrong else str(e)
            raise BpmnError(f"{source}: not well-formed XML: {said}") from e
        # Only namespace warnings (a URI with a space, as Visual Paradigm writes), which libxml2
        # reports at error level: the document was read whole, so it is read again, the same way,
        # taking them as the warnings they are.
        root = etree.fromstring(data, _parser(recover=True))
    info = root.getroottree().docinfo
    if info.internalDTD is not None or info.doctype or info.system_url:
        raise BpmnError(_DTD_REFUSED.format(source=source))
    if _local(root.tag) != "definitions" or not root.tag.startswith("{" + MODEL):
        raise BpmnError(f"{source}: the root element is <{_local(root.tag)}>, not BPMN 2.0 <definitions>")
    return root


_DTD_REFUSED = ("{source}: refused, the file declares a DTD; BPMN files need none, and a DTD's entities can "
                "read local files or exhaust memory")


class _Doctype(Exception):
    pass


def _declares_dtd(data: bytes) -> bool:
    """Whether the document starts a DOCTYPE before it goes wrong (expat, no other callbacks)."""
    def stop(*_):
        raise _Doctype

    p = pyexpat.ParserCreate()
    p.StartDoctypeDeclHandler = stop
    try:
        p.Parse(data, True)
    except _Doctype:
        return True
    except pyexpat.ExpatError:
        return False
    return False


def read(data: bytes, source: str, process: str | None = None) -> BpmnProcess:
    """The process `process` (an id or name) of a BPMN file, or its largest process."""
    root = parse_xml(data, source)
    processes = [p for p in root.iter(f"{{{MODEL}}}process")]
    if not processes:
        raise BpmnError(f"{source}: no <process> in the file (a choreography or a bare collaboration?)")
    size = lambda p: sum(1 for c in p if _local(c.tag) in FLOW_NODES)  # noqa: E731
    if process is not None:
        chosen = [p for p in processes if process in (p.get("id"), p.get("name"))]
        if not chosen:
            names = ", ".join(f"'{p.get('id')}'" for p in processes)
            raise BpmnError(f"{source}: no process '{process}' (the file has {names})")
        proc = chosen[0]
    else:
        proc = max(processes, key=size)
        if size(proc) == 0:
            raise BpmnError(f"{source}: its processes hold no tasks, gateways or events")
    result = _read_process(proc, _diagram_of(root), source)
    others = [p for p in processes if p is not proc and size(p)]
    if others:
        result.notes.append(f"the file has {len(processes)} processes (pools); imported "
                            f"'{proc.get('name') or proc.get('id')}', left out "
                            + ", ".join(f"'{p.get('name') or p.get('id')}'" for p in others))
    messages = sum(1 for _ in root.iter(f"{{{MODEL}}}messageFlow"))
    if messages:
        result.notes.append(f"{messages} message flow(s) between pools are not modelled")
    return result


@dataclass
class _Drawn:
    """The file's diagram interchange: bounds by element id, waypoints by flow id."""

    bounds: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    waypoints: dict[str, tuple[tuple[float, float], ...]] = field(default_factory=dict)


def _diagram_of(root: etree._Element) -> _Drawn:
    drawn = _Drawn()
    for diagram in root.iter(f"{{{BPMNDI}}}BPMNDiagram"):  # the first diagram that draws an element wins
        for el in diagram.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge"):
            ref = el.get("bpmnElement")
            try:
                if el.tag.endswith("Shape"):
                    b = el.find(f"{{{DC}}}Bounds")
                    if b is not None:
                        x, y, w, h = (limits.xml_number(b.get(k)) for k in ("x", "y", "width", "height"))
                        if w > 0 and h > 0 and _drawable(x, y, w, h):
                            drawn.bounds.setdefault(ref, (x, y, w, h))
                else:
                    points = tuple((limits.xml_number(w.get("x")), limits.xml_number(w.get("y")))
                                   for w in el.iter(f"{{{DI}}}waypoint"))
                    if len(points) >= 2 and _drawable(*(c for pt in points for c in pt)):
                        drawn.waypoints.setdefault(ref, points)
            except (TypeError, ValueError):
                continue  # a shape without usable numbers is left to our layout
    return drawn


def _read_process(proc: etree._Element, drawn: _Drawn, source: str) -> BpmnProcess:
    nodes: list[etree._Element] = []
    flows: list[etree._Element] = []
    skipped: Counter[str] = Counter()
    for child in proc:
        tag = _local(child.tag)
        if tag in FLOW_NODES:
            nodes.append(child)
        elif tag == "sequenceFlow":
            flows.append(child)
        elif tag in NOT_MODELLED:
            skipped[NOT_MODELLED[tag]] += 1
    notes = [f"{n} {what} not modelled" for what, n in sorted(skipped.items())]
    seen: set[str] = set()
    for n in nodes:
        nid = n.get("id")
        if not nid or nid in seen:
            raise BpmnError(f"{source}: line {n.sourceline}: {_local(n.tag)} "
                            + (f"id '{nid[:64]}' is used twice" if nid else "has no id"))
        seen.add(nid)
    ids = {n.get("id") for n in nodes}
    nxt: dict[str, list[str]] = {i: [] for i in ids}
    labels: dict[str, dict[str, Branch]] = {i: {} for i in ids}
    routes: dict[str, dict[str, tuple[tuple[float, float], ...]]] = {i: {} for i in ids}
    kept_flows = 0
    for f in flows:
        src, tgt = f.get("sourceRef"), f.get("targetRef")
        if src not in ids or tgt not in ids:
            notes.append(f"sequence flow '{f.get('id')}' from '{src}' to '{tgt}' leaves the process: left out")
            continue
        nxt[src].append(tgt)
        kept_flows += 1
        if f.get("id") in drawn.waypoints:
            routes[src].setdefault(tgt, drawn.waypoints[f.get("id")])
        cond = f.find(f"{{{MODEL}}}conditionExpression")
        name, condition = _text(f.get("name")), _text(cond.text) if cond is not None else None
        if (name or condition) and tgt not in labels[src]:
            labels[src][tgt] = Branch(tgt, name, condition)
    steps, holders = [], {}
    counts: Counter[str] = Counter()
    for n in nodes:
        tag, sid = _local(n.tag), n.get("id")
        extra_type: dict[str, Any] = {}
        if tag in ACTIVITIES:
            kind = "approval" if n.get(f"{{{ABFLOW}}}kind") == "approval" else "task"
            counts["activities"] += 1
            inner = sum(1 for c in n if _local(c.tag) in FLOW_NODES)
            if inner:
                notes.append(f"sub-process '{_text(n.get('name')) or sid}' with {inner} inner element(s) "
                             "kept as one step")
        elif tag in GATEWAYS:
            kind = "gateway"
            counts["gateways"] += 1
            extra_type = {"gateway": _GATEWAY_TYPE[tag]} if tag != "exclusiveGateway" else {}
        else:
            kind = {"startEvent": "start", "endEvent": "end"}.get(tag, "event")
            counts["events"] += 1
        a, b = n.get(f"{{{ABFLOW}}}a"), n.get(f"{{{ABFLOW}}}b")
        if a or b:
            holders[sid] = (a, b)
        extra: dict[str, Any] = {f.name: f.from_attribute(raw)
                                 for f in STEP if f.bpmn and (raw := n.get(f"{{{ABFLOW}}}{f.name}")) is not None}
        steps.append(Step(sid, _text(n.get("name")), kind, tuple(dict.fromkeys(nxt[sid])), **extra, **extra_type,
                          branches=tuple(labels[sid].values()),
                          shape=Shape(*drawn.bounds[sid], tuple(routes[sid].items())) if sid in drawn.bounds else None))
    lane_of, lanes = {}, []
    for lane in proc.iter(f"{{{MODEL}}}lane"):
        if lane.find(f"{{{MODEL}}}childLaneSet") is not None:
            continue  # a parent lane: its leaves name the holders
        name = _text(lane.get("name")) or lane.get("id")
        lanes.append(name)
        for ref in lane.iter(f"{{{MODEL}}}flowNodeRef"):
            if ref.text and ref.text.strip() in ids:
                lane_of[ref.text.strip()] = name
    return BpmnProcess(proc.get("id") or "process", _text(proc.get("name")) or proc.get("id") or "",
                       Version(tuple(steps), **_terms(proc)),
                       lane_of, lanes, holders, notes,
                       Counts(counts["activities"], counts["gateways"], counts["events"], kept_flows, len(lanes)))


def _terms(proc) -> dict[str, Any]:
    """A version's terms from our attributes on <process>, its materials from our extension
    elements (names may hold commas)."""
    out: dict[str, Any] = {}
    for f in VERSION:
        if f.kind == "names":
            found = proc.find(f"{{{MODEL}}}extensionElements/{{{ABFLOW}}}{f.name}")
            if found is not None:
                out[f.name] = tuple(t for item in found if (t := _text(item.text)))
        elif (raw := proc.get(f"{{{ABFLOW}}}{f.name}")) is not None:
            out[f.name] = f.from_attribute(raw)
    return out


# --- writing ---------------------------------------------------------------------------------

_TAG = {"task": "userTask", "approval": "userTask", "gateway": "exclusiveGateway", "start": "startEvent",
        "end": "endEvent", "event": "intermediateThrowEvent"}
_GATEWAY_TAG = {v: k for k, v in _GATEWAY_TYPE.items()}


def write(version: Version, process_id: str, name: str, lane_name: dict[str, str]) -> bytes:
    """BPMN 2.0 XML of one version: a collaboration with one pool, a lane per A holder (named by
    `lane_name`, person id → label), our holder attributes, and a laid-out diagram."""
    ET.register_namespace("bpmn", MODEL)
    ET.register_namespace("bpmndi", BPMNDI)
    ET.register_namespace("dc", DC)
    ET.register_namespace("di", DI)
    ET.register_namespace("abflow", ABFLOW)
    ET.register_namespace("xsi", XSI)
    m = lambda tag: f"{{{MODEL}}}{tag}"  # noqa: E731
    pid = _xml_id(process_id)
    root = ET.Element(m("definitions"), {"id": f"defs_{pid}", "targetNamespace": ABFLOW,
                                         "exporter": "abflow", "exporterVersion": "1"})
    collab = ET.SubElement(root, m("collaboration"), {"id": f"collab_{pid}"})
    ET.SubElement(collab, m("participant"), {"id": f"pool_{pid}", "name": name, "processRef": pid})
    proc = ET.SubElement(root, m("process"), {"id": pid, "name": name, "isExecutable": "false"} | {
        f"{{{ABFLOW}}}{f.name}": text for f in VERSION if f.kind != "names" and (text := f.attribute(getattr(version, f.name)))})
    for f in VERSION:
        if f.kind == "names" and (items := getattr(version, f.name)) is not None:
            listed = ET.SubElement(ET.SubElement(proc, m("extensionElements")), f"{{{ABFLOW}}}{f.name}")
            for item in items:
                ET.SubElement(listed, f"{{{ABFLOW}}}item").text = item
    plan = layout(version)
    sid = {s.id: _xml_id(s.id) for s in version.steps}
    if plan.lanes:
        lane_set = ET.SubElement(proc, m("laneSet"), {"id": f"lanes_{pid}"})
        for i, holder in enumerate(plan.lanes):
            lane = ET.SubElement(lane_set, m("lane"), {"id": f"lane_{pid}_{i}",
                                                       "name": lane_name.get(holder or "", holder or "")})
            for s in version.steps:
                if plan.lane_of[s.id] == holder:
                    ET.SubElement(lane, m("flowNodeRef")).text = sid[s.id]
    incoming: dict[str, list[str]] = {s.id: [] for s in version.steps}
    outgoing: dict[str, list[str]] = {s.id: [] for s in version.steps}
    flows = [(f"flow_{sid[s.id]}_{k}", s.id, t) for s in version.steps for k, t in enumerate(s.next)]
    for fid, src, tgt in flows:
        incoming[tgt].append(fid)
        outgoing[src].append(fid)
    for s in version.steps:
        attrs = {"id": sid[s.id]}
        if s.name:
            attrs["name"] = s.name
        if s.kind == "approval":
            attrs[f"{{{ABFLOW}}}kind"] = "approval"
        for f in STEP:
            if f.name in ABFLOW_ATTRS and (text := f.attribute(getattr(s, f.name))) is not None:
                attrs[f"{{{ABFLOW}}}{f.name}"] = text
        tag = _GATEWAY_TAG[s.gateway or "exclusive"] if s.kind == "gateway" else _TAG[s.kind]
        el = ET.SubElement(proc, m(tag), attrs)
        for fid in incoming[s.id]:
            ET.SubElement(el, m("incoming")).text = fid
        for fid in outgoing[s.id]:
            ET.SubElement(el, m("outgoing")).text = fid
    label = {(s.id, b.to): b for s in version.steps for b in s.branches}
    for fid, src, tgt in flows:
        branch = label.get((src, tgt))
        attrs = {"id": fid, "sourceRef": sid[src], "targetRef": sid[tgt]}
        if branch is not None and branch.name:
            attrs["name"] = branch.name
        flow = ET.SubElement(proc, m("sequenceFlow"), attrs)
        if branch is not None and branch.condition:
            cond = ET.SubElement(flow, m("conditionExpression"), {f"{{{XSI}}}type": "bpmn:tFormalExpression"})
            cond.text = branch.condition
    _diagram(root, pid, plan, sid, flows)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _diagram(root: ET.Element, pid: str, plan, sid: dict[str, str], flows) -> None:
    d = lambda tag: f"{{{BPMNDI}}}{tag}"  # noqa: E731
    diagram = ET.SubElement(root, d("BPMNDiagram"), {"id": f"diagram_{pid}"})
    plane = ET.SubElement(diagram, d("BPMNPlane"), {"id": f"plane_{pid}", "bpmnElement": f"collab_{pid}"})

    def shape(element: str, box: Box, **extra) -> None:
        el = ET.SubElement(plane, d("BPMNShape"), {"id": f"{element}_di", "bpmnElement": element, **extra})
        ET.SubElement(el, f"{{{DC}}}Bounds", {"x": _n(box.x), "y": _n(box.y), "width": _n(box.w), "height": _n(box.h)})

    shape(f"pool_{pid}", plan.pool, isHorizontal="true")
    if plan.lanes:  # a version without holders (`before`) has one band in the layout but no lane
        for i, box in enumerate(plan.lane_boxes):
            shape(f"lane_{pid}_{i}", box, isHorizontal="true")
    for step_id, box in plan.boxes.items():
        shape(sid[step_id], box)
    for fid, src, tgt in flows:
        edge = ET.SubElement(plane, d("BPMNEdge"), {"id": f"{fid}_di", "bpmnElement": fid})
        for x, y in plan.route(src, tgt):
            ET.SubElement(edge, f"{{{DI}}}waypoint", {"x": _n(x), "y": _n(y)})


def _n(v: float) -> str:
    """A coordinate as written: whole numbers bare, a kept drawing's fractions exactly."""
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _xml_id(value: str) -> str:
    """An XML NCName: our step ids (s1, g1) are fine; anything else is made so."""
    value = re.sub(r"[^\w.-]", "_", value)
    return value if re.match(r"[A-Za-z_]", value) else f"_{value}"
