"""Benchmark of the A/B engines (`python -m bench.roles`, part of `make bench`): resilience of every
section of the generated city, the load on whoever acts over two weeks of the city, CP-SAT
proposals for 9-person sections of 80 steps, solved to a proof of optimality, and each reform rule
on the city and on five cities at once (a rule's cost must grow with the data, not faster).
In-process timings (the engines, not the CLI's start-up), median of runs."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics

from rich.console import Console
from rich.table import Table

from bench.timing import median
from flows.model import Process, Step, Version
from roles.engines.load import daily_load
from roles.engines.proposals import suggest
from roles.model import Department, Person, Section, Workbook
from roles.engines.resilience import resilience
from roles.engines.rules import CHECKS, RULES, Settings


def nine_by_eighty(seed: int) -> Workbook:
    rng = random.Random(seed)
    people = [Person("h", "科长", "s", "head"), Person("d1", "副科长甲", "s", "deputy", ("法规",)),
              Person("d2", "副科长乙", "s", "deputy")] + \
        [Person(f"s{i}", f"科员{i}", "s", "staff", ("法规",) if i < 2 else ()) for i in range(6)]
    procs = []
    for k in range(8):
        steps = tuple(Step(f"t{j}", f"环节{j}", next=(f"t{j + 1}",) if j < 9 else (),
                           minutes=rng.choice([5, 10, 15, 20, 30, 60]), per_month=rng.choice([2, 4, 10, 20, 40]),
                           skill="法规" if rng.random() < 0.15 else None) for j in range(10))
        procs.append(Process(f"p{k}", "s", f"流程{k}", after=Version(steps)))
    return Workbook((Department("d", "部门", sections=(Section("s", "科"),)),), tuple(people), tuple(procs))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    opts = ap.parse_args()
    from bench.city import city_workbook, province_workbook
    err = Console(stderr=True)
    with err.status("generating the city, and five cities"):
        city = city_workbook(dt.date(2026, 11, 25))
        five = province_workbook(dt.date(2026, 11, 25), cities=5)
    with err.status("resilience of every section"):
        res = median(lambda: resilience(city), opts.runs)
    with err.status("the load on whoever acts, two weeks"):
        load = median(lambda: daily_load(city, dt.date(2026, 11, 23), dt.date(2026, 12, 6)), opts.runs)
    solved = []
    for seed in range(opts.runs * 2):
        with err.status(f"CP-SAT proposal {seed + 1} of {opts.runs * 2}"):
            for mode in ("fill", "rebalance"):
                p = suggest(nine_by_eighty(seed), "s", mode, time_limit=30)
                solved.append((mode, p.seconds, p.status))
    figures = {
        "sections": len([s for d in city.departments for s in d.sections]),
        "resilience, all sections": res,
        "load, two weeks of the city": load,
        "proposal 9×80, median": statistics.median(s for _, s, _ in solved),
        "proposal 9×80, slowest": max(s for _, s, _ in solved),
        "proposals optimal": f"{sum(st == 'optimal' for *_, st in solved)} of {len(solved)}",
    }
    rules = {}
    for name in RULES:
        with err.status(f"rule {name}"):
            rules[name] = [median(lambda wb=wb, rule=CHECKS[name]: sum(1 for _ in rule(wb, Settings())), opts.runs)
                           for wb in (city, five)]
    if opts.json:
        print(json.dumps(figures | {"rules": rules}, indent=2))
        return
    table = Table(title="A/B engines: seconds in a warm process")
    table.add_column("")
    table.add_column("figure", justify="right")
    table.add_column("target", justify="right")
    targets = {"resilience, all sections": "≤ 10", "load, two weeks of the city": "≤ 2",
               "proposal 9×80, slowest": "≤ 5", "proposals optimal": "all"}
    for k, v in figures.items():
        table.add_row(k, f"{v:.2f}" if isinstance(v, float) else str(v), targets.get(k, ""))
    Console().print(table)
    costs = Table(title="check: each rule's seconds; five cities hold five times the data")
    for heading in ("rule", "city", "five cities", "ratio (≤ 5 is linear)"):
        costs.add_column(heading, justify="left" if heading == "rule" else "right")
    for name, (one, many) in rules.items():
        costs.add_row(name, f"{one:.3f}", f"{many:.3f}", f"{many / one:.1f}" if one >= 0.005 else "—")
    Console().print(costs)


if __name__ == "__main__":
    main()
