"""The app's pages run against a real database through Streamlit's AppTest."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from streamlit.testing.v1 import AppTest

from roles.storage import absences as absence_store
from roles.storage import organisation
from roles.storage import processes as process_store
from roles.demo import demo_workbook
from roles.storage.engines import engine_for

from ..conftest import BIANBAN, ROOT, TESTER, heavier, load_file, save_workbook, stored

APP = str(ROOT / "ui" / "app.py")


def shown(element) -> str:
    """An alert's text as the user reads it: the app escapes Markdown in every message."""
    return re.sub(r"\\(.)", r"\1", element.value)


@pytest.fixture
def app(engine, db_url, monkeypatch):
    """The app (or one page of it, by file) on the test's database."""
    monkeypatch.setenv("ABFLOW_DB", db_url)
    return lambda script=APP: AppTest.from_file(script, default_timeout=60)


def test_today_shows_gaps_cover_and_stand_ins(bianban, app):
    from roles.model import Absence
    stored(bianban, absence_store.change_absences, [], [Absence(p, dt.date(2026, 12, 2), dt.date(2026, 12, 2), "trip")
                                        for p in ("bb01", "bb02")], "test", user=TESTER)  # bb-zh's leaders away together
    at = app()
    at.session_state["day"] = dt.date(2026, 11, 25)
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"环节": "11", "主办在岗": "8", "指定代岗": "0", "备岗代办": "1", "上报代行": "2", "空缺": "0"}
    assert shown(at.caption[0]).startswith("共 11 个环节：主办在岗 8")  # the figures in a line, above the lists
    covered = at.dataframe[0].value  # bb07's step by B; bb03's and bb04's gone up to their head
    assert list(covered["环节"]) == ["收文登记", "办理归档", "审核审批"]
    assert list(covered["今日办理人"]) == ["赵文静", "赵文静", "吴丽娟"]
    # Gaps ahead: a bar for every workday of the two weeks, those with no gap at 0.
    import pyarrow as pa
    chart, = at.get("vega_lite_chart")
    ahead = pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_all().to_pandas()
    days = list(ahead.iloc[:, 0])
    assert days[0] == "2026-11-25" and days[-1] == "2026-12-08" and len(days) == 10 and "2026-11-28" not in days
    assert (ahead["空缺"] == 0).any() and ahead["空缺"].sum() > 0


def test_today_in_english_and_for_one_person(bianban, app):
    at = app()
    at.session_state["day"] = dt.date(2026, 11, 25)
    at.session_state["lang"] = "en"
    at.session_state["person"] = "bb06"
    at.run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric} == {"Steps": "1", "A acts": "0", "named stand-in": "0",
                                                    "B covers": "1", "up: head acts": "0", "gap": "0"}
    assert "Covered: the A holder is away" in [s.value for s in at.subheader]


@pytest.mark.parametrize("person,says", [
    ("bb07", ["郑浩今天不在岗（出差，至 2026-11-26）。", "吴丽娟代办其 1 个环节：事业单位登记 · 审核审批。"]),
    ("bb06", ["吴丽娟今天在岗，主办 0 个环节。", "今天替郑浩办理：事业单位登记 · 审核审批。"]),
    ("bb04", ["李建军今天不在岗（病假，至 2026-11-25）。", "赵文静代办其 1 个环节：公文办理 · 办理归档。"]),
    ("bb01", ["赵文静今天在岗，主办 1 个环节。",
              "今天替孙晓燕办理：公文办理 · 收文登记。", "今天替李建军办理：公文办理 · 办理归档。"]),
])
def test_today_says_a_persons_day_in_a_sentence_each(bianban, app, person, says):
    at = app()
    at.session_state["day"] = dt.date(2026, 11, 25)
    at.session_state["person"] = person
    at.run()
    assert not at.exception
    assert shown(at.markdown[0]).splitlines() == [f"- {line}" for line in says]


def test_a_holiday_says_why(bianban, app):
    at = app()
    at.session_state["day"] = dt.date(2026, 10, 1)
    at.run()
    assert any("2026-10-01" in shown(i) and "国庆" in shown(i) for i in at.info)


def test_an_empty_database_says_how_to_begin(engine, app):
    at = app().run()
    assert not at.exception
    assert "abflow import" in at.info[0].value


def test_the_demo_always_shows_cover_escalation_and_a_gap_today(engine, app):
    from roles.clock import today
    save_workbook(engine, demo_workbook(today()), user=TESTER)  # the office's day, as the app shows it
    at = app().run()
    metrics = {m.label: int(m.value) for m in at.metric}
    if metrics:  # today may be a holiday or weekend
        assert metrics["备岗代办"] >= 1 and metrics["上报代行"] >= 1 and metrics["空缺"] >= 1


def test_flowchart_page_draws_the_chosen_process(bianban, app):
    at = app()
    at.switch_page("views/flowchart.py")
    at.session_state["process"] = "bb-p2"
    at.session_state["chart_day"] = dt.date(2026, 11, 25)
    at.run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric} == {"改革前环节": "7", "改革后环节": "4", "压减比例": "42.9%",
                                                    "交接次数": "4"}
    import base64
    import re
    page = next(h.proto.body for h in at.get("html") if "base64," in h.proto.body)
    svg = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", page).group(1)).decode()
    assert "<svg" in svg and "审核审批" in svg and "备岗" in svg

    at.session_state["which"] = "sheet"  # before beside after
    at.run()
    assert not at.exception
    page = next(h.proto.body for h in at.get("html") if "base64," in h.proto.body)
    svg = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", page).group(1)).decode()
    assert "改革前后对照" in svg and "改革前 · 7 个环节" in svg and "压减 43%" in svg


@pytest.mark.parametrize("view,key,value", [("flowchart", "process", "scj-p01"), ("designer", "d_process", "scj-p01"),
                                            ("people", "section", "scj-zh")])
