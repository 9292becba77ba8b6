"""Time limits and 四减 end to end, each figure worked out by hand in the comments: a workbook with
terms and step days imports (YAML, XLSX and BPMN keep them), `stats --json` sums 四减 at every
level, `check` applies the three time rules at their boundaries, and `overrun` moves cases through
a small calendar with a holiday, an adjusted working Saturday and an A+B absence."""
from __future__ import annotations

import pytest
import yaml

from flows import bpmn
from flows.model import Step, Version

#  Calendar (overrides): Wed 2026-12-02 is a holiday, Sat 2026-12-05 a working day. Workdays from
#  Mon 11-30: 11-30 (#0), 12-01 (#1), 12-03 (#2), 12-04 (#3), 12-05 (#4), 12-07 (#5), 12-08 (#6),
#  12-09 (#7), 12-10 (#8).
WORKBOOK = """
version: 1
departments:
  - id: d1
    name: 市测试局
    batch: 1
    sections_before:
      - {id: o1, name: 甲科}
      - {id: o2, name: 乙科}
    sections:
      - {id: s1, name: 综合科, merged_from: [o1, o2]}
  - id: d2
    name: 市另一局
    batch: 2
    sections_before:
      - {id: o3, name: 丙科}
    sections:
      - {id: s2, name: 业务科, merged_from: [o3]}
people:
  - {id: p1, name: 张一, section: s1, post: head}
  - {id: p2, name: 李二, section: s1, post: deputy}
  - {id: p3, name: 王三, section: s1}
  - {id: q1, name: 赵四, section: s2, post: head}
  - {id: q2, name: 钱五, section: s2, post: deputy}
  - {id: q3, name: 孙六, section: s2}
processes:
  - id: lic
    section: s1
    name: 许可办理
    before:
      kind: promised
      legal_days: 20
      promised_days: 10
      materials: [申请书, 营业执照, 身份证, 场地证明]
      trips: 3
      steps:
        - {id: s1, name: 受理, next: [s2], days: 2}
        - {id: s2, name: 初审, next: [s3], days: 3}
        - {id: s3, name: 公示, next: [s4], days: 5, special: true}
        - {id: s4, name: 审批, kind: approval, days: 2}
    after:
      kind: promised
      legal_days: 20
      promised_days: 2
      materials: [申请书, 营业执照]
      trips: 1
      steps:
        - {id: s1, name: 受理审核, next: [s2], a: p1, b: p2, days: 1}
        - {id: s2, name: 公示, next: [s3], days: 2, special: true, a: p3, b: p2}
        - {id: s3, name: 审批, kind: approval, a: p2, b: p3, days: 1}
  - id: reg
    section: s2
    name: 登记
    before:
      materials: [表格, 证明]
      trips: 2
      steps:
        - {id: s1, name: 收件, next: [s2], days: 1}
        - {id: s2, name: 核准, days: 1}
    after:
      kind: instant
      materials: [表格]
      trips: 0
      steps:
        - {id: s1, name: 收件即办, a: q3, b: q2, days: 1}
absences:
  - {person: p1, start: 2026-12-03, end: 2026-12-04, reason: training}
  - {person: p2, start: 2026-12-03, end: 2026-12-04, reason: leave}
calendar:
  - {date: 2026-12-02, workday: false, note: 单位调休}
  - {date: 2026-12-05, workday: true, note: 调休上班}
"""


@pytest.fixture
def loaded(cli, tmp_path):
    path = tmp_path / "limits.yaml"
    path.write_text(WORKBOOK, encoding="utf-8")
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    return cli


