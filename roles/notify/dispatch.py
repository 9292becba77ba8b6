"""Sending notices through Apprise (e-mail, WeCom and DingTalk webhooks, and some hundred more),
recording every send, and never sending one twice.

A notice is claimed by inserting its dispatch row; the row's unique key (day, kind, recipient,
target) means that of two schedulers running the same job only the first insert wins, on SQLite and
PostgreSQL alike. A failed send stays `failed` with its error and is retried by the next retry run,
until `MAX_ATTEMPTS`, after which it is `gave-up`: reported, never silently dropped.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, cast

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import IntegrityError
from roles.storage.engines import writing
from sqlmodel import Session, col

from roles.notify.notices import Notice
from roles.storage.tables import ContactRow, DispatchRow

if TYPE_CHECKING:
    from roles.actor import Account

log = logging.getLogger("abflow.dispatch")
MAX_ATTEMPTS = 5
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


def masked(url: str) -> str:
    """The URL as logs and the dispatch table show it: passwords and tokens hidden."""
    import apprise
    plugin = apprise.Apprise.instantiate(url)
    return plugin.url(privacy=True) if plugin else url.split("?", 1)[0]


@dataclass
class Report:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # already claimed by another run
    gave_up: int = 0


@dataclass(frozen=True)
class Contact:
    """A contact opened for sending; only `target` is ever shown or stored in the clear."""
    ref: str
    masked: str
    url: str

    @property
    def target(self) -> str:
        return shown(self.masked, self.ref)


def shown(masked_url: str, ref: str) -> str:
    """A contact as it may be shown, stored on a dispatch row and audited: masked, with the
    fingerprint that tells apart two whose masked forms are the same."""
    return f"{masked_url} #{ref}"


def sealed_rows(person: str, urls: list[str]) -> list[dict]:
    """A person's contact rows: each URL sealed, masked and fingerprinted; the same URL twice is kept once."""
    from roles.storage import vault
    unique = {vault.fingerprint(u): u for u in reversed(urls)}  # the first place of a repeated URL
    return [{"person_id": person, "position": i, "ref": ref, "masked": masked(url), "sealed": vault.seal(url)}
            for i, (ref, url) in enumerate(reversed(unique.items()))]


def contacts(engine: Engine) -> dict[str, list[Contact]]:
    """Everyone's contacts, opened with the installation's secret key (to send to them)."""
    from roles.storage.vault import unseal
    with Session(engine) as s:
        out: dict[str, list[Contact]] = {}
        for r in s.scalars(select(ContactRow).order_by(col(ContactRow.person_id), col(ContactRow.position))):
            out.setdefault(r.person_id, []).append(Contact(r.ref, r.masked,
                                                           unseal(r.sealed, f"a contact of {r.person_id}")))
        return out


def shown_contacts(engine: Engine, person: str | None = None) -> dict[str, list[str]]:
    """Contacts (everyone's, or one person's) as they may be shown: masked, with the fingerprint
    that tells them apart."""
    with Session(engine) as s:
        return _shown(s, person)


def _shown(s: Session, person: str | None = None) -> dict[str, list[str]]:
    q = select(col(ContactRow.person_id), col(ContactRow.masked), col(ContactRow.ref))
    if person is not None:
        q = q.where(col(ContactRow.person_id) == person)
    out: dict[str, list[str]] = {}
    for pid, masked_url, ref in s.execute(q.order_by(col(ContactRow.person_id), col(ContactRow.position))):
        out.setdefault(pid, []).append(shown(masked_url, ref))
    return out


def set_contacts(engine: Engine, person: str, urls: list[str], *, user: Account | str) -> None:
    """Replace a person's contacts; audited as they are shown, never in the clear."""
    from sqlalchemy import delete
    from roles.storage.audit import audit
    from roles.storage.bulk import bulk_insert, table_of
    from roles.storage.store import bump
    from roles.storage.tables import PersonRow
    from flows.errors import Problem, BadInput
    rows = sealed_rows(person, urls)
    with writing(engine) as s:
        if s.get(PersonRow, person) is None:
            raise BadInput([Problem("contacts", f"person {person}", None, "person", f"no person '{person}'")])
        before = _shown(s, person).get(person)
        audit(s, user, "contacts.set", person, before or None, [shown(r["masked"], r["ref"]) for r in rows] or None)
        s.execute(delete(ContactRow).where(col(ContactRow.person_id) == person))
        bulk_insert(s, table_of(ContactRow), rows)
        bump(s)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


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


def _finish(engine: Engine, row_id: int, error: str | None, attempts: int) -> str:
    status = "sent" if error is None else "gave-up" if attempts >= MAX_ATTEMPTS else "failed"
    with writing(engine) as s:
        s.execute(update(DispatchRow).where(col(DispatchRow.id) == row_id)
                  .values(status=status, attempts=attempts, error=error, updated=_now()))
    if error:
        log.warning("notice %s not delivered (attempt %d): %s", row_id, attempts, error)
    return status


def deliver(engine: Engine, notices: Iterable[Notice], contacts_of: dict[str, list[Contact]],
            send: Sender = apprise_send, tries: int = 3, pause: float = 2.0) -> Report:
    """Send each notice to each of its recipient's contacts, once, whoever else runs the same job."""
    report = Report()
    for n in notices:
        for contact in contacts_of.get(n.recipient, []):
            try:
                with writing(engine) as s:
                    row = DispatchRow(day=n.day, kind=n.kind, recipient=n.recipient, target=contact.target,
                                      title=n.title, body=n.body, status="sending", attempts=0, updated=_now())
                    s.add(row)
                    s.flush()
                    row_id = cast(int, row.id)  # the flush gave it its id
            except IntegrityError:
                report.skipped += 1
                continue
            status = _finish(engine, row_id, _try(send, contact.url, n.title, n.body, tries, pause), tries)
            _count(report, status)
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
    """Send again what failed before (or was left mid-send by a process that died). Each row is
    claimed by a conditional update, so two retry runs never both send it."""
    report = Report()
    with Session(engine) as s:
        rows = s.execute(select(col(DispatchRow.id), col(DispatchRow.status), col(DispatchRow.attempts), col(DispatchRow.updated),
                                col(DispatchRow.recipient), col(DispatchRow.target), col(DispatchRow.title), col(DispatchRow.body))
                         .where(col(DispatchRow.status).in_(("failed", "sending")))).all()
    for row_id, status, attempts, updated, recipient, target, title, body in rows:
        if status == "sending" and (updated.replace(tzinfo=updated.tzinfo or dt.timezone.utc) > _now() - STALE):
            continue
        url = next((c.url for c in contacts_of.get(recipient, []) if c.target == target), None)
        with writing(engine) as s:
            won = cast(CursorResult, s.execute(update(DispatchRow)
                            .where((col(DispatchRow.id) == row_id) & (col(DispatchRow.status) == status)
                                   & (col(DispatchRow.attempts) == attempts))
                            .values(status="sending", updated=_now()))).rowcount == 1
        if not won:
            report.skipped += 1
            continue
        error = "the contact was removed" if url is None else _try(send, url, title, body, tries, pause)
        _count(report, _finish(engine, row_id, error, attempts + (tries if url else MAX_ATTEMPTS)))
    return report


def dispatches(engine: Engine, status: str | None = None, day: dt.date | None = None) -> list[DispatchRow]:
    with Session(engine) as s:
        q = select(DispatchRow).order_by(col(DispatchRow.id))
        if status:
            q = q.where(col(DispatchRow.status) == status)
        if day:
            q = q.where(col(DispatchRow.day) == day)
        return list(s.scalars(q))
