"""Time along a process, checked by hand: the longest route in counted workdays with gateways,
rework loops and special steps; a version's time; refusal of a graph too tangled to measure."""
from __future__ import annotations

import pytest

from flows import timelimits
from flows.model import Step, Version
from flows.timelimits import longest_route, path_days, time_of


def S(sid, days=None, nxt=(), kind="task", special=False):
    return Step(sid, f"环节{sid}", kind, tuple(nxt), days=days, special=special)


def test_a_chain_sums_its_days_and_a_special_step_counts_none():
    v = Version((S("s1", 1, ["s2"]), S("s2", 3, ["s3"], special=True), S("s3", 2.5)))
    r = longest_route(v)
    assert r.steps == ("s1", "s2", "s3") and r.days == 3.5


def test_at_a_gateway_the_longer_branch_counts():
    #  s1(1) → g1 → s2(2) → s4(1)
    #            ↘ s3(5, special) ↗      special days do not count: the s2 branch is longer
    #            ↘ s5(3) → end
    v = Version((S("s1", 1, ["g1"]), S("g1", None, ["s2", "s3", "s5"], kind="gateway"),
                 S("s2", 2, ["s4"]), S("s3", 5, ["s4"], special=True), S("s4", 1), S("s5", 3)))
    r = longest_route(v)
    assert r.days == 4 and r.steps == ("s1", "g1", "s2", "s4")


def test_a_rework_loop_is_not_taken_twice():
    # s1(2) → g1 → s2(4) → s1 (退回), g1 → s3(1): the route may not visit s1 again, so s2 leads nowhere
    v = Version((S("s1", 2, ["g1"]), S("g1", None, ["s2", "s3"], kind="gateway"), S("s2", 4, ["s1"]), S("s3", 1)))
    assert longest_route(v).days == 3
    # With the loop entered from a second start, the simple path through it is the longest.
    v2 = Version((S("a", 1, ["b"]), S("b", 1, ["c"]), S("c", 1, ["b", "d"]), S("d", 1)))
    assert longest_route(v2).steps == ("a", "b", "c", "d")


def test_time_is_the_promise_where_set_else_the_path_else_unknown():
    v = Version((S("s1", 2, ["s2"]), S("s2", 3)))
    assert time_of(v) == 5
    assert time_of(Version(v.steps, promised_days=4)) == 4
    assert time_of(Version((S("s1", None),))) is None  # no step gives its days
    assert time_of(None) is None and path_days(None) is None


def test_a_graph_whose_loops_would_take_too_long_is_refused(monkeypatch):
    monkeypatch.setattr(timelimits, "BUDGET", 500)
    n = 14  # a complete graph of 14 steps: every order is a route
    ids = [f"s{i}" for i in range(n)]
    v = Version(tuple(S(x, 1, [y for y in ids if y != x] + ["end"]) for x in ids) + (S("end", None, kind="end"),))
    with pytest.raises(ValueError, match="too many routes"):
        longest_route(v)


def test_a_long_chain_does_not_hit_the_recursion_limit():
    n = 3000
    v = Version(tuple(S(f"s{i}", 1, [f"s{i + 1}"] if i + 1 < n else []) for i in range(n)))
    assert path_days(v) == n


def test_a_version_too_tangled_to_measure_is_a_fault_every_reader_reports(monkeypatch):
    from flows.graph import faults
    monkeypatch.setattr(timelimits, "BUDGET", 500)
    ids = [f"s{i}" for i in range(14)]
    v = Version(tuple(S(x, 1, [y for y in ids if y != x] + ["end"]) for x in ids) + (S("end", None, kind="end"),))
    assert faults(v) == [("s0", "its loops have too many routes to measure (more than 500 searched)")]


