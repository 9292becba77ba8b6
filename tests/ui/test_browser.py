"""The main pages in a real headless browser (Debian's Chromium through Playwright), served by
`abflow serve` on a demo database: what a user sees, not only what the script computes."""
from __future__ import annotations

import subprocess

import pytest

from ..browser import ABFLOW, CHROMIUM, chart_says, download, pick, require_browser, serving, settle
from ..conftest import ROOT


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    require_browser()
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.db'}"
    subprocess.run([ABFLOW, "--db", url, "demo", "--today", "2026-11-25"], check=True, capture_output=True)
    return url


@pytest.fixture(scope="module")
def server(demo_url):
    with serving(demo_url) as base:
        yield base


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
    ("today", "今日在岗", "空缺"),  # a bookmark of the default page by its name
    ("accounts", "账号", "账号"),
    ("audit", "操作记录", "操作记录"),
    ("flowchart", "流程图", "改革前环节"),
    ("designer", "流程设计", "环节表"),
    ("review", "审核", "发照改为电子营业执照"),  # the demo's redesign waiting for review, its note shown
    ("people", "人员与AB角", "AB角表"),
    ("reform", "改革成效", "科室压减"),
    ("data", "数据导入导出", "导入工作簿"),
])
def test_main_pages_render_without_errors(server, page, path, title, expect):
    page.goto(f"{server}/{path}")
    page.wait_for_selector("h1", timeout=60_000)
    page.get_by_text(expect).first.wait_for(timeout=60_000)
    assert page.locator("h1").first.inner_text() == title
    assert page.locator("[data-testid='stException']").count() == 0
    if path:  # the root is Today again
        settle(page)
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{path}-1400.png"), full_page=True)


@pytest.mark.parametrize("path,title", [("today", "今日在岗"), ("flowchart", "流程图"), ("designer", "流程设计"),
                                        ("review", "审核"), ("people", "人员与AB角"), ("reform", "改革成效"), ("data", "数据导入导出"),
                                        ("accounts", "账号"), ("audit", "操作记录")])
def test_each_page_on_a_phone(server, page, path, title):
    """At 390×844 each page opens without error and nothing is wider than the screen but what
    scrolls inside its own box (tables, charts); `make screens` keeps the pictures in docs/."""
    phone = page.context.browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    try:
        phone.goto(f"{server}/{path}")
        phone.wait_for_selector("h1", timeout=60_000)
        settle(phone)
        assert phone.locator("h1").first.inner_text() == title
        assert phone.locator("[data-testid='stException']").count() == 0
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        SHOTS.mkdir(exist_ok=True)
        phone.screenshot(path=str(SHOTS / f"{path}-390.png"))
    finally:
        phone.close()


def test_the_flowchart_is_drawn_in_the_page_whole_on_a_desktop_and_a_phone(server, page):
    """At first the chart is as wide as its box, its last step in view, at 1400 and at 390 pixels."""
    page.goto(f"{server}/flowchart")
    img = page.locator("img[src^='data:image/svg+xml']")
    img.wait_for(timeout=60_000)
    box = img.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100
    phone = page.context.browser.new_page(viewport={"width": 390, "height": 844})
    try:
        for p in (page, phone):
            p.goto(f"{server}/flowchart")
            p.locator("img[src^='data:image/svg+xml']").first.wait_for(timeout=60_000)
            settle(p)
            assert p.evaluate("""() => { const img = document.querySelector("img[src^='data:image/svg+xml']");
                                         return img.getBoundingClientRect().width <= img.parentElement.clientWidth + 1; }""")
    finally:
        phone.close()


def test_a_printed_sheet_is_a4_with_text_at_8_pt_or_more(server, page, tmp_path):
    """A head prints the before/after sheet of a process on A4 portrait from the flowchart page:
    the downloaded PDF's pages are A4 and every character on them is 8 pt or more (pdfminer)."""
    from ..flows.test_printing import pages
    page.goto(f"{server}/flowchart")
    page.locator("img[src^='data:image/svg+xml']").wait_for(timeout=60_000)
    settle(page)
    pick(page, "改革前后对照")
    assert chart_says(page, None, "改革前 ·")
    pick(page, "纵向")
    pdf = download(page, "下载打印版 PDF", tmp_path / "sheet.pdf")
    read = pages(pdf.read_bytes())
    sizes = [(round(w), round(h)) for (w, h), _, _ in read]
    chars = [c for _, page_chars, _ in read for c in page_chars]
    assert sizes and set(sizes) == {(595, 842)}
    assert chars and min(c.size for c in chars) >= 7.99
    text = "".join(c.get_text() for c in chars)
    assert "公文办理" in text and "审核人" in text and "改革前" in text


