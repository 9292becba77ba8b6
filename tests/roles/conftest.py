"""What the notice tests share: real channels started here (an SMTP server with aiosmtpd, an HTTP
webhook receiver) and the example with contacts on them."""
from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from urllib.parse import parse_qs, urlparse

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


# DingTalk and WeCom, as their open APIs are documented: a stand-in for the outside service, on
# loopback, that the platforms' base-URL settings point at.
USERS = {"ding-bb01", "ding-bb06", "wx-bb06", "wx-bb01"}


class Platforms:
    """What a DingTalk and a WeCom server hold and are asked: users, tokens, messages, and the
    error codes to answer next (rate limit, stale token)."""

    def __init__(self):
        self.tokens: set[str] = set()
        self.token_calls = {"dingtalk": 0, "wecom": 0}
        self.sent: list[tuple[str, str, str]] = []   # (platform, user, text)
        self.tasks: dict[int, str] = {}               # DingTalk task id -> user
        self.read: set[str] = set()
        self.next_errors: list[int] = []             # errcodes answered before the next sends
        self.approvals: dict[str, dict] = {}          # "dingtalk:ID" | "wecom:SP_NO" -> the OA's document

    def token(self, platform: str, query: dict) -> dict:
        good = (query.get("appkey"), query.get("appsecret")) == (["key"], ["secret"]) if platform == "dingtalk" else \
            (query.get("corpid"), query.get("corpsecret")) == (["corp"], ["secret"])
        if platform == "wecom" and query.get("corpsecret") == ["approval-secret"]:
            good = query.get("corpid") == ["corp"]
        if not good:
            return {"errcode": 40089 if platform == "dingtalk" else 40013, "errmsg": "invalid credentials"}
        self.token_calls[platform] += 1
        token = f"{platform}-token-{self.token_calls[platform]}"
        self.tokens.add(token)
        return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

    def call(self, path: str, token: str, body: dict) -> dict:
        if token not in self.tokens:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if self.next_errors and path.endswith(("asyncsend_v2", "message/send")):
            code = self.next_errors.pop(0)
            return {"errcode": code, "errmsg": "api freq out of limit" if code in (90018, 45009) else "error"}
        if path.endswith("asyncsend_v2"):
            user = body["userid_list"]
            task = len(self.tasks) + 1
            self.tasks[task] = user
            self.sent.append(("dingtalk", user, body["msg"]["text"]["content"]))
            return {"errcode": 0, "task_id": task, "request_id": "r"}
        if path.endswith("getsendresult"):
            user = self.tasks[body["task_id"]]
            known = user in USERS
            return {"errcode": 0, "send_result": {
                "read_user_id_list": [user] if known and user in self.read else [],
                "unread_user_id_list": [user] if known and user not in self.read else [],
                "invalid_user_id_list": [] if known else [user]}}
        if path.endswith("processinstance/listids"):
            return {"errcode": 0, "result": {"list": [k.split(":", 1)[1] for k in self.approvals
                                                      if k.startswith("dingtalk:")]}}
        if path.endswith("processinstance/get"):
            return {"errcode": 0, "process_instance": self.approvals[f"dingtalk:{body['process_instance_id']}"]}
        if path.endswith("oa/getapprovalinfo"):
            return {"errcode": 0, "errmsg": "ok", "new_next_cursor": "",
                    "sp_no_list": [k.split(":", 1)[1] for k in self.approvals if k.startswith("wecom:")]}
        if path.endswith("oa/getapprovaldetail"):
            return {"errcode": 0, "errmsg": "ok", "info": self.approvals[f"wecom:{body['sp_no']}"]}
        if path.endswith("message/send"):
            user = body["touser"]
            if user not in USERS:
                return {"errcode": 81013, "errmsg": "user & party & tag all invalid", "invaliduser": user}
            self.sent.append(("wecom", user, body["text"]["content"]))
            return {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"msg-{len(self.sent)}"}
        return {"errcode": 404, "errmsg": "no such api"}


@pytest.fixture
def platforms(monkeypatch):
    state = Platforms()

    class Handler(BaseHTTPRequestHandler):
        def answer(self, doc: dict) -> None:
            data = json.dumps(doc).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlparse(self.path)
            platform, _, path = url.path.strip("/").partition("/")
            self.answer(state.token(platform, parse_qs(url.query)) if path.endswith("gettoken") else {"errcode": 404})

        def do_POST(self):
            url = urlparse(self.path)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            self.answer(state.call(url.path, parse_qs(url.query).get("access_token", [""])[0], body))

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    # Each platform under its own path, as a city's gateway might put them.
    for key, value in {"DINGTALK_URL": f"{base}/dingtalk", "DINGTALK_APP_KEY": "key", "DINGTALK_APP_SECRET": "secret",
                       "DINGTALK_AGENT_ID": "2001", "WECOM_URL": f"{base}/wecom", "WECOM_CORP_ID": "corp",
                       "WECOM_SECRET": "secret", "WECOM_AGENT_ID": "1000002"}.items():
        monkeypatch.setenv(f"ABFLOW_{key}", value)
    yield state
    server.shutdown()
    server.server_close()
