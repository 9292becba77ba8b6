"""Flowchart benchmark (`python -m bench.render`, part of `make bench`): every redesigned process
of the generated city drawn as SVG, the way `abflow publish` draws them (labels, DOT, `dot` through
the graphviz package, a pool as wide as the machine), against bare `dot -Tsvg` run on the very same
DOT text with the same pool. The ratio is the overhead of our path; the machine is shared, so both
are timed in the same run, alternating, median of runs. Then the whole city published as the
site, first into an empty folder (every chart drawn), then again after one process changed."""
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
    figures |= _publish_city(wb, err)
    if opts.json:
        print(json.dumps(figures, indent=2))
    else:
        Console().print(f"{len(procs)} flowcharts as SVG with {workers} workers: bare dot "
                        f"{figures['bare dot, s']:.2f} s, abflow {figures['abflow, s']:.2f} s, "
                        f"ratio {figures['ratio']:.2f} (target ≤ 1.2)")
        Console().print(f"the city's site, {figures['site: charts']} charts: first publish live "
                        f"{figures['site: first publish live, s']:.1f} s (target ≤ 60), its documents done "
                        f"{figures['site: first publish, s']:.1f} s, one process changed "
                        f"{figures['site: one process changed, s']:.1f} s (target ≤ 10), first release "
                        f"{figures['site: first release, MB']:.0f} MB")


def _publish_city(wb, err: Console) -> dict:
    """The city's site published into an empty folder, then again with one process changed."""
    import dataclasses
    import tempfile
    import time
    from pathlib import Path

    from roles.formats.site import Live, publish
    from ui.charts import site_words
    words = site_words("zh")
    live: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        with err.status("publishing the city, every chart drawn") as status:
            t0 = time.perf_counter()

            def said(stage) -> None:
                if isinstance(stage, Live):
                    live.append(time.perf_counter() - t0)  # the pages are up; the documents follow
                status.update(stage.text("zh"))
            publish(wb, Path(tmp), words, said)
            first = time.perf_counter() - t0
        # what a department downloads of the first release, hard links to the kept drawings counted
        size = sum(f.stat().st_size for f in (Path(tmp) / "r1").rglob("*") if f.is_file()) / 1e6
        p = next(p for p in wb.processes if p.after is not None)
        renamed = dataclasses.replace(p.after, steps=(dataclasses.replace(p.after.steps[0], name="改名后的环节"),
                                                      *p.after.steps[1:]))
        changed = dataclasses.replace(wb, processes=tuple(dataclasses.replace(x, after=renamed) if x is p else x
                                                          for x in wb.processes))
        with err.status("publishing again, one process changed"):
            t0 = time.perf_counter()
            publish(changed, Path(tmp), words)
            again = time.perf_counter() - t0
        charts = len(list((Path(tmp) / ".charts").iterdir()))
    return {"site: charts": charts, "site: first publish live, s": live[0], "site: first publish, s": first,
            "site: one process changed, s": again, "site: first release, MB": size}


if __name__ == "__main__":
    main()