def test_a_page_about_one_process_or_section_reads_the_steps_of_its_department_only(engine, db_url, app, view,
                                                                                       key, value):
    from roles import actions
    save_workbook(engine, demo_workbook(dt.date(2026, 11, 25)), user=TESTER)
    database = actions.open_database(db_url)
    database._loaded.clear()
    at = app(str(ROOT / "ui" / "views" / f"{view}.py"))
    at.session_state[key] = value
    at.run()
    assert not at.exception
    options = at.selectbox(key=key).options                        # each tells its department
    assert all("市" in o.split(" · ")[-1] or "市" in o.split(" · ")[0] for o in options)
    assert any("市市场监督管理局" in o for o in options) and any("市住房和城乡建设局" in o for o in options)
    steps_read = {k for k in database._loaded if k[0]}                # (versions, departments) read with steps
    assert (("before", "after"), frozenset({"scj"})) in steps_read
    assert {departments for _, departments in steps_read} == {frozenset({"scj"})}  # never the whole database


def test_reform_page_sums_and_checks(bianban, app):
    at = app()
    at.switch_page("views/reform.py")
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["科室数"] == "6 → 3" and metrics["科室压减"] == "50.0%"
    assert metrics["环节数"] == "14 → 8"


def test_the_offices_tables_speak_in_names_not_ids(engine, app):
    """On a generated city every department has a 综合保障科: each table names the department beside
    the section, and no cell of any table on the reform page is an id of the data."""
    from bench.city import city_workbook
    wb = city_workbook(dt.date(2026, 11, 25), seed=3, departments=6, processes=30)
    save_workbook(engine, wb, user=TESTER)
    ids = {d.id for d in wb.departments} | {s.id for d in wb.departments for s in d.sections} | \
        {p.id for p in wb.processes} | {p.id for p in wb.people}
    at = app(str(ROOT / "ui" / "views" / "reform.py"))
    at.run()
    assert not at.exception
    for frame in (d.value for d in at.dataframe):
        cells = {str(v) for col in frame.columns for v in frame[col]}
        spotted = {c for c in cells if ids & set(re.split(r"[（）()/\s·、，,]+", c))}
        assert not spotted, (list(frame.columns), sorted(spotted)[:5])
    saturation = next(d.value for d in at.dataframe if "饱和度" in " ".join(d.value.columns))
    assert "部门" in saturation.columns


def test_reform_page_marks_departments_under_the_30_percent_target_and_filters_findings(engine, app):
    from bench.city import city_workbook
    wb = city_workbook(dt.date(2026, 11, 25), seed=3, departments=12, processes=60)
    save_workbook(engine, wb, user=TESTER)
    under = {d.name for d in wb.departments if 1 - len(d.sections) / len(d.sections_before) < 0.30}
    assert under and len(under) < 12
    at = app(str(ROOT / "ui" / "views" / "reform.py"))
    at.run()
    assert not at.exception
    assert any(f"12 个部门中 {len(under)} 个科室压减未达 30%" in shown(w) for w in at.warning)
    table = at.dataframe[0].value
    assert set(table["部门"][:len(under)]) == under and set(table["30% 目标"][:len(under)]) == {"未达 30%"}
    assert set(table["30% 目标"][len(under):]) == {"达标"}
    at.multiselect(key="levels").set_value(["warning"]).run()
    found = next(d.value for d in at.dataframe if "级别" in d.value)
    assert set(found["级别"]) == {"提示"}


PEOPLE = str(ROOT / "ui" / "views" / "people.py")


@pytest.fixture
def people_page(app):
    return lambda: app(PEOPLE)


def test_people_page_shows_the_ab_table_pairing_and_resilience(bianban, people_page):
    at = people_page()
    at.session_state["section"] = "bb-jg"
    at.run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 4  # bb-jg's redesigned steps
    notes = [shown(w) for w in at.warning]
    assert len(notes) == 1 and "AB角搭配问题" in notes[0]        # one note for the section, the findings below
    issues = next(d.value for d in at.dataframe if "问题" in d.value)
    assert len(issues) >= 1 and any("应互为AB角" in m for m in issues["说明"])
    assert {m.label: m.value for m in at.metric} == {"可同时离岗人数": "1", "含顶岗可同时离岗人数": "4", "关键组合": "3"}


def test_people_page_proposes_and_accepts_an_assignment(bianban, people_page):
    at = people_page()
    at.session_state["section"] = "bb-jg"
    at.session_state["mode"] = "rebalance"
    at.run()
    at.button(key="propose").click().run()
    assert not at.exception
    assert any("最优" in i.value for i in at.info)
    assert [x.label for x in at.get("expandable") if "A/B" in x.label] in ([], ["A/B 分配已求解"])
    table = next(d.value for d in at.dataframe if list(d.value.columns) == ["流程", "环节", "主办(A)", "备岗(B)"])
    rows = table.to_dict("records")
    assert rows and all("（bb-p" in r["流程"] and " " in r["环节"] for r in rows)   # names, not bare ids
    assert not any(" → " in v and v.split(" → ")[0] == v.split(" → ")[1]        # no "郭阳阳 → 郭阳阳"
                   for r in rows for v in (r["主办(A)"], r["备岗(B)"]))
    assert any(" → " in r["主办(A)"] or " → " in r["备岗(B)"] for r in rows)
    at.button(key="accept").click().run()
    assert not at.exception
    assert any("已采纳" in s.value for s in at.success)
    wb = organisation.load(bianban)
    from roles.engines.pairing import pairing_issues, processes_of, section_steps
    assert pairing_issues(section_steps(processes_of(wb, "bb-jg")), wb.person_by_id, wb.sections_with_deputy) == []


