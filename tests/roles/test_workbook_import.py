"""Workbook import: every error names file, entry, place and field, and changes nothing."""
from __future__ import annotations

import textwrap

import pytest
import yaml
from sqlalchemy import func, select
from sqlmodel import Session

from roles.storage.tables import StepRow
from roles.storage import organisation
from roles.storage.tables import AbsenceRow, PersonRow
from flows.errors import BadInput

from ..conftest import BIANBAN, TESTER, export_file, load_file, save_workbook

BASE = textwrap.dedent("""\
    version: 1
    departments:
      - id: fgw
        name: 市发展和改革委员会
        batch: 1
        sections_before:
          - {id: fgw-o1, name: 办公室, staff: 4}
          - {id: fgw-o2, name: 法规科, staff: 2}
        sections:
          - id: fgw-zh
            name: 综合科
            kind: comprehensive
            merged_from: [fgw-o1, fgw-o2]
            staffing: 6
            functions: [fgw-f1]
        functions:
          - {id: fgw-f1, name: 文电会务}
    people:
      - {id: p001, name: 张伟, section: fgw-zh, post: head}
      - {id: p002, name: 李娜, section: fgw-zh, post: deputy}
      - {id: p003, name: 王强, section: fgw-zh, post: staff}
    processes:
      - id: fgw-p1
        section: fgw-zh
        name: 公文办理
        after:
          steps:
            - {id: s1, name: 收文登记, next: [s2], a: p003, b: p002}
            - {id: s2, name: 审核, kind: approval, a: p002, b: p001}
    absences:
      - {person: p003, start: 2026-11-23, end: 2026-11-27, reason: leave}
    """)


def write(tmp_path, text: str, name: str = "wb.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def counts(engine) -> tuple[int, int, int]:
    with Session(engine) as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (PersonRow, StepRow, AbsenceRow))


def import_error(engine, path) -> str:
    with pytest.raises(BadInput) as info:
        load_file(engine, path)
    return str(info.value)


