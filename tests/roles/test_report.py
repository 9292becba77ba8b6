"""The consolidation report, work saturation, exemptions and the power list; the Excel reports
opened by openpyxl and printed by LibreOffice (when it is installed)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from flows.model import Process, Step, Version

from roles.demo import demo_workbook
from roles.formats.excel import write_powers, write_report
from roles.model import Department, Exemption, Person, Power, Section, SectionBefore, Workbook
from roles.engines.powers import check_powers
from roles.engines.report import SaturationSettings, consolidation, saturation
from roles.engines.rules import check

from ..conftest import REQUIRE, TESTER, save_workbook


def pilot() -> Workbook:
    """The published pilot aggregates: 28 departments, 307 sections before, 213 after; the largest
    cut 50% (8 → 4), the smallest 23% (13 → 10)."""
    plan = [(8, 4), (13, 10)] + [(11, 8)] * 17 + [(11, 7)] * 9
    depts = []
    for i, (b, a) in enumerate(plan):
        depts.append(Department(f"d{i}", f"部门{i}", batch=1 + i % 3,
                                sections_before=tuple(SectionBefore(f"d{i}-o{j}", f"原{j}") for j in range(b)),
                                sections=tuple(Section(f"d{i}-s{j}", f"科{j}") for j in range(a))))
    return Workbook(tuple(depts))


def test_the_pilot_figures_reproduce_30_6_percent():
    city = consolidation(pilot())["city"]
    assert (city["departments"], city["sections_before"], city["sections_after"]) == (28, 307, 213)
    assert round(city["reduction"], 3) == 0.306
    assert city["highest"] == 0.5
    assert round(city["lowest"], 2) == 0.23
    assert 0.29 < city["mean_of_departments"] < 0.32
    batches = consolidation(pilot())["batches"]
    assert [b["batch"] for b in batches] == [1, 2, 3]
    assert sum(b["sections_before"] for b in batches) == 307


def test_department_figures_sizes_leaders_and_counterparts():
    d = Department("d", "局", 1, tuple(SectionBefore(f"o{i}", f"原{i}") for i in range(4)), (
        Section("a", "综合科", "comprehensive", ("o1", "o2"), staffing=5, leader_posts=2, counterparts=("省甲处", "省乙处")),
        Section("b", "业务科", merged_from=("o3", "o4"), staffing=4, leader_posts=2, counterparts=("省乙处",))))
    people = tuple(Person(f"a{i}", "甲", "a") for i in range(5)) + (Person("b1", "乙", "b"), Person("b2", "丙", "b"))
    r = consolidation(Workbook((d,), people))["departments"][0]
    assert (r["sections_before"], r["sections_after"], r["reduction"]) == (4, 2, 0.5)
    assert (r["size_largest"], r["size_smallest"], r["two_person"], r["one_person"]) == (5, 2, 1, 0)
    assert (r["leader_posts"], r["leader_posts_allowed"]) == (4, 3)  # 5 → 2, 4 → 1
    assert r["counterparts_1_to_n"] == {"a": ["省甲处", "省乙处"]}
    assert r["counterparts_n_to_1"] == {"省乙处": ["a", "b"]}
    assert r["duty_map"][0]["merged_from"] == ["原1", "原2"]


def test_saturation_of_a_section_and_its_people():
    steps = (Step("t1", a="p1", b="p2", minutes=60, per_month=87),   # 87 h
             Step("t2", a="p2", b="p1", minutes=30, per_month=174))  # 87 h
    wb = Workbook((Department("d", "局", sections=(Section("s", "科"),)),),
                  (Person("p1", "甲", "s"), Person("p2", "乙", "s")),
                  (Process("p", "s", "流程", after=Version(steps)),))
    doc = saturation(wb, SaturationSettings(hours_per_month=174, cover_share=0.1))
    sec, = doc["sections"]
    assert sec["saturation"] == pytest.approx(0.5) and sec["flag"] == "ok"
    p1 = doc["people"][0]
    assert p1["expected_minutes"] == pytest.approx(87 * 60 + 0.1 * 87 * 60)
    assert doc["people"][0]["flag"] == "ok"
    over = saturation(wb, SaturationSettings(hours_per_month=80))["sections"][0]
    assert over["flag"] == "over"


def test_an_exemption_marks_the_finding_and_clears_the_error():
    sec = Section("s", "小科")
    d = Department("d", "局", sections=(sec,), sections_before=(SectionBefore("o", "原"),))
    wb = Workbook((d,), (Person("p1", "甲", "s"), Person("p2", "乙", "s")))
    f, = check(wb, rules=("section-size",))
    assert f.blocking and f.exemption is None
    exempt = dataclasses.replace(wb, departments=(dataclasses.replace(d, exemptions=(
        Exemption("section-size", "编制仅 2 名的派出机构，经批准保留", "s"),)),))
    f, = check(exempt, rules=("section-size",))
    assert f.severity == "error" and f.exemption.startswith("编制仅") and not f.blocking
    other = dataclasses.replace(wb, departments=(dataclasses.replace(d, exemptions=(
        Exemption("section-size", "另一个科", "x"),)),))
    assert check(other, rules=("section-size",))[0].blocking  # an exemption for another subject


def test_exemptions_through_the_cli(engine, cli, tmp_path):
    from roles.formats import workbook_files as formats
    from roles.formats.workbook import to_tree
    save_workbook(engine, demo_workbook(dt.date(2026, 11, 25)), user=TESTER)
    found = cli.json("check", "--rule", "approval-concentration")["findings"]
    assert {(f["subject"], f["exemption"] is not None) for f in found} == {("scj", False), ("zjj", True)}
    tree = to_tree(demo_workbook(dt.date(2026, 11, 25)))
    tree["departments"][0]["exemptions"] = [{"rule": "no-such-rule", "reason": "x"}]
    (tmp_path / "bad.yaml").write_bytes(formats.write_tree(tree, "bad.yaml"))
    wrong = cli("import", str(tmp_path / "bad.yaml"))
    assert wrong.exit_code == 2
    assert "bad.yaml: department rsj, exemption #1 (line 60), field 'rule': 'no-such-rule' is no reform rule" in wrong.stderr


def test_powers_are_checked_and_listed(engine, cli, tmp_path):
    wb = demo_workbook(dt.date(2026, 11, 25))
    assert [(f.power, f.field) for f in check_powers(wb)] == [("scj-q3", "accountability")]
    broken = dataclasses.replace(wb, powers=(Power("x", "scj", "某项", processes=("scj-p05",)),))
    assert {f.field for f in check_powers(broken)} == {"section", "responsibilities", "accountability", "basis"}
    save_workbook(engine, wb, user=TESTER)
    r = cli("powers", "check", "--json")
    assert r.exit_code == 1
    out = tmp_path / "powers.xlsx"
    assert cli("powers", "export", str(out)).exit_code == 0
    ws = load_workbook(out)["权责清单"]
    assert [c.value for c in ws[1]] == ["序号", "部门", "权力类型", "权力事项名称", "设定依据", "承办科室",
                                        "办理流程及行使环节", "责任事项", "追责情形"]
    assert ws["D2"].value == "食品生产许可" and ws["F2"].value == "食品安全科"
    assert ws["E2"].value == "《中华人民共和国食品安全法》第三十五条\n《食品生产许可管理办法》第二条"
    assert ws["G2"].value == ("食品生产许可（scj-p05）：受理并审查材料（受理责任）、现场核查（审查责任）、科长审批（决定责任）、"
                              "发证（送达责任）\n食品经营监督检查（scj-p06）：现场检查（事后监管责任）")
    assert ws["H2"].value.count("\n") == 4  # five responsibility items, one per line


def test_a_powers_steps_are_its_processes_and_its_decision_is_taken_with_authority():
    """食品生产许可 (a licence: it decides) lists scj-p05's steps. Its 科长审批 is held by the head
    and deputy: nothing to say. Listing a step of another process, or none that decides, or the
    decision's B made a member of staff, is each found."""
    wb = demo_workbook(dt.date(2026, 11, 25))
    q1 = wb.powers[0]
    found = lambda power: [(f.key, f.text("zh")) for f in check_powers(dataclasses.replace(wb, powers=(power,)))]  # noqa: E731
    assert found(q1) == []
    assert found(dataclasses.replace(q1, steps=("scj-p05:s1", "scj-p07:s1"))) == [
        ("unknown-step", "食品生产许可：环节 scj-p07:s1 不是其办理流程改革后的环节"),
        ("no-decision", "食品生产许可：行政许可须有作出决定的审批环节，所列环节中没有")]
    p5 = wb.process_by_id["scj-p05"]
    staffed = dataclasses.replace(p5.after, steps=tuple(dataclasses.replace(s, b="sc12") if s.id == "s3" else s
                                                        for s in p5.after.steps))
    moved = dataclasses.replace(wb, processes=tuple(dataclasses.replace(p, after=staffed) if p is p5 else p
                                                    for p in wb.processes), powers=(q1,))
    assert [(f.key, f.text("zh")) for f in check_powers(moved)] == [
        ("no-authority", "食品生产许可：决定环节 scj-p05:s3 的B 田甜 不是科室负责人或副职，无权作出决定")]


