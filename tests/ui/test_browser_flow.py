"""Each user's journey in a real browser, as the issue that asked for them names them: a head
reassigns a B holder and submits it, the leader in charge approves it, the chart shows who
approved it and the new holder finds the step on Today; a head finds a process by its
department, renames a step in the drawing, saves, publishes and prints it; a staff member stays
signed in through reloads and reads their day in a sentence, on a phone too; the office sees the
departments under 30% and narrows the rule check to errors; two servers on one PostgreSQL see
each other's changes. Screenshots go to .screens/."""
from __future__ import annotations

import subprocess

import pytest

from roles.storage import organisation
from roles.engines.roster import roster
from roles.storage.engines import engine_for
from roles.storage.processes import load_draft

from ..browser import ABFLOW, CHROMIUM, OFFICE_DAY, chart_says, download, pick, require_browser, serving, settle
from ..conftest import ROOT, TESTER, save_workbook
SHOTS = ROOT / ".screens"
TODAY = OFFICE_DAY  # the office's day, which the app (ABFLOW_TODAY) and `demo --today` use


def demo_with_accounts(url: str) -> None:
    """The demo, with a section head (rs01), a staff member (rs05) and the leader in charge of
    人社局 (rsj), who sign in."""
    run = lambda *a, **kw: subprocess.run([ABFLOW, "--db", url, *a], check=True, capture_output=True, text=True, **kw)  # noqa: E731
    run("demo", "--today", TODAY.isoformat())
    run("accounts", "add", "head-zh", "--role", "head", "--person", "rs01", "--password-stdin", input="head-pass-1\n")
    run("accounts", "add", "staff-05", "--role", "staff", "--person", "rs05", "--password-stdin", input="staff-pass-1\n")
    run("accounts", "add", "leader-rs", "--role", "leader", "--leads", "rsj", "--password-stdin",
        input="leader-pass-1\n")


def demo_site(tmp_path_factory, name: str):
    """The app on a demo of its own (with accounts), until the module is done: (address, URL)."""
    require_browser()
    url = f"sqlite:///{tmp_path_factory.mktemp(name) / f'{name}.db'}"
    demo_with_accounts(url)
    with serving(url) as base:
        yield base, url


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from demo_site(tmp_path_factory, "flow")


