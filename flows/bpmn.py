"""BPMN 2.0 XML in and out: one process version ⇄ one BPMN process, lanes and diagram included.

Our own reader (over lxml) and writer (over the standard library's ElementTree). bpmn-python,
the first choice, reads 60 of the 112 real files of tests/data/bpmn (it fails on lanes,
collaborations and vendor extensions) and writes neither lanes nor holders; this module reads all
of them (tests/flows/test_bpmn.py), drawings included, in under 3× a bare lxml parse (bench/bpmn.py).

Untrusted files: a size limit first, then libxml2 with entities left unresolved, no network, no DTD
loading and its default depth and amplification limits, and any DTD at all refused, so a hostile
file is refused before it costs memory. defusedxml gives the same guarantees through Python-level
expat callbacks, which made reading 2.5× slower (it stays a dependency: openpyxl reads XLSX
through it).
"""
from __future__ import annotations

import copy
import hashlib
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import pyexpat

from lxml import etree

from . import limits
from .errors import BadInput
from .fields import STEP, VERSION
from .layout import Box, layout
from .model import SUBPROCESS_TYPES, Branch, Shape, Step, Version

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ABFLOW = "https://abflow.example/bpmn"  # our attributes: kind (approval) and ABFLOW_ATTRS
#: Step fields carried as our attributes: the holders, and each field declared `bpmn=True`.
ABFLOW_ATTRS = tuple(f.name for f in STEP if f.kind == "person" or f.bpmn)
_OURS_NS = "{" + ABFLOW + "}"
_OURS = tuple((f, _OURS_NS + f.name) for f in STEP if f.bpmn)
_IMPLIED, _KIND, _OWN_ID, _A, _B = (_OURS_NS + name for name in ("implied", "kind", "id", "a", "b"))
MAX_BYTES = 20 * 1024 * 1024

#: An activity element's type (flows.model.ACTIVITY_TYPES); a userTask is a step's default.
_ACTIVITY_TYPE = {"userTask": None, "task": "plain", "manualTask": "manual", "serviceTask": "service",
                  "sendTask": "send", "receiveTask": "receive", "businessRuleTask": "business_rule",
                  "scriptTask": "script", "callActivity": "call", "subProcess": "subprocess",
                  "transaction": "transaction", "adHocSubProcess": "adhoc"}
ACTIVITIES = frozenset(_ACTIVITY_TYPE)
#: The elements of a sub-process of any kind: they hold inner elements.
_SUBPROCESS_TAGS = frozenset(tag for tag, kind in _ACTIVITY_TYPE.items() if kind in SUBPROCESS_TYPES)
#: An event definition element's type (flows.model.EVENT_TYPES).
_EVENT_TYPE = {"timerEventDefinition": "timer", "messageEventDefinition": "message",
               "signalEventDefinition": "signal", "errorEventDefinition": "error",
               "escalationEventDefinition": "escalation", "conditionalEventDefinition": "conditional",
               "terminateEventDefinition": "terminate", "compensateEventDefinition": "compensation",
               "linkEventDefinition": "link", "cancelEventDefinition": "cancel"}
_TIMER_PARTS = ("timeDate", "timeDuration", "timeCycle")
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


class _LocalNames(dict):
    """Tag → local name: one dict lookup per element instead of a split (BPMN has a few dozen
    tags; a hostile file's many are answered without being kept)."""

    def __missing__(self, tag: object) -> str:
        name = tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
        if len(self) < 1024:
            self[tag] = name
        return name


_local = _LocalNames().__getitem__


def _text(name: str | None) -> str | None:
    if name is None:
        return None
    name = " ".join(name.split())
    return name or None


def _child(el: etree._Element, tag: str) -> etree._Element | None:
    """The first child with this tag: lxml's find() goes through its Python path engine, twice
    the cost, for every step and flow of a file."""
    return next(el.iterchildren(tag), None)


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
    processes = list(root.iterchildren(f"{{{MODEL}}}process"))  # root elements, as BPMN places them
    if not processes:
        raise BpmnError(f"{source}: no <process> in the file (a choreography or a bare collaboration?)")
    sizes = {p: sum(1 for c in p if _local(c.tag) in FLOW_NODES) for p in processes}
    size = sizes.__getitem__
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
    result = _read_process(proc, _Drawn(root), source)
    others = [p for p in processes if p is not proc and size(p)]
    if others:
        result.notes.append(f"the file has {len(processes)} processes (pools); imported "
                            f"'{proc.get('name') or proc.get('id')}', left out "
                            + ", ".join(f"'{p.get('name') or p.get('id')}'" for p in others))
    messages = sum(1 for c in root.iterchildren() for _ in c.iterchildren(f"{{{MODEL}}}messageFlow"))
    if messages:
        result.notes.append(f"{messages} message flow(s) between pools are not modelled")
    return result


class _Numbers(dict):
    """Coordinates by their text, each distinct one read once; ValueError for one a drawing cannot
    use (no number as XML writes one, NaN, or out of bounds: such a shape is left to our layout)."""

    def __missing__(self, text: object) -> float:
        value = limits.xml_number(text)
        if not -1e7 <= value <= 1e7:  # NaN compares false, so it fails too
            raise ValueError(f"{text} is no coordinate")
        self[text] = value
        return value


_SHAPE, _EDGE, _BOUNDS, _POINT = f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge", f"{{{DC}}}Bounds", f"{{{DI}}}waypoint"