def test_each_responsibility_item_of_a_power_is_carried_by_a_step():
    """食品生产许可's five items are each carried by a step of scj-p05 or scj-p06 (受理, 审查, 决定,
    送达; 事后监管 by the inspection): nothing to say. A step that no longer carries 事后监管责任
    leaves that item to nobody; a duty named wrong is no item of the power."""
    wb = demo_workbook(dt.date(2026, 11, 25))
    q1 = wb.powers[0]

    def with_duty(step: str, duty: str | None) -> list[tuple[str, str]]:
        p6 = wb.process_by_id["scj-p06"]
        after = dataclasses.replace(p6.after, steps=tuple(dataclasses.replace(s, duty=duty) if s.id == step else s
                                                          for s in p6.after.steps))
        changed = dataclasses.replace(wb, processes=tuple(dataclasses.replace(p, after=after) if p is p6 else p
                                                          for p in wb.processes), powers=(q1,))
        return [(f.key, f.text("zh")) for f in check_powers(changed)]
    assert with_duty("s2", "事后监管责任") == []
    assert with_duty("s2", None) == [("duty-unassigned", "食品生产许可：责任事项“事后监管责任”没有落实到其办理流程的任何环节")]
    assert with_duty("s2", "监管责任") == [
        ("duty-unassigned", "食品生产许可：责任事项“事后监管责任”没有落实到其办理流程的任何环节"),
        ("unknown-duty", "食品生产许可：环节 scj-p06:s2 承担的“监管责任”不是该事项的责任事项")]


