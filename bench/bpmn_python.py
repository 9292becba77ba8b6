"""bpmn-python on the BPMN corpus (`python -m bench.bpmn_python`, part of `make bench`): how many of
the files the stack's first choice reads, whether what it reads has the counts of the XML, and how
long it takes beside flows.bpmn. The measurement behind our own reader (README, "BPMN and
flowcharts"); installed with the `bench` extra, never by the app.

bpmn-python 0.0.18 (2017) calls `Graph.node` and `Graph.edge`, which networkx 2.4 removed. The
two aliases in `_shim` are its whole compatibility layer, kept in this one module.
"""
from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from lxml import etree
from rich.console import Console

from flows.bpmn import ACTIVITIES, EVENTS, GATEWAYS, MODEL, BpmnError, read

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "bpmn"


def _shim() -> None:
    """networkx ≥ 2.4 spells `G.node` as `G.nodes` and `G.edge` as `G.adj`."""
    import networkx as nx
    if not hasattr(nx.Graph, "node"):
        nx.Graph.node = property(lambda self: self.nodes)
    if not hasattr(nx.Graph, "edge"):
        nx.Graph.edge = property(lambda self: self.adj)


def xml_counts(data: bytes) -> tuple[int, int, int, int]:
    """Activities, gateways, events and sequence flows of every process, sub-processes' insides
    included (bpmn-python flattens them into its graph), straight from the XML."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    kinds = Counter()
    for proc in root.iter(f"{{{MODEL}}}process"):
        for child in proc.iter():
            name = etree.QName(child).localname if isinstance(child.tag, str) else ""
            kinds["a" if name in ACTIVITIES else "g" if name in GATEWAYS else "e" if name in EVENTS else
                  "f" if name == "sequenceFlow" else "-"] += 1
    return kinds["a"], kinds["g"], kinds["e"], kinds["f"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", action="store_true")
    opts = ap.parse_args()
    _shim()
    from bpmn_python.bpmn_diagram_rep import BpmnDiagramGraph
    paths = sorted(CORPUS.rglob("*.bpmn"))
    failures: Counter[str] = Counter()
    same = read_ok = 0
    t0 = time.perf_counter()
    graphs = {}
    for p in paths:
        g = BpmnDiagramGraph()
        try:
            g.load_diagram_from_xml_file(str(p))
        except Exception as e:  # noqa: BLE001 - what it fails on is the measurement
            failures[f"{type(e).__name__}: {str(e)[:50]}"] += 1
            continue
        graphs[p] = g
        read_ok += 1
    theirs_s = time.perf_counter() - t0
    for p, g in graphs.items():
        types = Counter(attrs.get("type") for _, attrs in g.get_nodes())
        got = (sum(types[t] for t in ACTIVITIES), sum(types[t] for t in GATEWAYS), sum(types[t] for t in EVENTS),
               len(g.get_flows()))
        same += got == xml_counts(p.read_bytes())
    t0 = time.perf_counter()
    ours_ok = 0
    for p in paths:
        try:
            read(p.read_bytes(), p.name)
            ours_ok += 1
        except BpmnError:
            pass
    ours_s = time.perf_counter() - t0
    figures = {"files": len(paths), "bpmn-python reads": read_ok, "with the XML's counts": same,
               "bpmn-python, s": round(theirs_s, 3), "flows.bpmn reads": ours_ok, "flows.bpmn, s": round(ours_s, 3),
               "failures": dict(failures.most_common())}
    if opts.json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))
        return
    out = Console()
    out.print(f"{len(paths)} corpus files: bpmn-python reads {read_ok} ({same} with the XML's counts of activities, "
              f"gateways, events and flows) in {theirs_s:.2f} s; flows.bpmn reads {ours_ok} in {ours_s:.2f} s")
    for reason, n in failures.most_common():
        out.print(f"  {n:3} × {reason}")


if __name__ == "__main__":
    main()
