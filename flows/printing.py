"""The print pack: a flowchart or a before/after sheet on A4 or A3 pages, text never smaller than
8 pt on paper, each page with a title block (单位, 科室, 流程, 版本, 生效日期, 审核人, page) and a
legend.

A chart that would have to shrink below 8 pt is not shrunk: its steps are wrapped onto several
pages, in the order of the step table, and a flow that leaves a page ends in a marker naming the
page and step it continues on. Graphviz lays out and draws each page (so the pages look like the
app's charts), pypdf places the drawings on paper of the exact size.

Pure: the caller passes the words and names; no database, no UI.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from io import BytesIO

from .errors import BadInput
from .model import Step, Version
from .graph import flow_order
from .render import Labels, layout_size, numbering, render, sheet_dot, to_dot

#: Paper in PDF points (1/72 inch), portrait.
PAPERS = {"A4": (595.28, 841.89), "A3": (841.89, 1190.55)}
MIN_PT = 8.0
MARGIN = 28.0          # about 10 mm: what office printers leave blank anyway
BLOCK_H = 96.0         # the band at the foot of each page that the title block may take: values on two lines
#: The longest approver typed for the title block: two of its lines.
MAX_APPROVER = 32
GAP = 8.0              # between the chart and the title block
PAPER_SPACING = (0.2, 0.3)  # inches between boxes across and along the flow: closer than on screen
WRAP = 8               # characters of a step name a line on paper: boxes narrow enough for five lanes across A4
_FONT_SIZE = re.compile(r'(?:fontsize=|point-size=")(\d+(?:\.\d+)?)')


@dataclass(frozen=True)
class Paper:
    size: str = "A4"
    landscape: bool = True

    def __post_init__(self) -> None:
        if self.size not in PAPERS:
            raise BadInput(f"paper: '{self.size}' is neither of {', '.join(PAPERS)}")

    @property
    def points(self) -> tuple[float, float]:
        w, h = PAPERS[self.size]
        return (h, w) if self.landscape else (w, h)

    @property
    def direction(self) -> str:
        """Flows run along the paper's long side: lanes are rows on landscape, columns on portrait."""
        return "LR" if self.landscape else "TB"


@dataclass(frozen=True)
class TitleBlock:
    """The fields of the title block, label → value, in the order printed; `page` words the page
    number ("第 {n}/{total} 页")."""

    fields: tuple[tuple[str, str], ...]
    page: str = "{n}/{total}"
    #: Legend entries, (kind, words): a kind of `MARKS` is drawn with its mark, any other as words only.
    legend: tuple[tuple[str, str], ...] = ()


def approver_problem(text: str) -> str | None:
    """Why a typed approver cannot go in the title block (None when it can)."""
    from .limits import text_problem
    return text_problem(text, MAX_APPROVER)


@dataclass(frozen=True)
class Part:
    """One version to print: its caption on each of its pages, the version and its labels."""

    caption: str
    version: Version
    labels: Labels


def print_chart(part: Part, block: TitleBlock, paper: Paper = Paper()) -> bytes:
    """A PDF of one version on as many pages of `paper` as keep its text at 8 pt or more."""
    return _pdf([(dot,) for dot in _pages(part, paper)], block, paper)


def print_sheet(parts: list[Part], title: str, block: TitleBlock, paper: Paper = Paper()) -> bytes:
    """The before/after sheet: both versions on one page when that keeps 8 pt, else each version
    on pages of its own, captioned."""
    page = sheet_page(parts, title, paper)
    if page is not None:
        return _pdf([page], block, paper)
    return _pdf([(dot,) for part in parts for dot in _pages(part, paper)], block, paper)


def sheet_page(parts: list[Part], title: str, paper: Paper) -> tuple[str, ...] | None:
    """The drawings of a sheet that holds every version on one page of `paper` at 8 pt or more:
    side by side (lanes as columns) or one above the other (lanes as rows), whichever sets the
    larger text; None when neither does (a long process on paper turned the other way may)."""
    parts = [replace(p, labels=_on_paper(p.labels)) for p in parts]
    beside = (sheet_dot([(p.caption, p.version, p.labels) for p in parts], title, PAPER_SPACING),)
    stacked = (_title_dot(title), *(to_dot(p.version, replace(p.labels, title=p.caption, count=False), "LR")
                                    for p in parts))
    area = _area(paper)
    pt, best = max(((_text_pt(dots, area), dots) for dots in (beside, stacked)), key=lambda scored: scored[0])
    return best if pt >= MIN_PT - 1e-6 else None


def smallest_font(dot: str) -> float:
    """The smallest font size a DOT source asks for."""
    return min(float(x) for x in _FONT_SIZE.findall(dot))


def _area(paper: Paper) -> tuple[float, float]:
    """What the chart may take on a page: the paper less margins and the title block's band."""
    w, h = paper.points
    return w - 2 * MARGIN, h - 2 * MARGIN - BLOCK_H - GAP


