"""API clients: the programs (a chat bot, a duty board) the office lets read who acts, each with
its own token. A token is 32 random bytes shown once when made; the database keeps only its
SHA-256 (a token is no password: it has all the entropy a hash needs, so no slow hash), and
looks one up by that. Revoking keeps the row, so the audit trail still names the client.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from flows.errors import BadInput, NotFound
from roles.actor import Account, as_role
from roles.storage.audit import audit
from roles.storage.engines import writing
from roles.storage.tables import ApiClientRow

#: What a token starts with, so a leaked one is recognisable (secret scanners, logs).
PREFIX = "abf_"


@dataclass(frozen=True)
class ApiClient:
    name: str
    role: str
    person: str | None
    department: str | None
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None

    @property
    def account(self) -> Account:
        """Who the client reads as: the same permissions as a person signed in with that role,
        within its department when it has one."""
        return Account(f"api:{self.name}", as_role(self.role), self.person, self.department)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _of(r: ApiClientRow) -> ApiClient:
    return ApiClient(r.name, r.role, r.person_id, r.department_id, r.created_at, r.created_by, r.revoked_at)


def add(engine: Engine, name: str, role: str, person: str | None, department: str | None,
        user: Account | str) -> str:
    """Make a client and return its token (shown this once)."""
    token = PREFIX + secrets.token_urlsafe(32)
    with writing(engine) as s:
        if s.get(ApiClientRow, name) is not None:
            raise BadInput(f"name: there is an API client '{name}' already (revoke it, or choose another name)")
        row = ApiClientRow(name=name, token_hash=_digest(token), role=role, person_id=person, department_id=department,
                           created_at=dt.datetime.now(dt.timezone.utc), created_by=user if isinstance(user, str)
                           else user.username)
        s.add(row)
        s.flush()
        audit(s, user, "api.client.add", name, None, {"role": role, "person": person, "department": department})
    return token


def revoke(engine: Engine, name: str, user: Account | str) -> None:
    with writing(engine) as s:
        row = s.get(ApiClientRow, name)
        if row is None:
            raise NotFound("API client", name)
        if row.revoked_at is None:
            row.revoked_at = dt.datetime.now(dt.timezone.utc)
            audit(s, user, "api.client.revoke", name, None, None)


def clients(engine: Engine) -> list[ApiClient]:
    with Session(engine) as s:
        return [_of(r) for r in s.scalars(select(ApiClientRow).order_by(col(ApiClientRow.name)))]


def client_for(engine: Engine, token: str) -> ApiClient | None:
    """The live client a token belongs to; None for an unknown or revoked one."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    with Session(engine) as s:
        row = s.scalars(select(ApiClientRow).where(col(ApiClientRow.token_hash) == _digest(token))).first()
        return _of(row) if row is not None and row.revoked_at is None else None