# (what is wrong, a replacement applied to BASE, fragments the message must contain)
CASES = [
    ("unknown key", ("post: head}", "post: head, grade: 3}"),
     ["wb.yaml: person p001 (line 19), field 'grade': unknown key"]),
    ("dangling section", ("section: fgw-zh, post: staff", "section: fgw-xx, post: staff"),
     ["person p003 (line 21), field 'section': no section 'fgw-xx'"]),
    ("dangling holder", ("a: p003, b: p002}", "a: p009, b: p002}"),
     ["process fgw-p1, after, step s1 (line 28), field 'a': no person 'p009'"]),
    ("dangling merged_from", ("merged_from: [fgw-o1, fgw-o2]", "merged_from: [fgw-o1, fgw-o9]"),
     ["section fgw-zh (line 13), field 'merged_from': 'fgw-o9' is no section of this department's sections_before"]),
    ("dangling function", ("functions: [fgw-f1]", "functions: [fgw-f7]"),
     ["section fgw-zh (line 15), field 'functions': 'fgw-f7' is no function of this department"]),
    ("dangling absence person", ("- {person: p003,", "- {person: p404,"),
     ["absence #1 (person p404) (line 31), field 'person': no person 'p404'"]),
    ("duplicate person id", ("id: p002, name: 李娜", "id: p001, name: 李娜"),
     ["person p001 (line 20), field 'id': person id 'p001' is used twice (also by person p001)"]),
    ("duplicate step id", ("- {id: s2, name: 审核", "- {id: s1, name: 审核"),
     ["step s1 (line 29), field 'id': step id 's1' is used twice in this version"]),
    ("impossible date", ("start: 2026-11-23", "start: 2026-02-30"),
     ["absence #1 (person p003) (line 31), field 'start': '2026-02-30' is no date"]),
    ("not a date", ("end: 2026-11-27", "end: next friday"),
     ["field 'end': must be a date as YYYY-MM-DD, not 'next friday'"]),
    ("end before start", ("end: 2026-11-27", "end: 2026-11-20"),
     ["field 'end': ends (2026-11-20) before it starts (2026-11-23)"]),
    ("next to no step", ("next: [s2], a: p003", "next: [s9], a: p003"),
     ["process fgw-p1, after, step s1 (line 28), field 'next': 's9' is no step of this version"]),
    ("cycle with no way out", ("kind: approval, a: p002", "kind: approval, next: [s1], a: p002"),
     ["field 'next': cycle with no way to an end: s1 → s2 → s1"]),
    ("bad shape", ("next: [s2], a: p003", "next: [s2], shape: '10 20 0 80', a: p003"),
     ["process fgw-p1, after, step s1 (line 28), field 'shape': '10 20 0 80': expected 'x y width height'"]),
    ("shape draws to no next step", ("next: [s2], a: p003", "next: [s2], shape: '10 20 100 80; s3: 1 2 3 4', a: p003"),
     ["step s1 (line 28), field 'shape': draws a flow to 's3', which is not among this step's next steps"]),
    ("bad kind", ("kind: comprehensive", "kind: huge"),
     ["section fgw-zh (line 12), field 'kind': must be one of comprehensive, business, not 'huge'"]),
    ("bad post", ("post: deputy}", "post: boss}"), ["person p002 (line 20), field 'post': must be one of head"]),
    ("negative staff", ("staff: 4}", "staff: -4}"), ["field 'staff': must be a whole number, 0 or more"]),
    ("missing name", ("{id: p003, name: 王强, ", "{id: p003, "), ["person p003 (line 21), field 'name': is required"]),
    ("task without name", ("{id: s1, name: 收文登记, ", "{id: s1, "), ["step s1 (line 28), field 'name': a task step needs a name"]),
    ("holders on before", ("    after:\n", "    before:\n      steps:\n        - {id: s1, name: x, a: p001}\n    after:\n"),
     ["process fgw-p1, before, step s1 (line 28), field 'a': steps of the 'before' version carry no holders"]),
    ("wrong version", ("version: 1", "version: 7"), ["the workbook (line 1), field 'version': this program reads version 1"]),
    ("key twice", ("batch: 1\n", "batch: 1\n    batch: 2\n"), ["wb.yaml: the file (line 6), field 'batch': key given twice"]),
    ("yaml syntax", ("name: 综合科\n", "name: [综合科\n"), ["wb.yaml: the file (line", "not valid YAML"]),
]


@pytest.mark.parametrize("what,change,expected", CASES, ids=[c[0] for c in CASES])
def test_bad_workbook_is_refused_with_a_precise_message_and_changes_nothing(engine, tmp_path, what, change, expected):
    load_file(engine, BIANBAN)
    before = counts(engine)
    old, new = change
    assert old in BASE, f"test case {what!r} does not apply"
    message = import_error(engine, write(tmp_path, BASE.replace(old, new, 1)))
    for fragment in expected:
        assert fragment in message
    assert counts(engine) == before


def test_the_base_workbook_imports(engine, tmp_path):
    summary = load_file(engine, write(tmp_path, BASE))
    assert (summary.departments, summary.people, summary.processes, summary.steps) == (1, 3, 1, 2)


def test_every_problem_is_reported_at_once(engine, tmp_path):
    text = BASE.replace("post: head}", "post: head, grade: 3}").replace("end: 2026-11-27", "end: soon")
    message = import_error(engine, write(tmp_path, text))
    assert "field 'grade'" in message and "field 'end'" in message


def test_a_cycle_with_a_way_out_is_a_rework_loop_and_imports(engine, tmp_path):
    text = BASE.replace("next: [s2], a: p003", "next: [g1], a: p003").replace(
        "    - {id: s2, name: 审核", "    - {id: g1, kind: gateway, next: [s1, s2]}\n        - {id: s2, name: 审核")
    load_file(engine, write(tmp_path, text))


