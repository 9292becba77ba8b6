"""Accounts in the app (AppTest, real database): the office's account page, everyone's own
password and contacts, sessions that expire or end with their account, and OIDC rules."""
from __future__ import annotations

import re
import time

import pytest
from streamlit.testing.v1 import AppTest

from roles.storage import notices as notice_store
from roles.storage.accounts import add_account, all_accounts, sign_in
from roles.storage.audit import audit_trail

from ..conftest import ROOT, TESTER
from .test_app import signed_in

PAGE = str(ROOT / "ui" / "views" / "accounts.py")
TODAY = str(ROOT / "ui" / "views" / "today.py")


def said(at) -> str:
    return re.sub(r"\\(.)", r"\1", " ".join(e.value for e in [*at.error, *at.success, *at.warning, *at.info]))


@pytest.fixture
def page(bianban, db_url, monkeypatch):
    monkeypatch.setenv("ABFLOW_DB", db_url)
    add_account(bianban, "office", "office-pass-1", "office", None, by=TESTER)
    add_account(bianban, "staff-zh", "staff-pass-1", "staff", "bb03", by=TESTER)
    return lambda script=PAGE: AppTest.from_file(script, default_timeout=60)


def submit(at, form_button_label: str):
    next(b for b in at.button if b.label == form_button_label).click().run()
    return at


def state(engine) -> dict[str, tuple[str, str | None, bool]]:
    return {a.username: (a.role, a.person, off) for a, off in all_accounts(engine)}


def test_the_office_makes_changes_switches_off_and_removes_an_account(page, bianban):
    at = signed_in(page(), "office", "office-pass-1")
    at.text_input(key="add_user").input("head-zh")
    at.selectbox(key="add_role").set_value("head")
    at.selectbox(key="add_person").set_value("bb01")
    at.text_input(key="add_password").input("password123")        # a common one: refused, nothing made
    submit(at, "新建账号")
    assert "太容易被猜到" in said(at) and "head-zh" not in state(bianban)
    at.text_input(key="add_user").input("head-zh")
    at.selectbox(key="add_role").set_value("head")
    at.selectbox(key="add_person").set_value("bb01")
    at.text_input(key="add_password").input("head-zh-pass-1")
    submit(at, "新建账号")
    assert "已创建账号 head-zh" in said(at) and state(bianban)["head-zh"] == ("head", "bb01", False)
    assert "head-zh" in list(at.dataframe[0].value["用户名"])

    at.selectbox(key="acc_chosen").set_value("head-zh").run()
    at.selectbox(key="acc_role:head-zh").set_value("staff")
    at.checkbox(key="acc_enabled:head-zh").uncheck()
    submit(at, "保存修改")
    assert state(bianban)["head-zh"] == ("staff", "bb01", True)
    assert sign_in(bianban, "head-zh", "head-zh-pass-1") is None          # switched off
    at.checkbox(key="acc_enabled:head-zh").check()
    submit(at, "保存修改")
    at.text_input(key="acc_password:head-zh").input("a-new-pass-for-zh")
    submit(at, "设置新密码")
    assert sign_in(bianban, "head-zh", "a-new-pass-for-zh") is not None

    assert at.button(key="acc_remove:head-zh").disabled                          # not without saying so
    at.checkbox(key="acc_sure:head-zh").check().run()
    at.button(key="acc_remove:head-zh").click().run()
    assert "head-zh" not in state(bianban) and "已删除账号 head-zh" in said(at)
    done = [r.action for r in audit_trail(bianban) if r.subject == "head-zh"]
    assert done.count("account.change") == 3 and "account.add" in done and "account.remove" in done
    assert all(r.user == "office" for r in audit_trail(bianban) if r.subject == "head-zh" and "account." in r.action)


def test_staff_change_their_own_password_with_the_current_one_and_see_no_one_elses_account(page, bianban):
    at = signed_in(page(), "staff-zh", "staff-pass-1")
    assert not at.dataframe and "全部账号" not in [s.value for s in at.subheader]
    at.text_input(key="own_current").input("not-the-password")
    at.text_input(key="own_new").input("staff-pass-2x")
    at.text_input(key="own_again").input("staff-pass-2x")
    submit(at, "修改密码")
    assert "不是当前密码" in said(at)
    at.text_input(key="own_current").input("staff-pass-1")
    at.text_input(key="own_new").input("staff-pass-2x")
    at.text_input(key="own_again").input("staff-pass-2x")
    submit(at, "修改密码")
    assert "密码已修改" in said(at)
    assert sign_in(bianban, "staff-zh", "staff-pass-2x") is not None and sign_in(bianban, "staff-zh", "staff-pass-1") is None