class _Drawn:
    """The file's diagram interchange: its shapes and edges by element id, the first diagram that
    draws an element winning. Numbers are read only for the elements asked about (a file draws
    pools, lanes, annotations and other processes too), and each distinct one once."""

    def __init__(self, root: etree._Element) -> None:
        self.shapes: dict[str, etree._Element] = {}
        for diagram in root.iterchildren(f"{{{BPMNDI}}}BPMNDiagram"):
            for el in diagram.iter(_SHAPE, _EDGE):
                self.shapes.setdefault(el.get("bpmnElement"), el)
        self._number = _Numbers().__getitem__

    def bounds(self, ref: str | None) -> tuple[float, float, float, float] | None:
        el = self.shapes.get(ref)  # type: ignore[arg-type]
        if el is None or el.tag != _SHAPE or (b := _child(el, _BOUNDS)) is None:
            return None
        try:
            n = self._number
            box = (n(b.get("x")), n(b.get("y")), n(b.get("width")), n(b.get("height")))
        except ValueError:
            return None  # a shape without usable numbers is left to our layout
        return box if box[2] > 0 and box[3] > 0 else None

    def waypoints(self, ref: str | None) -> tuple[tuple[float, float], ...] | None:
        el = self.shapes.get(ref)  # type: ignore[arg-type]
        if el is None or el.tag != _EDGE:
            return None
        try:
            n = self._number
            points = tuple([(n(w.get("x")), n(w.get("y"))) for w in el.iterchildren(_POINT)])
        except ValueError:
            return None
        return points if len(points) >= 2 else None


def _read_process(proc: etree._Element, drawn: _Drawn, source: str) -> BpmnProcess:
    nodes: list[etree._Element] = []
    flows: list[etree._Element] = []
    skipped: Counter[str] = Counter()
    children = [*proc, *_hoisted(proc)]
    for child in children:
        tag = _local(child.tag)
        if tag in FLOW_NODES:
            nodes.append(child)
        elif tag == "sequenceFlow":
            flows.append(child)
        elif tag in NOT_MODELLED:
            skipped[NOT_MODELLED[tag]] += 1
    used = _namespaces_used(proc, children)
    notes = [f"{n} {what} not modelled" for what, n in sorted(skipped.items())] + _vendor_notes(used)
    ours = ABFLOW in used  # no attribute of ours in a file of another tool: none is looked for
    # What our export added to make a clean file (flows.bpmn._implied), read as it was before.
    implied = {n.get("id"): set((n.get(_IMPLIED) or "").split()) if ours else set() for n in nodes}
    added = {i for i, said in implied.items() if "element" in said}
    nodes = [n for n in nodes if n.get("id") not in added]
    seen: set[str] = set()
    for n in nodes:
        nid = n.get("id")
        if not nid or nid in seen:
            raise BpmnError(f"{source}: line {n.sourceline}: {_local(n.tag)} "
                            + (f"id '{nid[:64]}' is used twice" if nid else "has no id"))
        seen.add(nid)
    ids = {n.get("id") for n in nodes}
    # Some tools write a sub-process's inner flows beside it, in the process: they go inside it.
    within: dict[str, str] = {d.get("id") or "": n.get("id") or "" for n in nodes
                              if _local(n.tag) in _SUBPROCESS_TAGS
                              for d in n.iter() if d is not n and isinstance(d.tag, str) and d.get("id")}
    inner_flows: dict[str, list[etree._Element]] = {}
    for f in flows:
        home = within.get(f.get("sourceRef") or "")
        if home is not None and within.get(f.get("targetRef") or "") == home:
            inner_flows.setdefault(home, []).append(f)
    kept_inside = {id(f) for fs in inner_flows.values() for f in fs}
    flows = [f for f in flows if id(f) not in kept_inside]
    nxt: dict[str, list[str]] = {i: [] for i in ids}
    labels: dict[str, dict[str, Branch]] = {i: {} for i in ids}
    routes: dict[str, dict[str, tuple[tuple[float, float], ...]]] = {i: {} for i in ids}
    kept_flows = 0
    target_of: dict[str, str] = {}
    for f in _spliced(flows, added):
        src, tgt = f.get("sourceRef"), f.get("targetRef")
        if src in added or tgt in added:
            continue
        if src not in ids or tgt not in ids:
            notes.append(f"sequence flow '{f.get('id')}' from '{src}' to '{tgt}' leaves the process: left out")
            continue
        if tgt in nxt[src]:
            notes.append(f"sequence flows '{target_of.get(src + ' ' + tgt)}' and '{f.get('id')}' both lead from "
                         f"'{src}' to '{tgt}': kept as one")
        nxt[src].append(tgt)
        target_of[f.get("id") or ""] = tgt
        target_of.setdefault(src + " " + tgt, f.get("id") or "")
        kept_flows += 1
        if (points := drawn.waypoints(f.get("id"))) is not None:
            routes[src].setdefault(tgt, points)
        said = set((f.get(_IMPLIED) or "").split()) if ours else ()
        cond = _child(f, f"{{{MODEL}}}conditionExpression")
        name = None if "name" in said else _text(f.get("name"))
        condition = _text(cond.text) if cond is not None and "condition" not in said else None
        if (name or condition) and tgt not in labels[src]:
            labels[src][tgt] = Branch(tgt, name, condition)
    steps, holders = [], {}
    counts: Counter[str] = Counter()
    for n in nodes:
        tag, sid = _local(n.tag), n.get("id")
        extra_type: dict[str, Any] = {}
        if tag in ACTIVITIES:
            kind = "approval" if ours and n.get(_KIND) == "approval" else "task"
            counts["activities"] += 1
            extra_type = {"activity": "event_subprocess" if tag == "subProcess" and n.get("triggeredByEvent") == "true"
                          else _ACTIVITY_TYPE[tag], "compensates": n.get("isForCompensation") == "true"}
            if tag != "subProcess" and n.get("triggeredByEvent") == "true":
                notes.append(f"{tag} '{_text(n.get('name')) or sid}' says it is started by an event "
                             "(triggeredByEvent), which only a sub-process can be: not kept")
            inside = (_inside(n, drawn, inner_flows.get(sid, []))
                      if extra_type["activity"] in SUBPROCESS_TYPES and "inside" not in implied[sid] else None)
            if inside is not None:
                inner = sum(1 for c in n if _local(c.tag) in FLOW_NODES)
                if len(inside) <= MAX_INSIDE:  # made here, from a file read under our refusals
                    extra_type["inside"] = inside
                    notes.append(f"sub-process '{_text(n.get('name')) or sid}': its {inner} inner element(s) are "
                                 "kept as drawn, as one step of the roster")
                else:
                    notes.append(f"sub-process '{_text(n.get('name')) or sid}': its {inner} inner element(s) are "
                                 f"too large to keep (over {MAX_INSIDE:,} characters): left out")
        elif tag in GATEWAYS:
            kind = "gateway"
            counts["gateways"] += 1
            extra_type = {"gateway": _GATEWAY_TYPE[tag]} if tag != "exclusiveGateway" else {}
        else:
            kind = {"startEvent": "start", "endEvent": "end"}.get(tag, "event")
            counts["events"] += 1
            extra_type = _event_of(n, tag, ids, notes)
            if "definition" in implied[sid]:
                extra_type.pop("definition", None)
        if (default := target_of.get(n.get("default") or "")) is not None and "otherwise" not in implied[sid]:
            extra_type["otherwise"] = default
        extra: dict[str, Any] = {}
        if ours:
            a, b = n.get(_A), n.get(_B)
            if a or b:
                holders[sid] = (a, b)
            extra = {f.name: f.from_attribute(raw) for f, key in _OURS if (raw := n.get(key)) is not None}
        name = None if "name" in implied[sid] else _text(n.get("name"))
        steps.append(Step(sid, name, kind, tuple(dict.fromkeys(nxt[sid])), **extra, **extra_type,
                          branches=tuple(labels[sid].values()),
                          shape=Shape(*box, tuple(routes[sid].items())) if (box := drawn.bounds(sid)) else None))
    lane_of, lanes = {}, []
    for lane in proc.iter(f"{{{MODEL}}}lane"):
        if lane.find(f"{{{MODEL}}}childLaneSet") is not None:
            continue  # a parent lane: its leaves name the holders
        name = _text(lane.get("name")) or lane.get("id")
        lanes.append(name)
        for ref in lane.iter(f"{{{MODEL}}}flowNodeRef"):
            if ref.text and ref.text.strip() in ids:
                lane_of[ref.text.strip()] = name
    # Our export wrote some ids otherwise (for bpmn-js, or a table's 1, 2, 3): the step's own comes back.
    own = {n.get("id"): n.get(_OWN_ID) for n in nodes if n.get(_OWN_ID)} if ours else {}
    if own:
        steps = [_renamed(s, own) for s in steps]
        lane_of = {own.get(k, k): v for k, v in lane_of.items()}
        holders = {own.get(k, k): v for k, v in holders.items()}
    return BpmnProcess(proc.get("id") or "process", _text(proc.get("name")) or proc.get("id") or "",
                       Version(tuple(steps), **_terms(proc)),
                       lane_of, lanes, holders, notes,
                       Counts(counts["activities"], counts["gateways"], counts["events"], kept_flows, len(lanes)))