@pytest.mark.parametrize("gateway", ["parallel", "inclusive", "exclusive"])
def test_a_block_lasts_as_long_as_its_longest_branch_whatever_its_gateway(gateway):
    """Parallel work (串联改并联) takes as long as its longest branch, not the sum: s2 (3) and s3 (5)
    side by side after s1 (1), then s4 (2): 1 + 5 + 2 = 8 workdays, where in a row they took 11.
    An exclusive or inclusive block's worst branch is the same longest one."""
    g = lambda sid, nxt: Step(sid, sid, "gateway", tuple(nxt), gateway=gateway)  # noqa: E731
    side_by_side = Version((S("s1", 1, ["g1"]), g("g1", ["s2", "s3"]), S("s2", 3, ["g2"]), S("s3", 5, ["g2"]),
                            g("g2", ["s4"]), S("s4", 2)))
    in_a_row = Version((S("s1", 1, ["s2"]), S("s2", 3, ["s3"]), S("s3", 5, ["s4"]), S("s4", 2)))
    assert longest_route(side_by_side).days == 8 and longest_route(side_by_side).steps[2] == "s3"
    assert longest_route(in_a_row).days == 11


def blocks() -> Version:
    """受理 (1 day), then a parallel block of 规划 (3) ‖ 消防 (2) ‖ an inclusive block of 环评 (4) or
    水保 (1), then an exclusive choice of 补正 (2) or nothing, then 办结 (1); 受理 has a timer of
    P2D on its border, its exception path 督办 (5 days) beside the plan."""
    return Version((
        Step("s1", "受理", next=("p",), days=1),
        Step("t1", "超时", "event", ("s9",), event="timer", timer="P2D", attached="s1", interrupting=False),
        Step("s9", "督办", next=(), days=5),
        Step("p", None, "gateway", ("a", "b", "i"), gateway="parallel"),
        Step("a", "规划", next=("j",), days=3),
        Step("b", "消防", next=("j",), days=2),
        Step("i", None, "gateway", ("c", "d"), gateway="inclusive"),
        Step("c", "环评", next=("k",), days=4),
        Step("d", "水保", next=("k",), days=1),
        Step("k", None, "gateway", ("j",), gateway="inclusive"),
        Step("j", None, "gateway", ("x",), gateway="parallel"),
        Step("x", "要补正吗？", "gateway", ("f", "e")),
        Step("f", "补正", next=("e",), days=2),
        Step("e", "办结", days=1)))


def test_a_parallel_block_lasts_its_longest_branch_an_exclusive_one_its_worst():
    v = blocks()
    # 受理 1 + max(规划 3, 消防 2, max(环评 4, 水保 1)) + worst of (补正 2, nothing) + 办结 1; the
    # exception path from the timer is no part of the plan
    assert longest_route(v).days == 1 + 4 + 2 + 1
    assert "s9" not in longest_route(v).steps


def test_serial_days_add_up_parallel_and_inclusive_branches_and_say_what_parallel_work_saves():
    from flows.timelimits import serial_days
    from roles.engines.stats import _saved
    v = blocks()
    # one after another: 规划 3 + 消防 2 + (环评 4 + 水保 1), the exclusive choice still its worst
    assert serial_days(v) == 1 + (3 + 2 + (4 + 1)) + 2 + 1
    assert _saved(v) == 14 - 8


def test_a_boundary_timer_is_its_steps_deadline_and_lint_says_when_the_step_takes_longer():
    from dataclasses import replace

    from flows.lint import lint
    from flows.metrics import longest_path
    from flows.timelimits import deadlines, duration_days
    v = blocks()
    assert deadlines(v) == {"s1": 2}
    assert [duration_days(x) for x in ("P5D", "PT36H", "P1W", "P1DT12H", "R3/PT1H", "2026-12-31")] == \
        [5, 1.5, 5, 1.5, None, None]
    assert not [f for f in lint(v, holders=False) if f.code in ("over-deadline", "unreachable")]  # 督办 is reached
    late = replace(v, steps=tuple(replace(s, days=3) if s.id == "s1" else s for s in v.steps))
    assert [(f.step, f.code) for f in lint(late, holders=False) if f.code == "over-deadline"] == [("s1", "over-deadline")]
    # serial stages: 受理, one branch of the parallel block (环评 or 规划 …), 补正, 办结; the exception path
    # from 受理 (督办) is one stage after it
    assert longest_path(v) == 4
