"""The 办事指南 (service guide) of a process as a Word document: what an applicant or a requesting
section reads before coming in. Its name, who handles it, its kind and time limits, the materials
to bring, how many trips, each step with its holders and days, and the flowchart. Written with
python-docx; a PDF is the same document converted by LibreOffice, so the two never differ.

Pure apart from that conversion: the caller passes every word and name already in the reader's
language, and the chart as PNG."""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .graph import flow_order
from .model import Version
from .timelimits import deadlines, longest_route, step_days

FONT = "Noto Sans CJK SC"
#: How long LibreOffice may take to turn one guide into PDF.
CONVERT_SECONDS = 120


@dataclass(frozen=True)
class Guide:
    """What a guide says, in the reader's language: `rows` are (label, value) pairs of the
    matter's facts; `columns` head the step table; `person` names holders by id."""

    title: str
    rows: tuple[tuple[str, str], ...]
    materials_title: str
    materials: tuple[str, ...] | None
    none_listed: str
    steps_title: str
    columns: tuple[str, ...]          # 序号, 环节, 主办, 备岗, 时限（工作日）, 说明
    special: str                      # the note on a special step
    deadline: str                     # the note on a step with a timer on its border: "{days}" in it
    path: str                         # the sentence on the longest path, its days in it
    person: dict[str, str]
    chart_title: str
    chart_png: bytes | None
    footer: str


def a4(section, landscape: bool = False) -> None:
    """A Word section on A4 (python-docx starts on US Letter) with the margins of GB/T 9704, the
    layout of official documents: 37 mm top, 35 mm bottom, 28 mm left, 26 mm right."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    if landscape:  # a wide table's form: the same margins, turned with the page
        section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Mm(28), Mm(26), Mm(37), Mm(35)
    else:
        section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)


def a4_document(font_pt: float, landscape: bool = False):
    """A new Word document on A4 (`a4`), its text in FONT, without what python-docx's template
    carries that no reader needs (its styles once more "with effects", a thumbnail of a blank
    page): 15 KB less in each of a city's 办事指南."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rid)
    for rid, rel in list(doc.part.package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            doc.part.package.rels.pop(rid)
    a4(doc.sections[0], landscape)
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        doc.styles[name].font.name = FONT
        doc.styles[name].element.rPr.rFonts.set(qn("w:eastAsia"), FONT)  # Chinese text takes the East Asian font
    doc.styles["Normal"].font.size = Pt(font_pt)
    return doc


def guide_docx(version: Version, guide: Guide) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    doc = a4_document(11)

    doc.add_heading(guide.title, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    facts = doc.add_table(rows=0, cols=2)
    facts.style, facts.autofit = "Table Grid", False
    for label, value in guide.rows:
        cells = facts.add_row().cells
        cells[0].text, cells[1].text = label, value
        cells[0].paragraphs[0].runs[0].bold = True
        cells[0].width, cells[1].width = Cm(3.6), Cm(12)  # within A4 between GB/T 9704 margins: 15.6 cm

    doc.add_heading(guide.materials_title, level=1)
    if guide.materials:
        for item in guide.materials:
            doc.add_paragraph(item, style="List Number")
    else:
        doc.add_paragraph(guide.none_listed)

    doc.add_heading(guide.steps_title, level=1)
    on_route = set(longest_route(version).steps)
    due = deadlines(version)
    table = doc.add_table(rows=1, cols=len(guide.columns))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, guide.columns, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for n, s in enumerate((s for s in flow_order(version) if s.is_work), start=1):  # numbered as charts are
        cells = table.add_row().cells
        days = "" if s.days is None else f"{s.days:g}"
        notes = [guide.special] if s.special else []
        notes += [guide.deadline.format(days=f"{due[s.id]:g}")] if s.id in due else []
        values = (str(n), s.label, guide.person.get(s.a or "", s.a or "—"), guide.person.get(s.b or "", s.b or "—"),
                  days, "；".join(notes))
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
        if s.id in on_route and step_days(s):
            cells[4].paragraphs[0].runs[0].bold = True  # the days that make up the time limit
    doc.add_paragraph(guide.path)

    if guide.chart_png:
        doc.add_heading(guide.chart_title, level=1)
        doc.add_picture(io.BytesIO(guide.chart_png), width=Cm(15.5))
    doc.add_paragraph(guide.footer).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def to_pdf(docx: bytes) -> bytes:
    """The document as PDF, converted by LibreOffice in a profile of its own (two conversions at
    once would otherwise fight over one). RuntimeError says why when it cannot."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise RuntimeError("PDF needs LibreOffice (soffice), which is not installed; write .docx instead")
    with tempfile.TemporaryDirectory(prefix="abflow-guide-") as tmp:
        src = Path(tmp) / "guide.docx"
        src.write_bytes(docx)
        try:
            done = subprocess.run(  # noqa: S603 - a fixed program on our own temporary file
                [office, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "pdf",
                 "--outdir", tmp, str(src)], capture_output=True, timeout=CONVERT_SECONDS)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"LibreOffice took more than {CONVERT_SECONDS} s to convert the guide") from None
        pdf = Path(tmp) / "guide.pdf"
        if not pdf.exists():
            raise RuntimeError(f"LibreOffice did not convert the guide: {done.stderr.decode(errors='replace')[-300:]}")
        return pdf.read_bytes()