def _renamed(s: Step, own: dict[str, str]) -> Step:
    """`s` with the step ids of `own` (as written → as the step had it)."""
    def n(x: str | None) -> str | None:
        return None if x is None else own.get(x, x)
    shape = s.shape and replace(s.shape, edges=tuple((own.get(to, to), pts) for to, pts in s.shape.edges))
    return replace(s, id=own.get(s.id, s.id), next=tuple(own.get(t, t) for t in s.next),
                   branches=tuple(replace(b, to=own.get(b.to, b.to)) for b in s.branches),
                   otherwise=n(s.otherwise), attached=n(s.attached), shape=shape)


_EXTENSIONS = etree.XPath("./*/b:extensionElements/*", namespaces={"b": MODEL})


def _namespaces_used(proc: etree._Element, children: list[etree._Element]) -> Counter[str]:
    """The namespaces of the attributes on the process's `children` and of the extension elements
    under them, with how often each is used."""
    by_uri: Counter[str] = Counter()
    for child in children:  # attributes by a loop over keys, twice as fast as an XPath over them
        for key in child.attrib:
            if key[0] == "{":
                by_uri[key[1:].split("}", 1)[0]] += 1
    for element in _EXTENSIONS(proc):
        if isinstance(element.tag, str) and element.tag[0] == "{":
            by_uri[element.tag[1:].split("}", 1)[0]] += 1
    return by_uri


def _vendor_notes(used: Counter[str]) -> list[str]:
    """What other tools wrote on the steps and flows in their own namespaces (extension elements,
    attributes: a Camunda form, a Signavio colour) that an export of ours will not carry: named."""
    found: Counter[str] = Counter()
    for uri, n in used.items():
        if uri not in (ABFLOW, XSI):
            found[_namespace_word(uri)] += n
    return [f"{n} {word} extension(s) on steps and flows are not kept" for word, n in sorted(found.items())]


