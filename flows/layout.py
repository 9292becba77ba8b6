"""A swimlane layout of a process version for BPMN diagram interchange: columns by the step's
depth in the flow, one horizontal lane per A holder, orthogonal edges; or, for a version whose
steps all keep the shapes of the diagram they were drawn in, that drawing with lanes around it.

Graphviz draws our published flowcharts; BPMN tools need coordinates of their own shapes inside
lanes that span the pool, which a layered layout of this kind gives simply and predictably.
"""
from __future__ import annotations

from collections.abc import Mapping

from itertools import pairwise

from dataclasses import dataclass, field

from .model import Version

COL, ROW, LANE_HEAD, POOL_HEAD, PAD = 170, 110, 30, 30, 20
SIZE = {"task": (110, 70), "approval": (110, 70), "gateway": (50, 50), "start": (36, 36), "end": (36, 36),
        "event": (36, 36)}


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class Plan:
    lanes: list[str | None]                       # A holder per lane, top to bottom
    lane_of: dict[str, str | None]                # step → its lane's holder
    boxes: dict[str, Box] = field(default_factory=dict)
    lane_boxes: list[Box] = field(default_factory=list)
    pool: Box = Box(0, 0, 0, 0)
    layer: Mapping[str, float] = field(default_factory=dict)    # left-to-right order of the columns
    waypoints: dict[tuple[str, str], tuple[tuple[float, float], ...]] = field(default_factory=dict)  # kept

    def route(self, src: str, tgt: str) -> list[tuple[float, float]]:
        if (src, tgt) in self.waypoints:
            return list(self.waypoints[src, tgt])
        a, b = self.boxes[src], self.boxes[tgt]
        if self.layer[tgt] > self.layer[src]:  # forwards: out right, in left
            sx, sy, tx, ty = a.x + a.w, a.cy, b.x, b.cy
            if abs(sy - ty) < 1:
                return [(sx, sy), (tx, ty)]
            mx = sx + (tx - sx) / 2
            return [(sx, sy), (mx, sy), (mx, ty), (tx, ty)]
        # backwards (rework): under both shapes and back
        below = max(a.y + a.h, b.y + b.h) + PAD
        return [(a.cx, a.y + a.h), (a.cx, below), (b.cx, below), (b.cx, b.y + b.h)]


