"""What the notice tests share: real channels started here (an SMTP server with aiosmtpd, an HTTP
webhook receiver) and the example with contacts on them."""
from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from roles.model import Absence
from roles.storage import notices as notice_store
from roles.storage import absences as absence_store
from ..conftest import TESTER, stored

#: The day the notice tests send for: a Wednesday of the example's week of absences.
DAY = dt.date(2026, 11, 25)


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def smtp():
    import socket
    with socket.socket() as probe:  # a free port (aiosmtpd cannot take port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox()
    ctl = Controller(box, hostname="127.0.0.1", port=port)
    ctl.start()
    box.port = port
    yield box
    ctl.stop()


@pytest.fixture
def webhook():
    """Records JSON posts; answers 500 to the first `fail_first` of them."""
    received, state = [], {"fail_first": 0, "seen": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state["seen"] += 1
            if state["seen"] <= state["fail_first"]:
                self.send_response(500)
            else:
                received.append(json.loads(body))
                self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.received, server.state = received, state
    server.url = f"json://127.0.0.1:{server.server_address[1]}/hook"
    yield server
    server.shutdown()


def mail(box, person):
    return f"mailto://127.0.0.1:{box.port}?from=abflow@example.org&to={person}@example.gov.cn&secure=no"


@pytest.fixture
def contacts(bianban, db_url, smtp, webhook, monkeypatch):
    monkeypatch.setenv("ABFLOW_DB", db_url)  # the scheduler's own database, where its jobs run
    notice_store.set_contacts(bianban, "bb01", [mail(smtp, "bb01")], user=TESTER)   # head of bb-zh, with gaps tomorrow
    notice_store.set_contacts(bianban, "bb06", [webhook.url], user=TESTER)           # covers bb07 today
    # The leaders of bb-zh both away tomorrow: nobody to take their steps up to.
    stored(bianban, absence_store.change_absences, [], [Absence(p, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=1), "trip")
                                        for p in ("bb01", "bb02")], source="test", user=TESTER)
    return bianban