def test_a_select_box_that_matches_nothing_says_so_in_chinese(server, page):
    """Typed into a process list, words that match nothing are answered in the page's language, not
    with Streamlit's own "No results"."""
    page.goto(f"{server}/flowchart")
    page.locator("[data-testid='stSelectbox']").first.wait_for(timeout=60_000)
    settle(page)
    page.locator("[data-testid='stSelectbox']").first.click()
    page.keyboard.type("统战部 行政许可 不存在")
    empty = page.locator("[role='listbox'][data-empty='true'] span").first
    empty.wait_for(timeout=30_000)
    said = empty.evaluate("e => [getComputedStyle(e).fontSize, getComputedStyle(e, '::after').content]")
    assert said == ["0px", '"没有匹配的选项"']
    page.keyboard.press("Escape")


def test_a_date_typed_in_the_leave_check_counts_on_enter(server, page):
    """A head types the last day of a leave and presses Enter: the check answers for the new dates
    at once, without first clicking elsewhere (Streamlit takes a typed date only when its field
    loses focus)."""
    page.goto(f"{server}/people")
    page.wait_for_selector("h1", timeout=60_000)
    settle(page)
    page.get_by_role("tab", name="请假").click()
    end = page.locator("[data-testid='stDateInput']").filter(has_text="结束").first
    end.wait_for(timeout=30_000)
    before = end.locator("[role=group]").inner_text().replace("\n", "")
    day = end.locator("[data-type='day']")
    day.click()
    new_day = "27" if not before.endswith("27") else "26"
    page.keyboard.type(new_day)
    page.keyboard.press("Enter")
    wanted = f"{before[:8].replace('/', '-')}{new_day} 请假"
    page.get_by_text(wanted).first.wait_for(timeout=30_000)


def test_a_gap_is_given_to_a_stand_in_on_a_phone(server, page):
    """On a phone, the office opens Today on the demo's day of gaps (the date typed, then Enter),
    and asks the suggested person to stand in (安排顶岗): the page says it waits for their answer,
    and names it as a risk."""
    phone = page.context.browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    try:
        phone.goto(f"{server}/today")
        field = phone.locator("[data-testid='stDateInput']").filter(has_text="日期").first
        field.locator("[data-type='year']").wait_for(timeout=60_000)
        settle(phone)
        field.locator("[data-type='year']").click()
        phone.keyboard.type("20261125")
        phone.keyboard.press("Enter")
        phone.get_by_role("button", name="安排顶岗").wait_for(timeout=60_000)
        settle(phone)
        phone.get_by_role("button", name="安排顶岗").click()
        phone.get_by_text("待其确认后生效").first.wait_for(timeout=60_000)
        phone.get_by_text("尚未确认").first.wait_for(timeout=60_000)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        SHOTS.mkdir(exist_ok=True)
        phone.screenshot(path=str(SHOTS / "today-gap-390.png"), full_page=True)
    finally:
        phone.close()


def test_a_matter_across_departments_is_drawn_on_the_reform_page(server, page):
    """The reform page's 一件事一次办 tab: the demo's matter with its 四减 and its chart, a lane per
    department (the lead, 市场监管局, and 人社局), the stage they share between a split and a join."""
    page.goto(f"{server}/reform")
    page.get_by_role("tab", name="一件事一次办").wait_for(timeout=60_000)
    settle(page)
    page.get_by_role("tab", name="一件事一次办").click()
    assert chart_says(page, None, "市人力资源和社会保障局") and chart_says(page, "劳动合同备案", "时限 1 个工作日")
    page.get_by_text("30 → 12").first.wait_for(timeout=60_000)  # 减时限: 30 workdays one after another, 12 promised
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "reform-matters-1400.png"), full_page=True)


def test_the_designer_embeds_the_bpmn_js_modeler(server, page):
    page.goto(f"{server}/designer")
    page.get_by_role("tab", name="图形编辑（BPMN）").click()
    frame = page.frame_locator("iframe[title*='bpmn_modeler']")
    frame.locator(".djs-container").wait_for(timeout=60_000)
    # The process drawn from our export: its tasks are shapes of the modeler's canvas.
    frame.locator("g.djs-element[data-element-id='s1']").first.wait_for(timeout=30_000)
    # Fitted when its tab shows (it was imported while hidden): every shape inside the canvas,
    # none under the palette on the right.
    handle = page.locator("iframe[title*='bpmn_modeler']").element_handle().content_frame()
    handle.wait_for_function("""() => {
        const box = document.getElementById('canvas').getBoundingClientRect();
        const palette = document.querySelector('.djs-palette').getBoundingClientRect();
        const shapes = [...document.querySelectorAll('g.djs-element.djs-shape')].map(e => e.getBoundingClientRect())
            .filter(r => r.width > 0);
        return shapes.length > 0 && shapes.every(r => r.left >= box.left && r.right <= palette.left
                                                  && r.top >= box.top && r.bottom <= box.bottom);
    }""", timeout=30_000)
    # bpmn-js's own words in Chinese: its palette, and the pad of a step.
    assert frame.locator(".djs-palette [aria-label='创建环节']").count() == 1
    frame.locator("g.djs-element[data-element-id='s1']").first.click()
    frame.locator(".djs-context-pad [aria-label='追加环节'], .djs-context-pad [title='追加环节']").first.wait_for(timeout=10_000)
    frame.get_by_role("button", name="适应窗口").wait_for(timeout=10_000)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "designer-bpmn.png"), full_page=True)