def test_staff_set_their_own_contacts_and_see_them_only_masked(page, bianban):
    at = signed_in(page(), "staff-zh", "staff-pass-1")
    at.text_area(key="own_urls").input("mailto://me:Secr3t-pw@smtp.example.gov.cn?to=bb03@example.gov.cn")
    submit(at, "保存通知方式")
    assert "bb03" in notice_store.contacts(bianban)
    at.run()
    shown = " ".join(c.value for c in at.code)
    assert "smtp.example.gov.cn" in shown and "Secr3t-pw" not in shown


def test_a_session_ends_when_it_is_old_or_its_account_is_switched_off(page, bianban):
    at = signed_in(page(TODAY), "staff-zh", "staff-pass-1")
    assert not at.text_input  # signed in: no form
    at.session_state["signed_at"] = time.time() - 11 * 3600
    at.run()
    assert "请重新登录" in said(at) and [t.key for t in at.text_input] == ["signin_user", "signin_password"]

    at = signed_in(page(TODAY), "staff-zh", "staff-pass-1")
    from roles.storage.accounts import change_account
    change_account(bianban, "staff-zh", "office", disabled=True)
    at.run()
    assert "已停用" in said(at) and "account" not in at.session_state


def test_a_live_session_ends_when_the_office_resets_the_password_or_it_signs_out_elsewhere(page, bianban):
    from roles.storage.accounts import change_account
    from roles.storage.sessions import session_account
    at = signed_in(page(TODAY), "staff-zh", "staff-pass-1")
    token = at.session_state["session_token"]
    assert session_account(bianban, token) is not None
    change_account(bianban, "staff-zh", "office", password="reset-by-office-1")
    at.run()
    assert "登录已结束" in said(at) and "account" not in at.session_state
    assert session_account(bianban, token) is None

    from roles import actions
    at = signed_in(page(TODAY), "staff-zh", "reset-by-office-1")
    other = signed_in(page(TODAY), "staff-zh", "reset-by-office-1")  # another browser: its own session
    actions.sign_out(actions.open_database(), token=at.session_state["session_token"])  # signed out in a tab
    at.run()
    other.run()
    assert "登录已结束" in said(at) and "登录已结束" not in said(other)


def test_changing_ones_own_password_keeps_this_sign_in_and_ends_the_others(page, bianban):
    from roles.storage.sessions import session_account
    at = signed_in(page(), "staff-zh", "staff-pass-1")
    elsewhere = signed_in(page(TODAY), "staff-zh", "staff-pass-1")
    old = elsewhere.session_state["session_token"]
    at.text_input(key="own_current").input("staff-pass-1")
    at.text_input(key="own_new").input("my-own-phrase-7")
    at.text_input(key="own_again").input("my-own-phrase-7")
    submit(at, "修改密码")
    assert not at.exception and "account" in at.session_state
    assert session_account(bianban, at.session_state["session_token"]) is not None
    assert session_account(bianban, old) is None
    elsewhere.run()
    assert "登录已结束" in said(elsewhere)


def _oidc(page, email: str, verified):
    at = page(TODAY)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "abflow", "client_secret": "s",
                          "server_metadata_url": "https://idp.example.gov.cn/.well-known/openid-configuration"}
    at.user = {"is_logged_in": True, "email": email, "email_verified": verified}
    return at.run()


def test_oidc_needs_a_verified_address_matched_without_case_and_is_never_open(page, bianban, engine):
    add_account(bianban, "Zhao.WJ@Example.gov.cn", "oidc-user-pass-1", "head", "bb01", by=TESTER)
    unverified = _oidc(page, "zhao.wj@example.gov.cn", False)
    assert "未确认邮箱" in said(unverified) and "account" not in unverified.session_state
    ok = _oidc(page, "zhao.wj@example.GOV.cn", True)
    assert not ok.exception and ok.session_state["account"].username == "Zhao.WJ@Example.gov.cn"
    unknown = _oidc(page, "someone@example.gov.cn", True)
    assert "没有对应的账号" in said(unknown) and "account" not in unknown.session_state