def test_today_checks_a_leave_request_for_the_person_shown(bianban, app):
    """The head of 监督科 asks for 12-01..12-04, when the deputy is away: the approval step would
    have nobody, on four workdays."""
    at = app()
    at.session_state["day"] = dt.date(2026, 12, 1)
    at.session_state["person"] = "bb10"
    at.session_state["today_wi_to"] = dt.date(2026, 12, 4)
    at.run()
    assert not at.exception
    assert at.selectbox(key="today_wi_person").value == "bb10"  # the person shown, from the day shown
    # The same answer as the People page and `abflow whatif`.
    added = next(d.value for d in at.dataframe if "建议顶岗" in d.value and "日期" in d.value
                 and list(d.value["日期"]) == ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"])
    assert set(added["建议顶岗"]) == {"卫婷"}

    at.selectbox(key="person").set_value("bb06").run()        # another person chosen above: the check follows
    assert at.selectbox(key="today_wi_person").value == "bb06"
    at.selectbox(key="today_wi_person").set_value("bb10").run()
    at.button(key="today_wi_record").click().run()             # recorded: said with what it leaves uncovered
    said = " ".join(shown(x) for x in at.success)
    assert "已登记 陈晨 2026-12-01" in said and "4 个环节·日无人办理" in said and "已读取" not in said
    assert "不会新增空缺" not in said and any("已登记请假" in shown(x) for x in at.info)


def test_people_page_what_if_and_recording_an_absence(bianban, people_page):
    at = people_page()
    at.session_state["section"] = "bb-jd"
    at.session_state["wi_person"] = "bb10"
    at.session_state["wi_from"] = dt.date(2026, 12, 1)
    at.session_state["wi_to"] = dt.date(2026, 12, 4)
    at.run()
    assert not at.exception
    # Same answer as `abflow whatif`: s3 of bb-p3 on the four days bb11, the deputy, is away too.
    added = next(d.value for d in at.dataframe if "建议顶岗" in d.value and "日期" in d.value)
    assert list(added["日期"]) == ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]
    assert set(added["建议顶岗"]) == {"卫婷"}
    before = len(organisation.load(bianban).absences)
    at.button(key="wi_record").click().run()
    assert not at.exception
    absences = organisation.load(bianban).absences
    assert len(absences) == before + 1
    assert (absences[-1].person, absences[-1].start, absences[-1].end) == ("bb10", dt.date(2026, 12, 1),
                                                                           dt.date(2026, 12, 4))


def test_the_people_page_shows_each_persons_load_and_who_goes_over(bianban, people_page, monkeypatch):
    """The week of 11-23 in 综合科, with bb03 and bb04 away on the 25th: their steps go up to bb01.
    Their steps made heavier (× 6), bb01 carries more than 120 % that day, and the page says so."""
    from roles import actions
    from roles.model import Absence
    monkeypatch.setenv("ABFLOW_TODAY", "2026-11-23")
    at = people_page()
    at.session_state["section"] = "bb-zh"
    at.run()
    assert not at.exception
    assert any("每人负荷" in h.value for h in at.subheader)
    assert not any("超过 120%" in shown(w) for w in at.warning)
    db = actions.open_database(bianban.url.render_as_string(hide_password=False))
    heavier(db, "bb-p1", 6)
    actions.change_absences(db, TESTER, added=[Absence("bb02", dt.date(2026, 11, 25), dt.date(2026, 11, 25))],
                            source="test")
    at.run()
    assert any("超过 120%" in shown(w) and "赵文静" in shown(w) for w in at.warning)


def test_a_leave_from_noon_to_noon_is_checked_and_recorded_in_half_days(bianban, people_page):
    """bb10 asks from noon on 12-01 to noon on 12-04: the approval step bb11 backs has nobody on the
    afternoon of the 1st, the 2nd and 3rd whole, and the morning of the 4th."""
    at = people_page()
    at.session_state["section"] = "bb-jd"
    at.session_state["wi_person"] = "bb10"
    at.session_state["wi_from"] = dt.date(2026, 12, 1)
    at.session_state["wi_to"] = dt.date(2026, 12, 4)
    at.session_state["wi_start_half"] = "pm"
    at.session_state["wi_end_half"] = "am"
    at.run()
    assert not at.exception
    added = next(d.value for d in at.dataframe if "建议顶岗" in d.value and "日期" in d.value)
    assert list(added["日期"]) == ["2026-12-01 下午", "2026-12-02", "2026-12-03", "2026-12-04 上午"]
    at.button(key="wi_record").click().run()
    assert not at.exception
    last = organisation.load(bianban).absences[-1]
    assert (last.person, last.start, last.start_half, last.end, last.end_half) == (
        "bb10", dt.date(2026, 12, 1), "pm", dt.date(2026, 12, 4), "am")
    assert any("2026-12-01 下午" in shown(x) and "2026-12-04 上午" in shown(x) for x in at.success)
    at.session_state["wi_end_half"] = "am"
    at.session_state["wi_start_half"] = "pm"
    at.session_state["wi_to"] = dt.date(2026, 12, 1)
    at.run()                                                   # one day from noon to noon: no such leave
    assert any("不能既从下午开始又在上午结束" in shown(x) for x in at.error)


def test_reform_page_report_exemptions_and_excel(engine, app):
    save_workbook(engine, demo_workbook(dt.date(2026, 11, 25)), user=TESTER)
    at = app()
    at.switch_page("views/reform.py")
    at.session_state["rules"] = ["approval-concentration"]
    at.run()
    assert not at.exception
    findings = found(at)
    assert list(findings["对象"]) == ["市市场监督管理局", "市住房和城乡建设局"]  # names, not ids
    assert list(findings["级别"]) == ["提示", "提示（已豁免）"]
    assert findings["豁免理由"].iloc[1].startswith("施工许可")
    at.session_state["depts"] = ["zjj"]
    at.run()
    assert list(found(at)["对象"]) == ["市住房和城乡建设局"]
    at.button(key="make_xlsx").click().run()
    assert not at.exception
    assert at.session_state["report_xlsx"][:2] == b"PK"  # the xlsx (a zip) to download


def found(at):
    """The findings table of the reform check (the one with a subject column)."""
    return next(d.value for d in at.dataframe if "对象" in d.value)