def _namespace_word(uri: str) -> str:
    """A namespace as a reader knows it: camunda.org → camunda, www.signavio.com → signavio."""
    host = re.sub(r"^[a-z]+://", "", uri).split("/", 1)[0].removeprefix("www.")
    return host.split(".")[0] or uri


def _hoisted(proc: etree._Element) -> list[etree._Element]:
    """Boundary events a tool wrote inside the sub-process they sit on (Visual Paradigm does), and
    the flows out of them: they belong to the process around it, and are taken out to it."""
    out: list[etree._Element] = []
    for sub in proc:
        if _local(sub.tag) not in _SUBPROCESS_TAGS:
            continue
        events = {c.get("id") for c in sub if _local(c.tag) == "boundaryEvent" and c.get("attachedToRef") == sub.get("id")}
        moved = [c for c in sub if (_local(c.tag) == "boundaryEvent" and c.get("id") in events)
                 or (_local(c.tag) == "sequenceFlow" and c.get("sourceRef") in events)]
        for c in moved:
            sub.remove(c)
        out += moved
    return out


def _event_of(n: etree._Element, tag: str, ids: set[str], notes: list[str]) -> dict[str, Any]:
    """An event element's definition, timer, and place: on which step a boundary event sits,
    whether it interrupts, whether an intermediate one catches."""
    out: dict[str, Any] = {}
    sid = n.get("id")
    defined = [c for c in n if _local(c.tag) in _EVENT_TYPE]
    if defined:
        out["event"] = _EVENT_TYPE[_local(defined[0].tag)]
        if len(defined) > 1:  # a multiple event: the engines see the first, the export writes them all
            notes.append(f"event '{sid}' has {len(defined)} definitions (a multiple event): planned as its first, "
                         f"{out['event']}; all are kept in its export")
            out["inside"] = _as_text(defined)
        for part in defined[0] if out["event"] == "timer" else ():
            if _local(part.tag) in _TIMER_PARTS and (text := _text(part.text)):
                out["timer"] = text
        if out["event"] == "link" and (name := _text(defined[0].get("name"))):
            out["definition"] = name
        condition = defined[0].find(f"{{{MODEL}}}condition")
        if out["event"] == "conditional" and condition is not None and (text := _text(condition.text)):
            out["definition"] = text
    if tag == "intermediateCatchEvent":
        out["catches"] = True
    if tag == "boundaryEvent":
        host = (n.get("attachedToRef") or "").rpartition(":")[2]  # a QName: some tools prefix it
        if host in ids:
            out["attached"] = host
            out["interrupting"] = n.get("cancelActivity") != "false"
        else:
            notes.append(f"boundary event '{sid}' sits on '{host}', which is no step of the process: "
                         "kept as an intermediate event")
            out["catches"] = True
    return out


#: The inner elements of a sub-process kept with its step: at most this many characters (a
#: spreadsheet's cell holds 32,767).
MAX_INSIDE = 32_000
_SKIP_INSIDE = {"incoming", "outgoing", "extensionElements", "documentation"} | set(_EVENT_TYPE)


_PREFIXES = {"abflow": ABFLOW, "bpmn": MODEL, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI}


def _inside(n: etree._Element, drawn: _Drawn, beside: list[etree._Element]) -> str | None:
    """A sub-process's inner elements (with `beside`, its flows a tool wrote outside it), then the
    diagram's shapes and edges of them, as one XML text (an <abflow:inside> element), copied as
    the file has them: what points outside is left out, and prefixes made ours, when it is
    written (`kept`), so reading stays at the speed of lxml."""
    inner = [c for c in n if isinstance(c.tag, str) and _local(c.tag) not in _SKIP_INSIDE] + beside
    if not inner:
        return None
    ids = _ids_in(inner)
    return _as_text(inner + [drawn.shapes[i] for i in sorted(ids & drawn.shapes.keys())])


def _ids_in(elements: list[etree._Element]) -> set[str]:
    """The ids of these elements and of all they hold."""
    return {i for c in elements for d in c.iter() if isinstance(d.tag, str) and (i := d.get("id"))}


def _as_text(parts: list[etree._Element]) -> str:
    wrapper = etree.Element(f"{{{ABFLOW}}}inside", nsmap={"abflow": ABFLOW})  # type: ignore[dict-item]
    for part in parts:
        copied = copy.deepcopy(part)
        copied.tail = None
        wrapper.append(copied)
    return etree.tostring(wrapper, encoding="unicode")


def written_inside(text: str) -> etree._Element:
    """Elements kept as read, as our export writes them: what points to no element among them (a
    message, an error, a data object of the file, a flow that led out) left out, since it would
    name nothing there; prefixes ours, whatever the file used."""
    parts = list(_fragment(text))
    ids = _ids_in(parts)
    wrapper = _wrapped(parts, ids)
    for orphan in [a for a in wrapper.iter(f"{{{MODEL}}}dataInputAssociation", f"{{{MODEL}}}dataOutputAssociation")
                   if a.find(f"{{{MODEL}}}targetRef") is None or a.find(f"{{{MODEL}}}sourceRef") is None]:
        orphan.getparent().remove(orphan)
    present = {d.get("id") for d in wrapper.iter() if isinstance(d.tag, str) and d.tag.startswith("{" + MODEL + "}")}
    for ref in [d for d in wrapper.iter(f"{{{MODEL}}}incoming", f"{{{MODEL}}}outgoing") if (d.text or "").strip() not in present]:
        ref.getparent().remove(ref)
    for shape in [c for c in wrapper if c.tag.startswith("{" + BPMNDI + "}") and c.get("bpmnElement") not in present]:
        wrapper.remove(shape)
    etree.cleanup_namespaces(wrapper, keep_ns_prefixes=["xsi"])
    return wrapper


