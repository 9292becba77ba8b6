"""App pages in a real browser at city scale (`python -m bench.browser`, part of `make bench`):
`abflow serve` on the generated city (SQLite), Debian's Chromium through Playwright. The reform
office, then a section head, signs in and lands on Today (target ≤ 2 s from the click to the page
drawn whole), then opens each page from the sidebar twice: the first visit, and again as every
later visit is (target ≤ 1 s). A page counts as drawn when its title is the page's and the app has
marked the end of a run begun after the click (ui.state.run_drawn, drawn after everything else):
the app's own signal, no fixed waits."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console

from bench.city import BENCH
from bench.serving import CHROMIUM, serving

#: Navigation title → page; Today is where a sign-in lands.
PAGES = {"流程图": "flowchart", "流程设计": "designer", "审核": "review", "人员与AB角": "people",
         "改革成效": "reform", "数据导入导出": "data", "今日在岗": "today"}
#: Who signs in: the reform office (the whole city on every page) and a section head (their own section first).
USERS = ("office", "head")
PASSWORD = "bench-pass-1"  # noqa: S105 - an account of a throwaway database
#: How many runs the app has said it finished in this session (ui.state.run_drawn's mark).
RUNS = """() => Math.max(0, ...[...document.querySelectorAll("[data-testid='abflow-ran']")].map(e => +e.dataset.run))"""
#: The page's title is `title` and a run after the `before`-th has finished.
DRAWN = f"""([title, before]) => document.querySelector("h1")?.innerText === title && ({RUNS})() > before"""
#: Drawn, and signed in: the sidebar offers to sign out.
SIGNED_IN = f"""([title, before]) => ({DRAWN})([title, before])
    && [...document.querySelectorAll("button")].some(b => b.innerText.trim() === "退出登录")"""


def _city(tmp: Path) -> str:
    """The city in a SQLite file, with the accounts `office` and `head` (a section head's)."""
    from bench.city import city_workbook
    from roles import actions
    from roles.formats import workbook_files as formats
    from roles.formats.workbook import to_tree
    url = f"sqlite:///{tmp}/city.db"
    wb = city_workbook(dt.date(2026, 11, 25))
    city = tmp / "city.json"
    city.write_bytes(formats.write_tree(to_tree(wb), city.name))
    db = actions.open_database(url)
    actions.import_workbook(db, BENCH, data=city.read_bytes(), name=city.name)
    head = next(p for p in wb.people if p.post == "head")
    actions.add_account(db, BENCH, username="office", password=PASSWORD, role="office")
    actions.add_account(db, BENCH, username="head", password=PASSWORD, role="head", person_id=head.id)
    return url


def _timed(page, action, title: str, drawn: str = DRAWN) -> float:
    """Seconds from `action` to the page `title` drawn whole by a run that began after it."""
    before = page.evaluate(RUNS) if page.url.startswith("http") else 0
    t0 = time.perf_counter()
    action(page)
    page.wait_for_function(drawn, arg=[title, before], timeout=60_000, polling=20)
    return time.perf_counter() - t0


def measure(base: str, user: str, runs: int) -> dict[str, float]:
    """Seconds, medians over `runs` fresh sessions: opening the app, `sign-in + Today` (from the
    click to Today drawn), then each page's first visit and later visit."""
    from playwright.sync_api import sync_playwright
    seen: dict[str, list[float]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            page = context.new_page()
            seen.setdefault("open", []).append(_timed(page, lambda p: p.goto(base), "今日在岗"))  # the sign-in form
            page.get_by_label("用户名").fill(user)
            page.get_by_label("密码").fill(PASSWORD)
            seen.setdefault("sign-in + Today", []).append(
                _timed(page, lambda p: p.get_by_role("button", name="登录").click(), "今日在岗", SIGNED_IN))
            for visit in ("first", "again"):
                for title in PAGES:
                    seen.setdefault(f"{title} {visit}", []).append(_timed(page, lambda p, title=title: p.locator(
                        "[data-testid='stSidebarNav'] a").filter(has_text=title).first.click(), title))
            context.close()
        browser.close()
    return {k: statistics.median(v) for k, v in seen.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    opts = ap.parse_args()
    if CHROMIUM is None:
        raise SystemExit("Chromium is not installed (make setup installs it)")
    err = Console(stderr=True)
    with tempfile.TemporaryDirectory() as tmp:
        with err.status("importing the city"):
            url = _city(Path(tmp))
        with serving(url) as base:
            figures = {}
            for user in USERS:
                with err.status(f"{user}: signing in and opening each page"):
                    figures[user] = measure(base, user, opts.runs)
    if opts.json:
        print(json.dumps(figures, indent=2))
        return
    out = Console()
    out.print(f"{'':24}" + "".join(f"{user:>16}" for user in USERS))
    for key, words in [("open", "open the app"), ("sign-in + Today", "sign-in + Today (≤ 2)"),
                       *((f"{title} {visit}", f"{name} {visit}" + (" (≤ 1)" if visit == "again" else ""))
                         for title, name in PAGES.items() for visit in ("first", "again"))]:
        out.print(f"{words:24}" + "".join(f"{figures[user][key]:>14.2f} s" for user in USERS))


if __name__ == "__main__":
    main()