def test_the_office_records_an_exemption_and_the_finding_shows_it(engine, app):
    save_workbook(engine, demo_workbook(dt.date(2026, 11, 25)), user=TESTER)
    at = app()
    at.switch_page("views/reform.py")
    at.session_state["rules"], at.session_state["depts"], at.session_state["ex_dept"] = \
        ["approval-concentration"], ["scj"], "scj"
    at.run()
    assert list(found(at)["级别"]) == ["提示"]
    at.session_state["exemptions:scj:0"] = {"edited_rows": {}, "deleted_rows": [], "added_rows": [
        {"rule": "approval-concentration", "reason": "登记与食品许可分属两个审批链，经市编办同意暂不合并"}]}
    at.run()
    at.button(key="save_exemptions").click().run()
    assert not at.exception
    assert list(found(at)["级别"]) == ["提示（已豁免）"]
    assert not [b for b in at.button if b.key == "save_exemptions"]
    assert found(at)["豁免理由"].iloc[0].startswith("登记与食品许可")
    from roles.storage.audit import audit_trail
    assert audit_trail(engine, 1)[0].action == "exemptions.set"

    stale = app()  # read before someone else's change: its save changes nothing
    stale.switch_page("views/reform.py")
    stale.session_state["ex_dept"] = "scj"
    stale.run()
    from roles.model import Exemption
    stored(engine, organisation.set_exemptions, "scj", [], [Exemption("approval-concentration",
                                                       "登记与食品许可分属两个审批链，经市编办同意暂不合并")], user=TESTER)
    stale.session_state["exemptions:scj:0"] = {"edited_rows": {0: {"reason": "另一理由"}}, "deleted_rows": [],
                                               "added_rows": []}
    stale.run()
    stale.button(key="save_exemptions").click().run()
    assert any("未保存" in e.value for e in stale.error)
    assert next(d for d in organisation.load(engine).departments if d.id == "scj").exemptions == ()


DESIGNER = str(ROOT / "ui" / "views" / "designer.py")


@pytest.fixture
def designer(app):
    return lambda: app(DESIGNER)


def _edit_b(at, row: int, person: str):
    """Change one cell of bb-p2's step table the way the data editor reports an edit."""
    at.session_state["editor:bb-p2:after:0"] = {"edited_rows": {row: {"b": person}}, "added_rows": [],
                                                "deleted_rows": []}


def test_designer_edits_a_b_holder_and_saves(bianban, designer):
    at = designer()
    at.session_state["d_process"] = "bb-p2"
    at.run()
    assert not at.exception
    assert any("流程检查通过" in s.value for s in at.success)
    _edit_b(at, 3, "bb08")  # s4 审核审批: B bb06 → bb08
    at.run()
    at.button(key="d_publish").click().run()
    assert not at.exception
    assert any("已发布" in s.value for s in at.success)
    assert organisation.load(bianban).process_by_id["bb-p2"].after.step("s4").b == "bb08"


def test_designer_refuses_a_stale_save_and_shows_the_other_change(bianban, designer):
    import dataclasses
    at = designer()
    at.session_state["d_process"] = "bb-p2"
    at.run()
    # Another head saves the same process meanwhile.
    p = organisation.load(bianban).process_by_id["bb-p2"]
    steps = tuple(dataclasses.replace(s, b="bb09") if s.id == "s5" else s for s in p.after.steps)
    stored(bianban, process_store.save_version, "bb-p2", "after", dataclasses.replace(p.after, steps=steps), "other head",
                       expected_revision=p.revisions["after"], user=TESTER)
    _edit_b(at, 3, "bb08")
    at.run()
    at.button(key="d_publish").click().run()
    assert not at.exception
    assert any("未发布" in e.value and "修改人：tester" in e.value for e in at.error)  # whose change, named
    assert "s5 制证发证" in list(at.dataframe[-1].value["环节"])
    live = organisation.load(bianban).process_by_id["bb-p2"].after
    assert live.step("s4").b == "bb06" and live.step("s5").b == "bb09"  # theirs kept, ours not written


def test_a_draft_is_kept_apart_until_it_is_published(bianban, designer):
    at = designer()
    at.session_state["d_process"] = "bb-p2"
    at.run()
    _edit_b(at, 3, "bb08")  # s4 审核审批: B bb06 → bb08
    at.run()
    at.button(key="d_draft").click().run()
    assert not at.exception and any("草稿已保存" in s.value for s in at.success)
    assert organisation.load(bianban).process_by_id["bb-p2"].after.step("s4").b == "bb06"  # the roster does not see it
    assert process_store.load_draft(bianban, "bb-p2", "after").version.step("s4").b == "bb08"

    again = designer()  # another sign-in, another day: the draft is where it was left
    again.session_state["d_process"] = "bb-p2"
    again.run()
    assert any("尚未发布" in i.value for i in again.info)
    again.button(key="d_publish").click().run()
    assert any("已发布" in s.value for s in again.success)
    assert organisation.load(bianban).process_by_id["bb-p2"].after.step("s4").b == "bb08"
    assert process_store.load_draft(bianban, "bb-p2", "after") is None


def test_publishing_waits_for_clean_checks_and_a_draft_does_not(bianban, designer):
    at = designer()
    at.session_state["d_process"] = "bb-p2"
    at.run()
    _edit_b(at, 3, "bb07")  # s4: B = A
    at.run()
    assert at.warning and at.button(key="d_publish").disabled
    at.button(key="d_draft").click().run()
    assert process_store.load_draft(bianban, "bb-p2", "after").version.step("s4").b == "bb07"
    at.button(key="d_discard").click().run()
    assert process_store.load_draft(bianban, "bb-p2", "after") is None
    assert organisation.load(bianban).process_by_id["bb-p2"].after.step("s4").b == "bb06"


def test_two_heads_saving_one_draft_the_second_is_refused(bianban, designer):
    first, second = designer(), designer()
    for at in (first, second):
        at.session_state["d_process"] = "bb-p2"
        at.run()
    _edit_b(first, 3, "bb08")
    first.run()
    first.button(key="d_draft").click().run()
    _edit_b(second, 3, "bb09")
    second.run()
    second.button(key="d_draft").click().run()
    assert any("草稿未保存" in e.value and "修改人：" in e.value for e in second.error)
    assert process_store.load_draft(bianban, "bb-p2", "after").version.step("s4").b == "bb08"  # the first kept