def sign_in(page, base: str, path: str, username: str, password: str) -> None:
    page.goto(f"{base}/{path}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def mine(url: str, person: str) -> int:
    wb = organisation.load(engine_for(url))
    return sum(person in (d.a, d.b, d.acting, d.suggested) for d in roster(wb, TODAY).steps)


def reassign_b(page, base: str) -> None:
    """As head-zh in the designer: rsj-p01 s1 收文登记's B holder rs04 → rs05 (唐晓东), submitted
    for review; then, as the leader in charge of 人社局, approved on the review page."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    sign_in(page, base, "designer", "head-zh", "head-pass-1")
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for(timeout=60_000)
    settle(page)
    box = grid.bounding_box()
    # A click on a grid still being drawn is lost: the edit is made again until the draft's live
    # chart (the app's own word that it took the edit) shows the new holder on 收文登记.
    for _ in range(3):
        page.mouse.click(box["x"] + 60, box["y"] + 35 + 17)  # row s1, column 编号
        for _ in range(5):
            page.keyboard.press("ArrowRight")               # → 环节, 类型, 下一环节, 主办, 备岗
        page.keyboard.press("Enter")
        try:  # the cell's editor has the focus
            page.wait_for_function("['TEXTAREA', 'INPUT'].includes(document.activeElement?.tagName)", timeout=10_000)
        except PlaywrightTimeout:
            continue
        page.keyboard.type("rs05")
        page.keyboard.press("Enter")
        settle(page)  # the edit reruns the page
        if chart_says(page, "收文登记", "唐晓东", timeout=15_000):
            break
    else:
        raise AssertionError("the designer's chart never showed the edited B holder")
    page.get_by_label("送审说明").fill("收文登记备岗改为唐晓东")
    page.get_by_role("button", name="提交审核", exact=True).click()
    page.get_by_text("已提交审核").wait_for(timeout=30_000)
    settle(page)
    page.get_by_role("button", name="退出登录").click()
    page.get_by_label("用户名").wait_for(timeout=60_000)
    settle(page)
    sign_in(page, base, "review", "leader-rs", "leader-pass-1")
    page.get_by_text("收文登记备岗改为唐晓东").wait_for(timeout=60_000)  # the author's note beside the drawing
    assert chart_says(page, "收文登记", "唐晓东")                     # the draft drawn, the change marked
    settle(page)
    page.get_by_role("button", name="批准生效").click()
    page.get_by_text("已批准").first.wait_for(timeout=30_000)
    settle(page)


def steps_shown(page) -> int:
    metric = page.locator("[data-testid='stMetric']").filter(has_text="环节").first
    metric.wait_for(timeout=60_000)
    return int(metric.locator("[data-testid='stMetricValue']").inner_text().strip())


def test_a_head_reassigns_a_b_holder_and_the_new_holder_sees_it(site):
    base, url = site
    from playwright.sync_api import sync_playwright
    before = mine(url, "rs05")
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        reassign_b(page, base)
        page.screenshot(path=str(SHOTS / "flow-designer-saved.png"), full_page=True)
        assert organisation.load(engine_for(url)).process_by_id["rsj-p01"].after.step("s1").b == "rs05"

        # The published flowchart shows the new B holder on 收文登记, and who approved it.
        page.get_by_role("link", name="流程图").click()  # within the signed-in session
        page.wait_for_url("**/flowchart")
        settle(page)  # the review page's chart gone, the flowchart page's drawn
        assert chart_says(page, "收文登记", "唐晓东")
        page.get_by_text("审批记录：leader-rs").wait_for(timeout=60_000)

        # The new holder signs in: Today opens on their own day, now with one more step.
        page.get_by_role("button", name="退出登录").click()
        page.get_by_label("用户名").wait_for(timeout=60_000)  # signed out, the browser's cookie cleared
        settle(page)
        sign_in(page, base, "", "staff-05", "staff-pass-1")
        page.get_by_text("今日在岗").first.wait_for(timeout=60_000)
        after = mine(url, "rs05")
        assert after == before + 1
        assert steps_shown(page) == after
        # Staff find no designer and no audit trail among their pages; the head found the designer.
        nav = page.locator("[data-testid='stSidebarNav']")
        assert nav.get_by_role("link", name="流程图").count() == 1
        assert nav.get_by_role("link", name="流程设计").count() == 0 and nav.get_by_role("link", name="操作记录").count() == 0
        page.screenshot(path=str(SHOTS / "flow-today-staff.png"), full_page=True)
        browser.close()


@pytest.fixture
def two_servers(db_url):
    """The demo on PostgreSQL, served by two `abflow serve` processes, as behind a proxy."""
    require_browser()
    demo_with_accounts(db_url)
    with serving(db_url) as one, serving(db_url) as two:
        yield one, two, db_url


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_servers_on_one_postgresql_see_each_others_changes(two_servers):
    """Each server keeps the loaded data until the database's data version moves: a change made
    through one server shows on the other's next page run."""
    one, two, url = two_servers
    from playwright.sync_api import sync_playwright
    before = mine(url, "rs05")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        staff = browser.new_page(viewport={"width": 1400, "height": 1100})
        sign_in(staff, two, "", "staff-05", "staff-pass-1")
        assert steps_shown(staff) == before                  # server two has loaded the data
        head = browser.new_page(viewport={"width": 1400, "height": 1100})
        reassign_b(head, one)                                # the change, through server one
        assert mine(url, "rs05") == before + 1
        staff.get_by_role("link", name="今日在岗").click()    # server two's next page run
        settle(staff)
        assert steps_shown(staff) == before + 1
        browser.close()


def test_a_sign_in_lasts_through_a_reload_and_a_new_tab_until_signing_out(site):
    base, url = site
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        sign_in(page, base, "", "staff-05", "staff-pass-1")
        page.get_by_text("已登录：staff-05").wait_for(timeout=60_000)
        settle(page)
        page.reload()                                              # a reload: still signed in
        page.get_by_text("已登录：staff-05").wait_for(timeout=60_000)
        page.get_by_text("唐晓东今天").wait_for(timeout=60_000)  # and their own day, in a sentence
        other = context.new_page()                                 # a new tab: signed in too
        other.goto(f"{base}/people")
        other.get_by_text("已登录：staff-05").wait_for(timeout=60_000)
        phone = context.new_page()                                 # the same person on a phone's width
        phone.set_viewport_size({"width": 390, "height": 844})
        phone.goto(base)
        phone.get_by_text("唐晓东今天").wait_for(timeout=60_000)
        phone.close()
        cookie = next(c for c in context.cookies() if c["name"] == "abflow_session")
        assert cookie["sameSite"] == "Strict" and "staff-05" not in cookie["value"]  # signed, not a name in clear
        page.get_by_role("button", name="退出登录").click()
        page.get_by_label("用户名").wait_for(timeout=60_000)
        settle(page)
        page.reload()                                              # signed out stays signed out
        page.get_by_label("用户名").wait_for(timeout=60_000)
        assert not [c for c in context.cookies() if c["name"] == "abflow_session"]
        browser.close()


def signed_in_as(page, base: str, username: str) -> bool:
    """Whether the page, opened afresh, is signed in (else it shows the sign-in form)."""
    page.goto(base)
    page.get_by_text(f"已登录：{username}").or_(page.get_by_label("用户名")).first.wait_for(timeout=60_000)
    return page.get_by_text(f"已登录：{username}").count() > 0


def test_a_copied_cookie_is_worth_nothing_after_sign_out_or_a_new_password(site):
    """A cookie copied from a signed-in browser signs in elsewhere only while its session holds:
    not after signing out, and not after the office sets a new password, which also ends the
    session still open in the first browser at its next run."""
    base, url = site
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        first = browser.new_context()
        page = first.new_page()
        sign_in(page, base, "", "staff-05", "staff-pass-1")
        page.get_by_text("已登录：staff-05").wait_for(timeout=60_000)
        copied = [c for c in first.cookies() if c["name"] == "abflow_session"]
        thief = browser.new_context()
        thief.add_cookies(copied)
        assert signed_in_as(thief.new_page(), base, "staff-05")          # while it holds, it signs in
        page.get_by_role("button", name="退出登录").click()
        page.get_by_label("用户名").wait_for(timeout=60_000)
        replay = browser.new_context()
        replay.add_cookies(copied)
        assert not signed_in_as(replay.new_page(), base, "staff-05")     # signed out: the copy is dead

        sign_in(page, base, "", "staff-05", "staff-pass-1")
        page.get_by_text("已登录：staff-05").wait_for(timeout=60_000)
        settle(page)
        copied = [c for c in first.cookies() if c["name"] == "abflow_session"]
        subprocess.run([ABFLOW, "--db", url, "accounts", "passwd", "staff-05", "--password-stdin"],
                       input="staff-pass-1\n", check=True, capture_output=True, text=True)  # the office resets it
        replay = browser.new_context()
        replay.add_cookies(copied)
        assert not signed_in_as(replay.new_page(), base, "staff-05")
        page.get_by_role("link", name="人员与AB角").click()                 # the open session's next run
        page.get_by_text("登录已结束").wait_for(timeout=60_000)
        browser.close()


def test_a_forwarded_address_counts_only_from_a_trusted_proxy(site):
    """A client that reaches the app directly cannot name its own address in X-Real-IP (the
    sign-in throttle keys on the connection's); behind a proxy the installation trusts, the
    address the proxy reports is the one throttled."""
    _, url = site
    from playwright.sync_api import sync_playwright
    from roles.storage.audit import audit_trail

    def failed_from(base: str, spoof: str) -> str:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_context(extra_http_headers={"X-Real-IP": spoof}).new_page()
            sign_in(page, base, "", f"nobody-{spoof}", "wrong-password-1")
            page.get_by_text("用户名或密码不正确").wait_for(timeout=60_000)
            browser.close()
        [row] = [r for r in audit_trail(engine_for(url)) if r.action == "signin.failed" and r.subject == f"nobody-{spoof}"]
        return row.after["client"]

    with serving(url) as direct:
        assert failed_from(direct, "203.0.113.41") == "127.0.0.1"
    with serving(url, env={"ABFLOW_TRUSTED_PROXIES": "127.0.0.1"}) as proxied:
        assert failed_from(proxied, "203.0.113.42") == "203.0.113.42"


def choose(page, label: str, typed: str, entry: str) -> None:
    """Pick from a select box as a user finds one among a city's: type part of an entry (a
    department's name), then click the entry among those left."""
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=label).first
    chosen = box.locator("input").input_value()
    if entry in chosen and typed in chosen:  # chosen already: choosing it again starts no run to wait for
        return
    box.locator("input").click()
    page.keyboard.type(typed)
    page.get_by_role("option").filter(has_text=entry).first.click()
    settle(page)


