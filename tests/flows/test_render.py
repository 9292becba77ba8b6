"""Flowcharts drawn by the real Graphviz: lanes per holder, numbering, holders, CJK in every format."""
from __future__ import annotations

from itertools import pairwise

import io
import re
import struct

import pytest

from flows.render import Labels, numbering, render, render_many, sheet_dot, to_dot
from flows.model import Step, Version

V = Version((Step("s1", "收文登记", next=("g1",), a="p1", b="p2"),
             Step("g1", kind="gateway", next=("s2", "s3")),
             Step("s2", "分管领导审批", "approval", next=("s3",), a="p2", b="p1"),
             Step("s3", "办理归档", a="p1", b=None)))
LABELS = Labels(title="公文办理（改革后）", person={"p1": "张伟", "p2": "李娜"},
                lane={"p1": "张伟（负责人）", "p2": "李娜（副职）"},
                today={"s1": ("B", "李娜"), "s2": ("gap", None)})


def test_the_dot_has_a_lane_per_a_holder_numbered_steps_and_holders():
    dot = to_dot(V, LABELS)
    assert dot.count("subgraph cluster_band_") == 2
    assert "张伟（负责人）" in dot and "李娜（副职）" in dot
    assert numbering(V) == {"s1": 1, "s2": 2, "s3": 3}
    assert "1. 收文登记" in dot and "2. 分管领导审批" in dot and "［审批］" in dot
    assert "主办 张伟 · 备岗 李娜" in dot
    assert "备岗 <font color=\"#C62828\">未定</font>" in dot  # s3 lacks a B holder, and it shows
    assert "shape=diamond" in dot
    assert "<b>空缺</b>" in dot and "<b>备岗</b>&#160;李娜" in dot


