"""Sending notices through Apprise (e-mail, WeCom and DingTalk group robots, and some hundred
more) or, to one person, as a DingTalk or WeCom work notice (roles.notify.work): each send claimed
and recorded in roles.storage.notices, so none goes out twice, and a failed one is tried again by
the next retry run until it gives up: reported, never silently dropped. A work notice's record
follows it on: sent, then delivered, then read, as its platform tells.
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

log = logging.getLogger("abflow.dispatch")
#: A row left `sending` this long belongs to a process that died mid-send: retry it.
STALE = dt.timedelta(minutes=30)


class Final(str):
    """Why a send failed, where trying again at once would not change it (an unknown user, a
    platform not set up): the retry job tries it later, after someone fixed it."""


@dataclass(frozen=True)
class Receipt:
    """Sent, and the platform can be asked later whether it was delivered and read."""

    ref: str


#: send(url, title, body) -> None (or a Receipt) when sent, else the reason it was not
Sender = Callable[[str, str, str], "str | Receipt | None"]


def apprise_send(url: str, title: str, body: str) -> str | None:
    import apprise
    app = apprise.Apprise()
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
        if not app.add(url):
            return "not a notification URL Apprise knows"
        if app.notify(title=title, body=body):
            return None
        return (captured.getvalue().strip().splitlines() or ["delivery failed"])[-1][:500]


def send_any(url: str, title: str, body: str) -> str | Receipt | None:
    """A work notice to a person's DingTalk or WeCom user, anything else through Apprise."""
    from roles.notify import work
    from roles.platforms import PlatformError, user_of
    if user_of(url) is None:
        return apprise_send(url, title, body)
    try:
        return Receipt(work.send(url, title, body))
    except PlatformError as e:
        return (Final if e.final else str)(str(e)[:500])


@dataclass
class Report:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # already claimed by another run
    gave_up: int = 0


def _try(send: Sender, url: str, title: str, body: str, tries: int, pause: float) -> str | Receipt | None:
    """None or a Receipt once sent, else the last reason it was not."""
    outcome: str | Receipt | None = None
    for attempt in range(tries):
        if attempt:
            time.sleep(pause * attempt)
        try:
            outcome = send(url, title, body)
        except Exception as e:  # noqa: BLE001 - a channel's failure is recorded, not raised
            outcome = f"{type(e).__name__}: {e}"
        if not isinstance(outcome, str) or isinstance(outcome, Final):
            return outcome
    return outcome


def _finish(engine: Engine, row_id: int, outcome: str | Receipt | None, attempts: int) -> str:
    return store.finish(engine, row_id, outcome if isinstance(outcome, str) else None, attempts,
                        outcome.ref if isinstance(outcome, Receipt) else None)


def deliver(engine: Engine, notices: Iterable[Notice], contacts_of: dict[str, list[Contact]],
            send: Sender = send_any, tries: int = 3, pause: float = 2.0) -> Report:
    """Send each notice to each of its recipient's contacts, once, whoever else runs the same job."""
    report = Report()
    for n in notices:
        for contact in contacts_of.get(n.recipient, []):
            row_id = store.claim(engine, n.day, n.kind, n.recipient, contact.target, n.title, n.body)
            if row_id is None:
                report.skipped += 1
                continue
            _count(report, _finish(engine, row_id, _try(send, contact.url, n.title, n.body, tries, pause), tries))
    return report


def _count(report: Report, status: str) -> None:
    if status == "sent":
        report.sent += 1
    elif status == "failed":
        report.failed += 1
    else:
        report.gave_up += 1


def retry(engine: Engine, contacts_of: dict[str, list[Contact]], send: Sender = send_any, tries: int = 1,
          pause: float = 2.0) -> Report:
    """Send again what failed before (or was left mid-send by a process that died)."""
    report = Report()
    for r in store.unfinished(engine, STALE):
        url = next((c.url for c in contacts_of.get(r.recipient, []) if c.target == r.target), None)
        if not store.reclaim(engine, r.id, r.status, r.attempts):
            report.skipped += 1
            continue
        outcome = "the contact was removed" if url is None else _try(send, url, r.title, r.body, tries, pause)
        _count(report, _finish(engine, r.id, outcome, r.attempts + (tries if url else MAX_ATTEMPTS)))
    return report


def follow(engine: Engine, status_of: Callable[[str], str | None] | None = None) -> int:
    """Ask the platforms what became of the work notices sent in the last days (delivered,
    read, or failed after all) and record it; returns how many records changed."""
    from roles.notify import work
    from roles.platforms import PlatformError
    status_of = status_of or work.status
    changed = 0
    for row_id, receipt, was in store.following(engine):
        try:
            now = status_of(receipt)
        except PlatformError as e:
            log.warning("could not ask about notice %s: %s", row_id, e)
            continue
        if now is not None and now != was and store.followed(engine, row_id, was, now):
            changed += 1
    return changed