def test_with_oidc_configured_the_app_is_not_open_even_without_accounts(engine, db_url, monkeypatch):
    monkeypatch.setenv("ABFLOW_DB", db_url)
    at = AppTest.from_file(TODAY, default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "abflow", "client_secret": "s",
                          "server_metadata_url": "https://idp.example.gov.cn/.well-known/openid-configuration"}
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["使用单位账号登录"] and not at.metric


def test_a_signed_in_person_starts_on_their_department_and_today_reads_only_it(page, bianban, db_url):
    from roles import actions
    database = actions.open_database(db_url)
    database._loaded.clear()
    database._covered.clear()
    at = signed_in(page(TODAY), "staff-zh", "staff-pass-1")
    at.session_state["day"] = __import__("datetime").date(2026, 11, 25)
    at.run()
    assert not at.exception and at.session_state["dept"] == "bb" and at.session_state["person"] == "bb03"
    assert not {key for key in database._loaded if key[0]}  # no load of every field of the steps
    read = {departments for departments, _ in database._covered}
    assert frozenset({"bb"}) in read and None not in read  # the department's alone


def test_today_tells_staff_a_colleague_is_away_but_not_why(page, bianban):
    import datetime as dt
    at = signed_in(page(TODAY), "staff-zh", "staff-pass-1")
    at.session_state["day"] = dt.date(2026, 11, 25)
    at.session_state["person"] = "bb04"                      # a colleague on sick leave
    at.run()
    day = said(at) + " ".join(m.value for m in at.markdown)
    assert "今天不在岗（事由不公开" in re.sub(r"\\(.)", r"\1", day) and "病假" not in day


def test_a_head_starts_on_the_sections_day(page, bianban):
    import datetime as dt
    add_account(bianban, "head-zh", "head-pass-1", "head", "bb01", by=TESTER)
    at = signed_in(page(TODAY), "head-zh", "head-pass-1")
    at.session_state["day"] = dt.date(2026, 11, 25)
    at.run()
    assert not at.exception
    assert (at.session_state["today_section"], at.session_state["person"]) == ("bb-zh", None)
    shown = [d.value for d in at.dataframe if "状态" in d.value][-1]       # the section's steps, all of them
    assert len(shown) == 4 and set(shown["科室"]) == {"市委机构编制委员会办公室 · 综合科"}  # bb-p1, not bb-jg's bb-p2
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["空缺"], metrics["上报代行"]) == ("0", "2")  # bb03 and bb04 away: up to the head
    said = "\n".join(m.value for m in at.markdown)
    assert "赵文静今天在岗" in said and "孙晓燕" in said and "李建军" in said  # and the head's own day: theirs to act on


def workdays_around(database, day):
    """The last workday up to `day` and the first from it (both `day` on a workday): the tests run
    on any day of the week, in China's time, and the Today page shows handovers on workdays."""
    import datetime as dt
    from roles import actions
    return (actions.workdays(database, actions.LOCAL, start=day - dt.timedelta(days=20), end=day)[-1],
            actions.workdays(database, actions.LOCAL, start=day, end=day + dt.timedelta(days=20))[0])


def test_a_handover_is_written_reported_and_confirmed_on_the_today_page(page, bianban, db_url):
    """bb04 is away from today for a week and bb03 acts for them: bb04 leaves the open items, bb03
    reports on what was done, bb04 confirms, each on their own Today page."""
    import datetime as dt
    from roles import actions, clock
    from roles.model import Absence
    from .test_app import signed_in
    database = actions.open_database(db_url)
    start, today = workdays_around(database, clock.today())
    actions.change_absences(database, actions.LOCAL, added=[Absence("bb04", start, today + dt.timedelta(days=7), "leave")],
                            source="test")  # the use case opens the handover the leave calls for
    add_account(bianban, "staff-zh4", "staff-pass-4", "staff", "bb04", by=TESTER)

    def handover():
        [h] = [h for h in actions.handovers(database, actions.LOCAL) if (h.person, h.start) == ("bb04", start)]
        return h

    h = handover()
    at = signed_in(page(TODAY), "staff-zh4", "staff-pass-4")
    at.session_state["day"] = today
    at.run()
    assert not at.exception
    assert any("我的交接单" in x.label for x in at.expander)
    at.text_area(key=f"handover:{h.id}:{h.revision}:items").input("某单位来文待回复")
    next(b for b in at.button if b.label == "保存未结事项").click().run()
    assert not at.exception and handover().items == "某单位来文待回复"

    h = handover()
    at = signed_in(page(TODAY), "staff-zh", "staff-pass-1")   # bb03, who acts for bb04
    at.session_state["day"] = today
    at.run()
    assert any("代 李建军 办理" in x.label for x in at.expander)
    steps = next(m.value for m in at.markdown if "办理归档" in m.value)
    assert "\n- " in steps and "（）" not in steps  # a line a step, with who acts
    at.text_area(key=f"handover:{h.id}:{h.revision}:report").input("已回复来文")
    next(b for b in at.button if b.label == "提交代行情况").click().run()
    assert not at.exception and (handover().state, handover().reported_by) == ("reported", "bb03")
    assert any("代行情况已提交" in x.value for x in at.success)  # said, not only done

    h = handover()
    at = signed_in(page(TODAY), "staff-zh4", "staff-pass-4")
    at.session_state["day"] = today
    at.run()
    next(b for b in at.button if b.label == "确认代行情况").click().run()
    assert not at.exception and handover().state == "confirmed"
    trail = [r.action for r in audit_trail(bianban) if r.subject.startswith(f"handover {h.id}:")]
    assert trail == ["handover.confirm", "handover.report", "handover.items", "handover.open"]


