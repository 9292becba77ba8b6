"""What a review shows: two versions compared step by step on hand-made pairs, and the comparison
drawn by Graphviz with added steps green, removed red and dashed, changed amber."""
from __future__ import annotations

from dataclasses import replace

import pytest

from flows.diff import compare
from flows.model import Shape, Step, Version
from flows.render import MARKS, Labels, compared, diff_dot, render

LIVE = Version((Step("st", kind="start", next=("s1",)),
                Step("s1", "收文", next=("s2",), a="p1", b="p2", days=1),
                Step("s2", "拟办", next=("s3",), a="p2", b="p1"),
                Step("s3", "核稿", next=("e",), a="p3", b="p2", kind="approval"),
                Step("e", kind="end")), promised_days=5)


def edit(version: Version, **steps) -> Version:
    return replace(version, steps=tuple(replace(s, **steps[s.id]) if s.id in steps else s for s in version.steps))


@pytest.mark.parametrize("new,added,removed,changed,terms,holders_only", [
    (LIVE, (), (), (), (), False),
    (edit(LIVE, s1={"b": "p3"}), (), (), (("s1", ("b",)),), (), True),
    (edit(LIVE, s1={"b_max_days": 2, "b_may_act": False}), (), (), (("s1", ("b_max_days", "b_may_act")),), (), True),
    (edit(LIVE, s2={"name": "拟办并核稿"}), (), (), (("s2", ("name",)),), (), False),
    (edit(LIVE, s3={"kind": "task"}, s1={"days": 2}), (), (), (("s1", ("days",)), ("s3", ("kind",))), (), False),
    (edit(LIVE, s1={"next": ("s3",)}), (), (), (("s1", ("next",)),), (), False),
    (replace(LIVE, promised_days=3), (), (), (), ("promised_days",), False),
    (edit(LIVE, s1={"shape": Shape(10, 10, 100, 80)}), (), (), (), (), False),  # where it is drawn is no change
    (replace(LIVE, steps=tuple(s for s in LIVE.steps if s.id != "s2") + (Step("s4", "归档", a="p1", b="p2"),)),
     ("s4",), ("s2",), (), (), False),
])
def test_a_comparison_names_what_was_added_removed_and_changed(new, added, removed, changed, terms, holders_only):
    c = compare(LIVE, new)
    assert (c.added, c.removed, c.changed, c.terms, c.holders_only) == (added, removed, changed, terms, holders_only)
    assert c.empty == (not (added or removed or changed or terms))


def test_a_new_process_is_all_added():
    assert compare(None, LIVE).added == ("st", "s1", "s2", "s3", "e")


def test_the_comparison_is_drawn_in_its_colours_with_the_removed_step_dashed():
    new = edit(Version(tuple(s for s in LIVE.steps if s.id != "s2") + (Step("s4", "归档", a="p1", b="p2"),)),
               s1={"next": ("s3",), "b": "p3"})
    merged, marks = compared(LIVE, new)
    assert [s.id for s in merged.steps] == ["st", "s1", "s3", "e", "s4", "s2"]
    assert marks == {"s4": "added", "s1": "changed", "s2": "removed"}
    dot = diff_dot(LIVE, new, Labels(title="公文办理"))
    line = lambda sid: next(x for x in dot.splitlines() if x.strip().startswith(f'"{sid}" ['))  # noqa: E731
    assert f'color="{MARKS["added"][1]}"' in line("s4") and f'color="{MARKS["changed"][1]}"' in line("s1")
    assert "dashed" in line("s2") and f'color="{MARKS["removed"][1]}"' in line("s2")
    assert "<b>2. 核稿" in line("s3") and "<b>拟办" in line("s2")  # numbers of the new version; none on the removed
    assert f'color="{MARKS["removed"][1]}"' not in line("s3")
    svg = render(dot, "svg").decode().lower()
    assert MARKS["added"][1].lower() in svg and MARKS["removed"][1].lower() in svg and "stroke-dasharray" in svg
