"""Flowchart benchmark (`python -m bench.render`, part of `make bench`): every redesigned process
of the generated city drawn as SVG, the way `abflow publish` draws them (labels, DOT, `dot` through
the graphviz package, a pool as wide as the machine), against bare `dot -Tsvg` run on the very same
DOT text with the same pool. The ratio is the overhead of our path; the machine is shared, so both
are timed in the same run, alternating, median of runs."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

from rich.console import Console

from bench.timing import alternating
from flows.render import render, to_dot
from ui.charts import chart_labels


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--processes", type=int, default=300, help="how many of the city's processes")
    ap.add_argument("--json", action="store_true")
    opts = ap.parse_args()
    from bench.city import city_workbook
    err = Console(stderr=True)
    with err.status("generating the city"):
        wb = city_workbook(dt.date(2026, 11, 25))
    procs = [p for p in wb.processes if p.after is not None][:opts.processes]
    workers = os.cpu_count() or 2
    dots = [to_dot(p.after, chart_labels(wb, p.id, "after", "zh"), "LR") for p in procs]

    def ours() -> None:
        with ThreadPoolExecutor(workers) as pool:
            sources = pool.map(lambda p: to_dot(p.after, chart_labels(wb, p.id, "after", "zh"), "LR"), procs)
            list(pool.map(lambda d: render(d, "svg"), list(sources)))

    def bare() -> None:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda d: subprocess.run(["dot", "-Tsvg"], input=d.encode(), capture_output=True,
                                                   check=True).stdout, dots))

    times = alternating(("bare", bare), ("ours", ours), opts.runs, err)
    figures = {"processes": len(procs), "workers": workers, "bare dot, s": times["bare"], "abflow, s": times["ours"]}
    figures["ratio"] = figures["abflow, s"] / figures["bare dot, s"]
    if opts.json:
        print(json.dumps(figures, indent=2))
    else:
        Console().print(f"{len(procs)} flowcharts as SVG with {workers} workers: bare dot "
                        f"{figures['bare dot, s']:.2f} s, abflow {figures['abflow, s']:.2f} s, "
                        f"ratio {figures['ratio']:.2f} (target ≤ 1.2)")


if __name__ == "__main__":
    main()
