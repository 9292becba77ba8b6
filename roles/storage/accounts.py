"""Accounts and the audit trail in the database. Who may do what is decided in
`roles.actions.access`, the layer every caller goes through.

Local accounts keep an scrypt hash of the password (the standard library's, with a random salt per
account), never the password. A database with no accounts yet is a single-user installation, and
everyone acts as the office; the first account made ends that.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from roles.storage.database import writing
from sqlmodel import Session, col

from roles.storage.tables import AccountRow, AuditRow
from flows.errors import Problem, BadInput

ROLES = ("office", "head", "staff")
_N, _R, _P = 2 ** 14, 8, 1


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    person: str | None = None


#: Who acts when the database has no accounts (a single-user installation).
LOCAL = Account("local", "office")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def any_accounts(engine: Engine) -> bool:
    with Session(engine) as s:
        return bool(s.scalar(select(func.count()).select_from(AccountRow)))


def all_accounts(engine: Engine) -> list[Account]:
    with Session(engine) as s:
        return [Account(r.username, r.role, r.person_id)
                for r in s.scalars(select(AccountRow).order_by(AccountRow.username))]


def add_account(engine: Engine, username: str, password: str, role: str, person: str | None,
                by: Account = LOCAL) -> None:
    from roles.storage.tables import PersonRow
    problems = []
    if role not in ROLES:
        problems.append(Problem("accounts", f"account {username}", None, "role", f"must be one of {', '.join(ROLES)}"))
    if role in ("head", "staff") and not person:
        problems.append(Problem("accounts", f"account {username}", None, "person", f"a {role} account names its person"))
    if len(password) < 8:
        problems.append(Problem("accounts", f"account {username}", None, "password", "at least 8 characters"))
    with writing(engine) as s:
        if person and s.get(PersonRow, person) is None:
            problems.append(Problem("accounts", f"account {username}", None, "person", f"no person '{person}'"))
        if s.get(AccountRow, username) is not None:
            problems.append(Problem("accounts", f"account {username}", None, "username", "is taken"))
        if problems:
            raise BadInput(problems)
        s.add(AccountRow(username=username, password_hash=hash_password(password), role=role, person_id=person))
        audit(s, by, "account.add", username, None, {"role": role, "person": person})


def sign_in(engine: Engine, username: str, password: str) -> Account | None:
    with Session(engine) as s:
        row = s.get(AccountRow, username)
        if row is None or not check_password(password, row.password_hash):
            return None
        return Account(row.username, row.role, row.person_id)


def account_for_email(engine: Engine, email: str) -> Account | None:
    """The account an OIDC sign-in maps to: the one whose username is the e-mail address."""
    with Session(engine) as s:
        row = s.get(AccountRow, email)
        return Account(row.username, row.role, row.person_id) if row else None


def username(who: Account | str) -> str:
    """Who acted, as the records name them: an account's user name, or a tool's name ("cli")."""
    return who.username if isinstance(who, Account) else who


def audit(s: Session, who: Account | str, action: str, subject: str, before, after) -> None:
    """Record a change inside the transaction that makes it, so one never exists without the other."""
    s.add(AuditRow(at=dt.datetime.now(dt.timezone.utc), user=username(who),
                   action=action, subject=subject, before=before, after=after))


def audit_trail(engine: Engine, limit: int = 500) -> list[AuditRow]:
    with Session(engine) as s:
        return list(s.scalars(select(AuditRow).order_by(col(AuditRow.id).desc()).limit(limit)))
