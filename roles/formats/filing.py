"""The AB filing form (AB角报备表) of one section: every step's A and B, each person's roles, the
approvals on record and what changed since the last filing, as Excel, Word or (through
LibreOffice) PDF. Pure: the use case passes names, not ids, and the words."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from flows.guide import a4_document, to_pdf

#: The forms a filing is written as.
FORMATS = ("xlsx", "docx", "pdf")

FILING_WORDS: dict[str, tuple[str, str]] = {
    "title": ("{section} AB角报备表", "AB filing of {section}"),
    "department": ("单位", "Department"),
    "section": ("科室", "Section"),
    "date": ("报备日期", "Filed on"),
    "last": ("上次报备", "Last filed"),
    "never": ("首次报备", "first filing"),
    "steps": ("一、环节AB角", "1. A and B of each step"),
    "process": ("流程", "Process"),
    "step": ("环节", "Step"),
    "a": ("主办(A)", "A holder"),
    "b": ("备岗(B)", "B holder"),
    "b_limit": ("备岗可代办", "B may act"),
    "b_days": ("至多 {n} 个工作日", "up to {n} workdays"),
    "b_yes": ("可", "yes"),
    "b_no": ("不可（上报）", "no (goes up)"),
    "people": ("二、人员AB角", "2. Each person's roles"),
    "person": ("姓名", "Name"),
    "post": ("职务", "Post"),
    "as_a": ("主办环节数", "Steps as A"),
    "as_b": ("备岗环节数", "Steps as B"),
    "approvals": ("三、审批记录", "3. Approvals on record"),
    "approver": ("审批人", "Approved by"),
    "approved": ("审批日期", "Approved on"),
    "none_recorded": ("无审批记录", "no approval on record"),
    "changes": ("四、自上次报备以来的变化", "4. Changes since the last filing"),
    "was": ("原AB角", "Before"),
    "now": ("现AB角", "Now"),
    "no_changes": ("无变化", "no changes"),
    "sign": ("科室负责人：__________    分管领导：__________    编办：__________",
             "Section head: __________    Leader in charge: __________    Reform office: __________"),
}


@dataclass(frozen=True)
class FormStep:
    process: str
    step: str
    a: str
    b: str
    b_acts: str


@dataclass(frozen=True)
class FormPerson:
    name: str
    post: str
    as_a: int
    as_b: int


@dataclass(frozen=True)
class FormChange:
    process: str
    step: str
    was: str
    now: str


@dataclass(frozen=True)
class Form:
    """A filing in words, ready to be written."""

    department: str
    section: str
    date: dt.date
    last: dt.date | None
    steps: tuple[FormStep, ...]
    people: tuple[FormPerson, ...]
    approvals: tuple[tuple[str, str, str], ...]  # (process, approver, date)
    changes: tuple[FormChange, ...]


def words_in(language: str) -> dict[str, str]:
    return {k: en if language == "en" else zh for k, (zh, en) in FILING_WORDS.items()}


def _tables(form: Form, w: dict[str, str]) -> list[tuple[str, list[str], list[list[str]], str]]:
    """The form's four tables: (heading, columns, rows, what an empty one says)."""
    return [
        (w["steps"], [w["process"], w["step"], w["a"], w["b"], w["b_limit"]],
         [[s.process, s.step, s.a, s.b, s.b_acts] for s in form.steps], ""),
        (w["people"], [w["person"], w["post"], w["as_a"], w["as_b"]],
         [[p.name, p.post, str(p.as_a), str(p.as_b)] for p in form.people], ""),
        (w["approvals"], [w["process"], w["approver"], w["approved"]], [list(a) for a in form.approvals],
         w["none_recorded"]),
        (w["changes"], [w["process"], w["step"], w["was"], w["now"]],
         [[c.process, c.step, c.was, c.now] for c in form.changes], w["no_changes"]),
    ]


def _facts(form: Form, w: dict[str, str]) -> list[tuple[str, str]]:
    return [(w["department"], form.department), (w["section"], form.section), (w["date"], form.date.isoformat()),
            (w["last"], form.last.isoformat() if form.last else w["never"])]


def write(form: Form, fmt: str, language: str) -> bytes:
    w = words_in(language)
    if fmt == "xlsx":
        return _xlsx(form, w)
    docx = _docx(form, w)
    return to_pdf(docx) if fmt == "pdf" else docx


def _xlsx(form: Form, w: dict[str, str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from roles.formats.excel import add_sheet
    book = Workbook()
    cover = book.active
    cover.title = w["title"].format(section="")[:31].strip() or "AB"
    cover.append([w["title"].format(section=form.section)])
    cover["A1"].font = Font(bold=True, size=14)
    for label, value in _facts(form, w):
        cover.append([label, value])
    cover.append([])
    cover.append([w["sign"]])
    cover.column_dimensions["A"].width, cover.column_dimensions["B"].width = 14, 40
    for heading, columns, rows, empty in _tables(form, w):
        add_sheet(book, heading[:31], columns, rows or [[empty]], wrap=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _docx(form: Form, w: dict[str, str]) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = a4_document(10.5, landscape=True)
    doc.add_heading(w["title"].format(section=form.section), level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    facts = doc.add_table(rows=0, cols=4)
    facts.style = "Table Grid"
    pairs = _facts(form, w)
    for first, second in zip(pairs[::2], pairs[1::2], strict=True):
        cells = facts.add_row().cells
        cells[0].text, cells[1].text, cells[2].text, cells[3].text = first[0], first[1], second[0], second[1]
    for heading, columns, rows, empty in _tables(form, w):
        doc.add_heading(heading, level=1)
        if not rows:
            doc.add_paragraph(empty)
            continue
        table = doc.add_table(rows=1, cols=len(columns))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, columns, strict=True):
            cell.text = text
            cell.paragraphs[0].runs[0].bold = True
        for row in rows:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = text
    doc.add_paragraph()
    doc.add_paragraph(w["sign"])
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
