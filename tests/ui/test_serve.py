"""`abflow serve`: on this machine only unless told otherwise, and stopping it stops the app, so
nothing outlives it (a service manager, and the test run, send SIGTERM)."""
from __future__ import annotations

import signal
from pathlib import Path

from ..browser import start_server


def _listening(port: int) -> list[str]:
    """Local addresses listening on `port`, from the kernel's tables (hex, as /proc shows them)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if int(hex_port, 16) == port and state == "0A":  # LISTEN
                found.append(address)
    return found


def test_serve_listens_on_loopback_and_a_stop_signal_leaves_nothing_running(engine, db_url):
    proc, port = start_server(db_url)
    try:
        assert _listening(port) == ["0100007F"]  # 127.0.0.1 only
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) is not None
        # A process's sockets close as it exits, before its parent can reap it: a socket still
        # listening now belongs to something it left behind.
        assert _listening(port) == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
