"""What the browser tests share: Debian's Chromium (skipped only where it or Playwright is absent,
and failing then in CI), and the app served by `abflow serve` on a database of the test's."""
from __future__ import annotations

import contextlib
import importlib.util
import subprocess
from collections.abc import Iterator
from pathlib import Path

from bench import serving as serving_
from bench.serving import ABFLOW as ABFLOW, CHROMIUM as CHROMIUM

from .conftest import require


def require_browser() -> None:
    require(CHROMIUM is not None and importlib.util.find_spec("playwright") is not None, "Chromium and Playwright")


#: The app's own word that a run is over (ui.state.run_drawn writes it last, numbered): a run the
#: page has not seen settle yet, drawn whole, no element of it stale, the running indicator gone.
_SETTLED = """(started) => {
    const mark = document.querySelector("[data-testid='abflow-ran']");
    if (!mark || mark.closest("[data-stale='true']") || document.querySelector("[data-testid='stStatusWidget']")
        || document.querySelector("[data-testid='stSkeleton']")) return false;
    const run = mark.dataset.run;
    if (started && window.__abflowSettled === run) return false;
    window.__abflowSettled = run;
    return true;
}"""


def settle(page, started: bool = True) -> None:
    """Wait until the app has finished the run the last action started: a click that lands during
    that run is lost, or acts on the page as it was. It waits for a run newer than the one the last
    settle saw (a new page load starts counting afresh); with `started` false, for the page to be
    drawn whole, when no action started a run. It waits for the app, never for time."""
    page.wait_for_function(_SETTLED, arg=started, timeout=60_000)


def pick(page, label: str) -> None:
    """Choose the radio option `label` (the last of that name on the page) and wait for the run the
    choice starts; an option chosen already starts none, and is left as it is."""
    radio = page.get_by_role("radio", name=label, exact=True).last
    radio.wait_for(state="attached", timeout=60_000)
    if radio.is_checked():
        return
    page.get_by_text(label, exact=True).last.click(timeout=60_000)
    settle(page)


#: Whether a flowchart on the page (an SVG image) writes `text`, on the step named `step` if given.
_CHART_SAYS = """([step, text]) => [...document.querySelectorAll("img[src^='data:image/svg+xml']")].some(img => {
    const svg = new TextDecoder().decode(Uint8Array.from(atob(img.src.split(",")[1]), c => c.charCodeAt(0)));
    const at = step === null ? 0 : svg.indexOf(step);
    return at >= 0 && (step === null ? svg : svg.slice(at, at + 400)).includes(text);
})"""


def chart_says(page, step: str | None, text: str, timeout: float = 60_000) -> bool:
    """Whether the page's flowchart comes to write `text` (on `step`), waiting up to `timeout` ms:
    the app's own word that what was asked of the chart has been drawn."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    try:
        page.wait_for_function(_CHART_SAYS, arg=[step, text], timeout=timeout)
    except PlaywrightTimeout:
        return False
    return True


def download(page, button: str, target: Path, tries: int = 3) -> Path:
    """Click the download button named `button` and save what it sends to `target`. A click that
    lands while the app reruns (its buttons being replaced) sends nothing: click again, each time
    waiting for the browser's download event, never for a time."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    for attempt in range(tries):
        settle(page, started=False)  # drawn whole: the button a click needs is the one that stays
        try:
            with page.expect_download(timeout=60_000) as done:
                page.get_by_role("button", name=button).click(timeout=60_000)  # enabled once its run is over, however busy
            break
        except PlaywrightTimeout:
            if attempt == tries - 1:
                raise
    done.value.save_as(target)
    return target


def _office_day():
    """The first workday from today, in China's time: the servers run as of it (ABFLOW_TODAY), so
    that a staff member has a day's duties on Saturday too."""
    from roles import clock
    from roles.engines.calendar import WorkCalendar
    return WorkCalendar().next_workdays(clock.today(), 1)[0]


OFFICE_DAY = _office_day()


def start_server(url: str, command: str = "serve", env: dict[str, str] | None = None) -> tuple[subprocess.Popen, int]:
    """The server as of the office's day (ABFLOW_TODAY), `env` besides."""
    return serving_.start_server(url, command, {"ABFLOW_TODAY": OFFICE_DAY.isoformat(), **(env or {})})


@contextlib.contextmanager
def serving(url: str, command: str = "serve", env: dict[str, str] | None = None) -> Iterator[str]:
    """The app (or the API) as of the office's day, on a free port, until the block ends; yields its address."""
    with serving_.serving(url, command, {"ABFLOW_TODAY": OFFICE_DAY.isoformat(), **(env or {})}) as base:
        yield base