def chart_shows(page, text: str) -> None:
    """Wait until a chart drawn in the page (an SVG data-URI image) has `text` in it."""
    page.wait_for_function("""text => [...document.images].some(i => i.src.startsWith('data:image/svg+xml')
        && new TextDecoder().decode(Uint8Array.from(atob(i.src.split(',')[1]), c => c.charCodeAt(0))).includes(text))""",
                           arg=text, timeout=60_000)


def in_the_designer(p, base: str, process: str):
    """A browser with head-zh signed in to the designer, on `process` of 人力资源和社会保障局."""
    browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    sign_in(page, base, "designer", "head-zh", "head-pass-1")
    page.get_by_text("环节表").first.wait_for(timeout=60_000)
    settle(page)
    choose(page, "流程", "人力资源和社会保障局", process)
    return browser, page


def submitted_and_approved(page, url: str, process: str) -> None:
    """The designer's draft submitted for review, and approved by the reform office (the CLI)."""
    page.get_by_role("button", name="提交审核", exact=True).click()
    page.get_by_text("已提交审核").wait_for(timeout=30_000)
    settle(page)
    subprocess.run([ABFLOW, "--db", url, "review", "approve", process], check=True, capture_output=True, text=True)


def test_a_head_finds_renames_publishes_and_prints_a_process(site, tmp_path):
    """The section head's whole job in one session: find 信访事项办理 among the department's
    processes, rename its step s3 in the drawing (bpmn-js), save, publish, and print the
    before/after sheet on A4, whose text has the new name at 8 pt or more."""
    from ..flows.test_printing import pages
    base, url = site
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser, page = in_the_designer(p, base, "信访事项办理")
        chart_shows(page, "答复并回访")
        page.get_by_role("tab", name="图形编辑（BPMN）").click()
        frame = page.frame_locator("iframe[title*='bpmn_modeler']")
        shape = frame.locator("g.djs-element[data-element-id='s3']").first
        shape.wait_for(timeout=60_000)
        shape.dblclick()
        frame.locator(".djs-direct-editing-parent").wait_for(timeout=10_000)
        page.keyboard.press("Control+A")
        page.keyboard.insert_text("答复回访并归档")
        page.mouse.move(5, 5)                           # out of the drawing: the modeler hands its edit over
        chart_shows(page, "答复回访并归档")               # the draft took it: the page's chart says so
        settle(page)
        page.get_by_role("button", name="保存草稿").click()
        page.get_by_text("草稿已保存").wait_for(timeout=30_000)
        assert load_draft(engine_for(url), "rsj-p03", "after").version.step("s3").name == "答复回访并归档"
        settle(page)
        submitted_and_approved(page, url, "rsj-p03")
        assert organisation.load(engine_for(url)).process_by_id["rsj-p03"].after.step("s3").name == "答复回访并归档"

        page.get_by_role("link", name="流程图").click()
        page.locator("img[src^='data:image/svg+xml']").wait_for(timeout=60_000)
        settle(page)
        choose(page, "流程", "人力资源和社会保障局", "信访事项办理")
        pick(page, "改革前后对照")
        chart_shows(page, "答复回访并归档")
        pdf = download(page, "下载打印版 PDF", tmp_path / "printed.pdf")
        read = pages(pdf.read_bytes())
        chars = [c for _, page_chars, _ in read for c in page_chars]
        text = "".join(c.get_text() for c in chars)
        assert {(round(w), round(h)) for (w, h), _, _ in read} == {(842, 595)}  # A4 landscape, the default
        assert min(c.size for c in chars) >= 7.99
        assert "答复回访并归档" in text and "答复并回访" not in text and "信访科登记" in text  # after and before
        browser.close()