def layers(version: Version) -> dict[str, int]:
    """Longest-path depth from the entries, not counting edges that loop back; a boundary event
    stands in the column of the step it sits on."""
    nxt = {s.id: [t for t in s.next] for s in version.steps}
    on = {s.id: s.attached for s in version.steps if s.attached in nxt}
    for event, host in on.items():
        nxt[host].append(event)
    ids = list(nxt)
    targets = {t for ts in nxt.values() for t in ts}
    order, state, back = [], {}, set()
    for root in [i for i in ids if i not in targets] + ids:
        if root in state:
            continue
        stack = [(root, iter(nxt[root]))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            for t in it:
                if t not in nxt:
                    continue
                if state.get(t) == 1:
                    back.add((node, t))
                elif t not in state:
                    state[t] = 1
                    stack.append((t, iter(nxt[t])))
                    break
            else:
                state[node] = 2
                order.append(node)
                stack.pop()
    depth = {i: 0 for i in ids}
    for node in reversed(order):  # a topological order of the forward edges
        for t in nxt[node]:
            if t in depth and (node, t) not in back:
                depth[t] = max(depth[t], depth[node] + (on.get(t) != node))
    return depth


def lanes_of(version: Version, depth: dict[str, int] | None = None) -> tuple[list[str | None], dict[str, str | None]]:
    """Lanes (A holders, in order of first appearance along the flow) and each step's lane:
    a work step's is its A holder; a gateway or event sits with the step before it, else after it."""
    depth = depth if depth is not None else layers(version)
    preds: dict[str, list[str]] = {s.id: [] for s in version.steps}
    for s in version.steps:
        for t in s.next:
            if t in preds:
                preds[t].append(s.id)
    lane_of: dict[str, str | None] = {s.id: s.a for s in version.steps if s.is_work and s.a}
    # Gateways and events sit in the lane of the step before them, else after them; a boundary
    # event in the lane of the step it sits on.
    by_id = {s.id: s for s in version.steps}
    for s in sorted(version.steps, key=lambda s: depth[s.id]):
        if s.attached in by_id:
            host = by_id[s.attached]
            lane_of[s.id] = host.a if host.is_work and host.a else lane_of.get(host.id)
        if s.id not in lane_of:
            near = [p for p in preds[s.id] if p in lane_of] or [t for t in s.next if t in lane_of]
            lane_of[s.id] = lane_of[near[0]] if near else None
    lanes: list[str | None] = []
    for s in sorted(version.steps, key=lambda s: depth[s.id]):
        if lane_of[s.id] not in lanes:
            lanes.append(lane_of[s.id])
    return lanes, lane_of


def layout(version: Version) -> Plan:
    """The kept drawing where every step has its shape and the A holders' steps lie in bands
    that do not overlap (so lanes can be drawn around them); else our own layered layout."""
    return kept(version) or layered(version)


def kept(version: Version) -> Plan | None:
    shapes = {s.id: s.shape for s in version.steps if s.shape is not None}
    if not version.steps or len(shapes) < len(version.steps):
        return None
    boxes = {sid: Box(sh.x, sh.y, sh.w, sh.h) for sid, sh in shapes.items()}
    band: dict[str, tuple[float, float]] = {}  # A holder → the rows their steps were drawn in
    for s in version.steps:
        if s.is_work and s.a:
            b = boxes[s.id]
            top, bottom = band.get(s.a, (b.y, b.y + b.h))
            band[s.a] = (min(top, b.y), max(bottom, b.y + b.h))
    order = sorted(band, key=lambda lane: band[lane])
    if any(band[order[i]][0] < band[order[i - 1]][1] for i in range(1, len(order))):
        return None  # the drawing's rows are not the A holders' lanes
    waypoints = {(s.id, to): points for s in version.steps for to, points in shapes[s.id].edges
                 if to in s.next and to in boxes}
    xs = [v for b in boxes.values() for v in (b.x, b.x + b.w)] + [x for pts in waypoints.values() for x, _ in pts]
    ys = [v for b in boxes.values() for v in (b.y, b.y + b.h)] + [y for pts in waypoints.values() for _, y in pts]
    left = min(xs) - PAD - (LANE_HEAD if order else 0) - POOL_HEAD
    right, top, bottom = max(xs) + PAD, min(ys) - PAD, max(ys) + PAD
    # Lanes tile the pool, meeting halfway between neighbouring bands; a step without an A holder
    # (a gateway, an event) belongs to the lane it was drawn in.
    cuts = [top] + [(band[a][1] + band[b][0]) / 2 for a, b in pairwise(order)] + [bottom]
    lane_of: dict[str, str | None] = {}
    for s in version.steps:
        cy = boxes[s.id].cy
        lane_of[s.id] = (s.a if s.is_work and s.a else
                         next((lane for lane, y1 in zip(order, cuts[1:], strict=False) if cy < y1), order[-1]) if order else None)
    plan = Plan(list[str | None](order), lane_of, boxes, layer={sid: box.cx for sid, box in boxes.items()}, waypoints=waypoints)
    plan.pool = Box(left, top, right - left, bottom - top)
    plan.lane_boxes = [Box(left + POOL_HEAD, y0, right - left - POOL_HEAD, y1 - y0) for y0, y1 in pairwise(cuts)
                       ] if order else []
    return plan


def layered(version: Version) -> Plan:
    depth = layers(version)
    by_id = {s.id: s for s in version.steps}
    lanes, lane_of = lanes_of(version, depth)
    plan = Plan(lanes if any(lanes) else [], lane_of, layer=depth)
    rows: dict[tuple[str | None, int], int] = {}
    slot: dict[str, int] = {}
    ids = set(by_id)
    for s in version.steps:
        if s.attached in ids:
            continue  # drawn on its step's border, below
        key = (lane_of[s.id], depth[s.id])
        slot[s.id] = rows.get(key, 0)
        rows[key] = slot[s.id] + 1
    lane_rows = {lane: max([n for (ln, _), n in rows.items() if ln == lane] or [1]) for lane in (lanes or [None])}
    width = POOL_HEAD + LANE_HEAD + (max(depth.values(), default=0) + 1) * COL + PAD
    y = 0.0
    lane_top: dict[str | None, float] = {}
    for lane in lanes or [None]:
        h = lane_rows[lane] * ROW + PAD
        lane_top[lane] = y
        if lanes:
            plan.lane_boxes.append(Box(POOL_HEAD, y, width - POOL_HEAD, h))
        y += h
    plan.pool = Box(0, 0, width, y)
    for s in version.steps:
        if s.id not in slot:
            continue
        w, h = SIZE[by_id[s.id].kind]
        cx = POOL_HEAD + LANE_HEAD + depth[s.id] * COL + COL / 2
        cy = lane_top[lane_of[s.id] if lanes else None] + PAD / 2 + slot[s.id] * ROW + ROW / 2
        plan.boxes[s.id] = Box(cx - w / 2, cy - h / 2, w, h)
    on_border: dict[str, int] = {}
    for s in version.steps:  # boundary events along the bottom edge of their step, right to left
        if s.id not in slot:
            host = plan.boxes[s.attached or ""]
            host_id = s.attached or ""
            k = on_border[host_id] = on_border.get(host_id, 0) + 1
            w, h = SIZE["event"]
            plan.boxes[s.id] = Box(host.x + host.w - k * (w + 4), host.y + host.h - h / 2, w, h)
    return plan