def _wrapped(parts: list[etree._Element], ids: set[str] | None = None) -> etree._Element:
    """`parts` copied into an <abflow:inside>, their namespaces declared on it with our prefixes
    (another's made from its URI, so the same whatever else the file holds). With `ids`, what
    points to no element among them (a message, an error, a data object, a label style of the
    file) is left out: it would name nothing in our export."""
    prefixes = dict(_PREFIXES)
    known = set(prefixes.values())
    for part in parts:
        for d in part.iter():
            if isinstance(d.tag, str):
                for name in (d.tag, *d.attrib):
                    uri = name[1:].split("}", 1)[0] if name.startswith("{") else None
                    if uri and uri not in known:
                        known.add(uri)
                        prefixes["ns" + hashlib.blake2s(uri.encode(), digest_size=4).hexdigest()] = uri
    wrapper = etree.Element(f"{{{ABFLOW}}}inside", nsmap=prefixes)  # type: ignore[arg-type]
    prefix_of = {uri: p for p, uri in prefixes.items()}

    pointers = ("labelStyle", "sourceElement", "targetElement")
    xsi_type = f"{{{XSI}}}type"

    def copy_into(parent: etree._Element, el: etree._Element) -> None:
        attrs = dict(el.attrib)
        if ids is not None:
            if el.tag.endswith("Ref") and (el.text or "").strip() not in ids:
                return
            if any((v := attrs.get(k)) is not None and v not in ids for k in ("sourceRef", "targetRef", "attachedToRef")):
                return  # a flow or event that leads out of the sub-process is no part of its inside
            for k in [k for k, v in attrs.items() if (k.endswith("Ref") or k in pointers) and v not in ids]:
                del attrs[k]
        kind = attrs.get(xsi_type)
        if kind:  # a type named by a prefix of the file: named by ours
            prefix, _, local = kind.rpartition(":")
            uri = el.nsmap.get(prefix or None)
            if uri in prefix_of:
                attrs[xsi_type] = f"{prefix_of[uri]}:{local}"
        made = etree.SubElement(parent, el.tag, attrs)
        made.text = el.text if el.text and el.text.strip() else None
        for child in el:
            if isinstance(child.tag, str):
                copy_into(made, child)

    for part in parts:
        copy_into(wrapper, part)
    return wrapper


def inside_text(text: str | None) -> str | None:
    """What an export writes of elements kept as read, as text (None: nothing): two steps whose
    kept elements say the same are written the same."""
    if text is None:
        return None
    written = written_inside(text)
    return etree.tostring(written, encoding="unicode") if any(c.tag.startswith("{" + MODEL + "}") for c in written) else None


def _fragment(text: str) -> etree._Element:
    """Kept inner elements, parsed again under the same refusals as a file (a workbook may carry
    them too)."""
    inside = etree.fromstring(text.encode(), _parser())
    if inside.tag != f"{{{ABFLOW}}}inside" or inside.getroottree().docinfo.doctype:
        raise ValueError("is no <abflow:inside> element")
    return inside


def fragment_problem(text: str) -> str | None:
    """What is wrong with a sub-process's kept inner elements, or None."""
    if len(text) > MAX_INSIDE:
        return f"is {len(text):,} characters long; at most {MAX_INSIDE:,}"
    try:
        inner = _fragment(text)
    except (etree.XMLSyntaxError, ValueError) as e:
        return f"is no BPMN elements: {e}"
    if any(not isinstance(c.tag, str) or not c.tag.startswith(("{" + MODEL + "}", "{" + BPMNDI + "}")) for c in inner):
        return "holds something other than BPMN elements and their shapes"
    return None


def _spliced(flows: list[etree._Element], added: set[str]) -> list[etree._Element]:
    """The flows of a file, with each node our export added (an implied start, end or split) taken
    out again: a flow into an added split goes on to where the split's flows go."""
    if not added:
        return flows
    out_of: dict[str, list[etree._Element]] = {}
    for f in flows:
        out_of.setdefault(f.get("sourceRef") or "", []).append(f)
    out = []
    for f in flows:
        if f.get("sourceRef") in added:
            continue
        if f.get("targetRef") not in added or not out_of.get(f.get("targetRef") or ""):
            out.append(f)
            continue
        for g in out_of[f.get("targetRef") or ""]:
            joined = etree.Element(f.tag, dict(g.attrib))
            joined.set("sourceRef", f.get("sourceRef") or "")
            joined.extend(copy.deepcopy(child) for child in g)
            out.append(joined)
    return out


def _terms(proc) -> dict[str, Any]:
    """A version's terms from our attributes on <process>, its materials from our extension
    elements (names may hold commas)."""
    out: dict[str, Any] = {}
    extensions = _child(proc, f"{{{MODEL}}}extensionElements")
    for f in VERSION:
        if f.kind == "names":
            found = None if extensions is None else _child(extensions, _OURS_NS + f.name)
            if found is not None:
                out[f.name] = tuple(t for item in found if (t := _text(item.text)))
        elif (raw := proc.get(_OURS_NS + f.name)) is not None:
            out[f.name] = f.from_attribute(raw)
    return out


# --- writing ---------------------------------------------------------------------------------

_TAG = {"task": "userTask", "approval": "userTask", "gateway": "exclusiveGateway", "start": "startEvent",
        "end": "endEvent", "event": "intermediateThrowEvent"}