def test_four_cuts_per_process_section_department_batch_and_city(loaded):
    doc = loaded.json("stats")
    lic = next(p for p in doc["processes"] if p["process"] == "lic")
    # lic: steps 4 → 3; materials 4 → 2; days: the promises 10 → 2; trips 3 → 1.
    assert lic["four"] == {"steps": [4, 3], "materials": [4, 2], "days": [10, 2], "trips": [3, 1]}
    reg = next(p for p in doc["processes"] if p["process"] == "reg")
    # reg: no promise, so the paths: before 1 + 1 = 2, after 1.
    assert reg["four"] == {"steps": [2, 1], "materials": [2, 1], "days": [2, 1], "trips": [2, 0]}
    assert lic["path_days_before"] == 7 and lic["path_days_after"] == 2  # special days left out
    d1 = next(d for d in doc["departments"] if d["department"] == "d1")
    assert d1["four"] == lic["four"] and d1["four_cut"] == {"steps": 0.25, "materials": 0.5, "days": 0.8,
                                                              "trips": round(2 / 3, 4)}
    s2 = next(s for s in doc["sections"] if s["section"] == "s2")
    assert s2["four_cut"] == {"steps": 0.5, "materials": 0.5, "days": 0.5, "trips": 1.0}
    assert [b["four"]["materials"] for b in doc["batches"]] == [[4, 2], [2, 1]]
    # The city: steps 6 → 4, materials 6 → 3, days 12 → 3, trips 5 → 1.
    assert doc["city"]["four"] == {"steps": [6, 4], "materials": [6, 3], "days": [12, 3], "trips": [5, 1]}
    assert doc["city"]["four_cut"] == {"steps": round(2 / 6, 4), "materials": 0.5, "days": 0.75, "trips": 0.8}


def test_the_overrun_of_cases_through_a_holiday_a_working_saturday_and_an_a_b_absence(loaded):
    """lic after: 受理审核 1 day (A p1, B p2), 公示 2 days special, 审批 1 day (A p2, B p3); promised 2.
    p1 and p2 are both away 12-03 and 12-04.
    - Started 11-30 (#0): 受理审核 #0 → 1; 公示 → 3; 审批 on #3 (12-04): p2 away, p3 acts → 4.
      Counted 4 − 0 − 2 = 2: on time.
    - Started 12-01 (#1): 受理审核 #1 → 2; 公示 → 4; 审批 on #4 (Sat 12-05, a workday) → 5. 2: on time.
    - Started 12-03 (#2): 受理审核 waits #2 and #3 (A and B away), done #4 → 5; 公示 → 7; 审批 #7 → 8.
      Counted 8 − 2 − 2 = 4: 2 days late, ending 12-09; both absences make it late.
    - Started 12-04 (#3): waits #3, done #4 → 5; 公示 → 7; 审批 #7 → 8. Counted 3: 1 day late.
    reg is instant with no promise: no cases."""
    doc = loaded.json("overrun", "--from", "2026-11-30", "--to", "2026-12-04")
    assert doc["from"] == "2026-11-30" and doc["to"] == "2026-12-04"
    [lic] = doc["processes"]
    assert (lic["process"], lic["cases"], lic["late"], lic["worst_days"]) == ("lic", 4, 2, 2)
    assert [(c["start"], c["end"], c["days"], c["over"]) for c in lic["late_cases"]] == [
        ("2026-12-03", "2026-12-09", 4, 2), ("2026-12-04", "2026-12-09", 3, 1)]
    assert {(a["person"], a["late_cases"]) for a in doc["absences"]} == {("p1", 2), ("p2", 2)}
    assert loaded.json("overrun", "--from", "2026-11-30", "--to", "2026-12-04", "--department", "d2")["processes"] == []
    human = loaded("overrun", "--from", "2026-11-30", "--to", "2026-12-04")
    assert human.exit_code == 0 and "许可办理" in human.output and "12-03, 12-04" in human.output


def test_a_leave_request_shows_the_late_cases_it_would_add(cli, tmp_path):
    """Without p2's leave on file, p2 asks for 12-03 … 12-04 while p1 is away training. Before:
    the case of 12-03 has 受理审核 done by B (p2) on #2 → 3, 公示 → 5, 审批 #5 → 6: 2 days, on time;
    12-04's likewise. With p2 away too, the two cases run 2 and 1 days late (as in the test
    above). p3 asking for 12-07 … 12-08 adds nothing: 公示 is special and 审批's A is in."""
    from roles import actions
    tree = yaml.safe_load(WORKBOOK)
    tree["absences"] = [a for a in tree["absences"] if a["person"] != "p2"]
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0
    db = actions.open_database(cli.url)
    added = actions.leave_check(db, actions.LOCAL, person_id="p2", start=dt(12, 3), end=dt(12, 4)).late
    assert [(p.process, c.start, c.over) for p, c in added] == [("lic", dt(12, 3), 2), ("lic", dt(12, 4), 1)]
    assert actions.leave_check(db, actions.LOCAL, person_id="p3", start=dt(12, 7), end=dt(12, 8)).late == []
    whatif = cli.json("whatif", "--person", "p2", "--from", "2026-12-03", "--to", "2026-12-04")
    assert [(c["process"], c["start"], c["over"]) for c in whatif["late_cases"]] == [
        ("lic", "2026-12-03", 2), ("lic", "2026-12-04", 1)]