def test_the_excel_report_has_a_sheet_per_level_with_chinese_headers(engine, cli, tmp_path):
    save_workbook(engine, demo_workbook(dt.date(2026, 11, 25)), user=TESTER)
    out = tmp_path / "report.xlsx"
    doc = cli.json("report", "--xlsx", str(out))
    assert doc["city"]["sections_before"] == 22 and doc["city"]["sections_after"] == 11
    book = load_workbook(out)
    assert book.sheetnames == ["全市汇总", "分批次", "分部门", "机构职能变化对比表", "环节压减（批次）", "环节压减（部门）", "环节压减（科室）",
                               "环节压减（流程）", "四减（全市、批次）", "四减（部门）", "四减（流程）", "改革前后抗缺岗能力",
                               "工作饱和度（科室）", "工作饱和度（人员）"]
    resilience = book["改革前后抗缺岗能力"]  # as `report --json` has it: the city's share before and after
    assert [resilience.cell(2, c).value for c in (4, 5)] == [doc["resilience"]["city"][v]["share"] for v in ("before", "after")]
    assert resilience.cell(2, 4).number_format == "0.0%"
    city = book["全市汇总"]
    assert city["D1"].value == "科室压减比例" and city["D2"].value == 0.5 and city["D2"].number_format == "0.0%"
    assert book["分部门"]["A2"].value == "市人力资源和社会保障局"
    batches = cli.json("stats")["batches"]
    assert [b["batch"] for b in batches] == [1, 2]
    assert sum(b["sections_before"] for b in batches) == 22 and sum(b["sections_after"] for b in batches) == 11
    assert book["环节压减（批次）"]["B2"].value == batches[0]["before"]
    four = book["四减（全市、批次）"]  # the city's materials before, after and cut, as stats has them
    city4 = cli.json("stats")["city"]
    assert [four.cell(1, c).value for c in (5, 6, 7)] == ["改革前材料", "改革后材料", "材料压减比例"]
    assert [four.cell(2, c).value for c in (5, 6, 7)] == [*city4["four"]["materials"], city4["four_cut"]["materials"]]
    assert four.cell(2, 7).number_format == "0.0%"
    sections = book["环节压减（科室）"]
    assert sections["B2"].value == "市人力资源和社会保障局"                  # the department by name
    marked = {str(r.sqref) for r in book["分部门"].conditional_formatting}
    assert marked == {"E2:E4"}                                          # cuts under 30% marked red