def _scale(size: tuple[float, float], area: tuple[float, float]) -> float:
    return min(1.0, area[0] / size[0], area[1] / size[1])


def _stack_size(sizes: list[tuple[float, float]]) -> tuple[float, float]:
    """Drawings one above the other, GAP apart: as wide as the widest."""
    return max(w for w, _ in sizes), sum(h for _, h in sizes) + GAP * (len(sizes) - 1)


def _text_pt(dots: tuple[str, ...], area: tuple[float, float]) -> float:
    """The smallest text, in points on paper, of drawings stacked to fit `area`."""
    return _scale(_stack_size([layout_size(d) for d in dots]), area) * min(map(smallest_font, dots))


def _fits(dot: str, area: tuple[float, float]) -> bool:
    return _text_pt((dot,), area) >= MIN_PT - 1e-6


def _title_dot(title: str) -> str:
    """A sheet's title, drawn on its own above drawings that each carry their caption."""
    from .render import FONT, escape
    return f'digraph title {{ graph [fontname="{FONT}", fontsize=16, pad=0.1, label=<<b>{escape(title)}</b>>]; }}'


def _pages(part: Part, paper: Paper) -> list[str]:
    """The DOT of each page: the version's steps cut, in order, into the longest runs that fit at
    8 pt (each run's length found by bisection, Graphviz laying out each candidate)."""
    area = _area(paper)
    steps = flow_order(part.version)  # pages follow the flow, as the numbers do
    number = part.labels.numbers or numbering(part.version)
    whole = _page_dot(part, steps, {}, number, paper, None)
    if _fits(whole, area):
        return [whole]
    runs: list[tuple[Step, ...]] = []
    start = 0
    while start < len(steps):
        def fits(end: int) -> bool:
            # Markers name pages not known yet: a stand-in number lays out the same.
            dot = _page_dot(part, steps[start:end], _ANY_PAGE, number, paper, (9, 9))  # noqa: B023
            return _fits(dot, area)
        low, high = start + 1, len(steps)  # steps[start:low] fits; steps[start:high + 1] does not
        if not fits(low):
            raise BadInput(f"{part.caption}: step '{steps[start].label}' alone does not fit on {paper.size} at "
                           f"{MIN_PT:g} pt; print on A3 or turn the paper")
        while low < high:
            mid = (low + high + 1) // 2
            low, high = (mid, high) if fits(mid) else (low, mid - 1)
        runs.append(steps[start:low])
        start = low
    page_of = {s.id: i for i, run in enumerate(runs) for s in run}
    return [_page_dot(part, run, page_of, number, paper, (i + 1, len(runs))) for i, run in enumerate(runs)]


class _AnyPage(dict):
    def __missing__(self, key: str) -> int:
        return 8


_ANY_PAGE = _AnyPage()


def _page_dot(part: Part, run: tuple[Step, ...], page_of: dict[str, int], number: dict[str, int],
              paper: Paper, page: tuple[int, int] | None) -> str:
    """One page of a version: its run of steps, and a marker for each flow into or out of it
    that names the page and step on the other side."""
    mine = {s.id for s in run}
    by_id = {s.id: s for s in part.version.steps}
    words = part.labels.words

    def marker(sid: str, into: bool) -> Step:
        other = by_id[sid]
        step = f"{number[sid]}. {other.label}" if sid in number else other.label
        text = words["from" if into else "continued"].format(page=page_of[sid] + 1, step=step)
        return Step(id=f"{'from' if into else 'to'}::{sid}", name=text, kind="event")

    outside = lambda t: t not in mine and t in by_id  # noqa: E731
    steps = [replace(s, next=tuple(f"to::{t}" if outside(t) else t for t in s.next),
                     branches=tuple(replace(b, to=f"to::{b.to}") if outside(b.to) else b for b in s.branches))
             for s in run]
    leaving = {t for s in run for t in s.next if outside(t)}
    coming = [s for s in part.version.steps if s.id not in mine and any(t in mine for t in s.next)]
    markers = [replace(marker(s.id, True), next=tuple(t for t in s.next if t in mine)) for s in coming]
    markers += [marker(t, False) for t in sorted(leaving, key=list(by_id).index)]
    caption = part.caption + (f"（{page[0]}/{page[1]}）" if page else "")
    labels = replace(_on_paper(part.labels), title=caption, numbers=number, count=False)
    return to_dot(Version(tuple(markers[:len(coming)]) + tuple(steps) + tuple(markers[len(coming):])), labels,
                  paper.direction)


def _on_paper(labels: Labels) -> Labels:
    return replace(labels, wrap=WRAP, spacing=PAPER_SPACING)