def _edit_absences(at, change: dict):
    """Edit the absence table of 综合科 (past ones shown) the way the data editor reports it."""
    at.session_state["absences:bb-zh:True:0"] = {"edited_rows": {}, "added_rows": [], "deleted_rows": []} | change


def zh_absences(engine):
    return sorted((a.person, a.start.isoformat(), a.end.isoformat(), a.reason) for a in organisation.load(engine).absences
                  if a.person in ("bb01", "bb02", "bb03", "bb04"))


def test_absences_are_edited_in_the_table_and_a_stale_edit_changes_nothing(bianban, people_page):
    at = people_page()
    at.session_state["section"], at.session_state["show_past"] = "bb-zh", True
    at.run()
    # Rows by start: bb03 training 11-23…27, bb04 sick 11-25. Remove the first, lengthen the
    # second, add one.
    _edit_absences(at, {"edited_rows": {1: {"end": "2026-11-26"}}, "deleted_rows": [0],
                                 "added_rows": [{"person": "bb03", "start": "2026-12-07", "end": "2026-12-08",
                                                 "reason": "leave"}]})
    at.run()
    at.button(key="save_absences").click().run()
    assert not at.exception and any("已保存" in s.value for s in at.success)
    assert not [b for b in at.button if b.key == "save_absences"]  # a fresh table: nothing left to save
    assert zh_absences(bianban) == [("bb03", "2026-12-07", "2026-12-08", "leave"),
                                    ("bb04", "2026-11-25", "2026-11-26", "sick")]

    stale = people_page()
    stale.session_state["section"], stale.session_state["show_past"] = "bb-zh", True
    stale.run()
    from roles.model import Absence
    stored(bianban, absence_store.change_absences, [Absence("bb04", dt.date(2026, 11, 25), dt.date(2026, 11, 26), "sick")], [],
                          "another head", user=TESTER)  # meanwhile
    before = zh_absences(bianban)
    _edit_absences(stale, {"edited_rows": {0: {"reason": "leave"}}})  # bb04's row, as read before
    stale.run()
    stale.button(key="save_absences").click().run()
    assert any("未保存" in e.value for e in stale.error)
    assert zh_absences(bianban) == before
    stale.button(key="absences:bb-zh:True:reload").click().run()  # start again from the stored rows
    assert not stale.error and not [b for b in stale.button if b.key == "save_absences"]


@pytest.fixture
def accounts(bianban):
    from roles.storage.accounts import add_account
    add_account(bianban, "office", "office-pass-1", "office", None, by=TESTER)
    add_account(bianban, "head-jg", "head-pass-1", "head", "bb05", by=TESTER)
    add_account(bianban, "staff-zh", "staff-pass-1", "staff", "bb03", by=TESTER)
    add_account(bianban, "leader-bb", "leader-pass-1", "leader", None, by=TESTER, leads="bb")
    return bianban


def signed_in(at, username, password):
    at.run()
    assert "登录" in [s.value for s in at.subheader]  # the sign-in form, nothing else yet
    at.text_input(key="signin_user").input(username)
    at.text_input(key="signin_password").input(password)
    at.button[0].click().run()
    return at


def test_a_wrong_password_is_refused(accounts, designer):
    at = signed_in(designer(), "head-jg", "wrong-password")
    assert any("不正确" in e.value for e in at.error)
    assert "account" not in at.session_state


def test_staff_cannot_change_processes_or_others_absences(accounts, designer, people_page):
    at = signed_in(designer(), "staff-zh", "staff-pass-1")
    assert at.selectbox(key="d_process").value == "bb-p1"  # her own section's process first
    at.radio(key="d_process_scope").set_value("department").run()
    at.session_state["d_process"] = "bb-p2"
    at.run()
    assert any("只读" in i.value for i in at.info)
    grid = at.dataframe[0].proto                                        # the step table
    assert grid.disabled and grid.editing_mode == grid.EditingMode.FIXED  # no pencils, no add-row line
    assert at.get("file_uploader")[0].proto.disabled
    _edit_b(at, 3, "bb08")
    at.run()
    assert at.button(key="d_publish").disabled  # AppTest, like a browser, cannot click it
    assert organisation.load(accounts).process_by_id["bb-p2"].after.step("s4").b == "bb06"

    at = signed_in(people_page(), "staff-zh", "staff-pass-1")
    at.session_state["section"] = "bb-zh"
    at.session_state["wi_person"] = "bb04"  # a colleague
    at.run()
    assert not [b for b in at.button if b.key == "wi_record"]
    at.session_state["wi_person"] = "bb03"  # herself
    at.run()
    before = len(organisation.load(accounts).absences)
    at.button(key="wi_record").click().run()
    assert len(organisation.load(accounts).absences) == before + 1

    # In the absence table: a colleague's row cannot be saved, her own can.
    at = signed_in(people_page(), "staff-zh", "staff-pass-1")
    at.session_state["section"], at.session_state["show_past"] = "bb-zh", True
    at.run()
    rows = zh_absences(accounts)
    table = sorted(rows, key=lambda r: (r[1], r[0]))  # the table's order: by start, then person
    bb04 = table.index(("bb04", "2026-11-25", "2026-11-25", "sick"))
    _edit_absences(at, {"deleted_rows": [bb04]})
    at.run()
    assert any("不能修改" in e.value for e in at.error) and not [b for b in at.button if b.key == "save_absences"]
    assert zh_absences(accounts) == rows


