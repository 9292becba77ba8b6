"""Step counts, handoffs and reductions as the workbook spec defines them, on its own example."""
from __future__ import annotations

from flows.graph import cycle_through, dangling_edges, entry_steps, neighbours, stuck_steps, work_successors
from flows.metrics import handoffs, monthly_minutes, reduction, step_count
from flows.model import Step, Version

# fgw-p1 of workbook.md
BEFORE = Version((Step("s1", "收文登记", next=("s2",)), Step("s2", "科员拟办", next=("s3",)),
                  Step("s3", "科长审核", "approval", ("s4",)), Step("s4", "分管领导审批", "approval")))
AFTER = Version((Step("s1", "收文登记", next=("s2",), a="p003", b="p002", minutes=10, per_month=120),
                 Step("s2", "拟办审核", "approval", ("g1",), a="p002", b="p001"),
                 Step("g1", kind="gateway", next=("s3", "s4")),
                 Step("s3", "直接办结", a="p003", b="p002"),
                 Step("s4", "分管领导审批", "approval", a="p001", b="p002")))


def test_the_spec_example_counts_four_steps_and_three_handoffs():
    assert step_count(BEFORE) == 4 and step_count(AFTER) == 4
    assert step_count(None) is None
    # s1→s2 (p003→p002), s2→s3 through g1 (p002→p003), s2→s4 through g1 (p002→p001)
    assert handoffs(AFTER) == 3
    assert handoffs(BEFORE) is None  # no A holders: a handoff cannot be told
    assert reduction(4, 4) == 0.0 and reduction(7, 4) == 0.4286 and reduction(None, 4) is None


def test_gateways_are_looked_through_and_events_are_no_steps():
    v = Version((Step("b", kind="start", next=("x",)), Step("x", "甲", next=("g",), a="p1"),
                 Step("g", kind="gateway", next=("g2",)), Step("g2", kind="gateway", next=("y",)),
                 Step("y", "乙", next=("e",), a="p1"), Step("e", kind="end")))
    assert step_count(v) == 2
    assert work_successors(v) == {"x": {"y"}, "y": set()}
    assert handoffs(v) == 0  # same A holder on both sides
    assert neighbours(v, "x") == {"y"}
    assert entry_steps(v) == ["b"]


def test_monthly_minutes_sum_only_what_is_given():
    assert monthly_minutes(AFTER) == 1200
    assert monthly_minutes(None) == 0


def test_structure_checks():
    assert dangling_edges(Version((Step("s1", "a", next=("s9",)), Step("s2", "b")))) == [("s1", "s9")]
    broken = Version((Step("s1", "a", next=("s2",)), Step("s2", "b", next=("s3",)), Step("s3", "c", next=("s2",))))
    stuck = stuck_steps(broken)
    assert "s1" in stuck  # it leads only into the loop
    stuck = [s for s in stuck if s != "s1"]
    assert set(stuck) == {"s2", "s3"}
    assert cycle_through(broken, stuck) in (["s2", "s3", "s2"], ["s3", "s2", "s3"])
    loop_with_exit = Version((Step("s1", "a", next=("s2",)), Step("s2", "b", next=("s1", "s3")), Step("s3", "c")))
    assert stuck_steps(loop_with_exit) == []


def test_steps_are_numbered_in_the_order_the_work_flows_whatever_the_table_order():
    """A step the table lists last (a drawing wrote it last) is numbered where the flow reaches it;
    a loop back for rework does not count, and a join comes after every branch into it."""
    from flows.graph import flow_order
    from flows.render import numbering
    v = Version((Step("s1", next=("g",)), Step("s4", next=("s1",)), Step("g", kind="gateway", next=("s3", "s2")),
                 Step("s2", next=("j",)), Step("s3", next=("j",)), Step("j", kind="gateway", next=("s4",))))
    assert [s.id for s in flow_order(v)] == ["s1", "g", "s2", "s3", "j", "s4"]
    assert numbering(v) == {"s1": 1, "s2": 2, "s3": 3, "s4": 4}
