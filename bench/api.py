"""The API under load (`python -m bench.api`, part of `make bench-province`): 50 clients at once,
each with its own token, ask `/v1/sections/{id}/day` and `/v1/people/{id}` on loopback, a bounded
number of questions each; reported: answers a second, the median and 95th percentile of the time
an answer takes, for one API worker and for as many as the machine has cores.

The clients run in this process (asyncio and httpx), beside the server on the same machine: on a
machine of two cores they take some of the time the server would have.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.city import BENCH

DAY = dt.date(2026, 11, 25)
CLIENTS = 50
#: Questions a client asks: within its burst (ABFLOW_API_BURST, 60), so none is told to wait.
ASKED = 40
TARGET_P95 = 0.1
err = Console(stderr=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(url: str, workers: int, port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "ui.api:create_app", "--factory", "--host", "127.0.0.1",
                               "--port", str(port), "--workers", str(workers), "--log-level", "warning"],
                              env={**os.environ, "ABFLOW_DB": url}, cwd=Path(__file__).parent.parent)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the API did not start ({server.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the API did not listen within two minutes")


async def _load(port: int, tokens: list[str], sections: list[str], people: list[str]) -> tuple[list[float], int]:
    import httpx
    took: list[float] = []
    failed = 0
    rng = random.Random(5)
    plans = [[(f"/v1/sections/{rng.choice(sections)}/day" if rng.random() < 0.5 else f"/v1/people/{rng.choice(people)}")
              for _ in range(ASKED)] for _ in tokens]

    async def client(token: str, paths: list[str], http: httpx.AsyncClient) -> None:
        nonlocal failed
        for path in paths:
            t0 = time.perf_counter()
            answer = await http.get(path, params={"date": DAY.isoformat()}, headers={"Authorization": f"Bearer {token}"})
            took.append(time.perf_counter() - t0)
            failed += answer.status_code != 200
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60) as http:
        await asyncio.gather(*(client(token, paths, http) for token, paths in zip(tokens, plans, strict=True)))
    return took, failed


def measure(url: str, workers: int, tokens: list[str], sections: list[str], people: list[str]) -> dict[str, float]:
    port = _free_port()
    server = _serve(url, workers, port)
    try:
        asyncio.run(_load(port, tokens[:4], sections, people))  # each worker's first answers: its caches filled
        t0 = time.perf_counter()
        took, failed = asyncio.run(_load(port, tokens, sections, people))
        elapsed = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(timeout=30)
    took.sort()
    return {"answers": len(took), "failed": failed, "per second": len(took) / elapsed,
            "median, s": statistics.median(took), "p95, s": took[int(len(took) * 0.95) - 1], "max, s": took[-1]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", choices=("city", "province"), default="province")
    ap.add_argument("--db", metavar="URL", help="a database already holding the data (else one is made and filled)")
    ap.add_argument("--json", action="store_true")
    opts = ap.parse_args()
    from roles import actions
    with tempfile.TemporaryDirectory() as tmp:
        url = opts.db or _filled(opts.scale, Path(tmp))
        db = actions.open_database(url)
        wb = db.coverage()
        tokens = [actions.add_api_client(db, BENCH, name=f"load{i:02d}-{os.getpid()}") for i in range(CLIENTS)]
        rng = random.Random(3)
        sections = rng.sample(sorted(wb.section_by_id), min(200, len(wb.section_by_id)))
        people = rng.sample([p.id for p in wb.people], min(200, len(wb.people)))
        results = {}
        for workers in sorted({1, os.cpu_count() or 1}):
            with err.status(f"{CLIENTS} clients, {ASKED} questions each, {workers} API worker(s)"):
                results[workers] = measure(url, workers, tokens, sections, people)
        for i in range(CLIENTS):
            actions.revoke_api_client(db, BENCH, name=f"load{i:02d}-{os.getpid()}")
    if opts.json:
        print(json.dumps({"scale": opts.scale, "people": len(wb.people), "results": results}, indent=2))
        return
    table = Table(title=f"the API at {opts.scale} scale ({len(wb.people):,} people): {CLIENTS} clients at once on "
                        "loopback, /v1/sections/{id}/day and /v1/people/{id}")
    table.add_column("API workers", justify="right")
    for key in ("answers", "failed", "per second", "median, s", "p95, s", "max, s"):
        table.add_column(key, justify="right")
    for workers, r in results.items():
        table.add_row(str(workers), *(f"{r[k]:.0f}" if k in ("answers", "failed", "per second") else f"{r[k]:.3f}"
                                      for k in ("answers", "failed", "per second", "median, s", "p95, s", "max, s")))
    Console().print(table)
    Console().print(f"target: p95 ≤ {TARGET_P95:g} s")


def _filled(scale: str, tmp: Path) -> str:
    """A fresh PostgreSQL database (SQLite where there is none) holding the generated city or province."""
    from bench.city import city_workbook, province_workbook
    from bench.run import pg_url
    from roles import actions
    from roles.formats import workbook_files as formats
    from roles.formats.workbook import to_tree
    url = pg_url() or f"sqlite:///{tmp}/api.db"
    with err.status(f"generating and importing the {scale}"):
        wb = city_workbook(DAY) if scale == "city" else province_workbook(DAY)
        path = tmp / "data.json"
        path.write_bytes(formats.write_tree(to_tree(wb), path.name))
        actions.import_workbook(actions.open_database(url), BENCH, data=path.read_bytes(), name=path.name)
    return url


if __name__ == "__main__":
    main()