_GATEWAY_TAG = {v: k for k, v in _GATEWAY_TYPE.items()}
_ACTIVITY_TAG = {"plain": "task", "manual": "manualTask", "service": "serviceTask", "send": "sendTask",
                 "receive": "receiveTask", "business_rule": "businessRuleTask", "script": "scriptTask",
                 "call": "callActivity", "subprocess": "subProcess", "event_subprocess": "subProcess",
                 "transaction": "transaction", "adhoc": "adHocSubProcess"}
_EVENT_TAG = {v: k for k, v in _EVENT_TYPE.items()}
#: Names our export gives what BPMN checkers want named and the model leaves unnamed (a start, an
#: end, a gateway that decides), marked implied so that reading the file back leaves them out.
_IMPLIED_NAMES = {"start": "开始", "end": "结束", "exclusive": "判断", "inclusive": "判断", "complex": "判断",
                  "timer": "定时", "message": "消息", "signal": "信号", "error": "错误", "escalation": "升级",
                  "conditional": "条件", "terminate": "终止", "compensation": "补偿", "link": "链接",
                  "cancel": "取消", None: "事件"}


def _tag(s: Step) -> str:
    if s.kind == "gateway":
        return _GATEWAY_TAG[s.gateway or "exclusive"]
    if s.is_work:
        return _ACTIVITY_TAG.get(s.activity or "", "userTask")
    if s.kind == "event" and s.attached is not None:
        return "boundaryEvent"
    if s.kind == "event" and s.catches:
        return "intermediateCatchEvent"
    return _TAG[s.kind]


@dataclass
class _Clean:
    """A version as our export writes it, with what BPMN checkers (bpmnlint's recommended rules)
    ask for and the model leaves implicit: a start and an end event, a gateway where a step's
    several ways out all go at once, names of deciding gateways and events, a condition or default
    on every way out of a step that decides by conditions. Each addition is marked (`abflow:implied`)
    and left out when the file is read back, so an export reads back to the version it came from."""

    version: Version
    nodes: dict[str, set[str]] = field(default_factory=dict)  # step → element, name, otherwise, inside, definition
    flows: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (from, to) → "name", "condition"


def _off_the_flow(s: Step) -> bool:
    """Steps no flow enters or leaves by design (Step.off_the_flow), and links (thrown here, caught
    elsewhere)."""
    return s.off_the_flow or s.event == "link"


def _implied(version: Version) -> _Clean:
    steps = {s.id: s for s in version.steps}
    if not steps:
        return _Clean(version)
    clean = _Clean(version)
    drawn = all(s.shape is not None for s in steps.values())

    def fresh(base: str) -> str:
        out, k = base, 1
        while out in steps:
            k += 1
            out = f"{base}_{k}"
        return out

    def add(step: Step, after: str | None = None) -> None:
        nonlocal steps
        steps[step.id] = step
        clean.nodes[step.id] = {"element"}
        if after is not None:  # keep the table's order: an added split right after its step
            order = list(steps)
            order.insert(order.index(after) + 1, order.pop())
            steps = {k: steps[k] for k in order}

    targets = {t for s in steps.values() for t in s.next}
    if not any(s.kind == "start" for s in steps.values()):
        # where nothing leads, else (a rework loop back to the first step) the table's first step
        entries = [s for s in steps.values() if s.id not in targets and not _off_the_flow(s)] or list(steps.values())[:1]
        if entries:
            first = entries[0].shape
            shape = Shape(first.x - 96, first.y + first.h / 2 - 18, 36, 36) if drawn and first else None
            start = Step(fresh("start"), _IMPLIED_NAMES["start"], "start", tuple(e.id for e in entries), shape=shape)
            add(start)
            steps = {start.id: start, **{k: v for k, v in steps.items() if k != start.id}}
    exits = [s for s in steps.values() if not s.next and s.kind != "end" and not _off_the_flow(s)]
    if exits:
        right = max((s.shape.x + s.shape.w for s in exits if s.shape), default=0)
        first = exits[0].shape
        end = Step(fresh("end"), _IMPLIED_NAMES["end"], "end",
                   shape=Shape(right + 60, first.y + first.h / 2 - 18, 36, 36) if drawn and first else None)
        for s in exits:
            steps[s.id] = replace(s, next=(end.id,))
        add(end)
    for s in list(steps.values()):
        labels = {b.to: b for b in s.branches}
        if len(s.next) > 1 and (s.otherwise or any(b.condition for b in s.branches)):
            bare = [t for t in s.next if t != s.otherwise and not (t in labels and labels[t].condition)]
            if len(bare) == 1 and s.otherwise is None:
                s = replace(s, otherwise=bare[0])
                clean.nodes.setdefault(s.id, set()).add("otherwise")
            else:
                for t in bare:
                    said = labels.get(t, Branch(t))
                    labels[t] = Branch(t, said.name, said.name or steps[t].label)
                    clean.flows.setdefault((s.id, t), set()).add("condition")
        for t, b in list(labels.items()):
            if b.condition and not b.name:
                labels[t] = replace(b, name=b.condition)
                clean.flows.setdefault((s.id, t), set()).add("name")
        s = replace(s, branches=tuple(labels[t] for t in s.next if t in labels))
        unconditioned = [t for t in s.next if t != s.otherwise and not (t in labels and labels[t].condition)]
        if s.kind != "gateway" and len(unconditioned) > 1:
            box = s.shape
            shape = None if box is None else Shape(box.x + box.w + 12, box.y + box.h / 2 - 25, 50, 50, box.edges)
            split = Step(fresh(f"{s.id}_split"), None, "gateway", s.next, gateway="parallel", branches=s.branches,
                         shape=shape)
            s = replace(s, next=(split.id,), branches=())
            add(split, after=s.id)
        steps[s.id] = s
        forking = s.kind == "gateway" and len(s.next) > 1 and (s.gateway or "exclusive") in ("exclusive", "inclusive",
                                                                                              "complex")
        if s.name is None and (forking or s.kind in ("start", "end", "event")) and "element" not in clean.nodes.get(s.id, ()):
            word = s.gateway or "exclusive" if s.kind == "gateway" else s.kind if s.kind != "event" else s.event
            steps[s.id] = replace(s, name=_IMPLIED_NAMES.get(word, _IMPLIED_NAMES[s.event]))
            clean.nodes.setdefault(s.id, set()).add("name")
        # (an event sub-process starts by its own event, an ad hoc one has no start or end at all)
        if s.activity in SUBPROCESS_TYPES - {"event_subprocess", "adhoc"} and inside_text(s.inside) is None:
            steps[s.id] = replace(steps[s.id], inside=_empty_inside(_xml_id(s.id, ascii=True)))
            clean.nodes.setdefault(s.id, set()).add("inside")
        if s.event in ("link", "conditional") and s.definition is None:
            clean.nodes.setdefault(s.id, set()).add("definition")  # written as its name, which the schema asks for
    clean.version = replace(version, steps=tuple(steps.values()))
    return clean


