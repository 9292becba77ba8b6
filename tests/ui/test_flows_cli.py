"""BPMN export/import and flowcharts through the CLI, on SQLite and PostgreSQL."""
from __future__ import annotations

import json

import pytest

from flows.model import Step, Version
from flows.errors import Conflict
from roles.storage import organisation
from roles.storage import processes as process_store

from ..conftest import BIANBAN, CORPUS, TESTER, stored, undrawn


@pytest.fixture
def loaded(cli):
    assert cli("import", str(BIANBAN)).exit_code == 0
    return cli


def test_bpmn_round_trip_keeps_steps_links_and_holders(loaded, tmp_path, engine):
    out = tmp_path / "p2.bpmn"
    result = loaded("bpmn", "export", "bb-p2", "-o", str(out))
    assert result.exit_code == 0, result.output
    result = loaded("bpmn", "import", str(out), "--process", "bb-p2-copy", "--section", "bb-jg", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["lanes_unmatched"] == [] and set(report["lanes_matched"].values()) == {"bb07", "bb08", "bb09"}
    wb = organisation.load(engine)
    copy, original = wb.process_by_id["bb-p2-copy"].after, wb.process_by_id["bb-p2"].after
    assert undrawn(copy) == original and all(s.shape for s in copy.steps)  # the file's drawing is kept
    roster = {(s["process"], s["step"]): s["status"] for s in loaded.json("roster", "--date", "2026-11-25")["steps"]}
    assert roster["bb-p2-copy", "s4"] == "B"


def test_a_foreign_file_imports_with_notes_and_lanes_it_could_not_match(loaded):
    path = CORPUS / "miwg-reference-B.2.0.bpmn"
    result = loaded("bpmn", "import", str(path), "--process", "x1", "--section", "bb-jg", "--version", "before")
    assert result.exit_code == 0, result.output
    assert "message flow" in result.stderr
    doc = loaded.json("stats")
    assert next(p for p in doc["processes"] if p["process"] == "x1")["before"] > 0


def test_lanes_named_by_people_become_a_holders(loaded, tmp_path):
    bpmn = (CORPUS / "miwg-reference-A.2.0.bpmn").read_text(encoding="utf-8")
    # a minimal file of our own with lanes named the way another tool would
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <process id="p">
    <laneSet id="ls"><lane id="l1" name="王芳"><flowNodeRef>t1</flowNodeRef></lane>
      <lane id="l2" name="窗口岗"><flowNodeRef>t2</flowNodeRef></lane></laneSet>
    <task id="t1" name="受理"/><task id="t2" name="审核"/>
    <sequenceFlow id="f" sourceRef="t1" targetRef="t2"/>
  </process>
</definitions>"""
    assert bpmn  # the corpus is readable; the test below uses its own small file
    path = tmp_path / "lanes.bpmn"
    path.write_text(xml, encoding="utf-8")
    result = loaded("bpmn", "import", str(path), "--process", "new-p", "--section", "bb-jg", "--name", "新流程")
    assert result.exit_code == 0, result.output
    assert "窗口岗" in result.stderr
    steps = {(s["process"], s["step"]): s for s in loaded.json("roster", "--date", "2026-11-24")["steps"]}
    assert steps["new-p", "t1"]["a"] == "bb08" and steps["new-p", "t2"]["a"] is None


@pytest.mark.parametrize("args,message", [
    (["bpmn", "export", "nope", "-o", "x.bpmn"], "no process 'nope'"),
    (["bpmn", "export", "bb-p3", "--version", "before", "-o", "x.bpmn"], "has no 'before' version"),
    (["bpmn", "import", "missing.bpmn", "--process", "p", "--section", "bb-jg"], "missing.bpmn"),
    (["bpmn", "import", str(BIANBAN), "--process", "p", "--section", "bb-jg"], "bianban.yaml: not well-formed XML"),
    (["render", "nope", "-o", "x.svg"], "no process 'nope'"),
    (["render", "bb-p1", "-o", "x.gif"], "cannot tell the format"),
    (["render", "bb-p3", "--sheet", "-o", "x.pdf"], "no 'before' version to set beside"),
    (["print", "nope", "-o", "x.pdf"], "no process 'nope'"),
    (["print", "bb-p3", "--sheet", "-o", "x.pdf"], "no 'before' version to set beside"),
    (["print", "bb-p1", "--paper", "B5", "-o", "x.pdf"], "'B5' is not one of 'A4', 'A3'"),
])
def test_bad_requests_exit_2(loaded, args, message):
    result = loaded(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_a_new_process_needs_a_known_section(loaded, tmp_path):
    out = tmp_path / "p.bpmn"
    loaded("bpmn", "export", "bb-p1", "-o", str(out))
    result = loaded("bpmn", "import", str(out), "--process", "zz", "--section", "nowhere")
    assert result.exit_code == 2 and "no section 'nowhere'" in result.stderr
    result = loaded("bpmn", "import", str(out), "--process", "zz", "--section", "bb-jd")
    assert result.exit_code == 0  # holders of another section are dropped, reported by lane
    assert "赵文静" in result.stderr


def test_render_every_format(loaded, tmp_path):
    for fmt in ("svg", "png", "pdf"):
        out = tmp_path / f"p1.{fmt}"
        result = loaded("render", "bb-p1", "-o", str(out), "--date", "2026-11-25")
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 1000
    svg = (tmp_path / "p1.svg").read_text(encoding="utf-8")
    assert "上报" in svg and "赵文静" in svg  # the day view: bb03 and bb04 away, their steps gone up to the head
    sheet = tmp_path / "p1-sheet.pdf"
    assert loaded("render", "bb-p1", "--sheet", "-o", str(sheet)).exit_code == 0
    assert sheet.read_bytes().startswith(b"%PDF")


def test_print_gives_paper_sized_pages_with_the_title_block(loaded, tmp_path, engine):
    """`abflow print`: an A3 portrait sheet, its title block naming department, section, process,
    the effective date and approver asked for (read back from the PDF with pypdf)."""
    from pypdf import PdfReader
    out = tmp_path / "p1.pdf"
    result = loaded("print", "bb-p1", "--sheet", "--paper", "A3", "--portrait", "--effective", "2026-12-01",
                    "--approver", "王主任", "--date", "2026-11-25", "-o", str(out))
    assert result.exit_code == 0, result.output
    pdf = PdfReader(out)
    assert {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pdf.pages} == {(842, 1191)}
    text = "".join(p.extract_text() for p in pdf.pages).replace(" ", "")
    assert "2026-12-01" in text and "王主任" in text and "改革前后对照" in text and "第1/" in text
    wb = organisation.load(engine)
    p = wb.process_by_id["bb-p1"]
    assert p.name in text and wb.section_by_id[p.section].name in text


def test_print_says_when_a_sheet_would_fit_one_page_turned(loaded, tmp_path, engine):
    """A sixteen-step process before beside four steps over four holders spills over landscape A3
    pages, and fits one portrait page: the command says so, and portrait prints one page."""
    from pypdf import PdfReader
    p = organisation.load(engine).process_by_id["bb-p1"]
    before = Version(tuple(Step(f"b{i}", f"旧环节{i}", next=(f"b{i + 1}",) if i < 16 else ()) for i in range(1, 17)))
    holders = [x.id for x in organisation.load(engine).people_by_section[p.section]][:4]
    after = Version(tuple(Step(f"s{i}", f"新环节{i}", next=(f"s{i + 1}",) if i < 4 else (), a=a, b=holders[i % 4])
                          for i, a in enumerate(holders, 1)))
    for which, version in (("before", before), ("after", after)):
        stored(engine, process_store.save_version, "bb-p1", which, version, "editor",
               expected_revision=organisation.load(engine).process_by_id["bb-p1"].revisions[which], user=TESTER)
    result = loaded("print", "bb-p1", "--sheet", "--paper", "A3", "-o", str(tmp_path / "l.pdf"))
    assert result.exit_code == 0 and "改为纵向可印在一页上" in result.stderr, result.output
    assert len(PdfReader(tmp_path / "l.pdf").pages) > 1
    result = loaded("print", "bb-p1", "--sheet", "--paper", "A3", "--portrait", "-o", str(tmp_path / "p.pdf"))
    assert result.exit_code == 0 and "一页" not in result.stderr
    assert len(PdfReader(tmp_path / "p.pdf").pages) == 1


def test_a_stale_edit_is_refused(bianban):
    wb = organisation.load(bianban)
    p = wb.process_by_id["bb-p3"]
    seen = p.revisions["after"]
    v = Version(p.after.steps[:2] + (Step("s3", "审核确认", "approval", a="bb10", b="bb11"),))
    assert stored(bianban, process_store.save_version, "bb-p3", "after", v, "editor", expected_revision=seen, user=TESTER) == seen + 1
    with pytest.raises(Conflict, match="saved as revision 2 by tester since revision 1") as refused:
        stored(bianban, process_store.save_version, "bb-p3", "after", v, "editor", expected_revision=seen, user=TESTER)
    assert refused.value.by == "tester"  # whose change it met, for a page to name
    assert organisation.load(bianban).process_by_id["bb-p3"].revisions["after"] == seen + 1
