"""Matters done once (一件事一次办) across two departments, each figure worked out by hand below:
its stages, step count, 四减 and end-to-end limit with a parallel part, its cases through absences
in both departments, its findings, and the matter kept through every workbook format and the
database (SQLite and PostgreSQL)."""
from __future__ import annotations

import dataclasses
import json

import pytest
import yaml

from roles.actor import Account
from roles.engines.matters import figures
from roles.model import Matter
from roles.engines.overrun import matter_overrun
from roles.formats import workbook as workbook_format
from roles.formats.workbook_files import read_tree, write_tree
from flows.errors import BadInput

from tests.conftest import TESTER, _database

#  Workdays from Mon 2026-11-30: 11-30 (#0), 12-01 (#1), 12-02 (#2), 12-03 (#3), 12-04 (#4),
#  12-07 (#5), 12-08 (#6).
#
#  The matter m1, led by d1: 登记 (reg, d1) first, then 许可 (lic, d1) and 备案 (fil, d2) together.
#  Before: reg, lic and fil one after another.
#    steps     before 2 + 3 + 2 = 7      after 1 + 2 + 1 = 4         cut 3/7  = 0.4286
#    materials before {申请书, 身份证} ∪ {申请书, 身份证, 平面图} ∪ {备案表} = 4, after its own 3: 0.25
#    days      before (no promise) 3 + 10 + 5 = 18   after its promise 6:        cut 12/18 = 0.6667
#    trips     before 2 + 2 + 1 = 5      after its own 1:                         cut 4/5  = 0.8
#    path      after 1 + max(4, 3) = 5, one after another 1 + 4 + 3 = 8; stages 3 -> 2
WORKBOOK = """
version: 1
departments:
  - id: d1
    name: 市甲局
    sections:
      - {id: s1, name: 审批科}
  - id: d2
    name: 市乙局
    sections:
      - {id: s2, name: 业务科}
people:
  - {id: p1, name: 张一, section: s1, post: head}
  - {id: p2, name: 李二, section: s1, post: deputy}
  - {id: p3, name: 王三, section: s1}
  - {id: q1, name: 赵四, section: s2, post: head}
  - {id: q2, name: 钱五, section: s2, post: deputy}
  - {id: q3, name: 孙六, section: s2}
processes:
  - id: reg
    section: s1
    name: 登记
    before:
      promised_days: 3
      materials: [申请书, 身份证]
      trips: 2
      steps:
        - {id: s1, name: 收件, next: [s2], days: 1}
        - {id: s2, name: 登记, days: 2}
    after:
      promised_days: 1
      steps:
        - {id: s1, name: 受理登记, a: p3, b: p2, days: 1}
  - id: lic
    section: s1
    name: 许可
    before:
      promised_days: 10
      materials: [申请书, 身份证, 平面图]
      trips: 2
      steps:
        - {id: s1, name: 受理, next: [s2], days: 2}
        - {id: s2, name: 审查, next: [s3], days: 4}
        - {id: s3, name: 审批, kind: approval, days: 4}
    after:
      promised_days: 4
      steps:
        - {id: s1, name: 审查, next: [s2], a: p1, b: p2, days: 2}
        - {id: s2, name: 核准, kind: approval, a: p2, b: p1, days: 1}
  - id: fil
    section: s2
    name: 备案
    before:
      promised_days: 5
      materials: [备案表]
      trips: 1
      steps:
        - {id: s1, name: 收件, next: [s2], days: 2}
        - {id: s2, name: 备案, days: 3}
    after:
      promised_days: 3
      steps:
        - {id: s1, name: 备案, a: q3, b: q2, days: 2}
matters:
  - id: m1
    name: 开办一件事
    lead: d1
    stages: [reg, [lic, fil]]
    promised_days: 6
    materials: [申请书, 身份证, 平面图]
    trips: 1
    before_stages: [reg, lic, fil]
"""

#  All of d2 away 12-01 to 12-04 (#1..#4), so 备案 waits; p1 away #1..#2, whom p2 backs (no delay).
AWAY = [{"person": q, "start": "2026-12-01", "end": "2026-12-04"} for q in ("q1", "q2", "q3")] + \
       [{"person": "p1", "start": "2026-12-01", "end": "2026-12-02"}]