def test_staff_see_someone_elses_handover_but_are_offered_no_form_for_it(page, bianban, db_url):
    """bb04 is away and bb03 acts: another staff member (bb06) looking at bb04's day reads the
    handover, with no box to write in and no button to press."""
    import datetime as dt
    from roles import actions, clock
    from roles.model import Absence
    from .test_app import signed_in
    database = actions.open_database(db_url)
    start, today = workdays_around(database, clock.today())
    actions.change_absences(database, actions.LOCAL, added=[Absence("bb04", start, today + dt.timedelta(days=7), "leave")],
                            source="test")
    add_account(bianban, "staff-06", "staff-pass-6", "staff", "bb06", by=TESTER)
    at = signed_in(page(TODAY), "staff-06", "staff-pass-6")
    at.session_state["day"] = today
    at.session_state["person"] = "bb04"
    at.run()
    assert not at.exception and any("交接单" in x.label for x in at.expander)
    assert not [x for x in at.text_area if str(x.key).startswith("handover:")]
    assert not [b for b in at.button if str(b.key).startswith("handover:")]


def test_a_lock_is_said_in_chinese_on_the_chinese_page(page, bianban):
    from roles.storage import accounts
    for _ in range(accounts.MAX_FAILURES):
        assert sign_in(bianban, "staff-zh", "wrong-guess", client="127.0.0.1") is None
    at = signed_in(page(TODAY), "staff-zh", "staff-pass-1")
    assert "登录失败次数过多" in said(at) and "too many" not in said(at)


def test_a_database_out_of_reach_is_said_without_naming_it(monkeypatch):
    monkeypatch.setenv("ABFLOW_DB", "postgresql+psycopg://abflow_user@127.0.0.1:1/secret_db_name")
    at = AppTest.from_file(TODAY, default_timeout=60).run()
    shown = said(at)
    assert "数据库暂时无法连接" in shown
    assert "secret_db_name" not in shown and "abflow_user" not in shown and "127.0.0.1" not in shown


def test_the_office_reads_what_became_of_the_notices(page, bianban, monkeypatch):
    """A failed send and a work notice read on DingTalk, as the dispatch record keeps them: the
    page counts them and lists each with its channel masked, in words."""
    import datetime as dt

    from roles.storage import notices
    monkeypatch.setenv("ABFLOW_TODAY", "2026-11-25")
    day = dt.date(2026, 11, 25)
    read = notices.claim(bianban, day, "duties", "bb01", "dingtalk-user://di… #abc", "今日工作", "…")
    notices.finish(bianban, read, None, 1, "dingtalk:7:ding-bb01")
    assert notices.followed(bianban, read, "sent", "read")
    failed = notices.claim(bianban, day, "gaps", "bb05", "mailto://… #def", "空缺提醒", "…")
    notices.finish(bianban, failed, "connection refused", 1)
    at = signed_in(page(), "office", "office-pass-1")
    assert not at.exception
    assert "已发送 0，已送达 0，已读 1，失败待重试 1，已放弃 0" in " ".join(c.value for c in at.caption)
    table = at.dataframe[-1].value
    assert list(table["状态"]) == ["失败待重试", "已读"] and list(table["通知方式"]) == ["mailto://…", "dingtalk-user://di…"]
    assert "connection refused" in list(table["原因"])