def _empty_inside(sid: str) -> str:
    """What a sub-process kept without its inner steps holds in our export: a start and an end,
    drawn on its own diagram, as BPMN checkers ask of every sub-process."""
    start, end, flow = f"{sid}_inner_start", f"{sid}_inner_end", f"{sid}_inner_flow"
    return (f'<abflow:inside xmlns:abflow="{ABFLOW}" xmlns:bpmn="{MODEL}" xmlns:bpmndi="{BPMNDI}" xmlns:dc="{DC}" '
            f'xmlns:di="{DI}"><bpmn:startEvent id="{start}" name="{_IMPLIED_NAMES["start"]}">'
            f'<bpmn:outgoing>{flow}</bpmn:outgoing></bpmn:startEvent>'
            f'<bpmn:endEvent id="{end}" name="{_IMPLIED_NAMES["end"]}"><bpmn:incoming>{flow}</bpmn:incoming></bpmn:endEvent>'
            f'<bpmn:sequenceFlow id="{flow}" sourceRef="{start}" targetRef="{end}"/>'
            f'<bpmndi:BPMNShape id="{start}_di" bpmnElement="{start}"><dc:Bounds x="100" y="100" width="36" height="36"/>'
            f'</bpmndi:BPMNShape><bpmndi:BPMNShape id="{end}_di" bpmnElement="{end}"><dc:Bounds x="220" y="100" '
            f'width="36" height="36"/></bpmndi:BPMNShape><bpmndi:BPMNEdge id="{flow}_di" bpmnElement="{flow}">'
            f'<di:waypoint x="136" y="118"/><di:waypoint x="220" y="118"/></bpmndi:BPMNEdge></abflow:inside>')


