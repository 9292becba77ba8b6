"""Notices in the database: where each person is reached (contacts, sealed with the installation's
key, shown only masked) and every send (dispatch rows), claimed so that no notice goes out twice.

A notice is claimed by inserting its dispatch row; the row's unique key (day, kind, recipient,
target) means that of two schedulers running the same job only the first insert wins, on SQLite and
PostgreSQL alike. A failed send stays `failed` until `MAX_ATTEMPTS`, then `gave-up`.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import cast

from sqlalchemy import delete, select, update
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from flows.errors import BadInput, Problem
from roles.actor import Account
from roles.storage.audit import audit
from roles.storage.bulk import bulk_insert
from roles.storage.changes import bump
from roles.storage.engines import writing
from roles.storage.tables import ContactRow, DispatchRow, PersonRow
from roles.storage import vault

log = logging.getLogger("abflow.dispatch")
MAX_ATTEMPTS = 5


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


def contacts(engine: Engine) -> dict[str, list[Contact]]:
    """Everyone's contacts, opened with the installation's secret key (to send to them)."""
    with Session(engine) as s:
        out: dict[str, list[Contact]] = {}
        for r in s.scalars(select(ContactRow).order_by(col(ContactRow.person_id), col(ContactRow.position))):
            out.setdefault(r.person_id, []).append(Contact(r.ref, r.masked,
                                                           vault.unseal(r.sealed, f"a contact of {r.person_id}")))
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
    """Replace a person's contacts with `urls`, each sealed and masked; audited as they are shown,
    never in the clear."""
    rows = sealed_rows(person, urls)
    with writing(engine) as s:
        if s.get(PersonRow, person) is None:
            raise BadInput([Problem("contacts", f"person {person}", None, "person", f"no person '{person}'")])
        before = _shown(s, person).get(person)
        audit(s, user, "contacts.set", person, before or None, [shown(r["masked"], r["ref"]) for r in rows] or None)
        s.execute(delete(ContactRow).where(col(ContactRow.person_id) == person))
        bulk_insert(s, ContactRow, rows)
        bump(s)


def masked(url: str) -> str:
    """The URL as logs and the dispatch table show it: passwords, tokens and user ids hidden."""
    import apprise

    from roles import platforms
    if platforms.user_of(url) is not None:
        return platforms.masked(url)
    plugin = apprise.Apprise.instantiate(url)
    return plugin.url(privacy=True) if plugin else url.split("?", 1)[0]


def sealed_rows(person: str, urls: list[str]) -> list[dict]:
    """A person's contact rows: each URL sealed, masked and fingerprinted; the same URL twice is kept once."""
    unique = {vault.fingerprint(u): u for u in reversed(urls)}  # the first place of a repeated URL
    return [{"person_id": person, "position": i, "ref": ref, "masked": masked(url), "sealed": vault.seal(url)}
            for i, (ref, url) in enumerate(reversed(unique.items()))]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def claim(engine: Engine, day: dt.date, kind: str, recipient: str, target: str, title: str, body: str) -> int | None:
    """The id of a new dispatch row, `sending`; None when another run claimed this notice first."""
    try:
        with writing(engine) as s:
            row = DispatchRow(day=day, kind=kind, recipient=recipient, target=target, title=title, body=body,
                              status="sending", attempts=0, updated=_now())
            s.add(row)
            s.flush()
            return cast(int, row.id)  # the flush gave it its id
    except IntegrityError:
        return None


def finish(engine: Engine, row_id: int, error: str | None, attempts: int, receipt: str | None = None) -> str:
    """Record how a send ended: `sent` (with the platform's `receipt` of a work notice, to ask
    about later), `failed` (to retry) or, after MAX_ATTEMPTS, `gave-up`."""
    status = "sent" if error is None else "gave-up" if attempts >= MAX_ATTEMPTS else "failed"
    with writing(engine) as s:
        s.execute(update(DispatchRow).where(col(DispatchRow.id) == row_id)
                  .values(status=status, attempts=attempts, error=error, receipt=receipt, updated=_now()))
    if error:
        log.warning("notice %s not delivered (attempt %d): %s", row_id, attempts, error)
    return status


#: How long a work notice's record is followed: read after a week is no longer news.
FOLLOWED = dt.timedelta(days=7)


def following(engine: Engine) -> list[tuple[int, str, str]]:
    """(id, receipt, status) of the work notices of the last FOLLOWED days not yet read."""
    with Session(engine) as s:
        return [(r.id, r.receipt, r.status) for r in s.execute(
            select(col(DispatchRow.id), col(DispatchRow.receipt), col(DispatchRow.status))
            .where(col(DispatchRow.receipt).is_not(None) & col(DispatchRow.status).in_(("sent", "delivered"))
                   & (col(DispatchRow.updated) >= _now() - FOLLOWED)).order_by(col(DispatchRow.id)))]


def followed(engine: Engine, row_id: int, was: str, now: str) -> bool:
    """Record what became of a work notice (`delivered`, `read`, or `failed: why`), unless
    another run recorded it first."""
    status, _, why = now.partition(": ")
    with writing(engine) as s:
        return cast(CursorResult, s.execute(
            update(DispatchRow).where((col(DispatchRow.id) == row_id) & (col(DispatchRow.status) == was))
            .values(status="gave-up" if status == "failed" else status, error=why or None,
                    updated=_now()))).rowcount == 1


def unfinished(engine: Engine, stale: dt.timedelta) -> list:
    """The sends to try again: failed ones, and those left `sending` longer than `stale` (by a
    process that died mid-send)."""
    with Session(engine) as s:
        rows = s.execute(select(col(DispatchRow.id), col(DispatchRow.status), col(DispatchRow.attempts), col(DispatchRow.updated),
                                col(DispatchRow.recipient), col(DispatchRow.target), col(DispatchRow.title), col(DispatchRow.body))
                         .where(col(DispatchRow.status).in_(("failed", "sending")))).all()
    return [r for r in rows
            if r.status != "sending" or r.updated.replace(tzinfo=r.updated.tzinfo or dt.timezone.utc) <= _now() - stale]


def reclaim(engine: Engine, row_id: int, status: str, attempts: int) -> bool:
    """Claim a send to try again by a conditional update, so two retry runs never both send it."""
    with writing(engine) as s:
        return cast(CursorResult, s.execute(update(DispatchRow)
                    .where((col(DispatchRow.id) == row_id) & (col(DispatchRow.status) == status)
                           & (col(DispatchRow.attempts) == attempts))
                    .values(status="sending", updated=_now()))).rowcount == 1


def dispatches(engine: Engine, status: str | None = None, day: dt.date | None = None) -> list[DispatchRow]:
    with Session(engine) as s:
        q = select(DispatchRow).order_by(col(DispatchRow.id))
        if status:
            q = q.where(col(DispatchRow.status) == status)
        if day:
            q = q.where(col(DispatchRow.day) == day)
        return list(s.scalars(q))
