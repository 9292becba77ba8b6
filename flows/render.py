"""Published flowcharts with Graphviz: a swimlane per A holder, numbered steps, approvals and
gateways drawn apart, each step labelled with its A and B holders (and, on request, who acts on
a given day). Chinese text is set in WenQuanYi Micro Hei, else Noto Sans CJK (the set-up installs
both), so PNG and PDF show it; SVG names the same fonts.

Pure: the caller passes display names; this module knows processes, not people or databases.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import unicodedata
from itertools import pairwise

from dataclasses import dataclass, field, replace
import html

from .graph import flow_order
from .layout import lanes_of
from .metrics import step_count
from .model import Step, Version
from .timelimits import duration_days

#: A family list, first found first. WenQuanYi Micro Hei has TrueType outlines, so a PDF embeds
#: only the glyphs it uses (about 15 KB a chart); Noto Sans CJK's CFF outlines cost about 60 KB a
#: weight in every PDF, which made a city's site of 1,500 processes weigh 400 MB in PDFs alone.
FONT = "WenQuanYi Micro Hei,Noto Sans CJK SC"
PAD = 0.3  # inches of blank around a chart, inside its drawing
FORMATS = ("svg", "png", "pdf", "dot")
LANE_COLOURS = ("#EEF4FB", "#F3F8EE", "#FBF3EA", "#F4EFF8", "#EEF7F6", "#FAF0F0")
#: The marker drawn in a gateway of each type (flows.model.GATEWAY_TYPES), as BPMN draws them.
GATEWAY_MARKS = {"exclusive": "×", "parallel": "+", "inclusive": "○", "event": "⬠", "complex": "✱"}
#: The marker drawn in an event of each definition (flows.model.EVENT_TYPES), after BPMN's.
EVENT_MARKS = {"timer": "◷", "message": "✉", "signal": "△", "error": "⚡", "escalation": "⇧", "conditional": "≡",
               "terminate": "●", "compensation": "«", "link": "➔", "cancel": "✕"}
STATUS_COLOUR = {"A": "#2E7D32", "named": "#00838F", "B": "#B26A00", "up": "#6A1B9A", "gap": "#C62828"}


def escape(text: str) -> str:
    """Text for an HTML-like label: HTML's escapes, and backslashes doubled, since Graphviz
    expands \\N, \\G and \\L even there (a step named "\\N" would print the node's id)."""
    return html.escape(text).replace("\\", "\\\\")


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
    #: Step numbers when the chart shows part of a version (a printed page): the whole version's.
    numbers: dict[str, int] = field(default_factory=dict)
    #: Whether the title line counts the steps (a printed page's caption counts the whole version).
    count: bool = True
    #: Step names broken into lines of this many characters, holders on lines of their own: the
    #: narrow boxes of a printed page. 0 keeps each on one line.
    wrap: int = 0
    #: Space between boxes across and along the flow, in inches (a printed page packs them closer).
    spacing: tuple[float, float] = (0.35, 0.55)
    #: Steps marked as a review shows a change: "added", "removed" or "changed" (`diff_dot`).
    marks: dict[str, str] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=lambda: dict(A="主办", B="备岗", gap="空缺", steps="环节",
                                                                  approval="审批", none="未定", start="开始",
                                                                  end="结束", continued="续第{page}页：{step}",
                                                                  days="时限 {n} 个工作日",
                                                                  special="特殊环节 {n} 个工作日，不计时限",
                                                                  deadline="限 {n} 个工作日", beside="不中断",
                                                                  **{"from": "接第{page}页：{step}"}))


def numbering(version: Version) -> dict[str, int]:
    """Work steps numbered 1, 2, … in the order the work flows (`flow_order`), whatever the order
    of the step table or of the file they came from."""
    return {s.id: i for i, s in enumerate((s for s in flow_order(version) if s.is_work), 1)}


def to_dot(version: Version, labels: Labels, direction: str = "LR") -> str:
    lines, _ = _body(version, labels)
    return "\n".join([*_head(direction, f"<{_title(labels, version)}>", labels.spacing), *lines, "}"])


