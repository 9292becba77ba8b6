"""Published flowcharts with Graphviz: a swimlane per A holder, numbered steps, approvals and
gateways drawn apart, each step labelled with its A and B holders (and, on request, who acts on
a given day). Chinese text is set in Noto Sans CJK, which the set-up installs, so PNG and PDF
show it; SVG names the same font.

Pure: the caller passes display names; this module knows processes, not people or databases.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from .layout import lanes_of
from .metrics import step_count
from .model import Version

FONT = "Noto Sans CJK SC"
FORMATS = ("svg", "png", "pdf", "dot")
LANE_COLOURS = ("#EEF4FB", "#F3F8EE", "#FBF3EA", "#F4EFF8", "#EEF7F6", "#FAF0F0")
STATUS_COLOUR = {"A": "#2E7D32", "B": "#B26A00", "gap": "#C62828"}


@dataclass
class Labels:
    """What to print on the chart besides the process itself."""

    title: str = ""
    person: dict[str, str] = field(default_factory=dict)           # person id → name
    lane: dict[str, str] = field(default_factory=dict)             # person id → lane title
    today: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # step → (status, acting name)
    today_title: str = ""
    #: Whether steps show their A and B holders (a `before` version has none: it shows no "none").
    holders: bool = True
    words: dict[str, str] = field(default_factory=lambda: dict(A="主办", B="备岗", gap="空缺", steps="环节",
                                                                  approval="审批", none="未定", start="开始",
                                                                  end="结束"))


def numbering(version: Version) -> dict[str, int]:
    """Work steps numbered 1, 2, … in the order they are given (the order of the step table)."""
    return {s.id: i for i, s in enumerate(version.work_steps, 1)}


def to_dot(version: Version, labels: Labels, direction: str = "LR") -> str:
    if direction not in ("LR", "TB"):
        raise ValueError(f"direction must be LR or TB, not {direction!r}")
    w = labels.words
    lanes, lane_of = lanes_of(version)
    number = numbering(version)
    out = ['digraph process {',
           f'  graph [rankdir={direction}, fontname="{FONT}", fontsize=16, labelloc=t, nodesep=0.35, ranksep=0.55,'
           f' pad=0.3, newrank=true, label=<{_title(labels, version)}>];',
           f'  node [fontname="{FONT}", fontsize=11, penwidth=1.2];',
           f'  edge [fontname="{FONT}", fontsize=10, color="#546E7A", arrowsize=0.8];']
    swimlanes = lanes != [None]
    members = {lane: [s for s in version.steps if lane_of[s.id] == lane] for lane in lanes}
    for i, lane in enumerate(lanes):
        if swimlanes:
            title = labels.lane.get(lane, labels.person.get(lane, lane)) if lane else w["none"]
            out.append(f'  subgraph cluster_lane_{i} {{')
            out.append(f'    label=""; style=filled; fillcolor="{LANE_COLOURS[i % len(LANE_COLOURS)]}"; color="#B0BEC5";')
            # A title at the lane's head and an invisible mark at its tail make every lane span
            # the whole chart, so the lanes stack as bands instead of sitting side by side.
            out.append(f'    "lane_head_{i}" [shape=plaintext, label=<<b>{escape(title)}</b>>, fontsize=12];')
            out.append(f'    "lane_tail_{i}" [shape=point, style=invis, width=0.01];')
        for s in members[lane]:
            out.append("    " + _node(s, number, labels))
        if swimlanes:
            out.append("  }")
    if swimlanes:
        heads = "; ".join(f'"lane_head_{i}"' for i in range(len(lanes)))
        tails = "; ".join(f'"lane_tail_{i}"' for i in range(len(lanes)))
        out.append(f"  {{ rank=min; {heads}; }}")
        out.append(f"  {{ rank=max; {tails}; }}")
        for i in range(len(lanes) - 1):
            out.append(f'  "lane_head_{i}" -> "lane_head_{i + 1}" [style=invis];')
            out.append(f'  "lane_tail_{i}" -> "lane_tail_{i + 1}" [style=invis];')
        for i, lane in enumerate(lanes):
            if members[lane]:
                out.append(f'  "lane_head_{i}" -> "{_q(members[lane][0].id)}" [style=invis, weight=0];')
                out.append(f'  "{_q(members[lane][-1].id)}" -> "lane_tail_{i}" [style=invis, weight=0];')
    for s in version.steps:
        label = {b.to: b for b in s.branches}
        for t in s.next:
            b = label.get(t)
            text = (escape(b.name or "") + (f'<br/><font point-size="9">［{escape(b.condition)}］</font>'
                                            if b.condition else "")) if b else ""
            out.append(f'  "{_q(s.id)}" -> "{_q(t)}"' + (f' [label=<{text}>, fontsize=10, fontcolor="#37474F"]'
                                                          if text else "") + ";")
    out.append("}")
    return "\n".join(out)


def _title(labels: Labels, version: Version) -> str:
    parts = [f"<b>{escape(labels.title)}</b>"] if labels.title else []
    parts.append(f'<font point-size="11">{labels.words["steps"]} {step_count(version)}'
                 + (f" · {escape(labels.today_title)}" if labels.today_title else "") + "</font>")
    return "<br/>".join(parts)


def _node(s, number: dict[str, int], labels: Labels) -> str:
    w = labels.words
    name = escape(s.name or "")
    if s.kind in ("start", "end", "event"):
        shape = {"start": 'shape=circle, width=0.45, fixedsize=true, style=filled, fillcolor="#C8E6C9"',
                 "end": 'shape=doublecircle, width=0.38, fixedsize=true, style=filled, fillcolor="#FFCDD2"',
                 "event": 'shape=circle, width=0.4, fixedsize=true, style=filled, fillcolor="#FFF9C4"'}[s.kind]
        text = name or w.get(s.kind, "")
        return f'"{_q(s.id)}" [{shape}, label="", xlabel=<{text}>];'
    if s.kind == "gateway":
        return (f'"{_q(s.id)}" [shape=diamond, style=filled, fillcolor="#FFF3C4", color="#C9A227", width=0.5,'
                f' height=0.5, fixedsize=true, label="", xlabel=<{name}>];')
    holder = lambda pid: escape(labels.person.get(pid, pid)) if pid else f'<font color="#C62828">{w["none"]}</font>'  # noqa: E731
    rows = [f'<b>{number[s.id]}. {name}</b>' + (f' <font color="#BF360C">［{w["approval"]}］</font>'
                                                 if s.kind == "approval" else "")]
    if labels.holders:
        rows.append(f'<font point-size="10">{w["A"]} {holder(s.a)} · {w["B"]} {holder(s.b)}</font>')
    if s.id in labels.today:
        status, acting = labels.today[s.id]
        who = escape(acting) if acting else ""
        rows.append(f'<font point-size="10" color="{STATUS_COLOUR[status]}"><b>{w[status]}</b> {who}</font>')
    style = ('shape=box, style="rounded,filled,bold", fillcolor="#FFE9D6", color="#BF360C"' if s.kind == "approval"
             else 'shape=box, style="rounded,filled", fillcolor="white", color="#37474F"')
    return f'"{_q(s.id)}" [{style}, margin="0.15,0.08", label=<{"<br/>".join(rows)}>];'


def _q(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def render(dot: str, fmt: str) -> bytes:
    """Run Graphviz's `dot` on the source; raises RuntimeError with dot's own message."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "dot":
        return dot.encode()
    import graphviz
    if fmt == "png":  # sharp on a wall and on a high-density screen; SVG and PDF scale by themselves
        dot = dot.replace("graph [", "graph [dpi=144, ", 1)
    try:
        return graphviz.Source(dot).pipe(format=fmt)
    except graphviz.ExecutableNotFound as e:
        raise RuntimeError("Graphviz is not installed: `make setup` installs it (Debian package graphviz)") from e
    except graphviz.CalledProcessError as e:
        raise RuntimeError(f"dot failed: {(e.stderr or b'').decode(errors='replace').strip()}") from e