def test_json_errors_name_the_line(engine, tmp_path):
    tree = yaml.safe_load(BASE)
    tree["people"][2]["section"] = "nowhere"
    import json
    path = write(tmp_path, json.dumps(tree, ensure_ascii=False, indent=2, default=str), "wb.json")
    message = import_error(engine, path)
    assert "wb.json: person p003 (line" in message and "field 'section': no section 'nowhere'" in message
    broken = write(tmp_path, '{"version": 1,\n "people": [}', "broken.json")
    assert "broken.json: the file (line 2, column 13): not valid JSON" in import_error(engine, broken)


def test_xlsx_errors_name_sheet_row_and_column(engine, tmp_path):
    from openpyxl import load_workbook
    good = tmp_path / "good.xlsx"
    load_file(engine, write(tmp_path, BASE))
    good.write_bytes(export_file(engine, good.name))
    book = load_workbook(good)
    book["people"]["C3"] = "fgw-none"      # p002's section
    book["steps"]["D2"] = None              # name of the first step, a task
    book["absences"]["B2"] = "2026-13-01"
    book.save(tmp_path / "bad.xlsx")
    message = import_error(engine, tmp_path / "bad.xlsx")
    assert "bad.xlsx: person p002 (sheet 'people', row 3, column C), field 'section': no section 'fgw-none'" in message
    assert "step s1 (sheet 'steps', row 2), field 'name': a task step needs a name" in message
    assert "(sheet 'absences', row 2, column B), field 'start': '2026-13-01' is no date" in message


def test_unknown_format_and_missing_file(engine, cli, tmp_path):
    assert "unknown format '.csv'" in import_error(engine, write(tmp_path, "x", "wb.csv"))
    r = cli("import", str(tmp_path / "absent.yaml"))
    assert r.exit_code == 2 and "absent.yaml: No such file" in r.stderr


def test_reimport_replaces_the_department_in_one_transaction(engine, tmp_path):
    load_file(engine, write(tmp_path, BASE))
    changed = BASE.replace("  - {id: p003, name: 王强, section: fgw-zh, post: staff}\n", "").replace(
        "a: p003, b: p002}", "a: p001, b: p002}").replace("- {person: p003,", "- {person: p002,")
    summary = load_file(engine, write(tmp_path, changed, "v2.yaml"))
    assert summary.replaced == 1
    wb = organisation.load(engine)
    assert [p.id for p in wb.people] == ["p001", "p002"]
    assert wb.processes[0].after.steps[0].a == "p001"
    assert [a.person for a in wb.absences] == ["p002"]


def other_department(person: str, processes: str = "") -> str:
    """A second department, jxj, with one person."""
    return textwrap.dedent(f"""\
        departments:
          - id: jxj
            name: 市工业和信息化局
            sections: [{{id: jxj-zh, name: 综合科}}]
        people:
          - {{id: {person}, name: 赵一, section: jxj-zh}}
        """) + processes


def test_a_replaced_department_may_not_drop_a_holder_of_another_department(engine, tmp_path):
    load_file(engine, write(tmp_path, BASE))
    other = other_department("q1", textwrap.dedent("""\
        processes:
          - id: jxj-p1
            section: jxj-zh
            name: 联合审查
            after:
              steps: [{id: s1, name: 会审, a: q1, b: p003}]
        """))
    load_file(engine, write(tmp_path, other, "jxj.yaml"))
    before = counts(engine)
    dropped = BASE.replace("  - {id: p003, name: 王强, section: fgw-zh, post: staff}\n", "").replace(
        "a: p003, b: p002}", "a: p001, b: p002}").replace("- {person: p003,", "- {person: p002,")
    message = import_error(engine, write(tmp_path, dropped, "v2.yaml"))
    assert "department fgw, field 'people': drops person 'p003', who still holds step s1 of process jxj-p1" in message
    assert counts(engine) == before