def test_a_step_renamed_in_the_drawing_is_saved_without_applying_it_first(server, demo_url, page):
    """A head renames a step in bpmn-js: the page's chart and table follow at once (one draft: what
    the page shows is what is saved), and 保存草稿 stores the new name."""
    from roles.storage.engines import engine_for
    from roles.storage.processes import load_draft
    page.goto(f"{server}/designer")
    page.get_by_role("tab", name="图形编辑（BPMN）").click()
    frame = page.frame_locator("iframe[title*='bpmn_modeler']")
    shape = frame.locator("g.djs-element[data-element-id='s1']").first
    shape.wait_for(timeout=60_000)
    shape.dblclick()
    editor = frame.locator(".djs-direct-editing-parent")
    editor.wait_for(timeout=10_000)
    page.keyboard.press("Control+A")
    page.keyboard.type("收文登记并分办")
    page.mouse.move(5, 5)                                   # out of the drawing, towards the page's buttons
    assert chart_says(page, None, "收文登记并分办")           # the draft took it: its chart says so
    settle(page)
    asks = """() => { const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e);
                      return e.defaultPrevented; }"""
    page.wait_for_function(asks, timeout=30_000)            # not saved yet: a reload would be asked about
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_text("草稿已保存").wait_for(timeout=30_000)
    settle(page)
    page.wait_for_function(f"() => !({asks})()", timeout=30_000)  # saved: nothing to lose
    draft = load_draft(engine_for(demo_url), "rsj-p01", "after")
    assert draft is not None and draft.version.step("s1").name == "收文登记并分办"


def _upload(page, path) -> None:
    """Put a file in the workbook uploader (the first; the calendar's follows) and wait until the
    page's run with it has said it is ready to import, and has ended: a click landing in the run
    is lost."""
    page.locator("input[type='file']").first.set_input_files(str(path))
    page.get_by_text(f"待导入：{path.name}（").first.wait_for(timeout=60_000)
    settle(page)


def test_a_workbook_uploaded_in_the_browser_imports_all_or_nothing(server, page, tmp_path):
    """The office uploads a workbook with a wrong holder: the problem is named in plain view (that
    nothing is stored then, the store's import tests show); the corrected file then imports."""
    from ..conftest import BIANBAN
    bad = tmp_path / "bianban.yaml"
    bad.write_text(BIANBAN.read_text(encoding="utf-8").replace("a: bb07, b: bb06", "a: bb07, b: bb99", 1), "utf-8")
    page.goto(f"{server}/data")
    page.get_by_text("导入工作簿").first.wait_for(timeout=60_000)
    upload = lambda path: _upload(page, path)  # noqa: E731
    upload(bad)
    page.get_by_role("button", name="导入", exact=True).click()
    page.get_by_text("未导入").first.wait_for(timeout=60_000)
    page.get_by_text("字段 'b'：工作簿和数据库中都没有人员 'bb99'").first.wait_for(state="visible", timeout=30_000)
    page.screenshot(path=str(SHOTS / "data-refused.png"), full_page=True)
    # A kilobyte of nested YAML aliases that would stand for gigabytes: refused at once, named.
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("version: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 9)), encoding="utf-8")
    upload(bomb)
    page.get_by_role("button", name="导入", exact=True).click()
    page.get_by_text("被别名（*name）或合并键再次引用").first.wait_for(state="visible", timeout=30_000)
    upload(BIANBAN)
    page.get_by_role("button", name="导入", exact=True).click()
    page.get_by_text("已导入 bianban.yaml").first.wait_for(timeout=60_000)
    page.goto(f"{server}/flowchart")
    page.get_by_text("改革前环节").first.wait_for(timeout=60_000)


def test_the_published_site_finds_a_process_by_several_words(demo_url, page, tmp_path):
    """The site is files (served by the proxy): its front page searches every process and section
    in the reader's browser, by every word typed, and says when nothing is found."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
    subprocess.run([ABFLOW, "--db", demo_url, "publish", "--out", str(tmp_path / "site")], check=True,
                   capture_output=True)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path / "site"))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    reader = page.context.browser.new_page()
    try:
        reader.goto(f"http://127.0.0.1:{server.server_address[1]}/r1/index.html")
        reader.get_by_role("searchbox").fill("市场 食品")
        reader.locator("#hits a").filter(has_text="食品生产许可").first.wait_for(timeout=30_000)
        assert all("食品" in x and "市场" in x for x in reader.locator("#hits a").all_inner_texts())
        reader.locator("#hits a").filter(has_text="食品生产许可").first.click()
        reader.wait_for_url("**/p-scj-p05.html")
        reader.go_back()
        reader.get_by_role("searchbox").fill("没有这个词")
        reader.get_by_text("没有找到").wait_for(timeout=30_000)
    finally:
        reader.close()
        server.shutdown()
        server.server_close()