def _tree(**change) -> dict:
    tree = yaml.safe_load(WORKBOOK)
    tree.update(change)
    return tree


def _wb(**change):
    return workbook_format.parse(_tree(**change), "w.yaml")


def test_the_figures_of_a_matter_with_a_parallel_part():
    f = figures(wb := _wb(), wb.matters[0])
    assert f.departments == ("d1", "d2")
    assert [[p.process for p in stage] for stage in f.after.stages] == [["reg"], ["lic", "fil"]]
    assert [p.department for p in f.after.parts] == ["d1", "d1", "d2"]
    assert (f.after.path, f.after.serial, f.before.path) == (5.0, 8.0, 18.0)
    assert f.four == {"steps": [7, 4], "materials": [4, 3], "days": [18, 6], "trips": [5, 1]}
    assert f.cuts == {"steps": 0.4286, "materials": 0.25, "days": 0.6667, "trips": 0.8}
    assert f.findings == ()


def test_a_case_is_late_only_where_the_slowest_part_of_a_stage_waits():
    """Case of Mon 11-30: 登记 #0 (t=1); then 许可 p1 away, p2 backs: 2 + 1 days, t=4; 备案 waits for
    d2 #1..#4 and takes #5..#6, t=7: 7 workdays, one over the promise of 6, done 12-08. Later
    starts: 12-01 ends t=7 (6 days), 12-02 t=7 (5), 12-03 t=7 (4), 12-04: 许可 5→7→8 (4): on time."""
    wb = _wb(absences=AWAY)
    report = matter_overrun(wb, wb.matters[0], _day("2026-11-30"), _day("2026-12-04"))
    (entry,) = report.processes
    assert (entry.process, entry.department, entry.promised_days) == ("m1", "d1", 6)
    assert [(c.start.isoformat(), c.days, c.over) for c in entry.cases] == [
        ("2026-11-30", 7.0, 1.0), ("2026-12-01", 6.0, 0.0), ("2026-12-02", 5.0, 0.0), ("2026-12-03", 4.0, 0.0),
        ("2026-12-04", 4.0, 0.0)]
    (late,) = entry.late
    assert late.end.isoformat() == "2026-12-08"
    # Each of d2's three absences alone holds 备案 up; p1's, backed by p2, holds up nothing.
    assert [report.absences[k].person for k in late.absences] == ["q1", "q2", "q3"]


def test_without_its_own_promise_a_matter_is_late_against_its_parts_promises_end_to_end():
    """No promise: its limit is its path, 1 + max(4, 3) = 5 workdays; the case of 11-30 (7) is 2 over."""
    tree = _tree(absences=AWAY)
    del tree["matters"][0]["promised_days"]
    wb = workbook_format.parse(tree, "w.yaml")
    (entry,) = matter_overrun(wb, wb.matters[0], _day("2026-11-30"), _day("2026-11-30")).processes
    assert (entry.promised_days, entry.cases[0].over) == (5, 2.0)


def test_what_a_matters_check_finds():
    tree = _tree()
    tree["matters"][0].update(promised_days=4, lead="d2", stages=["reg", ["lic", "fil"]])
    tree["processes"][2].pop("after")  # 备案 not yet redesigned
    tree["processes"][2]["after"] = tree["processes"][2]["before"]
    wb = workbook_format.parse(tree, "w.yaml")
    wb = wb.__class__(**{**wb.__dict__, "processes": tuple(p for p in wb.processes if p.id != "reg")})
    found = {(x.rule, x.process) for x in figures(wb, wb.matters[0]).findings}
    assert ("matter-part-missing", "reg") in found
    assert ("matter-within-promised", None) not in found  # a part missing: no path to compare
    tree = _tree()
    tree["matters"][0].update(promised_days=4, lead="d2", stages=["reg", ["lic"]])
    wb = workbook_format.parse(tree, "w.yaml")
    f = figures(wb, wb.matters[0])
    assert {x.rule for x in f.findings} == {"matter-within-promised", "matter-lead-part"}
    assert [x.error for x in f.findings] == [True, False]
    assert "1 + 4" not in f.findings[0].text("zh") and "5" in f.findings[0].text("zh")