def test_an_id_of_another_department_in_the_database_is_a_duplicate(engine, tmp_path):
    load_file(engine, write(tmp_path, BASE))
    message = import_error(engine, write(tmp_path, other_department("p001"), "jxj.yaml"))
    assert "person p001 (line 6), field 'id': person id 'p001' already belongs to department 'fgw'" in message


def test_an_absence_list_alone_adds_to_existing_people_once(engine, tmp_path):
    load_file(engine, write(tmp_path, BASE))
    leave = "absences:\n  - {person: p001, start: 2026-12-01, end: 2026-12-02, reason: trip}\n"
    load_file(engine, write(tmp_path, leave, "leave.yaml"))
    load_file(engine, write(tmp_path, leave, "leave.yaml"))
    assert [(a.person, a.reason) for a in organisation.load(engine).absences] == [("p003", "leave"), ("p001", "trip")]


def test_calendar_overrides_are_set_by_date(engine, tmp_path):
    load_file(engine, write(tmp_path, "calendar:\n  - {date: 2026-12-31, workday: false, note: 调休}\n"))
    load_file(engine, write(tmp_path, "calendar:\n  - {date: 2026-12-31, workday: true}\n"))
    cal = organisation.load(engine).calendar
    assert [(c.date.isoformat(), c.workday, c.note) for c in cal] == [("2026-12-31", True, None)]


def test_a_branch_to_no_next_step_is_named(engine, tmp_path):
    tree = yaml.safe_load(BIANBAN.read_text("utf-8"))
    g1 = next(s for s in tree["processes"][1]["after"]["steps"] if s["id"] == "g1")
    g1["branches"] = [{"to": "s2", "name": "补正"}, {"to": "s9", "name": "无此环节"}]
    path = tmp_path / "branches.yaml"
    path.write_text(yaml.safe_dump(tree, allow_unicode=True), "utf-8")
    with pytest.raises(BadInput) as e:
        load_file(engine, path)
    assert "branches.yaml: process bb-p2, after, step g1, branch #2 (line 237), field 'branches'" in str(e.value)
    assert "'s9' is not among this step's next steps" in str(e.value)
    assert organisation.load(engine).processes == ()


def test_an_import_reports_its_stages_in_both_languages(engine):
    from ..conftest import BIANBAN
    stages = []
    load_file(engine, BIANBAN, progress=stages.append)
    assert [s.text("zh") for s in stages][:2] == ["正在读取 bianban.yaml", "正在检查"]
    assert str(stages[0]) == "reading bianban.yaml" and any("processes" in str(s) for s in stages)


def test_a_workbook_made_in_memory_is_checked_as_a_file_is(engine):
    """The demo and generated data are checked on the objects themselves, with the same messages
    (named by id, as they have no lines), and nothing is stored on a problem."""
    import dataclasses
    import datetime as dt

    from roles.demo import demo_workbook
    good = demo_workbook(dt.date(2026, 11, 25))
    p = good.processes[0]
    broken_step = dataclasses.replace(p.after.steps[0], b="nobody", next=("nowhere",))
    bad = dataclasses.replace(good, processes=(dataclasses.replace(p, after=dataclasses.replace(
        p.after, steps=(broken_step, *p.after.steps[1:]))), *good.processes[1:]))
    with pytest.raises(BadInput) as e:
        save_workbook(engine, bad, source="generated", user=TESTER)
    lines = e.value.lines()
    step = f"generated: process {p.id}, after, step {broken_step.id}"
    assert f"{step}, field 'b': no person 'nobody' in the workbook or the database" in lines
    assert f"{step}, field 'next': 'nowhere' is no step of this version" in lines
    assert organisation.load(engine).departments == ()
    assert save_workbook(engine, good, source="demo", user=TESTER).departments == len(good.departments)
