"""Sending notices through Apprise (e-mail, WeCom and DingTalk webhooks, and some hundred more):
each send claimed and recorded in roles.storage.notices, so none goes out twice, and a failed one
is tried again by the next retry run until it gives up: reported, never silently dropped.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from roles.notify.notices import Notice
from roles.storage import notices as store
from roles.storage.engines import Engine
from roles.storage.notices import MAX_ATTEMPTS, Contact

#: A row left `sending` this long belongs to a process that died mid-send: retry it.
STALE = dt.timedelta(minutes=30)

#: send(url, title, body) -> None when delivered, else the reason it was not
Sender = Callable[[str, str, str], str | None]


def apprise_send(url: str, title: str, body: str) -> str | None:
    import apprise
    app = apprise.Apprise()
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
        if not app.add(url):
            return "not a notification URL Apprise knows"
        if app.notify(title=title, body=body):
            return None
        return (captured.getvalue().strip().splitlines() or ["delivery failed"])[-1][:500]


@dataclass
class Report:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # already claimed by another run
    gave_up: int = 0


def _try(send: Sender, url: str, title: str, body: str, tries: int, pause: float) -> str | None:
    error = None
    for attempt in range(tries):
        if attempt:
            time.sleep(pause * attempt)
        try:
            error = send(url, title, body)
        except Exception as e:  # noqa: BLE001 - a channel's failure is recorded, not raised
            error = f"{type(e).__name__}: {e}"
        if error is None:
            return None
    return error


def deliver(engine: Engine, notices: Iterable[Notice], contacts_of: dict[str, list[Contact]],
            send: Sender = apprise_send, tries: int = 3, pause: float = 2.0) -> Report:
    """Send each notice to each of its recipient's contacts, once, whoever else runs the same job."""
    report = Report()
    for n in notices:
        for contact in contacts_of.get(n.recipient, []):
            row_id = store.claim(engine, n.day, n.kind, n.recipient, contact.target, n.title, n.body)
            if row_id is None:
                report.skipped += 1
                continue
            _count(report, store.finish(engine, row_id, _try(send, contact.url, n.title, n.body, tries, pause), tries))
    return report


def _count(report: Report, status: str) -> None:
    if status == "sent":
        report.sent += 1
    elif status == "failed":
        report.failed += 1
    else:
        report.gave_up += 1


def retry(engine: Engine, contacts_of: dict[str, list[Contact]], send: Sender = apprise_send, tries: int = 1,
          pause: float = 2.0) -> Report:
    """Send again what failed before (or was left mid-send by a process that died)."""
    report = Report()
    for r in store.unfinished(engine, STALE):
        url = next((c.url for c in contacts_of.get(r.recipient, []) if c.target == r.target), None)
        if not store.reclaim(engine, r.id, r.status, r.attempts):
            report.skipped += 1
            continue
        error = "the contact was removed" if url is None else _try(send, url, r.title, r.body, tries, pause)
        _count(report, store.finish(engine, r.id, error, r.attempts + (tries if url else MAX_ATTEMPTS)))
    return report
