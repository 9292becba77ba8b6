"""BPMN import benchmark (`python -m bench.bpmn`, part of `make bench`): reading every file of
tests/data/bpmn into our model (defusedxml parse, process, lanes, counts) against a plain
lxml parse of the same bytes, timed in the same run, median of runs. Target: within 3×."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from lxml import etree
from rich.console import Console

from bench.timing import alternating
from flows.bpmn import BpmnError, read

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "bpmn"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    opts = ap.parse_args()
    files = [(p.name, p.read_bytes()) for p in sorted(CORPUS.rglob("*.bpmn"))]

    def ours():
        for name, data in files:
            try:
                read(data, name)
            except BpmnError:
                pass

    def plain():
        for _, data in files:
            etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, recover=True))

    times = alternating(("lxml", plain), ("ours", ours), opts.runs)
    figures = {"files": len(files), "MB": round(sum(len(d) for _, d in files) / 1e6, 2),
               "lxml parse, s": times["lxml"], "abflow read, s": times["ours"]}
    figures["ratio"] = figures["abflow read, s"] / figures["lxml parse, s"]
    if opts.json:
        print(json.dumps(figures, indent=2))
    else:
        Console().print(f"{figures['files']} corpus files ({figures['MB']} MB): lxml parse {figures['lxml parse, s']:.3f} s, "
                        f"abflow read {figures['abflow read, s']:.3f} s, ratio {figures['ratio']:.2f} (target ≤ 3)")


if __name__ == "__main__":
    main()