def dt(month: int, day: int):
    import datetime
    return datetime.date(2026, month, day)


@pytest.mark.parametrize("promised,legal,path,kind,found", [
    (10, 10, 10, "promised", set()),                                          # at each boundary: nothing
    (11, 10, 10, "promised", {"promised-within-legal"}),                      # one day over the legal limit
    (10, 20, 11, "promised", {"path-within-promised"}),                       # the path one day over
    (None, None, 1, "instant", set()),                                        # an instant matter of one day
    (None, None, 1.5, "instant", {"instant-same-day"}),                        # … and of a day and a half
])
def test_the_three_time_rules_at_their_boundaries(cli, tmp_path, promised, legal, path, kind, found):
    tree = yaml.safe_load(WORKBOOK)
    after = tree["processes"][0]["after"]
    after.update({"kind": kind, "promised_days": promised, "legal_days": legal})
    after["steps"][0]["days"] = path - 1                                      # + 审批's 1 day, 公示 special
    for key in [k for k, v in after.items() if v is None]:
        del after[key]
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0
    result = cli("check", "--json", "--rule", "promised-within-legal", "--rule", "path-within-promised",
                 "--rule", "instant-same-day")
    import json
    rules = {f["rule"] for f in json.loads(result.stdout)["findings"] if f["subject"] == "lic/after"}
    assert rules == found and result.exit_code == (1 if found else 0)


@pytest.mark.parametrize("change,field", [
    ({"promised_days": -1}, "promised_days"), ({"legal_days": 2.5}, "legal_days"), ({"kind": "urgent"}, "kind"),
    ({"materials": "申请书"}, "materials"), ({"trips": "two"}, "trips"), ({"materials": ["x" * 600]}, "materials"),
])
def test_bad_terms_are_refused_naming_the_version_and_field(cli, tmp_path, change, field):
    tree = yaml.safe_load(WORKBOOK)
    tree["processes"][0]["after"].update(change)
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    result = cli("import", str(tmp_path / "w.yaml"))
    assert result.exit_code == 2
    assert "process lic, after" in result.output and f"field '{field}'" in result.output


@pytest.mark.parametrize("change,field", [({"days": -2}, "days"), ({"special": "maybe"}, "special")])
def test_bad_step_days_are_refused(cli, tmp_path, change, field):
    tree = yaml.safe_load(WORKBOOK)
    tree["processes"][0]["after"]["steps"][0].update(change)
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    result = cli("import", str(tmp_path / "w.yaml"))
    assert result.exit_code == 2 and "step s1" in result.output and f"field '{field}'" in result.output


@pytest.mark.parametrize("suffix", ["yaml", "json", "xlsx"])
def test_terms_and_step_days_survive_export_and_import(loaded, tmp_path, suffix):
    out = tmp_path / f"back.{suffix}"
    assert loaded("export", str(out)).exit_code == 0
    before = loaded.json("stats")
    assert loaded("import", str(out)).exit_code == 0
    assert loaded.json("stats") == before


def test_bpmn_carries_terms_and_step_days_both_ways():
    v = Version((Step("s1", "受理", next=("s2",), a="p1", b="p2", days=1.5),
                 Step("s2", "公示", days=5, special=True, a="p2", b="p1")),
                kind="promised", legal_days=20, promised_days=8, materials=("申请书", "营业执照（副本，复印件）"), trips=1)
    back = bpmn.read(bpmn.write(v, "lic", "许可办理", {}), "lic.bpmn").version
    assert (back.kind, back.legal_days, back.promised_days, back.materials, back.trips) == \
        ("promised", 20, 8, ("申请书", "营业执照（副本，复印件）"), 1)
    assert [(s.days, s.special) for s in back.steps] == [(1.5, False), (5.0, True)]