def sheet_dot(parts: list[tuple[str, Version, Labels]], title: str,
              spacing: tuple[float, float] = Labels.spacing) -> str:
    """Several versions of a process side by side on one sheet (the before/after sheet a section
    pins on the wall), each headed by its caption, `title` over all. The flows run top down: a
    version's lanes are then columns, and the versions stand next to each other."""
    out = _head("TB", f"<<b>{escape(title)}</b>>", spacing)
    bands: list[tuple[str, str]] = []
    for k, (caption, version, labels) in enumerate(parts):
        lines, ends = _body(version, labels, f"p{k}_", caption)
        out += lines
        bands += ends
    # The parts' bands chained like the lanes of one chart, so they keep their order.
    for (head, tail), (next_head, next_tail) in pairwise(bands):
        out.append(f'  "{head}" -> "{next_head}" [style=invis];')
        out.append(f'  "{tail}" -> "{next_tail}" [style=invis];')
    return "\n".join([*out, "}"])


def _head(direction: str, label: str, spacing: tuple[float, float] = Labels.spacing) -> list[str]:
    if direction not in ("LR", "TB"):
        raise ValueError(f"direction must be LR or TB, not {direction!r}")
    return ['digraph process {',
            f'  graph [rankdir={direction}, fontname="{FONT}", fontsize=16, labelloc=t, nodesep={spacing[0]}, ranksep={spacing[1]},'
            f' pad={PAD}, newrank=true, label={label}];',
            f'  node [fontname="{FONT}", fontsize=11, penwidth=1.2];',
            f'  edge [fontname="{FONT}", fontsize=10, color="#546E7A", arrowsize=0.8];']


