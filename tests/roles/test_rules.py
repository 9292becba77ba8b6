"""Each reform rule, passing and failing, at its boundaries; and `abflow check` as the CLI spec says."""
from __future__ import annotations

import pytest

from flows.model import Process, Step, Version
from roles.model import Department, Function, Person, Section, SectionBefore, Workbook
from roles.engines.rules import RULES, Finding, Settings, check

from ..conftest import BIANBAN


def city(before: int = 10, after: int = 7, size: int = 5, kinds=("comprehensive", "business", "business"),
         staffing: int | None = None, leaders: int | None = None, functions=None, approval_in=(0,),
         steps=None) -> Workbook:
    secs = []
    people = []
    for i in range(after):
        sid = f"s{i}"
        secs.append(Section(sid, f"科{i}", kinds[i % len(kinds)], staffing=staffing, leader_posts=leaders,
                            functions=tuple(functions[i]) if functions else (f"f{i}",)))
        people += [Person(f"{sid}-{j}", f"人{i}{j}", sid, "head" if j == 0 else "deputy" if j == 1 else "staff")
                   for j in range(size if i == 0 else 5)]
    funcs = tuple(Function(f"f{i}", f"职能{i}", approval=i in approval_in) for i in range(after))
    dept = Department("d", "市某局", 1, tuple(SectionBefore(f"o{i}", f"原{i}") for i in range(before)),
                      tuple(secs), funcs)
    procs = (Process("p", "s0", "流程", after=Version(tuple(steps))),) if steps else ()
    return Workbook((dept,), tuple(people), procs)


def rules_of(wb, rule):
    return [(f.severity, f.subject) for f in check(wb, rules=(rule,))]


@pytest.mark.parametrize("before,after,found", [(10, 7, []), (10, 8, [("warning", "d")]), (3, 2, [])])
def test_reduction_ratio_at_least_30_percent(before, after, found):
    assert rules_of(city(before, after), "reduction-ratio") == found  # 10 → 7 is exactly 30%


@pytest.mark.parametrize("size,found", [(2, [("error", "s0")]), (3, []), (9, []), (10, [("warning", "s0")]),
                                        (1, [("error", "s0")])])
def test_section_size_3_to_9(size, found):
    assert rules_of(city(size=size), "section-size") == found


@pytest.mark.parametrize("staffing,leaders,ok", [(4, 1, True), (4, 2, False), (5, 2, True), (5, 3, False),
                                                 (7, 2, True), (7, 3, False), (8, 3, True), (8, 4, False)])
def test_leader_posts_by_staffing(staffing, leaders, ok):
    found = rules_of(city(staffing=staffing, leaders=leaders), "leader-posts")
    assert (found == []) is ok
    assert Settings().leader_posts_for(staffing) == {4: 1, 5: 2, 7: 2, 8: 3}[staffing]


@pytest.mark.parametrize("kinds,after,ok", [(("comprehensive", "business", "business"), 6, True),   # exactly 1/3
                                            (("comprehensive", "comprehensive", "business"), 6, False),
                                            (("comprehensive", "business", "business", "business"), 8, True)])
def test_comprehensive_share_at_most_a_third(kinds, after, ok):
    assert (rules_of(city(before=10, after=after, kinds=kinds), "comprehensive-share") == []) is ok


def test_function_coverage_blank_is_an_error_and_overlap_a_warning():
    funcs = [["f0", "f1"], ["f1"], []] + [[f"f{i}"] for i in range(3, 7)]
    assert rules_of(city(functions=funcs), "function-coverage") == [("warning", "f1"), ("error", "f2")]
    assert rules_of(city(), "function-coverage") == []


def test_approval_duties_in_one_section():
    assert rules_of(city(approval_in=(0,)), "approval-concentration") == []
    assert rules_of(city(approval_in=(0, 1)), "approval-concentration") == [("warning", "d")]