def test_the_office_sees_departments_under_30_percent_and_filters_findings_to_errors(tmp_path):
    """The reform office on twelve departments: the ones whose section cut is under 30% are named
    in the warning and marked in the table; the rule check narrowed to errors lists no warnings."""
    require_browser()
    import datetime as dt
    from bench.city import city_workbook
    url = f"sqlite:///{tmp_path / 'city.db'}"
    wb = city_workbook(dt.date(2026, 11, 25), seed=3, departments=12, processes=60)
    save_workbook(engine_for(url), wb, user=TESTER)
    under = sum(1 - len(d.sections) / len(d.sections_before) < 0.30 for d in wb.departments)
    from playwright.sync_api import sync_playwright
    with serving(url) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{base}/reform")
        page.get_by_text(f"12 个部门中 {under} 个科室压减未达 30%").wait_for(timeout=60_000)
        settle(page)
        page.get_by_role("tab", name="规则检查").click()
        summary = page.get_by_text("项错误，")
        summary.wait_for(timeout=60_000)
        assert not summary.inner_text().endswith("0 项提示。")      # warnings among the findings at first
        box = page.locator("[data-testid='stMultiSelect']").filter(has_text="级别").first
        box.locator("input").click()
        page.get_by_role("option", name="错误", exact=True).click()
        page.keyboard.press("Escape")
        settle(page)
        page.get_by_text("项错误，0 项提示。").wait_for(timeout=60_000)
        browser.close()


