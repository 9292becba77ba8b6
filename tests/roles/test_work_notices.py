"""Work notices to a person through DingTalk and WeCom (issue 30), on both databases, against a
server on loopback that speaks the platforms' documented endpoints: token exchange, the send,
DingTalk's send result, their error codes. The token is fetched once and renewed when the
platform calls it stale; a rate-limited answer is waited out; the dispatch record says sent,
delivered and read; the user id is kept sealed."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import text

from roles import actions
from roles.notify.notices import NoticeWords

from ..conftest import TESTER
from .conftest import DAY

WORDS = NoticeWords.of("zh")
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

    def token(self, platform: str, query: dict) -> dict:
        good = (query.get("appkey"), query.get("appsecret")) == (["key"], ["secret"]) if platform == "dingtalk" else \
            (query.get("corpid"), query.get("corpsecret")) == (["corp"], ["secret"])
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


def test_work_notices_are_sent_delivered_and_read_once_each(contacts, platforms):
    db = actions.open_database(contacts.url.render_as_string(hide_password=False))
    actions.set_contacts(db, TESTER, person_id="bb01", urls=["dingtalk-user://ding-bb01"])
    actions.set_contacts(db, TESTER, person_id="bb06", urls=["wecom-user://wx-bb06", "dingtalk-user://ding-bb06"])
    platforms.next_errors = [90018]          # DingTalk's QPS limit on the first send: waited out
    report = actions.send_notices(db, TESTER, day=DAY, ahead=3, words=WORDS)
    sent = len(platforms.sent)
    assert (report.sent, report.failed, report.gave_up) == (sent, 0, 0) and sent >= 3  # bb01 has duties and gaps
    assert {(p, u) for p, u, _ in platforms.sent} == {("dingtalk", "ding-bb01"), ("wecom", "wx-bb06"),
                                                      ("dingtalk", "ding-bb06")}
    assert platforms.token_calls == {"dingtalk": 1, "wecom": 1}   # one token each, kept for the next sends
    assert any("吴丽娟" in body or "代" in body for p, u, body in platforms.sent if u == "wx-bb06")
    rows = {r.target.split(" #")[0]: r for r in actions.dispatches(db, TESTER)}
    assert set(rows) == {"dingtalk-user://di…", "wecom-user://wx…"} and all(r.status == "sent" for r in rows.values())
    assert "ding-bb01" not in " ".join(r.target for r in actions.dispatches(db, TESTER))

    platforms.read.add("ding-bb01")
    platforms.tokens.clear()                 # the platform has expired the tokens: renewed on the next call
    actions.send_notices(db, TESTER, day=DAY, ahead=3, words=WORDS, retry_only=True)
    status = {(r.recipient, r.target.split("://")[0], r.status) for r in actions.dispatches(db, TESTER)}
    assert status == {("bb01", "dingtalk-user", "read"), ("bb06", "dingtalk-user", "delivered"),
                      ("bb06", "wecom-user", "delivered")}
    assert platforms.token_calls["dingtalk"] == 2
    platforms.read.add("ding-bb06")
    actions.send_notices(db, TESTER, day=DAY, ahead=3, words=WORDS, retry_only=True)
    read = actions.dispatches(db, TESTER, status="read")
    assert {r.recipient for r in read} == {"bb01", "bb06"} and all("dingtalk" in r.target for r in read)
    again = actions.send_notices(db, TESTER, day=DAY, ahead=3, words=WORDS)
    assert again.sent == 0 and len(platforms.sent) == sent            # once each
    with db.engine.connect() as c:                                   # the user ids are sealed at rest
        assert not c.execute(text("SELECT count(*) FROM contact WHERE sealed LIKE '%ding-bb01%' "
                                  "OR masked LIKE '%ding-bb01%'")).scalar()


def test_a_refused_user_and_a_platform_not_set_up_are_recorded_failed(contacts, platforms, monkeypatch):
    db = actions.open_database(contacts.url.render_as_string(hide_password=False))
    actions.set_contacts(db, TESTER, person_id="bb01", urls=["wecom-user://nobody"])
    actions.set_contacts(db, TESTER, person_id="bb06", urls=["dingtalk-user://ding-bb06"])
    monkeypatch.delenv("ABFLOW_DINGTALK_APP_SECRET")
    report = actions.send_notices(db, TESTER, day=DAY, ahead=3, words=WORDS)
    assert report.sent == 0 and report.failed >= 2
    errors = {r.recipient: r.error for r in actions.dispatches(db, TESTER)}
    assert "81013" in errors["bb01"]
    assert "ABFLOW_DINGTALK_APP_SECRET" in errors["bb06"]
    with pytest.raises(actions.BadInput, match="work-notice"):
        actions.set_contacts(db, TESTER, person_id="bb01", urls=["dingtalk-user://"])