def test_ab_pairing_head_with_deputy_and_mutual():
    mutual = [Step("t1", "甲", a="s0-0", b="s0-1"), Step("t2", "乙", a="s0-1", b="s0-0")]
    assert rules_of(city(steps=mutual), "ab-pairing") == []
    one_way = [Step("t1", "甲", a="s0-2", b="s0-1")]
    assert rules_of(city(steps=one_way), "ab-pairing") == [("warning", "s0-2/s0-1")]
    head_staff = [Step("t1", "甲", a="s0-0", b="s0-2"), Step("t2", "乙", a="s0-2", b="s0-0")]
    assert rules_of(city(steps=head_staff), "ab-pairing") == [("warning", "p/t1"), ("warning", "p/t2")]


def test_step_holders_both_distinct_and_of_the_department():
    ok = [Step("t1", "甲", a="s0-0", b="s0-1"), Step("g", kind="gateway")]
    assert rules_of(city(steps=ok), "step-holders") == []
    bad = [Step("t1", "甲", a="s0-0"), Step("t2", "乙", a="s0-1", b="s0-1")]
    assert rules_of(city(steps=bad), "step-holders") == [("error", "p/t1"), ("error", "p/t2")]


def test_every_rule_of_the_spec_is_checked():
    assert set(RULES) == {"reduction-ratio", "section-size", "leader-posts", "comprehensive-share",
                          "function-coverage", "approval-concentration", "ab-pairing", "step-holders",
                          "promised-within-legal", "path-within-promised", "instant-same-day", "leaders-apart",
                          "standin-authority"}


def test_check_cli_json_and_exit_code(cli):
    assert cli("import", str(BIANBAN)).exit_code == 0
    result = cli("check", "--json")
    doc = __import__("json").loads(result.stdout)
    assert {f["rule"] for f in doc["findings"]} <= set(RULES)
    for f in doc["findings"]:
        assert {"rule", "severity", "subject", "message"} <= set(f) and f["severity"] in ("error", "warning")
    assert result.exit_code == (1 if any(f["severity"] == "error" for f in doc["findings"]) else 0)
    assert cli("check", "--rule", "nope").exit_code == 2


def test_every_finding_reads_in_chinese_and_english():
    """Each rule's words exist in both languages and are filled in; the English stays the JSON message."""
    wb = city(before=10, after=9, size=2, kinds=("comprehensive",), staffing=4, leaders=2,
              functions=[["f0", "f1"], ["f1", "f2"]] + [[] for _ in range(7)], approval_in=(0, 2),
              steps=[Step("t1", "受理", a="s0-0", b="s0-0"), Step("t2", "审核", a="s0-1")])
    found = check(wb)
    assert {f.key for f in found} >= {"reduction-low", "size-2", "leader-posts", "comprehensive-share",
                                      "duty-none", "duty-overlap", "approvals-spread", "holders-same",
                                      "holders-no-b"}
    for f in found:
        zh, en = f.text("zh"), f.text("en")
        assert zh != en and "{" not in zh + en and f.message == en and f.as_json()["message"] == en
    size = next(f for f in found if f.key == "size-2")
    assert size.text("zh") == "科0 只有 2 人，是两人科；大科室应有 3–9 人"


def test_check_speaks_chinese_unless_told_english(cli):
    assert cli("import", str(BIANBAN)).exit_code == 0
    zh = cli("check", "--rule", "step-holders", "--rule", "ab-pairing").output
    en = cli("check", "--rule", "step-holders", "--rule", "ab-pairing", env={"ABFLOW_LANG": "en"}).output
    assert "备岗" in zh and "backs" not in zh and "backs" in en


def test_a_post_reads_as_a_post_in_each_language():
    from flows.wording import values
    f = Finding("ab-pairing", "warning", "p/s1", "pairing-posts",
                values(process="流程", step="s1", label="受理", a="张伟", a_post="head", a_post_zh="负责人",
                       b="李娜", b_post="staff", b_post_zh="工作人员"))
    assert "张伟（负责人）由 李娜（工作人员）备岗" in f.text("zh")
    assert "张伟 (head) is backed by 李娜 (staff)" in f.message