def test_a_head_submits_in_their_own_section_a_leader_approves_and_the_office_sees_the_audit(accounts, designer, app):
    at = signed_in(designer(), "head-jg", "head-pass-1")
    assert (at.radio(key="d_process_scope").value, at.selectbox(key="d_process").value) == ("mine", "bb-p2")
    at.radio(key="d_process_scope").set_value("department").run()
    at.session_state["d_process"] = "bb-p1"  # 综合科, not theirs
    at.run()
    assert at.button(key="d_publish").disabled
    at.session_state["d_process"] = "bb-p2"  # 机构编制科, theirs
    at.run()
    assert not at.button(key="d_publish").disabled and at.button(key="d_publish").label == "提交审核"
    _edit_b(at, 3, "bb08")
    at.run()
    at.text_input(key="d_submit_comment").input("s4 备岗改为王芳")
    at.button(key="d_publish").click().run()
    assert not at.exception and any("已提交审核" in s.value for s in at.success)
    assert organisation.load(accounts).process_by_id["bb-p2"].after.step("s4").b == "bb06"  # live until approved
    again = signed_in(designer(), "head-jg", "head-pass-1")
    again.session_state["d_process"] = "bb-p2"
    again.run()
    assert any("审批前锁定" in w.value for w in again.warning) and again.button(key="d_publish").disabled

    review = signed_in(app(str(ROOT / "ui" / "views" / "review.py")), "leader-bb", "leader-pass-1")
    assert not review.exception and review.radio(key="r_view").value == "waiting"
    assert any("s4 备岗改为王芳" in t.value for t in review.text)              # the comment beside the drawing
    assert "审核审批" in list(review.dataframe[-1].value["环节"])               # the change listed
    review.button(key="r_approve").click().run()
    assert not review.exception and any("已批准" in s.value for s in review.success)
    assert organisation.load(accounts).process_by_id["bb-p2"].after.step("s4").b == "bb08"

    audit = signed_in(app(str(ROOT / "ui" / "views" / "audit.py")), "office", "office-pass-1")
    trail = audit.dataframe[0].value
    rows = trail[trail["对象"] == "事业单位登记（改革后）"]  # newest first; what it is about, in names
    assert list(rows["操作"])[:5] == ["批准", "保存流程（审批生效）", "提交审核", "提出意见", "保存草稿"]  # in words
    assert list(rows["操作人"])[:5] == ["leader-bb", "leader-bb", "head-jg", "head-jg", "head-jg"]
    assert rows["改动"].iloc[1] == "修改 s4"                                               # what changed
    assert "登录" in set(trail[trail["操作人"] == "office"]["操作"])
    audit.multiselect(key="audit_kinds").set_value(["process.save"]).run()            # filtered by kind
    assert set(audit.dataframe[0].value["操作"]) == {"保存流程（审批生效）"}
    assert any("Asia/Shanghai" in shown(c) for c in audit.caption)                    # times in the office's zone
    from roles.storage.audit import audit_trail
    last = next(r for r in audit_trail(accounts, 10) if r.subject == "bb-p2/after" and r.action.startswith("process.save"))
    s4 = lambda steps: next(x for x in steps if x["id"] == "s4")  # noqa: E731
    assert (s4(last.before)["b"], s4(last.after)["b"]) == ("bb06", "bb08")
    staff = signed_in(app(str(ROOT / "ui" / "views" / "audit.py")), "staff-zh", "staff-pass-1")
    assert not staff.dataframe and any("仅编办" in w.value for w in staff.warning)


def test_lists_start_on_ones_own_section_and_search_by_several_words(accounts, app, designer):
    """A head lands on their own section's process; 本部门 and 全部 widen the list; the search box
    keeps the entries that hold every word typed, in any order, and says so in words when none does."""
    at = signed_in(designer(), "head-jg", "head-pass-1")
    assert at.selectbox(key="d_process").options == ["事业单位登记（bb-p2）· 机构编制科 · 市委机构编制委员会办公室"]
    at.radio(key="d_process_scope").set_value("all").run()
    assert len(at.selectbox(key="d_process").options) == 3
    at.text_input(key="d_process_search").input("机构编制委员会 公文").run()  # every word, in any order
    assert at.selectbox(key="d_process").options == ["公文办理（bb-p1）· 综合科 · 市委机构编制委员会办公室"]
    at.text_input(key="d_process_search").input("bb-p3").run()                # an id too
    assert at.selectbox(key="d_process").value == "bb-p3"
    at.text_input(key="d_process_search").input("统战部 行政许可").run()
    assert any("没有符合“统战部 行政许可”的项" in i.value for i in at.info)
    people = signed_in(app(str(ROOT / "ui" / "views" / "people.py")), "staff-zh", "staff-pass-1")
    assert people.selectbox(key="section").value == "bb-zh"                # her own section


def test_the_audit_trail_groups_the_systems_runs_and_speaks_in_words(bianban, app):
    """The import opened four handovers (abflow's own acts): one row counts them; every action is
    in words, and what an entry is about is named."""
    at = app(str(ROOT / "ui" / "views" / "audit.py"))
    at.run()
    assert not at.exception
    trail = at.dataframe[0].value
    opened = trail[trail["操作"] == "生成交接单"]
    assert len(opened) == 1 and "生成交接单 4 条" in opened["改动"].iloc[0]
    assert not [a for a in trail["操作"] if "." in a]  # no action left as its code


REVIEW = str(ROOT / "ui" / "views" / "review.py")


