"""`abflow serve` (or `abflow api`) on a database and a free port of this machine, for as long as a
block runs: what the browser tests and the browser benchmark drive."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ABFLOW = str(Path(sys.executable).with_name("abflow"))


def free_port() -> int:
    """A port of this machine's loopback nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, command: str = "serve", env: dict[str, str] | None = None,
                 program: str = ABFLOW) -> tuple[subprocess.Popen, int]:
    """`abflow serve` (or `abflow api`) on `url`'s database and a free port, once it answers:
    (its process, port); `env`: variables the server has besides ours; `program`: another
    installation's `abflow`."""
    port = free_port()
    health = "/_stcore/health" if command == "serve" else "/openapi.json"
    proc = subprocess.Popen([program, "--db", url, command, "--port", str(port)], env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{health}", timeout=1)
            return proc, port
        except OSError:
            time.sleep(0.25)
    proc.kill()
    proc.wait(timeout=10)
    raise AssertionError(f"abflow {command} did not come up")


@contextlib.contextmanager
def serving(url: str, command: str = "serve", env: dict[str, str] | None = None,
            program: str = ABFLOW) -> Iterator[str]:
    """The app (or the API) on `url`'s database, on a free port, until the block ends; yields its address."""
    proc, port = start_server(url, command, env, program)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