def write(version: Version, process_id: str, name: str, lane_name: dict[str, str], ascii_ids: bool = False) -> bytes:
    """BPMN 2.0 XML of one version: a collaboration with one pool, a lane per A holder (named by
    `lane_name`, person id → label), our holder attributes, and a laid-out diagram. Step ids are
    written as they are where they are XML names (受理, Activity_0b1x: a file goes back to its tool
    with its own ids); `ascii_ids` writes them in ASCII, for bpmn-js, which takes no other (the
    designer). A step whose id had to change keeps it in `abflow:id`, so it reads back the same."""
    ET.register_namespace("bpmn", MODEL)
    ET.register_namespace("bpmndi", BPMNDI)
    ET.register_namespace("dc", DC)
    ET.register_namespace("di", DI)
    ET.register_namespace("abflow", ABFLOW)
    ET.register_namespace("xsi", XSI)
    m = lambda tag: f"{{{MODEL}}}{tag}"  # noqa: E731
    pid = _xml_id(process_id, ascii_ids)
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
    clean = _implied(version)
    version = clean.version
    plan = layout(version)
    sid = _xml_ids([s.id for s in version.steps], ascii_ids)
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
    flow_id = {(src, tgt): fid for fid, src, tgt in flows}
    # elements kept as read, as this export writes them: read once for the process and the diagram
    kept = {s.id: written_inside(s.inside) for s in version.steps if s.inside is not None}
    for s in version.steps:
        attrs = {"id": sid[s.id]} | ({f"{{{ABFLOW}}}id": s.id} if sid[s.id] != s.id else {})
        if s.name:
            attrs["name"] = s.name
        if s.kind == "approval":
            attrs[f"{{{ABFLOW}}}kind"] = "approval"
        if s.attached is not None:
            attrs["attachedToRef"] = sid[s.attached]
            if not s.interrupting:
                attrs["cancelActivity"] = "false"
        if s.otherwise is not None:
            attrs["default"] = flow_id[s.id, s.otherwise]
        if s.activity == "event_subprocess":
            attrs["triggeredByEvent"] = "true"
        if s.compensates:
            attrs["isForCompensation"] = "true"
        if s.id in clean.nodes:
            attrs[f"{{{ABFLOW}}}implied"] = " ".join(sorted(clean.nodes[s.id]))
        for f in STEP:
            if f.name in ABFLOW_ATTRS and (text := f.attribute(getattr(s, f.name))) is not None:
                attrs[f"{{{ABFLOW}}}{f.name}"] = text
        el = ET.SubElement(proc, m(_tag(s)), attrs)
        for fid in incoming[s.id]:
            ET.SubElement(el, m("incoming")).text = fid
        for fid in outgoing[s.id]:
            ET.SubElement(el, m("outgoing")).text = fid
        if s.id in kept:
            el.extend(_as_written(part) for part in kept[s.id] if part.tag.startswith("{" + MODEL + "}"))
        if s.event is not None and s.kind in ("start", "end", "event") and s.inside is None:
            said = s.definition or s.label  # the schema wants a link named and a condition written
            defined = ET.SubElement(el, m(_EVENT_TAG[s.event]), {"id": f"{sid[s.id]}_{s.event}"}
                                    | ({"name": said} if s.event == "link" else {}))
            if s.event == "conditional":
                ET.SubElement(defined, m("condition"), {f"{{{XSI}}}type": "bpmn:tFormalExpression"}).text = said
            if s.timer:
                ET.SubElement(defined, m(_timer_part(s.timer)), {f"{{{XSI}}}type": "bpmn:tFormalExpression"}
                              ).text = s.timer
    label = {(s.id, b.to): b for s in version.steps for b in s.branches}
    for fid, src, tgt in flows:
        branch = label.get((src, tgt))
        attrs = {"id": fid, "sourceRef": sid[src], "targetRef": sid[tgt]}
        if branch is not None and branch.name:
            attrs["name"] = branch.name
        if (src, tgt) in clean.flows:
            attrs[f"{{{ABFLOW}}}implied"] = " ".join(sorted(clean.flows[src, tgt]))
        flow = ET.SubElement(proc, m("sequenceFlow"), attrs)
        if branch is not None and branch.condition:
            cond = ET.SubElement(flow, m("conditionExpression"), {f"{{{XSI}}}type": "bpmn:tFormalExpression"})
            cond.text = branch.condition
    _diagram(root, pid, plan, sid, flows, set(kept))
    for s in version.steps:  # a kept sub-process opens on a diagram of its own, as it was drawn
        if s.id in kept and (drawings := [p for p in kept[s.id] if p.tag.startswith("{" + BPMNDI + "}")]):
            diagram = ET.SubElement(root, f"{{{BPMNDI}}}BPMNDiagram", {"id": f"diagram_{sid[s.id]}"})
            plane = ET.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane", {"id": f"plane_{sid[s.id]}", "bpmnElement": sid[s.id]})
            plane.extend(_as_written(p) for p in drawings)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _as_written(el: etree._Element) -> ET.Element:
    """An element lxml read, as the writer's ElementTree element (kept inner elements); an
    `xsi:type` names its type by the prefix this file gives BPMN's namespace."""
    attrs = dict(el.attrib)
    kind = attrs.get(f"{{{XSI}}}type")
    if kind:
        prefix, _, local = kind.rpartition(":")
        if el.nsmap.get(prefix or None) == MODEL:
            attrs[f"{{{XSI}}}type"] = "bpmn:" + local
    out = ET.Element(el.tag, attrs)
    out.text = el.text
    for child in el:
        if isinstance(child.tag, str):
            copied = _as_written(child)
            copied.tail = child.tail
            out.append(copied)
    return out


def _timer_part(text: str) -> str:
    """Which of a timer's three forms ISO-8601 text is: a cycle repeats (R…), a duration is a
    period (P…), anything else is a date."""
    head = text.lstrip("+-").upper()
    return "timeCycle" if head.startswith("R") else "timeDuration" if head.startswith("P") else "timeDate"


def _diagram(root: ET.Element, pid: str, plan, sid: dict[str, str], flows, collapsed: set[str]) -> None:
    """The process's diagram; a step of `collapsed` (a sub-process kept with its inner elements) is
    drawn collapsed, its inside on a diagram of its own."""
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
        shape(sid[step_id], box, **({"isExpanded": "false"} if step_id in collapsed else {}))
    for fid, src, tgt in flows:
        edge = ET.SubElement(plane, d("BPMNEdge"), {"id": f"{fid}_di", "bpmnElement": fid})
        for x, y in plan.route(src, tgt):
            ET.SubElement(edge, f"{{{DI}}}waypoint", {"x": _n(x), "y": _n(y)})


def _n(v: float) -> str:
    """A coordinate as written: whole numbers bare, a kept drawing's fractions exactly."""
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _xml_id(value: str, ascii: bool = False) -> str:
    """An XML NCName: a step id of any script that starts with a letter is one already (s1, 受理,
    Activity_0b1x); one that starts with a digit gets a leading `_`; in `ascii`, a character
    beyond ASCII is written as its code point (受理 → _u53d7_u7406)."""
    value = re.sub(r"[^\w.\-\u00b7\u0300-\u036f\u203f\u2040]", "_", value)
    if ascii:
        value = "".join(ch if ch.isascii() else f"_u{ord(ch):04x}" for ch in value)
    return value if re.match(r"[^\W\d]", value) else f"_{value}"


def element_ids(version: Version, ascii_ids: bool = False) -> dict[str, str]:
    """Each step's id in a file `write` makes of `version` (the designer marks a drawing's changed
    steps by them)."""
    return _xml_ids([s.id for s in version.steps], ascii_ids)


def _xml_ids(ids: list[str], ascii: bool) -> dict[str, str]:
    """Each step id's XML id, no two alike (an id made so may meet one that was so already)."""
    out: dict[str, str] = {}
    taken = {i for i in ids if _xml_id(i, ascii) == i}
    for i in ids:
        made = _xml_id(i, ascii)
        while made != i and made in taken:
            made += "_"
        taken.add(made)
        out[i] = made
    return out
