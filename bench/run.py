"""City-scale benchmark: `make bench` (or `python -m bench.run`).

Times the real `abflow` command, as a user or a script runs it, on a generated city (bench/city.py),
on SQLite and on PostgreSQL, and subtracts the start-up of `abflow --help` measured in the same run:
what is left is the work itself. Each figure is the median of several runs; the machine is shared.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

from rich.console import Console

from bench.timing import median
from rich.table import Table
from bench.city import BENCH

DAY = dt.date(2026, 11, 25)
TARGETS = {"import, peak MB": 500, "import": 5.0, "re-import": 5.0, "roster ÷ floor": 3.0, "gaps (2 weeks) ÷ floor": 3.0,
           "overrun (2 weeks)": 2.0, "digest (compose), warm": 2.0, "export XLSX": 10.0}
#: At 20 times the city: the targets of issue 27.
PROVINCE = {"import": 20.0, "import, peak MB": 500, "roster": 3.0, "gaps (2 weeks)": 3.0}
ABFLOW = str(Path(sys.executable).with_name("abflow"))
err = Console(stderr=True)


def timed(args: list[str], url: str, runs: int) -> float:
    """The `abflow` command itself, in a process of its own."""
    def run() -> None:
        done = subprocess.run([ABFLOW, "--db", url, *args], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"abflow {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return median(run, runs)


def measured(args: list[str], url: str) -> tuple[float, float]:
    """Seconds and peak memory (MB) of one `abflow` command, started by a small process of its own:
    the peak of a child of this bench would count the bench's own memory (the generated province)."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
             "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)")
    seconds, peak = subprocess.run([sys.executable, "-c", probe, ABFLOW, "--db", url, *args],
                                   capture_output=True, text=True, check=True).stdout.split()
    return float(seconds), float(peak)


def against_floor(args: list[str], floor: list[str], url: str, runs: int) -> tuple[float, float]:
    """The `abflow` command and the floor's (bench/floor.py), each a process of its own, once their
    answers are checked to be the same bytes: else the floor would be measuring other work."""
    ours = subprocess.run([ABFLOW, "--db", url, *args], capture_output=True, check=True).stdout
    command = [sys.executable, "-m", "bench.floor", url, *floor]
    theirs = subprocess.run(command, capture_output=True, check=True, cwd=Path(__file__).parent.parent).stdout
    if ours != theirs:
        raise SystemExit(f"abflow {args[0]} and its floor answer differently; the floor would measure other work")
    return timed(args, url, runs), median(lambda: subprocess.run(command, capture_output=True, check=True,
                                                                  cwd=Path(__file__).parent.parent), runs)


def in_process(url: str, city: Path, runs: int, one_dept: str) -> dict[str, float]:
    """The same work inside a warm process (libraries imported, connection pooled), as the app and
    the scheduler pay it: loading the workbook once per data change, then each roster or forecast
    from memory. The CLI figures minus these are mostly the import of SQLAlchemy and SQLModel."""
    from roles.storage import organisation
    from roles.storage.database import Database
    from roles.engines.handover import due
    from roles.engines.overrun import overrun
    from roles.engines.roster import calendar_of, gaps, roster
    from roles.notify.digest import compose_digest
    from roles.storage.engines import engine_for
    from roles.notify.digest import DigestWords

    engine = engine_for(url)
    end = DAY + dt.timedelta(days=13)
    wb = organisation.load(engine, ("after",))
    from roles import actions
    db = actions.open_database(url)
    return {"import": median(lambda: actions.import_workbook(db, BENCH, data=city.read_bytes(), name=city.name), runs),
            "load": median(lambda: organisation.load(engine, ("after",)), runs),
            "coverage": median(lambda: Database(url).coverage(), runs),
            "roster": median(lambda: roster(wb, DAY), runs),
            "load one department": median(lambda: organisation.load(engine, ("after",), frozenset({one_dept})), runs),
            "gaps (2 weeks)": median(lambda: gaps(wb, DAY, end), runs),
            "overrun (2 weeks)": median(lambda: overrun(wb, DAY, end), runs),
            "handovers due": median(lambda: due(wb, calendar_of(wb), DAY), runs),
            "digest (compose)": median(lambda: compose_digest(wb, DAY, DigestWords.of("zh"), (), ()), runs)}


