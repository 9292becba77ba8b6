"""Run inside a network namespace with only a loopback interface (tests/test_bundle.py): the
abflow installed from the offline bundle serves its pages and the API's docs in Chromium,
publishes the site, prints a chart and sends a notice to an SMTP server on loopback. Every
request the browser makes is recorded; prints a JSON report. `python offline_check.py PREFIX WORK`."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this repository's bench.serving
from bench.serving import free_port, serving

prefix, work = Path(sys.argv[1]), Path(sys.argv[2])
ABFLOW = str(prefix / "venv" / "bin" / "abflow")
DB = f"sqlite:///{work / 'demo.db'}"
DAY = "2026-11-25"
ENV = {"ABFLOW_TODAY": DAY, "HOME": str(work)}
report: dict = {"outside": [], "pages": {}, "errors": []}


def run(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([ABFLOW, "--db", DB, *args], capture_output=True, text=True, timeout=600, env={**os.environ, **ENV})
    if done.returncode != 0:
        report["errors"].append(f"abflow {' '.join(args)}: {done.stderr[-500:]}")
    return done


run("demo", "--today", DAY)
pid = json.loads(run("stats", "--json").stdout)["processes"][0]["process"]
run("publish", "--out", str(work / "site"))
report["published"] = (work / "site" / "r1" / "index.html").is_file()
run("print", pid, "-o", str(work / "chart.pdf"))
report["printed"] = (work / "chart.pdf").read_bytes()[:4] == b"%PDF"

from aiosmtpd.controller import Controller  # noqa: E402


class Box:
    messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.rcpt_tos)
        return "250 OK"


smtp_port = free_port()
mailbox = Controller(Box(), hostname="127.0.0.1", port=smtp_port)
mailbox.start()
roster = json.loads(run("roster", "--date", DAY, "--json").stdout)["steps"]
someone = roster[0]["acting"]
run("contacts", "set", someone, f"mailto://127.0.0.1:{smtp_port}?from=abflow@example.org&to=x@example.gov.cn&secure=no")
run("notify", "--date", DAY)
mailbox.stop()
report["mailed"] = len(Box.messages)

with serving(DB, "serve", ENV, ABFLOW) as app_url, serving(DB, "api", ENV, ABFLOW) as api_url:
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        page.on("request", lambda r: urlsplit(r.url).hostname not in ("127.0.0.1", "localhost", None)
                and not r.url.startswith(("data:", "blob:")) and report["outside"].append(r.url))
        for path, title in (("today", "今日在岗"), ("flowchart", "流程图"), ("designer", "流程设计"), ("reform", "改革成效")):
            page.goto(f"{app_url}/{path}")
            page.wait_for_function("t => document.querySelector('h1')?.innerText === t", arg=title, timeout=60_000)
            page.wait_for_function("() => document.querySelector(\"[data-testid='abflow-ran']\")", timeout=60_000)
            report["pages"][path] = page.locator("[data-testid='stException']").count() == 0
        page.goto(f"{app_url}/designer")
        page.get_by_role("tab", name="图形编辑（BPMN）").click()
        page.frame_locator("iframe[title*='bpmn_modeler']").locator(".djs-container").wait_for(timeout=60_000)
        report["pages"]["bpmn-js"] = True
        page.goto(f"{api_url}/docs")
        page.locator(".swagger-ui .info").wait_for(timeout=60_000)
        report["pages"]["api-docs"] = True
        browser.close()
print(json.dumps(report))
