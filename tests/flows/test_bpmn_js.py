"""Exported BPMN opens in bpmn-js (the modeler most BPMN tools build on) with no import warnings,
in headless Chromium: every process of the demo, before and after."""
from __future__ import annotations

import datetime as dt

import pytest

from flows import bpmn
from roles.demo import demo_workbook
from roles.engines.lanes import lane_titles

from ..browser import CHROMIUM, require_browser
from ..conftest import ROOT, require

BUNDLE = ROOT / "ui" / "modeler" / "node_modules" / "bpmn-js" / "dist" / "bpmn-viewer.development.js"


@pytest.fixture(scope="module")
def viewer(tmp_path_factory):
    require_browser()
    require(BUNDLE.exists(), "bpmn-js (make setup runs npm ci in ui/modeler)")
    page_file = tmp_path_factory.mktemp("bpmnjs") / "viewer.html"
    page_file.write_text(f'<!doctype html><html><body><div id="c" style="width:1200px;height:800px"></div>'
                         f'<script src="{BUNDLE.as_uri()}"></script></body></html>', "utf-8")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--allow-file-access-from-files"])
        page = browser.new_page()
        page.goto(page_file.as_uri())
        yield page
        browser.close()


OPEN = """async (xml) => {
  const viewer = new BpmnJS({container: '#c'});
  try {
    const {warnings} = await viewer.importXML(xml);
    const registry = viewer.get('elementRegistry');
    const count = (t) => registry.filter(e => e.type === t).length;
    return {warnings: warnings.map(w => w.message), tasks: count('bpmn:Task') + count('bpmn:UserTask'),
            lanes: count('bpmn:Lane'), flows: count('bpmn:SequenceFlow'),
            shapes: registry.filter(e => e.type !== 'label' && e.type !== 'bpmn:Process').length};
  } catch (e) { return {error: String(e)}; } finally { viewer.destroy(); }
}"""


def test_every_demo_process_opens_without_warnings(viewer):
    wb = demo_workbook(dt.date(2026, 11, 25))
    lanes = lane_titles(wb.people)
    opened = 0
    for p in wb.processes:
        for which in ("before", "after"):
            v = p.version(which)
            if v is None:
                continue
            xml = bpmn.write(v, p.id, p.name, lanes).decode("utf-8")
            got = viewer.evaluate(OPEN, xml)
            assert "error" not in got, (p.id, which, got)
            assert got["warnings"] == [], (p.id, which, got["warnings"])
            assert got["flows"] >= sum(len(s.next) for s in v.steps)  # plus those of implied start and end events
            assert got["shapes"] > len(v.steps)
            opened += 1
    assert opened >= 2 * len(wb.processes) - 5


def test_a_kept_drawing_opens_without_warnings(viewer):
    """Every corpus file that keeps its drawing, exported with a lane per holder where its lanes
    allow it: bpmn-js finds each shape in the pool and lane it belongs to."""
    from dataclasses import replace

    from flows.layout import kept
    from flows.model import Version

    from ..conftest import CORPUS
    checked = 0
    for path in sorted(CORPUS.rglob("*.bpmn")):
        bp = bpmn.read(path.read_bytes(), path.name)
        v = Version(tuple(replace(s, a=bp.lane_of.get(s.id)) if s.is_work else s for s in bp.version.steps))
        if kept(v) is None:
            continue
        # as the designer gives it to bpmn-js, which takes ASCII ids only (a file's Chinese ids included)
        got = viewer.evaluate(OPEN, bpmn.write(v, bp.id, bp.name, {}, ascii_ids=True).decode("utf-8"))
        assert "error" not in got and got["warnings"] == [], (path.name, got)
        checked += 1
    assert checked >= 100


def test_a_matter_across_departments_opens_as_pools_with_message_flows(viewer):
    """The demo's matter: a pool per department, a call activity per part, the work passed on by
    message flows; bpmn-js reads it with no warning."""
    from roles.formats import matter_bpmn
    wb = demo_workbook(dt.date(2026, 11, 25))
    xml = matter_bpmn.write(wb, wb.matters[0], {"start": "开始", "end": "结束"}).decode("utf-8")
    got = viewer.evaluate("""async (xml) => {
      const viewer = new BpmnJS({container: '#c'});
      try {
        const {warnings} = await viewer.importXML(xml);
        const registry = viewer.get('elementRegistry');
        const count = (t) => registry.filter(e => e.type === t).length;
        return {warnings: warnings.map(w => w.message), pools: count('bpmn:Participant'),
                calls: count('bpmn:CallActivity'), messages: count('bpmn:MessageFlow')};
      } catch (e) { return {error: String(e)}; } finally { viewer.destroy(); }
    }""", xml)
    assert got == {"warnings": [], "pools": 2, "calls": 3, "messages": 1}