def pg_url() -> str | None:
    from sqlalchemy import create_engine, text
    base = os.environ.get("ABFLOW_BENCH_PG", "postgresql+psycopg://127.0.0.1:5432/test")
    try:
        e = create_engine(base, isolation_level="AUTOCOMMIT")
        with e.connect() as c:
            c.execute(text("DROP DATABASE IF EXISTS abflow_bench WITH (FORCE)"))
            c.execute(text("CREATE DATABASE abflow_bench"))
        e.dispose()
    except Exception as ex:  # noqa: BLE001 - no server: bench SQLite only
        err.print(f"[yellow]PostgreSQL not reachable ({type(ex).__name__}); SQLite only[/]")
        return None
    return base.rsplit("/", 1)[0] + "/abflow_bench"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--scale", choices=("city", "province"), default="city",
                    help="one city, or a province of 20 (1,000 departments, some 20,000 people)")
    ap.add_argument("--only", choices=("SQLite", "PostgreSQL"), help="one database kind")
    opts = ap.parse_args()
    from bench.city import city_workbook, province_workbook
    from roles.formats import workbook_files as formats
    from roles.formats.workbook import to_tree

    with tempfile.TemporaryDirectory() as tmp:
        with err.status(f"generating the {opts.scale}"):
            wb = city_workbook(DAY) if opts.scale == "city" else province_workbook(DAY)
            one_dept = wb.departments[0].id
            city = Path(tmp) / "city.json"
            city.write_bytes(formats.write_tree(to_tree(wb), city.name))
        scale = {"departments": len(wb.departments), "people": len(wb.people), "processes": len(wb.processes),
                 "steps_after": sum(len(p.after.work_steps) for p in wb.processes),
                 "absences": len(wb.absences)}
        err.print("city: " + ", ".join(f"{v} {k}" for k, v in scale.items()))
        urls = {"SQLite": f"sqlite:///{tmp}/bench.db"}
        if opts.only != "SQLite" and (pg := pg_url()):
            urls["PostgreSQL"] = pg
        if opts.only:
            urls = {k: v for k, v in urls.items() if k == opts.only}
        results: dict[str, dict[str, float]] = {}
        end = DAY + dt.timedelta(days=13)
        for db, url in urls.items():
            with err.status(f"{db}: start-up") as status:
                startup = timed(["--help"], url, opts.runs + 2)
                status.update(f"{db}: first import")
                first, peak = measured(["import", str(city)], url)
                status.update(f"{db}: the import's floor")
                load_floor = median(partial(subprocess.run, [sys.executable, "-m", "bench.floor", url, "import", str(city)],
                                            check=True, cwd=Path(__file__).parent.parent), opts.runs)
                status.update(f"{db}: re-import (replace every department)")
                again = timed(["import", str(city)], url, opts.runs)
                status.update(f"{db}: roster, and its floor")
                roster, roster_floor = against_floor(["roster", "--date", DAY.isoformat(), "--json"],
                                                     ["roster", DAY.isoformat()], url, opts.runs)
                status.update(f"{db}: one department's roster")
                one = timed(["roster", "--date", DAY.isoformat(), "--department", one_dept, "--json"], url, opts.runs)
                status.update(f"{db}: gaps, and their floor")
                gaps, gaps_floor = against_floor(["gaps", "--from", DAY.isoformat(), "--to", end.isoformat(), "--json"],
                                                 ["gaps", DAY.isoformat(), end.isoformat()], url, opts.runs)
                status.update(f"{db}: overrun")
                late = timed(["overrun", "--from", DAY.isoformat(), "--to", end.isoformat(), "--json"], url, opts.runs)
                status.update(f"{db}: export to XLSX")
                export = timed(["export", f"{tmp}/export.xlsx"], url, opts.runs) - startup
                status.update(f"{db}: handovers")
                timed(["handovers", "--refresh", "--json"], url, 1)  # as the daily job: opened, if the import had not
                handovers = timed(["handovers", "--json"], url, opts.runs)  # a read: what is stored
                status.update(f"{db}: the same in a warm process")
                warm = in_process(url, city, opts.runs, one_dept)
            results[db] = {"start-up": startup, "import": first - startup, "import, floor": load_floor,
                           "import ÷ floor": (first - startup) / load_floor, "import, peak MB": peak,
                           "re-import": again - startup,
                           "roster": roster, "roster, floor": roster_floor, "roster ÷ floor": roster / roster_floor,
                           "roster, one department": one,
                           "gaps (2 weeks)": gaps, "gaps (2 weeks), floor": gaps_floor,
                           "gaps (2 weeks) ÷ floor": gaps / gaps_floor, "overrun (2 weeks)": late,
                           "handovers": handovers, "export XLSX": export,
                           **{f"{k}, warm": v for k, v in warm.items()}}
    if opts.json:
        print(json.dumps({"scale": scale, "seconds": results}, indent=2))
        return
    table = Table(title=f"abflow at {opts.scale} scale ({scale['people']} people, {scale['processes']} processes, "
                        f"{scale['steps_after']} steps): seconds of the `abflow` command as a user waits for it "
                        "(an import: beyond `abflow --help`), beside the floor's for the same bytes of JSON "
                        "(bench/floor.py), and of the same work in a warm process")
    table.add_column("")
    for db in results:
        table.add_column(db, justify="right")
    table.add_column("target", justify="right")
    for key in ("import", "import, floor", "import ÷ floor", "import, peak MB", "re-import", "roster", "roster, floor", "roster ÷ floor", "roster, one department",
                "gaps (2 weeks)", "gaps (2 weeks), floor", "gaps (2 weeks) ÷ floor", "overrun (2 weeks)",
                "handovers", "export XLSX", "import, warm", "load, warm", "coverage, warm", "load one department, warm",
                "roster, warm", "gaps (2 weeks), warm", "overrun (2 weeks), warm", "handovers due, warm",
                "digest (compose), warm", "start-up"):
        target = (PROVINCE if opts.scale == "province" else TARGETS).get(key)
        table.add_row(key, *(f"{r[key]:.2f}" for r in results.values()), f"≤ {target:g}" if target else "")
    Console().print(table)


if __name__ == "__main__":
    main()