def _body(version: Version, labels: Labels, prefix: str = "", caption: str | None = None
          ) -> tuple[list[str], list[tuple[str, str]]]:
    """Bands (a swimlane per A holder), steps and flows of one version, and each band's (head,
    tail) marks. `prefix` keeps the ids of versions sharing a sheet apart; a `caption` heads the
    version in a band of its own, or names its one band when it has no holders."""
    w = labels.words
    lanes, lane_of = lanes_of(version)
    number = labels.numbers or numbering(version)
    # A boundary event is drawn on its step's border, a port of the step's box its flows leave from.
    works = {s.id for s in version.steps if s.is_work}
    on: dict[str, list[Step]] = {}
    for s in version.steps:
        if s.attached in works:
            on.setdefault(s.attached, []).append(s)
    port = {e.id: f'"{_q(prefix + host)}":"b{k}"' for host, events in on.items() for k, e in enumerate(events)}
    q = lambda sid: _q(prefix + sid)  # noqa: E731
    source = lambda sid: port.get(sid, f'"{q(sid)}"')  # noqa: E731
    steps_of = {lane: [s for s in version.steps if lane_of[s.id] == lane and s.id not in port] for lane in lanes}
    # (title, fill, steps, title size) per band
    bands: list[tuple[str, str | None, list[Step], int]]
    if lanes != [None]:
        bands = [(labels.lane.get(lane, labels.person.get(lane, lane)) if lane else w["none"],
                  LANE_COLOURS[i % len(LANE_COLOURS)], steps_of[lane], 12) for i, lane in enumerate(lanes)]
        if caption:
            bands.insert(0, (caption, None, [], 14))
    else:
        bands = [(caption, "#F5F7F9", [s for s in version.steps if s.id not in port], 14)] if caption else []
    out, ends = [], []
    if not bands:
        out += ["  " + _node(s, number, labels, prefix, on.get(s.id, ())) for s in version.steps if s.id not in port]
    # A lane title, its post under the name on paper; a caption column's parts on lines of their own.
    def title_lines(title: str) -> list[str]:
        if not labels.wrap:
            return [title]
        return [chunk for line in title.replace("（", "\n（").replace(" (", "\n(").split("\n")
                for chunk in chunks(line, labels.wrap + 4)]
    titles = [title_lines(title) if fill else title.split(" · ") for title, fill, _, _ in bands]
    # Titles are centred on one line across the bands: all as wide as the widest, the bands' edges align.
    width = max((_text_width(line, size) for (_, _, _, size), lines in zip(bands, titles, strict=True)
                 for line in lines), default=0)
    for i, ((_, fill, members, size), lines) in enumerate(zip(bands, titles, strict=True)):
        head, tail = f"{prefix}band_head_{i}", f"{prefix}band_tail_{i}"
        ends.append((head, tail))
        out.append(f'  subgraph cluster_{prefix}band_{i} {{')
        out.append(f'    label=""; style=filled; fillcolor="{fill}"; color="#B0BEC5";' if fill else
                   '    label=""; style=invis;')
        # A title at the band's head and an invisible mark at its tail make every band span the
        # whole chart, so the bands stack as lanes instead of sitting side by side.
        text = "<br/>".join(escape(x) for x in lines)
        out.append(f'    "{head}" [shape=plaintext, label=<<b>{text}</b>>, fontsize={size}, width={width:.2f}];')
        out.append(f'    "{tail}" [shape=point, style=invis, width=0.01];')
        out += ["    " + _node(s, number, labels, prefix, on.get(s.id, ())) for s in members]
        out.append("  }")
        if members:
            out.append(f'  "{head}" -> "{q(members[0].id)}" [style=invis, weight=0];')
            out.append(f'  "{q(members[-1].id)}" -> "{tail}" [style=invis, weight=0];')
    if ends:
        heads, tails = ("; ".join(f'"{x}"' for x in side) for side in zip(*ends, strict=True))
        out.append(f"  {{ rank=min; {heads}; }}")
        out.append(f"  {{ rank=max; {tails}; }}")
        for (h, t), (h2, t2) in pairwise(ends):
            out.append(f'  "{h}" -> "{h2}" [style=invis];')
            out.append(f'  "{t}" -> "{t2}" [style=invis];')
    for s in version.steps:
        label = {b.to: b for b in s.branches}
        for t in s.next:
            b = label.get(t)
            text = (escape(b.name or "") + (f'<br/><font point-size="10">［{escape(b.condition)}］</font>'
                                            if b.condition else "")) if b else ""
            attrs = ([f'label=<{text}>, fontsize=10, fontcolor="#37474F"'] if text else []) + \
                (['dir=both, arrowtail=tee'] if t == s.otherwise else []) + \
                (['style=dashed'] if s.id in port and not s.interrupting else []) + \
                (['style=dashed', f'color="{MARKS["removed"][1]}"'] if labels.marks.get(s.id) == "removed" else [])
            out.append(f'  {source(s.id)} -> "{q(t)}"' + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    return out, ends


def chunks(text: str, width: int) -> list[str]:
    """`text` on lines of at most `width` characters (at least one line)."""
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def _title(labels: Labels, version: Version) -> str:
    parts = [f"<b>{escape(labels.title)}</b>"] if labels.title else []
    line = ([f'{labels.words["steps"]} {step_count(version)}'] if labels.count else []) + \
        ([escape(labels.today_title)] if labels.today_title else [])
    if line:
        parts.append(f'<font point-size="11">{" · ".join(line)}</font>')
    return "<br/>".join(parts)


#: How a compared step is drawn (fill, line): added green, removed red and dashed, changed amber.
MARKS = {"added": ("#E8F5E9", "#2E7D32"), "removed": ("#FFEBEE", "#C62828"), "changed": ("#FFF3E0", "#EF6C00")}


def compared(old: Version | None, new: Version) -> tuple[Version, dict[str, str]]:
    """`new` with `old`'s removed steps drawn in (with their flows to the steps still there), and
    each step's mark: "added", "removed" or "changed"."""
    from .diff import compare
    c = compare(old, new)
    gone = set(c.removed)
    kept = {s.id for s in new.steps} | gone
    removed = tuple(replace(s, next=tuple(n for n in s.next if n in kept), branches=(), otherwise=None)
                    for s in (old.steps if old else ()) if s.id in gone)
    return replace(new, steps=new.steps + removed), c.marks()


def diff_dot(old: Version | None, new: Version, labels: Labels, direction: str = "LR") -> str:
    """`new` with what changed since `old` marked on it (`compared`): draft against live, release
    against release. Steps keep `new`'s numbers; a removed one has none."""
    merged, marks = compared(old, new)
    return to_dot(merged, replace(labels, marks=marks, numbers=labels.numbers or numbering(new), count=False), direction)


def _node(s, number: dict[str, int], labels: Labels, prefix: str = "", border: tuple[Step, ...] | list[Step] = ()) -> str:
    node = _shape(s, number, labels, prefix, border)
    if (mark := labels.marks.get(s.id)) is None:
        return node
    fill, line = MARKS[mark]  # given last, these win over the shape's own
    dashed = ', style="rounded,filled,dashed"' if mark == "removed" and s.kind not in ("start", "end", "event", "gateway") \
        else (', style="filled,dashed"' if mark == "removed" else "")
    return node[:-2] + f', fillcolor="{fill}", color="{line}", penwidth=2.5{dashed}];'


def _shape(s, number: dict[str, int], labels: Labels, prefix: str = "", border: tuple[Step, ...] | list[Step] = ()) -> str:
    w = labels.words
    name = escape(s.name or "")
    if s.kind in ("start", "end", "event"):  # BPMN's rings: one thin (start), two (on the way), one thick (end)
        shape = {"start": 'shape=circle, width=0.45, fixedsize=true, style=filled, fillcolor="#C8E6C9"',
                 "end": 'shape=circle, width=0.42, fixedsize=true, style=filled, fillcolor="#FFCDD2", penwidth=3',
                 "event": 'shape=doublecircle, width=0.34, fixedsize=true, style=filled, fillcolor="#FFF9C4"'}[s.kind]
        text = name or w.get(s.kind, "")
        return f'"{_q(prefix + s.id)}" [{shape}, label={_event_mark(s)}, xlabel=<{text}>];'
    if s.kind == "gateway":  # BPMN's marker inside: × one way, + all ways at once, ○ some, ⬠ the first event, ✱ a rule
        return (f'"{_q(prefix + s.id)}" [shape=diamond, style=filled, fillcolor="#FFF3C4", color="#C9A227", width=0.5,'
                f' height=0.5, fixedsize=true, label=<<font point-size="16" color="#8D6E00"><b>'
                f'{GATEWAY_MARKS[s.gateway or "exclusive"]}</b></font>>, xlabel=<{name}>];')
    def holder(pid: str | None) -> str:  # on paper a long name goes on lines of its own, as a step's does
        if not pid:
            return f'<font color="#C62828">{w["none"]}</font>'
        name = labels.person.get(pid) or pid
        return "<br/>".join(escape(x) for x in chunks(name, labels.wrap + 2)) if labels.wrap else escape(name)
    approval = f'<font color="#BF360C">［{w["approval"]}］</font>' if s.kind == "approval" else ""
    no = f"{number[s.id]}. " if s.id in number else ""  # a removed step, drawn in a comparison, has none
    if labels.wrap:  # narrow boxes: the name on short lines, each holder on a line of their own
        lines = [escape(x) for x in chunks(s.name or "", labels.wrap)]
        rows = [f"<b>{no}{lines[0]}</b>", *(f"<b>{x}</b>" for x in lines[1:])] + ([approval] if approval else [])
    else:
        rows = [f'<b>{no}{name}</b>' + (f" {approval}" if approval else "")]
    if labels.holders:
        a, b = f'{w["A"]} {holder(s.a)}', f'{w["B"]} {holder(s.b)}'
        rows += [f'<font point-size="10">{x}</font>' for x in ((a, b) if labels.wrap else (f"{a} · {b}",))]
    if s.days is not None:  # its share of the time limit, or why it has none
        rows.append(f'<font point-size="10" color="#546E7A">{escape(w["special" if s.special else "days"].format(n=f"{s.days:g}"))}</font>')
    ports: dict[int, str] = {}  # row → the port of a boundary event drawn in it
    for k, e in enumerate(border):  # its boundary events, each a port its exception path leaves from
        due = duration_days(e.timer) if e.event == "timer" else None
        said = " ".join(x for x in (escape(e.name or ""), escape(w["deadline"].format(n=f"{due:g}")) if due else "",
                                    f'({escape(w["beside"])})' if not e.interrupting else "") if x)
        mark = EVENT_MARKS.get(e.event or "", "○")
        ports[len(rows)] = f"b{k}"
        rows.append(f'<font point-size="10" color="#8D6E00">{mark} {said}</font>')
    if s.id in labels.today:
        status, acting = labels.today[s.id]
        who = escape(acting) if acting else ""
        # A no-break space: Graphviz drops a plain one where the bold run ends ("空缺建议顶岗").
        rows.append(f'<font point-size="10" color="{STATUS_COLOUR[status]}"><b>{w[status]}</b>&#160;{who}</font>')
    style = ('shape=box, style="rounded,filled,bold", fillcolor="#FFE9D6", color="#BF360C"' if s.kind == "approval"
             else 'shape=box, style="rounded,filled", fillcolor="white", color="#37474F"')
    # One table row a line: lines of different sizes joined by <br/> overlap in Graphviz's layout.
    table = "".join(f'<TR><TD ALIGN="RIGHT" PORT="{ports[i]}">{row}</TD></TR>' if i in ports else f"<TR><TD>{row}</TD></TR>"
                    for i, row in enumerate(rows))
    return (f'"{_q(prefix + s.id)}" [{style}, margin="0.15,0.05", '
            f'label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{table}</TABLE>>];')


def _event_mark(s: Step) -> str:
    """An event's marker: its definition's, filled where the event sends (a throw, an end),
    outlined where it waits."""
    if s.event is None:
        return '""'
    sends = s.kind == "end" or (s.kind == "event" and not s.catches and s.attached is None)
    colour = "#263238" if sends else "#607D8B"
    return f'<<font point-size="12" color="{colour}">{"<b>" if sends else ""}{EVENT_MARKS[s.event]}{"</b>" if sends else ""}</font>>'


def _text_width(text: str, size: int) -> float:
    """At least the width in inches of bold `text` at `size` points: a wide (CJK) character an em,
    any other about two thirds of one, and a margin either side."""
    ems = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.68 for ch in text)
    return ems * size / 72 + 0.35