@pytest.mark.slow
def test_libreoffice_opens_and_prints_the_reports(tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        if REQUIRE:
            pytest.fail("LibreOffice (soffice) is required in CI: make setup installs libreoffice-calc-nogui")
        pytest.skip("LibreOffice not installed")
    wb = demo_workbook(dt.date(2026, 11, 25))
    write_report(wb, tmp_path / "report.xlsx")
    write_powers(wb, tmp_path / "powers.xlsx")
    done = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(tmp_path / "report.xlsx"), str(tmp_path / "powers.xlsx")],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    for name in ("report.pdf", "powers.pdf"):
        pdf = (tmp_path / name).read_bytes()
        assert pdf.startswith(b"%PDF") and len(pdf) > 5000
        assert b"/NotoSansCJK" in pdf or b"Noto" in pdf  # the Chinese headers are set in a CJK font
    from ..flows.test_printing import pages
    read = pages((tmp_path / "report.pdf").read_bytes())
    sizes = [c.size for _, chars, _ in read for c in chars if c.get_text().strip()]
    assert min(sizes) >= 7.99                                           # readable: nothing shrunk under 8 pt
    assert {(round(w), round(h)) for (w, h), _, _ in read} == {(842, 595)}  # A4 landscape
    text = "".join(t for _, _, t in read)
    assert "大科室改革成效报告" in text and "第 1 页" in text              # a header naming it, pages numbered
    ids = {p.id for p in wb.processes} | {s.id for d in wb.departments for s in d.sections}
    assert not [i for i in ids if i in text]                            # names, not ids


