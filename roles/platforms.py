"""The DingTalk and WeCom open APIs, as abflow calls them for work notices and approved leave:
each platform's address and this installation's application are settings (their government
editions, 浙政钉 and 政务微信, and a city's own gateway speak the same APIs elsewhere; a test points
them at a local server). An access token is fetched once and kept until shortly before it
expires, or until the platform says it is no longer valid; rate-limit and busy codes are waited
out with growing pauses.
"""
from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass

#: A person's user on a platform, as a contact: where their work notices go and whose leave the OA's is.
SCHEMES = ("dingtalk-user", "wecom-user")


def user_of(url: str) -> tuple[str, str] | None:
    """(platform, user id) of a work-notice contact, or None for any other URL."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in SCHEMES or not rest.strip("/"):
        return None
    return scheme.removesuffix("-user"), rest.strip("/")


def masked(url: str) -> str:
    """A work-notice contact as it may be shown: the user id's first two characters."""
    platform, user = user_of(url) or ("", "")
    return f"{platform}-user://{user[:2]}…"


#: How long before its stated expiry a token is fetched again.
EARLY = 300
#: Codes that mean the token is no longer good: fetch a new one and call again.
STALE_TOKEN = {40001, 40014, 42001}
#: Codes that mean "too many calls, or busy: try again shortly".
BUSY = {-1, 45009, 45033, 90002, 90018, 90006}


class PlatformError(Exception):
    """The platform refused or could not be reached; the message says why, in its words. A
    `final` refusal (an unknown user, settings missing) is not worth trying again at once."""

    def __init__(self, message: str, final: bool = True):
        super().__init__(message)
        self.final = final


@dataclass(frozen=True)
class Platform:
    """One platform's address and this installation's application on it."""

    name: str           # "dingtalk" | "wecom"
    base: str
    key: str            # DingTalk AppKey | WeCom corp id
    secret: str
    agent: str          # the application's agent id

    @classmethod
    def of(cls, name: str, secret_setting: str | None = None) -> Platform:
        """The platform's settings; `secret_setting` names another setting for the secret (WeCom's
        approval API takes the 审批 application's own), used when set."""
        prefix = f"ABFLOW_{name.upper()}_"
        default = {"dingtalk": "https://oapi.dingtalk.com", "wecom": "https://qyapi.weixin.qq.com"}[name]
        need = {"dingtalk": ("APP_KEY", "APP_SECRET", "AGENT_ID"), "wecom": ("CORP_ID", "SECRET", "AGENT_ID")}[name]
        values = [os.environ.get(prefix + k, "") for k in need]
        if secret_setting and os.environ.get(prefix + secret_setting):
            values[1] = os.environ[prefix + secret_setting]
        if missing := [prefix + k for k, v in zip(need, values, strict=True) if not v]:
            raise PlatformError(f"{name} is not set up: {', '.join(missing)} not set (docs/deploy.md)")
        return cls(name, os.environ.get(prefix + "URL", default).rstrip("/"), *values)

    @property
    def agent_id(self) -> int | str:
        """The agent id as the APIs take it: a number (a city gateway's may be otherwise)."""
        return int(self.agent) if self.agent.isdigit() else self.agent


class _Tokens:
    """Access tokens by platform and application, kept until shortly before they expire."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[tuple[str, str, str], tuple[str, float]] = {}  # by base, key and secret

    def get(self, p: Platform, session, fresh: bool = False) -> str:
        with self._lock:
            kept = self._kept.get((p.base, p.key, p.secret))
            if kept and not fresh and kept[1] > time.monotonic():
                return kept[0]
            params = {"appkey": p.key, "appsecret": p.secret} if p.name == "dingtalk" else \
                {"corpid": p.key, "corpsecret": p.secret}
            answer = _json(session.get(f"{p.base}/gettoken", params=params, timeout=10))
            if answer.get("errcode", 0) != 0 or not answer.get("access_token"):
                raise PlatformError(f"{p.name} gave no access token: {_said(answer)}")
            life = float(answer.get("expires_in") or 7200)
            self._kept[p.base, p.key, p.secret] = (answer["access_token"], time.monotonic() + max(life - EARLY, life / 2))
            return answer["access_token"]


TOKENS = _Tokens()


def _json(response) -> dict:
    if response.status_code in (429, 502, 503):
        return {"errcode": -1, "errmsg": f"HTTP {response.status_code}"}
    if response.status_code != 200:
        raise PlatformError(f"HTTP {response.status_code} from {response.url.split('?')[0]}", final=False)
    try:
        answer = response.json()
    except ValueError:
        raise PlatformError(f"no JSON from {response.url.split('?')[0]}") from None
    if not isinstance(answer, dict):
        raise PlatformError(f"unexpected answer from {response.url.split('?')[0]}")
    return answer


def _said(answer: dict) -> str:
    return f"{answer.get('errcode')} {str(answer.get('errmsg', ''))[:200]}".strip()


def call(p: Platform, path: str, body: dict, tries: int = 5, pause: float = 1.0) -> dict:
    """POST `body` to the platform with the kept token: a stale token is renewed once, a busy or
    rate-limited answer waited out (pause, 2 × pause, …)."""
    import requests
    with requests.Session() as session:
        try:
            return _calls(p, path, body, tries, pause, session)
        except requests.RequestException as e:
            raise PlatformError(f"{p.name} could not be reached: {type(e).__name__}", final=False) from None


def _calls(p: Platform, path: str, body: dict, tries: int, pause: float, session) -> dict:
    renewed = False
    for attempt in range(tries):
        token = TOKENS.get(p, session, fresh=False)
        answer = _json(session.post(f"{p.base}{path}", params={"access_token": token},
                                    data=json.dumps(body, ensure_ascii=False).encode(),
                                    headers={"Content-Type": "application/json"}, timeout=15))
        code = answer.get("errcode", 0)
        if code == 0:
            return answer
        if code in STALE_TOKEN and not renewed:
            renewed = True
            TOKENS.get(p, session, fresh=True)
            continue
        if code in BUSY and attempt + 1 < tries:
            time.sleep(pause * 2 ** attempt)
            continue
        raise PlatformError(f"{p.name} refused: {_said(answer)}", final=code not in BUSY)
    raise PlatformError(f"{p.name} stayed busy after {tries} tries", final=False)