def test_svg_png_and_pdf_render_with_the_cjk_font():
    dot = to_dot(V, LABELS, "TB")
    svg = render(dot, "svg").decode()
    assert "收文登记" in svg and "Noto Sans CJK SC" in svg
    assert ">\xa0李娜<" in svg  # a space renderers keep after the bold status ("备岗 李娜", not "备岗李娜")
    png = render(dot, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width > 300 and height > 300
    assert png[25] == 3  # colour type 3: a palette of 256 colours, a quarter of the bytes of Graphviz's RGBA
    from PIL import Image
    drawn = Image.open(io.BytesIO(png)).convert("RGBA")
    assert len(drawn.getcolors(maxcolors=1 << 16) or ()) > 8  # the lanes' fills, the boxes' colours and the text's edges are kept
    pdf = render(dot, "pdf")
    assert pdf.startswith(b"%PDF") and re.search(rb"WenQuanYiMicroHei", pdf)
    # TrueType outlines: only the glyphs used are embedded (Noto's CFF took about 120 KB a chart,
    # most of a city's site)
    assert len(pdf) < 40_000


def test_many_charts_in_one_run_of_dot_are_the_charts_each_run_draws():
    sources = [to_dot(V, LABELS, d) for d in ("LR", "TB")] + [to_dot(Version((Step("x", "单步"),)), LABELS)]
    # the same drawing: its lines are those of a run of its own (Graphviz may order the clusters otherwise)
    assert [sorted(svg.splitlines()) for svg in render_many(sources, "svg")] == \
        [sorted(render(s, "svg").splitlines()) for s in sources]
    pngs = render_many(sources, "png")
    assert all(p[25] == 3 for p in pngs)
    assert [struct.unpack(">II", p[16:24]) for p in pngs] == [struct.unpack(">II", render(s, "png")[16:24]) for s in sources]
    assert all(p.startswith(b"%PDF") for p in render_many(sources, "pdf"))
    with pytest.raises(RuntimeError, match="dot failed"):  # one bad source: its own message, from its own run
        render_many([sources[0], "digraph { a -> }"], "svg")


def test_bad_requests():
    with pytest.raises(ValueError, match="direction"):
        to_dot(V, LABELS, "RL")
    with pytest.raises(ValueError, match="format"):
        render("digraph {}", "gif")
    with pytest.raises(RuntimeError, match="dot failed"):
        render("digraph { a -> }", "svg")


def test_a_before_after_sheet_sets_the_versions_side_by_side_in_order():
    """Read back from the drawn SVG: the `before` caption stands left of the redesign's lanes, and
    every step of both versions is drawn once, ids kept apart."""
    before = Version((Step("s1", "收文"), Step("s2", "拟办"), Step("s3", "审核", "approval"), Step("s4", "归档")))
    for s_prev, s_next in pairwise(before.steps):
        before = Version(tuple(Step(s.id, s.name, s.kind, (s_next.id,)) if s is s_prev else s for s in before.steps))
    dot = sheet_dot([("改革前 · 4 个环节", before, Labels(holders=False)),
                     ("改革后 · 3 个环节 · 压减 25%", V, LABELS)], "公文办理（改革前后对照）")
    assert '"p0_s1"' in dot and '"p1_s1"' in dot and "rankdir=TB" in dot
    svg = render(dot, "svg").decode()
    x = lambda text: float(re.search(r'<text[^>]*x="([\d.-]+)"[^>]*>' + text, svg).group(1))  # noqa: E731
    assert x("改革前") < x("改革后") < x("张伟（负责人）") < x("李娜（副职）")
    assert svg.count("收文") == 2 and "压减 25%" in svg


@pytest.mark.parametrize("direction", ["LR", "TB"])
def test_lane_bands_line_up_whatever_their_titles(direction):
    """Bands of titles of different widths and steps at different ranks start and end on the same
    line (read from the drawn SVG's cluster outlines): lanes, not a staircase of boxes."""
    labels = Labels(person=LABELS.person, lane={"p1": "张伟（负责人）", "p2": "欧阳李娜娜（工作人员）"})
    svg = render(to_dot(V, labels, direction), "svg").decode()
    bands = re.findall(r'<g id="clust\d+" class="cluster">.*?<polygon[^>]*points="([^"]+)"', svg, re.S)
    assert len(bands) == 2
    spans = set()
    for points in bands:
        xy = [tuple(float(v) for v in p.split(",")) for p in points.split()]
        across = [x for x, _ in xy] if direction == "LR" else [y for _, y in xy]
        spans.add((round(min(across)), round(max(across))))
    assert len(spans) == 1, spans


def test_a_step_shows_its_days_and_a_special_step_says_they_do_not_count():
    v = Version((Step("s1", "受理", next=("s2",), a="p1", b="p2", days=1.5),
                 Step("s2", "公示", a="p2", b="p1", days=5, special=True), Step("s3", "办结", a="p1", b="p2")))
    svg = render(to_dot(v, LABELS), "svg").decode()
    assert "时限 1.5 个工作日" in svg and "特殊环节 5 个工作日，不计时限" in svg
    assert svg.count("个工作日") == 2  # a step that gives no days says nothing of them


def test_each_gateway_is_drawn_with_its_types_marker():
    from flows.render import GATEWAY_MARKS
    steps = [Step("s1", "受理", next=("g1",), a="p1", b="p2")]
    for i, kind in enumerate(GATEWAY_MARKS):
        steps.append(Step(f"g{i + 1}", f"分支{i}", "gateway", next=(f"g{i + 2}",) if i + 1 < len(GATEWAY_MARKS) else ("s2",),
                          gateway=None if kind == "exclusive" else kind))
    steps.append(Step("s2", "办结", a="p2", b="p1"))
    svg = render(to_dot(Version(tuple(steps)), Labels(), "LR"), "svg").decode()
    import re
    drawn = re.findall(r'<text[^>]*font-weight="bold"[^>]*>([^<]*)</text>', svg)
    assert all(mark in drawn for mark in GATEWAY_MARKS.values()), drawn


def test_events_are_drawn_with_their_markers_boundary_events_on_their_step_and_the_default_way_marked():
    """BPMN's pictures: a timer on 受理's border (its deadline written beside it) from which the
    exception path leaves, dashed since it does not interrupt; a message the process waits for; the
    default way out of a gateway with BPMN's slash (a bar at its tail)."""
    v = Version((
        Step("s1", "受理", next=("g",), days=3),
        Step("t1", "超时", "event", ("s9",), event="timer", timer="P5D", attached="s1", interrupting=False),
        Step("s9", "督办"),
        Step("g", "齐全？", "gateway", ("m", "s2"), otherwise="s2"),
        Step("m", "等待补正", "event", ("s2",), event="message", catches=True),
        Step("s2", "办结")))
    dot = to_dot(v, Labels(holders=False))
    assert 'PORT="b0"' in dot and '"s1":"b0" -> "s9" [style=dashed]' in dot
    assert '"g" -> "s2" [dir=both, arrowtail=tee]' in dot
    svg = render(dot, "svg").decode()
    assert "◷" in svg and "限 5 个工作日" in svg and "✉" in svg
    assert "<title>t1</title>" not in svg  # no node of its own: it sits on 受理
