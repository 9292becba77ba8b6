"""App pages at city scale (`python -m bench.app`, part of `make bench`): each page run through
Streamlit's AppTest on the generated city (SQLite), once to warm the caches as a first visitor
does, then timed over further runs as every later click is. Target: under a second a page."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console
from streamlit.testing.v1 import AppTest
from bench.city import BENCH

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("today", "flowchart", "designer", "review", "people", "reform", "data", "audit")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    opts = ap.parse_args()
    from bench.city import city_workbook
    from roles import actions
    from roles.formats import workbook_files as formats
    from roles.formats.workbook import to_tree
    err = Console(stderr=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/city.db"
        with err.status("importing the city"):
            city = Path(tmp) / "city.json"
            city.write_bytes(formats.write_tree(to_tree(city_workbook(dt.date(2026, 11, 25))), city.name))
            actions.import_workbook(actions.open_database(url), BENCH, data=city.read_bytes(), name=city.name)
        os.environ["ABFLOW_DB"] = url
        # What AppTest itself costs on a first run (a fresh runtime, Streamlit's own imports): a page
        # that only writes a line, timed the same way, and subtracted from each first visit.
        blank = Path(tmp) / "blank.py"
        blank.write_text("import streamlit as st\nimport pandas as pd\nst.write('x')\n")
        starts = []
        for _ in range(3):
            t0 = time.perf_counter()
            AppTest.from_file(str(blank), default_timeout=120).run()
            starts.append(time.perf_counter() - t0)
        overhead = statistics.median(starts)
        figures = {}
        for name in PAGES:
            at = AppTest.from_file(str(ROOT / "ui" / "views" / f"{name}.py"), default_timeout=120)
            with err.status(f"{name}: first visit"):
                t0 = time.perf_counter()
                at.run()
                first = time.perf_counter() - t0
            if at.exception:
                raise SystemExit(f"{name}: {at.exception[0].message}")
            times = []
            for _ in range(opts.runs):
                t0 = time.perf_counter()
                at.run()
                times.append(time.perf_counter() - t0)
            figures[name] = {"first": first, "first, beyond AppTest": first - overhead,
                             "again": statistics.median(times)}
    if opts.json:
        print(json.dumps(figures, indent=2))
        return
    Console().print(f"AppTest start-up (a blank page): {overhead:.2f} s")
    for name, f in figures.items():
        Console().print(f"{name:10} first visit {f['first']:.2f} s ({f['first, beyond AppTest']:.2f} s beyond "
                        f"AppTest), then {f['again']:.2f} s a run (target < 1)")


if __name__ == "__main__":
    main()