DRAW_PARALLEL = """() => {
  // As a head draws it with bpmn-js's tools: the flows of 公文办理 taken away, then 收文登记 →
  // a parallel gateway → 拟办并核稿 and 科长审签 at once → a parallel join → 办理归档.
  const registry = modeler.get('elementRegistry'), modeling = modeler.get('modeling');
  const [s1, s2, s3, s4] = ['s1', 's2', 's3', 's4'].map(id => registry.get(id));
  modeling.removeElements(registry.filter(e => e.type === 'bpmn:SequenceFlow'));
  const parent = s1.parent;
  const split = modeling.createShape({type: 'bpmn:ParallelGateway'}, {x: s1.x + s1.width + 50, y: s1.y + s1.height / 2}, parent);
  const join = modeling.createShape({type: 'bpmn:ParallelGateway'}, {x: s4.x - 50, y: s4.y + s4.height / 2}, parent);
  for (const [a, b] of [[s1, split], [split, s2], [split, s3], [s2, join], [s3, join], [join, s4]]) modeling.connect(a, b);
  return split.id;
}"""


@pytest.fixture(scope="module")
def own_site(tmp_path_factory):
    """A demo of its own: this test redraws a process others read."""
    yield from demo_site(tmp_path_factory, "drawn")


def test_a_parallel_gateway_drawn_in_the_designer_is_still_parallel_when_published_and_reopened(own_site):
    """串联改并联 in the drawing: a head makes two steps of 公文办理 run at once with bpmn-js's
    parallel gateway, publishes, and opens it again: the gateways are parallel in the database, in
    the reopened drawing, and on the flowchart (BPMN's + marker)."""
    base, url = own_site
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser, page = in_the_designer(p, base, "公文办理")

        def drawing():
            page.get_by_role("tab", name="图形编辑（BPMN）").click()
            frame = page.locator("iframe[title*='bpmn_modeler']").element_handle().content_frame()
            frame.locator("g.djs-element[data-element-id='s1']").first.wait_for(timeout=60_000)
            return frame

        split = drawing().evaluate(DRAW_PARALLEL)
        page.mouse.move(5, 5)                           # out of the drawing: the modeler hands its edit over
        chart_shows(page, ">+</text>")                  # the draft took it: its chart has the parallel marker
        settle(page)
        submitted_and_approved(page, url, "rsj-p01")
        after = organisation.load(engine_for(url)).process_by_id["rsj-p01"].after
        gateways = [s for s in after.steps if s.kind == "gateway"]
        assert [g.gateway for g in gateways] == ["parallel", "parallel"] and after.step(split).next == ("s2", "s3")

        page.reload()
        page.get_by_text("环节表").first.wait_for(timeout=60_000)
        settle(page)
        choose(page, "流程", "人力资源和社会保障局", "公文办理")
        drawing().wait_for_function("() => modeler.get('elementRegistry').filter(e => e.type === 'bpmn:ParallelGateway')"
                                    ".length === 2", timeout=60_000)
        page.get_by_role("link", name="流程图").click()
        page.locator("img[src^='data:image/svg+xml']").wait_for(timeout=60_000)
        settle(page)
        choose(page, "流程", "人力资源和社会保障局", "公文办理")
        chart_shows(page, ">+</text>")  # the parallel marker, as Graphviz writes it
        browser.close()