@pytest.mark.parametrize("change, field, words", [
    ({"lead": "nope"}, "lead", "no department 'nope'"),
    ({"stages": ["reg", ["lic", "zzz"]]}, "stages", "no process 'zzz'"),
    ({"stages": ["reg", ["lic", "reg"]]}, "stages", "process 'reg' runs twice"),
    ({"stages": ["reg", ["lic", "a b"]]}, "stages", "is no id"),
    ({"stages": ["reg", {"x": 1}]}, "stages", "must be a process id or a list of them"),
    ({"stages": []}, "stages", "needs at least one process"),
    ({"promised_days": -1}, "promised_days", "0 or more"),
    ({"colour": "red"}, "colour", "unknown key"),
])
def test_a_bad_matter_is_refused_naming_it_and_its_field(change, field, words):
    tree = _tree()
    tree["matters"][0].update(change)
    with pytest.raises(BadInput) as e:
        workbook_format.parse(tree, "w.yaml")
    (problem,) = e.value.problems
    assert "matter m1" in problem.entry and problem.field == field and words in problem.message, problem


@pytest.mark.parametrize("suffix", ["yaml", "json", "xlsx"])
def test_a_matter_survives_every_format(suffix):
    wb = _wb()
    back = workbook_format.parse(read_tree(write_tree(workbook_format.to_tree(wb), f"w.{suffix}"), f"w.{suffix}"),
                                 f"w.{suffix}")
    assert back.matters == wb.matters


def test_a_matter_in_a_sheet_is_read_from_its_cells(tmp_path):
    """In XLSX a stage's parts run together joined by '+', stages apart by commas."""
    from openpyxl import load_workbook
    import io
    data = write_tree(workbook_format.to_tree(_wb()), "w.xlsx")
    sheet = load_workbook(io.BytesIO(data))["matters"]
    header = [c.value for c in sheet[1]]
    assert sheet[2][header.index("stages")].value == "reg, lic + fil"
    assert sheet[2][header.index("before_stages")].value == "reg, lic, fil"


