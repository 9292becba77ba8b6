"""Matters done once on the reform page, through Streamlit's AppTest on SQLite and PostgreSQL: the
lead department's head changes one, the change waits, and the department's leader approves it."""
from __future__ import annotations

import yaml
from streamlit.testing.v1 import AppTest

from roles import actions
from roles.storage.accounts import add_account

from ..conftest import ROOT, TESTER, _database
from ..roles.test_matters import _tree
from .test_app import shown, signed_in

APP = str(ROOT / "ui" / "app.py")


def _reform(monkeypatch, db_url, who: str) -> AppTest:
    monkeypatch.setenv("ABFLOW_DB", db_url)
    at = signed_in(AppTest.from_file(APP, default_timeout=60), who, f"{who}-password-1")
    at.switch_page("views/reform.py").run()
    assert not at.exception, at.exception
    return at


def test_a_head_changes_a_matter_and_the_leader_approves_it(cli, engine, db_url, tmp_path, monkeypatch):
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(_tree(), allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0
    add_account(engine, "head-d1", "head-d1-password-1", "head", "p1", by=TESTER)
    add_account(engine, "leader-d1", "leader-d1-password-1", "leader", None, by=TESTER, leads="d1")

    at = _reform(monkeypatch, db_url, "head-d1")
    assert any("开办一件事（m1）" in str(v) for df in at.dataframe for v in df.value.to_numpy().ravel())
    assert at.selectbox(key="m_pick").value == "m1"
    at.text_input(key="m_form_m1_after_stages").input("reg, lic + fil")
    at.number_input(key="m_form_m1_after_promised").set_value(5)
    next(b for b in at.button if b.label == "提交").click().run()
    assert not at.exception, at.exception
    assert any("已提交审核" in shown(s) for s in at.success)
    db = _database(engine)
    assert actions.matter(db, TESTER, matter_id="m1").matter.promised_days == 6  # not live yet
    assert any("正在审核" in shown(i) for i in at.info)

    review = signed_in(AppTest.from_file(APP, default_timeout=60), "leader-d1", "leader-d1-password-1")
    review.switch_page("views/review.py").run()  # the leader finds it with the other changes to decide
    assert not review.exception and any("待您审核：开办一件事（m1）" in m.value for m in review.markdown)
    at = _reform(monkeypatch, db_url, "leader-d1")
    assert any("待您审核" in m.value for m in at.markdown)
    next(b for b in at.button if b.label == "批准生效").click().run()
    assert not at.exception, at.exception
    assert any("已审核通过并生效" in shown(s) for s in at.success)
    assert actions.matter(db, TESTER, matter_id="m1").matter.promised_days == 5