def test_staff_comment_on_a_step_and_the_leader_returns_the_draft_with_why(accounts, app, designer):
    import dataclasses
    from roles import actions
    db = actions.open_database(accounts.url.render_as_string(hide_password=False))
    head = actions.Account("head-jg", "head", "bb05")
    _, p, v = actions.process_version(db, head, process_id="bb-p2")
    draft = dataclasses.replace(v, steps=tuple(dataclasses.replace(s, b="bb08") if s.id == "s4" else s for s in v.steps))
    actions.save_draft(db, head, process_id="bb-p2", which="after", version=draft, base_revision=1, base=v,
                       expected_draft=0)
    actions.submit_review(db, head, process_id="bb-p2")

    staff = signed_in(app(REVIEW), "staff-zh", "staff-pass-1")
    assert not staff.exception and staff.radio(key="r_view").value == "all"  # nothing waits for staff
    assert not [b for b in staff.button if b.key == "r_approve"]            # nor may they decide
    staff.text_area(key="r_comment_text").input("审核审批的备岗王芳尚未取得资格")
    staff.selectbox(key="r_comment_step").select("s4")
    next(b for b in staff.button if b.label == "提交意见").click().run()
    [review] = actions.reviews(db, head)
    assert [(c.author, c.step, c.open) for c in review.comments] == [("staff-zh", "s4", True)]

    leader = signed_in(app(REVIEW), "leader-bb", "leader-pass-1")
    assert any("王芳尚未取得资格" in x.value for x in leader.text)  # beside the drawing
    leader.button(key="r_return").click().run()                     # no reason given: refused
    assert leader.error and actions.reviews(db, head)[0].state == "submitted"
    leader.text_area(key="r_said_bb-p2").input("请改由冯磊备岗")
    leader.button(key="r_return").click().run()
    assert not leader.exception and any("已退回" in x.value for x in leader.success)
    assert organisation.load(accounts).process_by_id["bb-p2"].after.step("s4").b == "bb06"  # never went live

    author = signed_in(designer(), "head-jg", "head-pass-1")
    author.session_state["d_process"] = "bb-p2"
    author.run()
    assert any("leader-bb 退回：请改由冯磊备岗" in shown(w) for w in author.warning)
    assert not author.button(key="d_publish").disabled  # a draft again, to edit and submit


def test_the_office_never_approves_its_own_submission_in_the_app(accounts, app, designer):
    at = signed_in(designer(), "office", "office-pass-1")
    at.session_state["d_process"] = "bb-p2"
    at.run()
    _edit_b(at, 3, "bb08")
    at.run()
    at.button(key="d_publish").click().run()
    assert any("已提交审核" in s.value for s in at.success)
    review = signed_in(app(REVIEW), "office", "office-pass-1")
    assert review.radio(key="r_view").value == "all"                      # nothing waits for its author
    review.radio(key="r_view").set_value("mine").run()
    assert any("须由他人审批" in i.value for i in review.info)
    assert not [b for b in review.button if b.key == "r_approve"]
    assert organisation.load(accounts).process_by_id["bb-p2"].after.step("s4").b == "bb06"


DATA = str(ROOT / "ui" / "views" / "data.py")


def test_the_data_page_exports_the_workbook_and_publishes_the_site(bianban, app, tmp_path):
    import io
    import zipfile
    at = app(DATA)
    at.session_state["wb_format"] = "yaml"
    at.run()
    assert not at.exception
    at.button(key="wb_export").click().run()
    name, data = at.session_state["wb_file"]
    assert name == "abflow.yaml"
    (tmp_path / name).write_bytes(data)
    other = engine_for(f"sqlite:///{tmp_path / 'other.db'}")
    load_file(other, tmp_path / name)
    assert organisation.load(other) == organisation.load(bianban)  # the export is the database, whole

    at.button(key="publish").click().run()
    assert not at.exception
    from ui import background
    job = background.get("publish:local")                      # drawn in the background
    assert job is not None and job.finished.wait(120) and job.error is None
    at.run()
    assert any("abflow-site.zip" in shown(s) for s in at.success) and background.get("publish:local") is None
    names = zipfile.ZipFile(io.BytesIO(at.session_state["site_zip"])).namelist()
    assert "index.html" in names and "r1/p-bb-p2.html" in names and "r1/sheet/bb-p2.pdf" in names


def test_the_data_page_opens_on_an_empty_database_and_imports_are_for_the_office(engine, app):
    at = app(DATA)
    at.run()
    assert not at.exception and at.get("file_uploader")  # the local user is the office
    from roles.storage.accounts import add_account
    load_file(engine, BIANBAN)
    add_account(engine, "staff-zh", "staff-pass-1", "staff", "bb03", by=TESTER)
    staff = signed_in(app(DATA), "staff-zh", "staff-pass-1")
    assert not staff.get("file_uploader") and staff.button(key="publish").disabled


def test_names_typed_by_users_are_shown_as_text_never_as_links_or_images(engine, app, tmp_path):
    """A person named like a Markdown link and image reaches the page as those characters."""
    evil = "[点我](http://evil.example/?a) ![x](http://evil.example/i.png)"
    text = BIANBAN.read_text(encoding="utf-8").replace("name: 卫婷", "name: '" + evil + "'", 1)
    path = tmp_path / "evil.yaml"
    path.write_text(text, encoding="utf-8")
    load_file(engine, path)
    at = app()
    at.session_state["day"] = dt.date(2026, 11, 25)
    at.session_state["today_wi_person"] = "bb12"
    at.run()
    assert not at.exception
    said = [e for kind in (at.success, at.error, at.info, at.warning) for e in kind if "evil.example" in shown(e)]
    assert said, "the leave check names the person"
    for e in said:
        assert "](http" not in e.value and r"\[点我\]\(http\:" in e.value
        assert evil in shown(e)


def test_today_warns_when_the_day_follows_an_estimated_calendar(bianban, app):
    at = app()
    at.session_state["day"] = dt.date(2027, 2, 22)  # a Monday of a year whose schedule is not loaded
    at.run()
    assert not at.exception
    assert any("2027" in shown(w) and "估算" in shown(w) for w in at.warning)
    at.session_state["day"] = dt.date(2026, 11, 25)
    at.run()
    assert not [w for w in at.warning if "估算" in shown(w)]


def test_the_reform_page_shows_four_cuts_with_their_reference_lines(engine, app):
    """四减 on the demo: the city's four measures before → after as the stats compute them."""
    from roles.clock import today
    from roles.engines.stats import stats
    wb = demo_workbook(today())
    save_workbook(engine, wb, user=TESTER)
    city = stats(wb)["city"]
    at = app(str(ROOT / "ui" / "views" / "reform.py")).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    for key, label in (("steps", "减环节"), ("materials", "减材料"), ("days", "减时限（工作日）"), ("trips", "减跑动")):
        b, a = city["four"][key]
        assert metrics[label] == f"{b:,g} → {a:,g}"
    assert city["four"]["materials"][0] > city["four"]["materials"][1] > 0  # the demo has real numbers
    import json
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    specs = json.dumps([json.loads(c.proto.spec) for c in charts], ensure_ascii=False)
    for reference in ("30%", "66%", "53%", "50%"):  # each chart says its own line, not the sections' 30%
        assert f"未达 {reference}" in specs