def _wrap(text: str, width: int = 16) -> str:
    """A title block value on lines of `width` characters (CJK are wide; names rarely exceed it),
    a longer one on two wider lines: the band at the foot holds two."""
    from .render import chunks, escape
    return "<BR/>".join(escape(x) for x in chunks(text, max(width, math.ceil(len(text) / 2)))) if text else "&#160;"


#: The legend's marks, drawn with the charts' own colours.
MARKS = {"task": ("□", "#37474F"), "approval": ("■", "#BF360C"), "gateway": ("◇×", "#C9A227"),
         "parallel": ("◇+", "#C9A227"),
         "start": ("●", "#2E7D32"), "end": ("◎", "#C62828"), "event": ("◷✉", "#8D6E00"), "default": ("⊢→", "#546E7A"),
         "marker": ("○", "#9E9D24")}


def _block_dot(block: TitleBlock, page: str) -> str:
    """The title block: its fields in two rows, the page number, and the legend under them, as one
    table that Graphviz draws in the charts' font."""
    from .render import FONT, escape
    half = math.ceil(len(block.fields) / 2)
    rows = [block.fields[:half], block.fields[half:]]
    cell = lambda k, v: (f'<TD ALIGN="LEFT" VALIGN="TOP"><FONT POINT-SIZE="8" COLOR="#546E7A">{escape(k)}</FONT>'  # noqa: E731
                         f'<BR ALIGN="LEFT"/><FONT POINT-SIZE="10">{_wrap(v)}</FONT></TD>')
    body = []
    for i, row in enumerate(rows):
        tds = "".join(cell(k, v) for k, v in row) + "<TD></TD>" * (half - len(row))
        if i == 0:
            tds += f'<TD ROWSPAN="2" VALIGN="MIDDLE"><FONT POINT-SIZE="10">{escape(page)}</FONT></TD>'
        body.append(f"<TR>{tds}</TR>")
    if block.legend:  # on two lines, so that the block fits the foot of a portrait A4 page
        entries = [f'<FONT COLOR="{MARKS[k][1]}">{MARKS[k][0]}</FONT>&#160;{escape(w)}' if k in MARKS else escape(w)
                   for k, w in block.legend]
        cut = math.ceil(len(entries) / 2)
        marks = "<BR ALIGN=\"LEFT\"/>".join("&#160;&#160;".join(line) for line in (entries[:cut], entries[cut:]) if line)
        body.append(f'<TR><TD COLSPAN="{half + 1}" ALIGN="LEFT"><FONT POINT-SIZE="8">{marks}<BR ALIGN="LEFT"/></FONT></TD></TR>')
    table = f'<TABLE BORDER="1" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" COLOR="#37474F">{"".join(body)}</TABLE>'
    return (f'digraph block {{ graph [pad=0, margin=0]; node [fontname="{FONT}", fontsize=8]; '
            f"block [shape=plaintext, margin=0, label=<{table}>]; }}")


def _unmargined(dot: str) -> str:
    """Graphviz's PDF device adds half an inch around a drawing unless told not to; the page has margins."""
    return dot.replace("graph [", "graph [margin=0, ", 1)


def _pdf(pages: list[tuple[str, ...]], block: TitleBlock, paper: Paper) -> bytes:
    """The pages on paper: each page's drawings one above the other, scaled together to fit (never
    up) at the top of the chart area, centred across it, the title block in the bottom right corner."""
    from pypdf import PageObject, PdfReader, PdfWriter, Transformation
    w, h = paper.points
    area = _area(paper)
    out = PdfWriter()
    for n, dots in enumerate(pages, 1):
        sheet = PageObject.create_blank_page(width=w, height=h)
        charts = [PdfReader(BytesIO(render(_unmargined(dot), "pdf"))).pages[0] for dot in dots]
        sizes = [(float(c.mediabox.width), float(c.mediabox.height)) for c in charts]
        s = _scale(_stack_size(sizes), area)
        top = h - MARGIN
        for chart, (cw, ch) in zip(charts, sizes, strict=True):
            sheet.merge_transformed_page(chart, Transformation().scale(s).translate(
                MARGIN + (area[0] - cw * s) / 2, top - ch * s))
            top -= (ch + GAP) * s
        foot = PdfReader(BytesIO(render(_block_dot(block, block.page.format(n=n, total=len(pages))), "pdf"))).pages[0]
        fw, fh = float(foot.mediabox.width), float(foot.mediabox.height)
        if fw > w - 2 * MARGIN or fh > BLOCK_H:
            raise BadInput(f"the title block ({fw:.0f} × {fh:.0f} pt) does not fit the foot of {paper.size}; "
                           "shorten its values")
        sheet.merge_transformed_page(foot, Transformation().translate(w - MARGIN - fw, MARGIN))
        out.add_page(sheet).compress_content_streams()  # merged pages' drawing is left uncompressed
    out.compress_identical_objects()  # a font subset two pages' title blocks both embed, once
    buf = BytesIO()
    out.write(buf)
    return buf.getvalue()
