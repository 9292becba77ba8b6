"""The main pages in a real headless browser (Debian's Chromium through Playwright), served by
`abflow serve` on a demo database: what a user sees, not only what the script computes."""
from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ..conftest import ROOT, require

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require(CHROMIUM is not None and importlib.util.find_spec("playwright") is not None, "Chromium and Playwright")
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.db'}"
    exe = str(Path(sys.executable).with_name("abflow"))
    subprocess.run([exe, "--db", url, "demo", "--today", "2026-11-25"], check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([exe, "--db", url, "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.25)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


#: Screenshots of every page, to look at after a run (not committed).
SHOTS = ROOT / ".screens"


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser.new_page(viewport={"width": 1400, "height": 1000})
        browser.close()


@pytest.mark.parametrize("path,title,expect", [
    ("", "今日在岗", "空缺"),
    ("flowchart", "流程图", "改革前环节"),
    ("designer", "流程设计", "环节表"),
    ("people", "人员与AB角", "AB角表"),
    ("reform", "改革成效", "科室压减"),
])
def test_main_pages_render_without_errors(server, page, path, title, expect):
    page.goto(f"{server}/{path}")
    page.wait_for_selector("h1", timeout=60_000)
    page.get_by_text(expect).first.wait_for(timeout=60_000)
    assert page.locator("h1").first.inner_text() == title
    assert page.locator("[data-testid='stException']").count() == 0
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{path or 'today'}.png"), full_page=True)


def test_the_flowchart_is_drawn_in_the_page(server, page):
    page.goto(f"{server}/flowchart")
    img = page.locator("img[src^='data:image/svg+xml']")
    img.wait_for(timeout=60_000)
    box = img.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100


def test_the_designer_embeds_the_bpmn_js_modeler(server, page):
    page.goto(f"{server}/designer")
    page.get_by_role("tab", name="图形编辑（BPMN）").click()
    frame = page.frame_locator("iframe[title*='bpmn_modeler']")
    frame.locator(".djs-container").wait_for(timeout=60_000)
    # The process drawn from our export: its tasks are shapes of the modeler's canvas.
    frame.locator("g.djs-element[data-element-id='s1']").first.wait_for(timeout=30_000)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "designer-bpmn.png"), full_page=True)
