"""The app's pages run against a real database through Streamlit's AppTest."""
from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from roles import store
from roles.demo import demo_workbook

from ..conftest import BIANBAN, ROOT

APP = str(ROOT / "ui" / "app.py")


@pytest.fixture
def app(engine, db_url, monkeypatch):
    monkeypatch.setenv("ABFLOW_DB", db_url)
    return lambda: AppTest.from_file(APP, default_timeout=60)


def test_today_shows_gaps_cover_and_stand_ins(bianban, app):
    at = app()
    at.session_state["day"] = dt.date(2026, 11, 25)
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"环节": "11", "主办在岗": "8", "备岗代办": "1", "空缺": "2"}
    gaps = at.dataframe[0].value
    assert list(gaps["环节"]) == ["s1 收文登记", "s4 办理归档"]
    assert list(gaps["建议顶岗"]) == ["赵文静（bb01）", "赵文静（bb01）"]


def test_today_in_english_and_for_one_person(bianban, app):
    at = app()
    at.session_state["day"] = dt.date(2026, 11, 25)
    at.session_state["lang"] = "en"
    at.session_state["person"] = "bb06"
    at.run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric} == {"Steps": "1", "A acts": "0", "B covers": "1", "gap": "0"}
    assert "Covered by B: the A holder is away" in [s.value for s in at.subheader]


def test_a_holiday_says_why(bianban, app):
    at = app()
    at.session_state["day"] = dt.date(2026, 10, 1)
    at.run()
    assert any("2026-10-01" in i.value and "国庆" in i.value for i in at.info)


def test_an_empty_database_says_how_to_begin(engine, app):
    at = app().run()
    assert not at.exception
    assert "abflow import" in at.info[0].value


def test_the_demo_always_shows_cover_and_a_gap_today(engine, app):
    store.import_workbook(engine, demo_workbook(dt.date.today()))
    at = app().run()
    metrics = {m.label: int(m.value) for m in at.metric}
    if metrics:  # today may be a holiday or weekend
        assert metrics["备岗代办"] >= 1 and metrics["空缺"] >= 1


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
    page = at.get("html")[0].proto.body
    svg = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", page).group(1)).decode()
    assert "<svg" in svg and "审核审批" in svg and "备岗" in svg


def test_reform_page_sums_and_checks(bianban, app):
    at = app()
    at.switch_page("views/reform.py")
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["科室数"] == "6 → 3" and metrics["科室压减"] == "50.0%"
    assert metrics["环节数"] == "14 → 8"