def test_the_service_guide_as_word_and_as_pdf(loaded, tmp_path):
    """`abflow guide`: the Word file holds the matter's facts, its materials and each step with its
    holders and days; LibreOffice opens it and makes a PDF whose text says the same."""
    import docx
    from ..flows.test_printing import pages
    from ..conftest import require
    import shutil
    assert loaded("guide", "lic", "-o", str(tmp_path / "g.docx")).exit_code == 0
    doc = docx.Document(str(tmp_path / "g.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    assert "许可办理 办事指南" in text and "申请书" in text and "营业执照" in text
    assert ["承诺时限", "2 个工作日"] in cells and ["法定时限", "20 个工作日"] in cells and ["跑动次数", "1 次"] in cells
    assert ["2", "公示", "王三", "李二", "2", "特殊环节，不计入办理时限"] in cells
    assert "共需 2 个工作日" in text
    assert doc.inline_shapes and doc.inline_shapes[0].width > 0  # the flowchart
    page = doc.sections[0]                                      # A4, with the margins of GB/T 9704
    assert [round(x.mm) for x in (page.page_width, page.page_height, page.top_margin, page.left_margin)] == \
        [210, 297, 37, 28]
    require(shutil.which("soffice") is not None, "LibreOffice")
    assert loaded("guide", "lic", "-o", str(tmp_path / "g.pdf")).exit_code == 0
    read = pages((tmp_path / "g.pdf").read_bytes())
    assert {(round(w), round(h)) for (w, h), _, _ in read} == {(595, 842)}  # A4 portrait
    pdf_text = "".join(c.get_text() for _, chars, _ in read for c in chars)
    assert "许可办理办事指南" in pdf_text.replace(" ", "") and "营业执照" in pdf_text
    assert loaded("guide", "lic", "-o", str(tmp_path / "g.txt")).exit_code == 2


def test_a_step_nobody_holds_stalls_its_cases_instead_of_waiting_forever(cli, tmp_path):
    """A process under design whose second step has no holder: each case waits MAX_WAIT workdays
    there, so it is reported late by that much less what was promised, at once."""
    from roles.engines.overrun import MAX_WAIT
    tree = yaml.safe_load(WORKBOOK)
    for key in ("a", "b"):
        tree["processes"][0]["after"]["steps"][2].pop(key)
    for person in tree["people"]:  # and no head or deputy it could go up to
        person["post"] = "staff"
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0
    [lic] = cli.json("overrun", "--from", "2026-11-30", "--to", "2026-11-30")["processes"]
    assert lic["late"] == 1 and lic["worst_days"] >= MAX_WAIT - lic["promised_days"]


def test_an_overrun_range_of_more_than_a_year_is_refused_at_once(loaded):
    result = loaded("overrun", "--from", "2026-01-01", "--to", "2030-01-01", "--json")
    assert result.exit_code == 2 and "a year at most" in result.output


def test_a_boundary_timer_is_a_steps_own_deadline_in_the_overrun(cli, tmp_path):
    """lic's 受理审核 gets a timer of one workday on its border (超时督办, beside the step). Of the
    cases above, those started 12-03 (waits #2 and #3, done on #4: 3 workdays on the step) and 12-04
    (waits #3: 2) stay past it; 11-30 and 12-01 take their one day."""
    tree = yaml.safe_load(WORKBOOK)
    tree["processes"][0]["after"]["steps"].append(
        {"id": "t1", "name": "超时督办", "kind": "event", "event": "timer", "timer": "P1D", "attached": "s1",
         "interrupting": False})
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0
    [lic] = cli.json("overrun", "--from", "2026-11-30", "--to", "2026-12-04")["processes"]
    assert (lic["late"], lic["overdue_steps"]) == (2, {"s1": 2})