def test_the_power_list_keeps_its_changes_and_exports_them_since_a_day(engine, cli, tmp_path):
    """The office records 产品质量监督抽查 devolved and 食品生产许可 changed, each by its document:
    the devolved power leaves the list, the history keeps both, audited; the export since a day
    has them on a second sheet, an earlier day's change left out."""
    save_workbook(engine, demo_workbook(dt.date(2026, 11, 25)), user=TESTER)
    ok = cli("powers", "change", "scj-q1", "--kind", "changed", "--document", "市政府令第 3 号", "--date", "2026-10-01")
    assert ok.exit_code == 0 and "调整 食品生产许可" in ok.output
    assert cli("powers", "change", "scj-q3", "--kind", "devolved", "--document", "市编委〔2026〕12 号",
               "--date", "2026-12-01", "--note", "下放至区级").exit_code == 0
    history = cli.json("powers", "history")["changes"]
    assert [(c["power"], c["kind"], c["document"]) for c in history] == [
        ("scj-q1", "changed", "市政府令第 3 号"), ("scj-q3", "devolved", "市编委〔2026〕12 号")]
    assert [c["power"] for c in cli.json("powers", "history", "--since", "2026-11-01")["changes"]] == ["scj-q3"]
    out = tmp_path / "powers.xlsx"
    assert cli("powers", "export", str(out), "--since", "2026-11-01").exit_code == 0
    book = load_workbook(out)
    names = [r[3].value for r in book["权责清单"].iter_rows(min_row=2)]
    assert "产品质量监督抽查" not in names and "食品生产许可" in names      # devolved: off the list
    assert [[c.value for c in r] for r in book["动态调整"].iter_rows(min_row=2)] == [
        [1, "产品质量监督抽查", "下放", "市编委〔2026〕12 号", "2026-12-01", "下放至区级"]]
    refused = [cli("powers", "change", "scj-q3", "--kind", "cancelled", "--document", "x", "--date", "2026-12-02"),
               cli("powers", "change", "scj-q1", "--kind", "changed", "--document", " ", "--date", "2026-12-02")]
    assert [r.exit_code for r in refused] == [2, 2]                      # gone already; no document
    assert "scj-q3" in refused[0].output and "document" in refused[1].output
    with engine.connect() as c:
        from sqlalchemy import text
        assert c.execute(text("SELECT count(*) FROM audit WHERE action = 'powers.devolved'")).scalar() == 1


def test_a_change_of_the_power_list_waits_for_review_where_the_department_reviews_its_changes(engine, cli, tmp_path):
    """With accounts, 市场监管局's changes are reviewed: the office records 产品质量监督抽查 devolved,
    it stays on the list until the department's leader approves it; the office's author may not
    approve it; a returned change says why and changes nothing."""
    from roles import actions
    from roles.actor import Account
    from roles.storage.accounts import add_account
    from ..conftest import _database
    save_workbook(engine, demo_workbook(dt.date(2026, 11, 25)), user=TESTER)
    add_account(engine, "leader-scj", "leader-password-1", "leader", None, by=TESTER, leads="scj")
    db = _database(engine)
    leader = Account("leader-scj", "leader", leads="scj")
    on_list = lambda: [p.id for p in actions.workbook(db, TESTER, versions=()).powers]  # noqa: E731
    made = actions.change_power(db, TESTER, power_id="scj-q3", kind="devolved", document="市编委〔2026〕12 号",
                                date=dt.date(2026, 12, 1))
    assert made.state == "submitted" and "scj-q3" in on_list()
    with pytest.raises(actions.Conflict):  # one change of a power waits at a time
        actions.change_power(db, TESTER, power_id="scj-q3", kind="cancelled", document="x", date=dt.date(2026, 12, 2))
    for who in (TESTER, Account("leader-rsj", "leader", leads="rsj")):
        with pytest.raises(actions.PermissionDenied):
            actions.decide_power_change(db, who, change_id=made.id, approve=True)
    assert cli("powers", "export", str(tmp_path / "p.xlsx"), "--since", "2026-11-01").exit_code == 0
    assert load_workbook(tmp_path / "p.xlsx")["动态调整"].max_row == 1  # waiting: not a change of the list yet
    done = actions.decide_power_change(db, leader, change_id=made.id, approve=True, note="同意")
    assert (done.state, done.decider, done.decision) == ("approved", "leader-scj", "同意") and "scj-q3" not in on_list()
    back = actions.change_power(db, TESTER, power_id="scj-q1", kind="changed", document="市政府令第 3 号",
                                date=dt.date(2026, 12, 3))
    with pytest.raises(actions.BadInput):
        actions.decide_power_change(db, leader, change_id=back.id, approve=False)
    assert actions.decide_power_change(db, leader, change_id=back.id, approve=False, note="文号有误").state == "returned"
    history = cli.json("powers", "history")["changes"]
    assert [(c["power"], c["state"], c["decider"]) for c in history] == [
        ("scj-q3", "approved", "leader-scj"), ("scj-q1", "returned", "leader-scj")]
    assert "［已退回］" in cli("powers", "history").output