def _q(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


@functools.lru_cache(maxsize=64)
def layout_size(dot: str) -> tuple[float, float]:
    """A drawing's width and height in points, from Graphviz's layout alone (nothing drawn); kept
    for the same source, which a sheet asks about for both papers and again when it prints."""
    head = _dot(dot, "plain").split(b"\n", 1)[0].split()  # graph scale width height (inches)
    pad = 2 * PAD * 72  # which the plain format leaves out
    return float(head[2]) * 72 + pad, float(head[3]) * 72 + pad


def render(dot: str, fmt: str) -> bytes:
    """Run Graphviz's `dot` on the source; raises RuntimeError with dot's own message."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "dot":
        return dot.encode()
    return _shrunk(_dot(_for_format(dot, fmt), fmt), fmt)


def _for_format(dot: str, fmt: str) -> str:
    if fmt == "png":  # sharp on a wall and on a high-density screen; SVG and PDF scale by themselves
        return dot.replace("graph [", "graph [dpi=144, ", 1)
    return dot


def _shrunk(data: bytes, fmt: str) -> bytes:
    """A PNG in 256 colours: a chart's few colours and their anti-aliasing look the same, in a
    third of the bytes (a city's 办事指南 each carry one, and a site keeps them all). Without
    zlib's slowest search, which saves another eighth at twice the time."""
    if fmt != "png":
        return data
    from io import BytesIO

    from PIL import Image
    out = BytesIO()
    Image.open(BytesIO(data)).quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(out, "PNG")
    return out.getvalue()


def render_many(sources: list[str], fmt: str) -> list[bytes]:
    """`render` of many sources in one run of `dot` (`-O`: each file's drawing beside it), which
    saves a process start a chart: an SVG costs a tenth of its own run. The drawings are those
    of separate runs, though Graphviz may write a chart's clusters in another order. When dot
    refuses a source, each is drawn alone, so the bad one raises its own message."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "dot" or len(sources) < 2:
        return [render(s, fmt) for s in sources]
    import shutil
    import subprocess
    import tempfile
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError("Graphviz is not installed: `make setup` installs it (Debian package graphviz)")
    with tempfile.TemporaryDirectory(prefix="abflow-dot-") as tmp:
        files = []
        for i, source in enumerate(sources):
            path = Path(tmp) / f"{i}.gv"
            path.write_text(_for_format(source, fmt), "utf-8")
            files.append(path)
        # Our own temporary files and a format from FORMATS: nothing from outside reaches the command line.
        done = subprocess.run([dot, f"-T{fmt}", "-O", *map(str, files)], capture_output=True, check=False)  # noqa: S603
        if done.returncode != 0:
            return [render(s, fmt) for s in sources]
        drawn = [_shrunk(path.with_name(f"{path.name}.{fmt}").read_bytes(), fmt) for path in files]
    if fmt == "svg":  # a later graph of a run is named as a page of it; named as its own run names it
        drawn = [re.sub(rb'<g id="page\d+,\d+_graph0"', b'<g id="graph0"', svg, count=1) for svg in drawn]
    return drawn


def _dot(dot: str, fmt: str) -> bytes:
    import graphviz
    try:
        return graphviz.Source(dot).pipe(format=fmt)
    except graphviz.ExecutableNotFound as e:
        raise RuntimeError("Graphviz is not installed: `make setup` installs it (Debian package graphviz)") from e
    except graphviz.CalledProcessError as e:
        raise RuntimeError(f"dot failed: {(e.stderr or b'').decode(errors='replace').strip()}") from e
