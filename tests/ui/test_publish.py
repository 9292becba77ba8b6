"""`abflow publish`: a static site per release, earlier releases kept, changes listed since the last."""
from __future__ import annotations

import dataclasses
import json

from flows.bpmn import read
from roles.storage import store



def test_publish_twice_keeps_the_first_and_lists_what_changed(bianban, cli, tmp_path):
    site = tmp_path / "site"
    assert cli("publish", "--out", str(site)).exit_code == 0
    r1 = site / "r1"
    page = (r1 / "p-bb-p2.html").read_text("utf-8")
    assert "<svg" in page and "审核审批" in page and "改革前后对照" in page
    assert (r1 / "p-bb-p2.pdf").read_bytes().startswith(b"%PDF")
    assert (r1 / "p-bb-p2-sheet.pdf").read_bytes().startswith(b"%PDF") and "p-bb-p2-sheet.pdf" in (r1 / "p-bb-p2.html").read_text("utf-8")
    assert len(read((r1 / "p-bb-p2.bpmn").read_bytes(), "p.bpmn").version.work_steps) == 4
    assert "bb-jg" in (r1 / "d-bb.html").read_text("utf-8") and "AB角表" in (r1 / "d-bb.html").read_text("utf-8")
    assert json.loads((r1 / "manifest.json").read_text("utf-8"))["release"] == 1

    # A head re-assigns a B holder; publishing again keeps release 1 and says what changed.
    wb = store.load(bianban)
    p = wb.process_by_id["bb-p2"]
    s4 = p.after.step("s4")
    steps = tuple(dataclasses.replace(s, b="bb08") if s.id == "s4" else s for s in p.after.steps)
    store.save_version(bianban, "bb-p2", "after", dataclasses.replace(p.after, steps=steps), "test",
                       expected_revision=p.revisions["after"])
    assert cli("publish", "--out", str(site)).exit_code == 0
    assert (r1 / "p-bb-p2.html").read_text("utf-8") == page  # the first release is kept as it was
    again = (site / "r2" / "p-bb-p2.html").read_text("utf-8")
    assert "与第 1 版相比的变化" in again and "调整AB角" in again
    assert f"{s4.id} {s4.name}" in again
    assert "无变化" in (site / "r2" / "p-bb-p1.html").read_text("utf-8")
    index = (site / "index.html").read_text("utf-8")
    assert index.index("r2/index.html") < index.index("r1/index.html")  # newest first