def test_the_people_page_shows_which_cases_would_run_late(engine, people_page):
    """The demo's 计量科 of 市场监管局: its head and deputy are both away on the first workday, so a
    计量器具强制检定备案 case started then misses its promised day; the panel says so and names the
    absences."""
    from roles.clock import today
    from roles.engines.overrun import overrun
    from roles.engines.roster import calendar_of
    wb = demo_workbook(today())
    save_workbook(engine, wb, user=TESTER)
    first = calendar_of(wb).next_workdays(today(), 1)[0]
    expected = overrun(wb, first, first, "scj")
    assert any(p.late for p in expected.processes)
    at = people_page()
    at.session_state["section"] = "scj-zl"
    at.run()
    assert not at.exception
    assert any("会超出承诺时限" in shown(w) for w in at.warning)
    assert any("计量器具强制检定备案（scj-p08）" in set(d.value.get("流程", [])) for d in at.dataframe if "受理日" in d.value)


def test_the_designer_keeps_and_edits_a_versions_terms_and_step_days(engine, designer):
    """A head opens 特殊工时制度审批 (demo): its terms show in the form; they change the promised
    limit to 8, mark 受理并审查 as taking 2 days, and publish. The store has both, and the terms
    not touched (materials, trips, legal limit) are kept."""
    save_workbook(engine, demo_workbook(), user=TESTER)
    at = designer()
    at.session_state["d_process"] = "rsj-p06"
    at.run()
    assert not at.exception
    key = "terms:rsj-p06:after:0"
    assert at.number_input(key=f"{key}:promised_days").value == 10
    at.number_input(key=f"{key}:promised_days").set_value(8)
    at.session_state["editor:rsj-p06:after:0"] = {"edited_rows": {0: {"days": 2}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="d_publish").click().run()
    assert not at.exception, at.exception
    assert any("已发布" in s.value for s in at.success)
    after = organisation.load(engine).process_by_id["rsj-p06"].after
    assert (after.promised_days, after.legal_days, after.trips) == (8, 20, 1)
    assert after.materials == ("申请书", "工时制度实施方案", "职工意见")
    assert after.step("s1").days == 2 and after.step("s2").special


@pytest.mark.parametrize("view", ["today", "flowchart", "designer", "review", "people", "reform", "audit"])
def test_no_table_writes_none_in_an_empty_cell(engine, app, view):
    """Streamlit writes "None" in a table's empty cell unless told otherwise: every table of every
    page, read-only or edited, leaves it blank (the demo's tables have empty cells: a step with no B,
    an absence with no note)."""
    from roles.clock import today
    save_workbook(engine, demo_workbook(today()), user=TESTER)
    at = app(str(ROOT / "ui" / "views" / f"{view}.py")).run()
    assert not at.exception
    assert len(at.dataframe) or view in ("flowchart", "review")  # data editors among them
    for table in at.dataframe:
        assert table.proto.HasField("placeholder") and table.proto.placeholder == "", view


def test_a_gap_is_given_to_a_stand_in_from_today_and_the_named_person_takes_one(engine, app, monkeypatch):
    """The office asks the suggested person to stand in for a gap (安排顶岗): asked, not yet acting,
    and shown as a risk; the named person signs in, accepts on Today, and acts. Another gap is taken
    by a member of the section with one click (我来顶岗)."""
    from roles import actions
    from roles.storage.accounts import add_account
    day = dt.date(2026, 11, 25)
    monkeypatch.setenv("ABFLOW_TODAY", day.isoformat())
    save_workbook(engine, demo_workbook(day), user=TESTER)
    db = actions.open_database(engine.url.render_as_string(hide_password=False))
    gaps = [d for d in actions.roster(db, TESTER, day=day).steps if d.status == "gap"]
    assert gaps and gaps[0].suggested
    first = gaps[0]
    at = app(str(ROOT / "ui" / "views" / "today.py")).run()
    assert not at.exception and at.selectbox(key="standin_gap").value == first
    assert at.selectbox(key="standin_who").value == first.suggested  # the suggested stand-in first
    at.button(key="standin_ask").click().run()
    assert not at.exception and any("待其确认后生效" in s.value for s in at.success)
    assert any("尚未确认" in w.value for w in at.warning)
    assert [d.status for d in actions.roster(db, TESTER, day=day).steps
            if (d.process, d.step) == (first.process, first.step)] == ["gap"]

    add_account(engine, "standin", "standin-pass-1", "staff", first.suggested, by=TESTER)
    mine = signed_in(app(str(ROOT / "ui" / "views" / "today.py")), "standin", "standin-pass-1")
    accept = next(b for b in mine.button if b.label == "接受代岗")
    accept.click().run()
    assert not mine.exception and any("已接受代岗" in s.value for s in mine.success)
    assert [(d.status, d.acting) for d in actions.roster(db, TESTER, day=day).steps
            if (d.process, d.step) == (first.process, first.step)] == [("named", first.suggested)]
    rest = [d for d in actions.roster(db, TESTER, day=day).steps if d.status == "gap" and d.a != first.suggested
            and d.section == first.section]
    assert rest  # the demo's second gap, in the same section: the one who just accepted takes it themselves
    mine.selectbox(key="standin_gap").set_value(rest[0]).run()
    mine.button(key="standin_mine").click().run()
    assert not mine.exception and any("即日生效" in s.value for s in mine.success)
    assert [d.status for d in actions.roster(db, TESTER, day=day).steps
            if (d.process, d.step) == (rest[0].process, rest[0].step)] == ["named"]
