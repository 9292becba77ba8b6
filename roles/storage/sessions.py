"""Sign-ins that last: a random token for the browser, kept here only as its hash, valid in any
tab or app server until it expires or is ended (signed out, a new password, the account off)."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from flows.errors import NotFound
from roles.actor import Account, as_role
from roles.storage.engines import writing
from roles.storage.tables import AccountRow, SessionRow


def actor_of(row: AccountRow) -> Account:
    """Who a stored account acts as (a sign-in, a session, the account list all ask)."""
    return Account(row.username, as_role(row.role), row.person_id, leads=row.leads)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_token(engine: Engine, username: str, hours: float) -> str:
    """A new sign-in of `username` for `hours`, in any tab or app server of the installation: a
    random token for the browser, kept here only as its hash, so that it ends when revoked."""
    now = dt.datetime.now(dt.timezone.utc)
    token = secrets.token_urlsafe(32)
    with writing(engine) as s:
        if s.get(AccountRow, username) is None:
            raise NotFound("account", username[:64])
        s.execute(sa.delete(SessionRow).where(col(SessionRow.expires_at) < now))  # the expired, gone
        s.add(SessionRow(token_hash=_token_hash(token), username=username, created_at=now,
                         expires_at=now + dt.timedelta(hours=hours)))
    return token


def session_account(engine: Engine, token: str) -> tuple[Account, int] | None:
    """The account a session token signs in, with when it expires (epoch seconds); None for a
    token never made, expired or ended (signed out, a new password, the account switched off or
    removed)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    with Session(engine) as s:
        found = s.execute(select(SessionRow, AccountRow).join(AccountRow, col(AccountRow.username) == col(
            SessionRow.username)).where(col(SessionRow.token_hash) == _token_hash(token))).first()
    if found is None:
        return None
    session, row = found
    until = session.expires_at if session.expires_at.tzinfo else session.expires_at.replace(tzinfo=dt.timezone.utc)
    if row.disabled or until <= dt.datetime.now(dt.timezone.utc):
        return None
    return actor_of(row), int(until.timestamp())


def end_session(engine: Engine, token: str) -> None:
    """Sign out: the token signs nobody in from now on, in any tab or copy of the cookie."""
    with writing(engine) as s:
        s.execute(sa.delete(SessionRow).where(col(SessionRow.token_hash) == _token_hash(token)))


def end_sessions(s: Session, username: str) -> None:
    """Every sign-in of `username` ends (a new password, the account switched off or removed)."""
    s.execute(sa.delete(SessionRow).where(col(SessionRow.username) == username))