def test_matters_are_kept_by_the_database_and_replaced_with_their_lead(cli, tmp_path, engine):
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(_tree(absences=AWAY), allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0
    from roles import actions
    db = _database(engine)
    assert actions.workbook(db, TESTER).matters == _wb().matters
    listed = cli.json("matters")["matters"]
    assert [(m["matter"], m["lead"], m["departments"], m["stages"], m["path"]) for m in listed] == \
        [("m1", "d1", ["d1", "d2"], [3, 2], [18, 5])]
    one = cli.json("matter", "m1")
    assert one["four"] == {"steps": [7, 4], "materials": [4, 3], "days": [18, 6], "trips": [5, 1]}
    assert one["four_cut"] == {"steps": 0.4286, "materials": 0.25, "days": 0.6667, "trips": 0.8}
    assert [[p["process"] for p in s] for s in one["after"]["stages"]] == [["reg"], ["lic", "fil"]]
    assert one["after"]["stages"][1][1] == {"process": "fil", "name": "备案", "department": "d2", "section": "s2",
                                            "steps": 1, "days": 3}
    assert one["findings"] == []
    late = cli.json("overrun", "--from", "2026-11-30", "--to", "2026-12-04", "--matter", "m1")
    assert late["matter"] == "m1"
    (entry,) = late["processes"]
    assert [(c["start"], c["over"]) for c in entry["late_cases"]] == [("2026-11-30", 1)]
    assert [(a["person"], a["department"]) for a in late["absences"]] == [("q1", "d2"), ("q2", "d2"), ("q3", "d2")]
    assert "市乙局" in cli("overrun", "--from", "2026-11-30", "--to", "2026-12-04", "--matter", "m1").output
    text = cli("matter", "m1").output
    assert "开办一件事（m1），牵头部门：市甲局" in text and "并联" in text
    # d2 again, without 备案: d1's matter stays, and names the part it lost.
    tree = _tree()
    tree.update(departments=tree["departments"][1:], people=tree["people"][3:], processes=tree["processes"][2:3])
    del tree["matters"]
    tree["processes"][0]["id"] = "fil2"
    (tmp_path / "d2.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "d2.yaml")).exit_code == 0
    result = cli("matter", "m1", "--json")
    assert result.exit_code == 1
    assert [(x["rule"], x["process"]) for x in json.loads(result.stdout)["findings"]] == \
        [("matter-part-missing", "fil")]
    # d1 again, without the matter: it goes with its lead.
    tree = _tree()
    tree.update(departments=tree["departments"][:1], people=tree["people"][:3], processes=tree["processes"][:2])
    del tree["matters"]
    (tmp_path / "d1.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "d1.yaml")).exit_code == 0
    assert cli.json("matters") == {"matters": []}
    assert cli("matter", "m1").exit_code == 2


def test_a_matter_may_name_processes_the_database_holds(cli, tmp_path):
    """A workbook of d1 alone may lead a matter with d2's process, already in the database."""
    tree = _tree()
    del tree["matters"]
    (tmp_path / "all.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "all.yaml")).exit_code == 0
    tree = _tree()
    tree.update(departments=tree["departments"][:1], people=tree["people"][:3], processes=tree["processes"][:2])
    (tmp_path / "d1.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "d1.yaml")).exit_code == 0, cli("import", str(tmp_path / "d1.yaml")).output
    assert cli.json("matter", "m1")["departments"] == ["d1", "d2"]


def _day(text: str):
    import datetime as dt
    return dt.date.fromisoformat(text)


def test_the_published_site_has_a_page_per_matter_with_its_charts(cli, tmp_path):
    """The matters list, and the matter's page: its parts linked to their processes, 四减, and its
    charts with a lane per department, the parallel stage between a split and a join."""
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(_tree(), allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0
    assert cli("publish", "--out", str(tmp_path / "site")).exit_code == 0
    rel = tmp_path / "site" / "r1"
    assert 'href="matters.html"' in (rel / "index.html").read_text("utf-8")
    assert 'href="m-m1.html">开办一件事</a>' in (rel / "matters.html").read_text("utf-8")
    page = (rel / "m-m1.html").read_text("utf-8")
    assert all(f'href="p-{p}.html"' in page for p in ("reg", "lic", "fil"))
    assert 'href="guide/m-m1.docx"' in page and (rel / "guide" / "m-m1.docx").stat().st_size > 10_000
    assert 'href="bpmn/m-m1.bpmn"' in page and 'calledElement="fil"' in (rel / "bpmn" / "m-m1.bpmn").read_text("utf-8")
    assert "全程 5 个工作日（逐个办理需 8 个）；承诺 6 个工作日" in page and "未另行承诺时限" in page
    svg = (rel / "svg" / "m-m1.svg").read_text("utf-8")
    assert "市甲局" in svg and "市乙局" in svg and svg.count("+</text>") == 2  # the split and the join
    assert "市乙局" in (rel / "svg" / "m-m1.before.svg").read_text("utf-8")
    assert "开办一件事" in json.dumps(json.loads((rel / "search.json").read_text("utf-8")), ensure_ascii=False)


HEAD_D1 = Account("head-d1", "head", "p1")        # head of s1, of d1: the lead department
HEAD_D2 = Account("head-d2", "head", "q1")        # head of s2, of d2: takes part, does not lead
LEADER_D1 = Account("leader-d1", "leader", leads="d1")
LEADER_D2 = Account("leader-d2", "leader", leads="d2")


@pytest.fixture
def reviewed(cli, tmp_path, engine):
    """The workbook imported, with accounts: changes of d1 and d2 are reviewed."""
    from roles.storage.accounts import add_account
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(_tree(), allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0
    for name, role, person in (("head-d1", "head", "p1"), ("head-d2", "head", "q1")):
        add_account(engine, name, f"{name}-password-1", role, person, by=TESTER)
    for name, dept in (("leader-d1", "d1"), ("leader-d2", "d2")):
        add_account(engine, name, f"{name}-password-1", "leader", None, by=TESTER, leads=dept)
    return _database(engine)


def test_a_matters_change_goes_live_when_the_lead_departments_leader_approves_it(reviewed):
    from roles import actions
    db = reviewed
    live = actions.matter(db, TESTER, matter_id="m1").matter
    faster = dataclasses.replace(live, promised_days=5, stages=(("reg", "lic", "fil"),))
    with pytest.raises(actions.PermissionDenied):  # d2 takes part, but does not lead it
        actions.propose_matter(db, HEAD_D2, matter=faster, expected=live)
    change = actions.propose_matter(db, HEAD_D1, matter=faster, expected=live)
    assert (change.state, change.author, change.base) == ("submitted", "head-d1", live)
    assert actions.matter(db, TESTER, matter_id="m1").matter == live  # nothing live until approved
    with pytest.raises(actions.Conflict):  # one change waits at a time
        actions.propose_matter(db, HEAD_D1, matter=faster, expected=live)
    for who in (HEAD_D1, HEAD_D2, LEADER_D2):
        assert not actions.may_decide_matter(who, change)
        with pytest.raises(actions.PermissionDenied):
            actions.decide_matter_change(db, who, change_id=change.id, approve=True)
    done = actions.decide_matter_change(db, LEADER_D1, change_id=change.id, approve=True, note="同意")
    assert (done.state, done.decider) == ("approved", "leader-d1")
    f = actions.matter(db, TESTER, matter_id="m1")
    assert f.matter == faster and (f.after.path, len(f.after.stages)) == (4.0, 1)  # all together: max(1, 4, 3)
    trail = [(a.action, a.user) for a in actions.audit_trail(db, TESTER)]
    assert ("matters.propose", "head-d1") in trail and ("matters.approve", "leader-d1") in trail


def test_a_returned_change_says_why_and_a_stale_one_is_refused(reviewed):
    from roles import actions
    db = reviewed
    live = actions.matter(db, TESTER, matter_id="m1").matter
    change = actions.propose_matter(db, HEAD_D1, matter=dataclasses.replace(live, trips=0), expected=live)
    with pytest.raises(actions.BadInput):
        actions.decide_matter_change(db, LEADER_D1, change_id=change.id, approve=False)
    back = actions.decide_matter_change(db, LEADER_D1, change_id=change.id, approve=False, note="跑动次数有误")
    assert (back.state, back.note) == ("returned", "跑动次数有误")
    assert actions.matter(db, TESTER, matter_id="m1").matter == live
    # Two heads' changes from the same matter: the second is made from a matter that is no more.
    first = actions.propose_matter(db, HEAD_D1, matter=dataclasses.replace(live, trips=2), expected=live)
    actions.decide_matter_change(db, TESTER, change_id=first.id, approve=True)
    with pytest.raises(actions.Conflict):
        actions.propose_matter(db, HEAD_D1, matter=dataclasses.replace(live, name="新名"), expected=live)
    assert [c.state for c in actions.matter_changes(db, TESTER, matter_id="m1")] == ["approved", "returned"]


@pytest.mark.parametrize("change, field", [({"stages": (("reg", "zzz"),)}, "stages"),
                                           ({"lead": "d9"}, "lead"), ({"name": ""}, "name"),
                                           ({"promised_days": -2}, "promised_days")])
def test_a_proposed_matter_is_checked_as_an_import_checks_it(reviewed, change, field):
    from roles import actions
    live = actions.matter(reviewed, TESTER, matter_id="m1").matter
    with pytest.raises(actions.BadInput) as e:
        actions.propose_matter(reviewed, TESTER, matter=dataclasses.replace(live, **change), expected=live)
    assert [p.field for p in e.value.problems] == [field] and e.value.problems[0].entry == "matter m1"
    assert actions.matter(reviewed, TESTER, matter_id="m1").matter == live


def test_a_new_matter_where_changes_are_not_reviewed_goes_live_at_once(cli, tmp_path):
    """Without accounts (one user) nobody else could approve: the change is live as it is made."""
    from roles import actions
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(_tree(), allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0
    db = actions.open_database(cli.url)
    new = Matter("m2", "备案一件事", "d2", (("fil",),))
    assert actions.propose_matter(db, TESTER, matter=new, expected=None).state == "approved"
    assert [m["matter"] for m in cli.json("matters")["matters"]] == ["m1", "m2"]
    with pytest.raises(actions.Conflict):  # made again from nothing: it is there already
        actions.propose_matter(db, TESTER, matter=new, expected=None)


def test_a_matter_goes_out_as_bpmn_and_comes_back_as_a_proposed_change(cli, tmp_path):
    """Exported, its stages changed in the file (备案 after 许可, no longer beside it), imported:
    the change is the matter's; a file from another tool that names no lead is asked for one."""
    import re
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(_tree(), allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0
    out = tmp_path / "m1.bpmn"
    assert cli("bpmn", "export-matter", "m1", "-o", str(out)).exit_code == 0
    xml = out.read_text("utf-8")
    assert 'calledElement="fil"' in xml and "市乙局" in xml
    unchanged = cli("bpmn", "import-matter", str(out))
    assert unchanged.exit_code == 2 and "nothing to change" in unchanged.stderr
    # 许可 hands its work to 备案 instead of both starting after 登记
    xml = xml.replace('sourceRef="part_reg" targetRef="part_fil"', 'sourceRef="part_lic" targetRef="part_fil"')
    out.write_text(xml, "utf-8")
    late = cli("bpmn", "import-matter", str(out))  # 1 + 4 + 3 = 8 workdays: beyond its promise of 6
    assert late.exit_code == 2 and "promised_days" in late.stderr and "beyond its promise of 6" in late.stderr
    xml = xml.replace('abflow:promised_days="6"', 'abflow:promised_days="8"')
    out.write_text(xml, "utf-8")
    got = cli.json("bpmn", "import-matter", str(out))
    assert (got["matter"], got["state"], got["stages"]) == ("m1", "approved", [["reg"], ["lic"], ["fil"]])
    assert cli.json("matter", "m1")["path"] == [18, 8]  # 1 + 4 + 3, one after another now
    foreign = re.sub(r' abflow:[a-z_]+="[^"]*"', "", xml)
    (tmp_path / "other.bpmn").write_text(foreign, "utf-8")
    asked = cli("bpmn", "import-matter", str(tmp_path / "other.bpmn"), "--matter", "m9")
    assert asked.exit_code == 2 and "lead" in asked.stderr
    got = cli.json("bpmn", "import-matter", str(tmp_path / "other.bpmn"), "--matter", "m9", "--lead", "d2")
    assert (got["matter"], got["lead"]) == ("m9", "d2")


def test_a_matters_guide_and_print_pack(cli, tmp_path):
    """The 办事指南: its lead and other departments, materials asked once, a row per part with its
    department and stage; the print pack: both charts on one A4 page, text at 8 pt or more."""
    import io

    from docx import Document
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTPage
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(_tree(), allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0
    guide, pack = tmp_path / "g.docx", tmp_path / "p.pdf"
    assert cli("matter", "m1", "--guide", str(guide), "--print", str(pack)).exit_code == 0
    doc = Document(io.BytesIO(guide.read_bytes()))
    facts = {r.cells[0].text: r.cells[1].text for r in doc.tables[0].rows}
    assert facts["牵头部门"] == "市甲局" and facts["协同部门"] == "市乙局" and facts["承诺时限"] == "6 个工作日"
    parts = [[c.text for c in r.cells[1:4]] for r in doc.tables[1].rows[1:]]
    assert parts == [["登记", "市甲局", "第 1 阶段"], ["许可", "市甲局", "第 2 阶段（并联）"], ["备案", "市乙局", "第 2 阶段（并联）"]]
    assert [p.text for p in doc.paragraphs if p.style.name == "List Number"] == ["申请书", "身份证", "平面图"]
    pages = [p for p in extract_pages(str(pack)) if isinstance(p, LTPage)]
    chars = [c for p in pages for c in _walk(p) if isinstance(c, LTChar)]
    text = "".join(c.get_text() for c in chars)
    assert len(pages) == 1 and "改革前" in text and "改革后" in text and "市乙局" in text
    assert min(c.size for c in chars) >= 8 - 0.01
    assert cli("matter", "m1", "--guide", str(tmp_path / "g.txt")).exit_code == 2


def _walk(node):
    for x in node:
        yield x
        if hasattr(x, "__iter__"):
            yield from _walk(x)


def test_an_account_limited_to_a_department_sees_the_matters_it_takes_part_in(cli, tmp_path):
    from roles import actions
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(_tree(), allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0
    db = actions.open_database(cli.url)
    d2, other = Account("bot-d2", "office", department="d2"), Account("bot-d9", "office", department="d9")
    assert [f.matter.id for f in actions.matters(db, d2)] == ["m1"] and actions.matters(db, other) == []
    assert actions.matter(db, d2, matter_id="m1").matter.lead == "d1"
    with pytest.raises(actions.PermissionDenied):
        actions.matter(db, other, matter_id="m1")
