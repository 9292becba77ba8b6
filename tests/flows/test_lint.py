"""Lint findings, each with its step, and the metrics added for the reform office."""
from __future__ import annotations

import pytest

from flows.lint import lint
from flows.metrics import approvals, longest_path
from flows.model import Step, Version


def codes(version, **kw):
    return sorted((f.step, f.code) for f in lint(version, **kw))


def test_a_clean_version_has_no_findings():
    v = Version((Step("s1", "受理", next=("g",), a="p1", b="p2"), Step("g", kind="gateway", next=("s2", "s3")),
                 Step("s2", "办结", a="p2", b="p1"), Step("s3", "审批", "approval", next=("s1",), a="p1", b="p2")))
    assert codes(v) == []  # a rework loop back to the first step is no fault


def test_each_finding_names_its_step():
    v = Version((
        Step("s1", "受理", next=("g1",), a="p1", b="p1"),        # A equal to B
        Step("g1", kind="gateway", next=("s2",)),                # one way in, one way out
        Step("s2", "办理", a="p2"),                              # no B
        Step("s3", "孤立", next=("s4",), a="p9", b="p1"),         # entry of its own: reached (implied start)
        Step("s4", "审核", next=("s5",), b="p2"),                 # no A
        Step("s5", "环", next=("s6",), a="p1", b="p2"),
        Step("s6", "环", next=("s5",), a="p2", b="p1"),           # a loop with no way out
    ))
    found = codes(v, person_department={"p1": "d", "p2": "d", "p9": "other"}, department="d")
    # s3 and s4 lead only into the closed loop, so they cannot finish either.
    assert found == [("g1", "one-way-gateway"), ("s1", "same-ab"), ("s2", "no-b"), ("s3", "dead-end"),
                     ("s3", "other-department"), ("s4", "dead-end"), ("s4", "no-a"), ("s5", "dead-end"),
                     ("s6", "dead-end")]
    every = lint(v, person_department={"p9": "x"}, department="d")
    messages = {f.code: f.message for f in every}
    assert "受理" in messages["same-ab"]
    assert {f.code: f.text("zh") for f in every}["same-ab"] == "受理：主办和备岗是同一人（p1）"
    assert all("{" not in f.text(lg) for f in every for lg in ("zh", "en"))


def test_unreachable_steps_after_explicit_starts():
    v = Version((Step("st", kind="start", next=("s1",)), Step("s1", "甲", a="p1", b="p2"),
                 Step("s2", "乙", next=("s1",), a="p1", b="p2")))
    assert codes(v) == [("s2", "unreachable")]


def test_before_versions_are_linted_without_holders():
    v = Version((Step("s1", "甲", next=("s2",)), Step("s2", "乙", "approval")))
    assert codes(v, holders=False) == []
    assert {c for _, c in codes(v)} == {"no-a", "no-b"}


def test_approvals_and_the_longest_path():
    v = Version((Step("s1", next=("g",)), Step("g", kind="gateway", next=("s2", "s4")),
                 Step("s2", "审", "approval", next=("s3",)), Step("s3", next=("s1",)),
                 Step("s4")))
    assert approvals(v) == 1
    assert longest_path(v) == 3  # s1 → s2 → s3, the loop back to s1 counted once
    assert longest_path(None) is None and approvals(None) is None


def test_lint_command(bianban, cli):
    doc = cli.json("lint")
    assert doc == {"version": "after", "findings": []}
    r = cli("lint", "nope")
    assert r.exit_code == 2 and "nope" in r.stderr


def test_diff_lists_added_removed_renamed_and_reassigned():
    from flows.diff import diff
    old = Version((Step("s1", "受理", a="p1", b="p2"), Step("s2", "审核", a="p2", b="p1"), Step("s3", "归档", a="p1", b="p2")))
    new = Version((Step("s1", "受理登记", a="p1", b="p2"), Step("s2", "审核", a="p3", b="p1"), Step("g", kind="gateway"),
                   Step("s4", "办结", a="p1", b="p3")))
    assert [(c.step, c.kind) for c in diff(old, new)] == [("s1", "renamed"), ("s2", "reassigned"), ("s4", "added"),
                                                          ("s3", "removed")]
    assert diff(new, new) == []
    assert [c.kind for c in diff(None, old)] == ["added"] * 3


def test_branch_names_and_conditions_survive_bpmn_and_the_chart():
    from flows import bpmn
    from flows.model import Branch
    from flows.render import Labels, render, to_dot
    v = Version((Step("s1", "审核", "approval", next=("g",), a="p1", b="p2"),
                 Step("g", kind="gateway", next=("s2", "s3"),
                      branches=(Branch("s2", "通过", "材料齐全"), Branch("s3", "退回"))),
                 Step("s2", "办结", a="p1", b="p2"), Step("s3", "补正", next=("s1",), a="p2", b="p1")))
    xml = bpmn.write(v, "p", "流程", {})
    assert b'name="\xe9\x80\x9a\xe8\xbf\x87"' in xml and b"conditionExpression" in xml
    back = bpmn.read(xml, "p.bpmn").version
    assert back.step("g").branches == (Branch("s2", "通过", "材料齐全"), Branch("s3", "退回"))
    svg = render(to_dot(v, Labels(title="流程")), "svg").decode()
    assert "通过" in svg and "材料齐全" in svg and "退回" in svg
    assert Branch.parse("s2=通过[材料齐全]") == Branch("s2", "通过", "材料齐全") and Branch.parse("s3=").name is None
    assert Branch("s2", "通过", "材料齐全").text() == "s2=通过[材料齐全]"


def _block(split: str | None, join: str | None, loop: bool = False) -> Version:
    """s1 → g1 (split) → s2 / s3 → g2 (join) → s4; `loop`: g2 may also send the case back to s1."""
    return Version((Step("s1", "受理", next=("g1",), a="p1", b="p2"),
                    Step("g1", "分送", "gateway", ("s2", "s3"), gateway=split),
                    Step("s2", "甲科审查", next=("g2",), a="p1", b="p2"), Step("s3", "乙科审查", next=("g2",), a="p2", b="p1"),
                    Step("g2", "汇总", "gateway", ("s4", "s1") if loop else ("s4",), gateway=join),
                    Step("s4", "办结", a="p1", b="p2")))


@pytest.mark.parametrize("split,join,found", [
    ("parallel", "parallel", []),                     # 并联审批 as drawn: fine
    (None, None, []),                                 # one way or the other, then on: fine
    ("inclusive", "inclusive", []),
    (None, "parallel", ["parallel-deadlock"]),        # waits for a branch that never comes
    ("event", "parallel", ["parallel-deadlock"]),
    ("parallel", None, ["parallel-unsynchronised"]),  # what follows would run twice
    ("parallel", "exclusive", ["parallel-unsynchronised"]),
])
def test_a_join_that_does_not_match_its_split_is_found(split, join, found):
    assert [f.code for f in lint(_block(split, join)) if f.code.startswith("parallel")] == found
    if found:
        [f] = [f for f in lint(_block(split, join)) if f.code in found]
        assert f.step == "g2" and "分送" in f.text("zh")


def test_a_rework_loop_joined_by_an_exclusive_gateway_is_no_finding():
    # the loop back to s1 meets the first arrival at s1, not at a gateway: nothing to say
    assert [f.code for f in lint(_block("parallel", "parallel", loop=True)) if f.code.startswith("parallel")] == []
