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
import json
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, text
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
    """The account, if the password is its own; every attempt, good or bad, goes to the audit trail."""
    with Session(engine) as s:
        row = s.get(AccountRow, username)
        found = Account(row.username, row.role, row.person_id) if row is not None and check_password(
            password, row.password_hash) else None
    name = username[:64]
    record(engine, found or name, "signin" if found else "signin.failed", name)
    return found


def account_for_email(engine: Engine, email: str) -> Account | None:
    """The account an OIDC sign-in maps to: the one whose username is the e-mail address."""
    with Session(engine) as s:
        row = s.get(AccountRow, email)
        return Account(row.username, row.role, row.person_id) if row else None


def username(who: Account | str) -> str:
    """Who acted, as the records name them: an account's user name, or a tool's name ("cli")."""
    return who.username if isinstance(who, Account) else who


def chain_hash(prev: str, at: dt.datetime, user: str, action: str, subject: str, before, after) -> str:
    """A row's hash: of the row before's hash and this row's content, in one canonical form, so
    that editing any field of any row, or deleting one, breaks the chain from there on."""
    at = at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)  # SQLite hands back naive UTC
    content = json.dumps([at.astimezone(dt.timezone.utc).isoformat(), user, action, subject, before, after],
                         sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev}\n{content}".encode()).hexdigest()


def audit(s: Session, who: Account | str, action: str, subject: str, before, after) -> None:
    """Record a change inside the transaction that makes it, so one never exists without the other;
    chained to the row before (appends wait for each other, so the chain never forks)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK})
    prev = s.execute(select(col(AuditRow.hash)).order_by(col(AuditRow.id).desc()).limit(1)).scalar() or ""
    at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    user = username(who)
    s.add(AuditRow(at=at, user=user, action=action, subject=subject, before=before, after=after, prev_hash=prev,
                   hash=chain_hash(prev, at, user, action, subject, before, after)))
    s.flush()  # the next row of this transaction chains to this one


_AUDIT_LOCK = 0x61626661  # "abfa"


def record(engine: Engine, who: Account | str, action: str, subject: str, after=None) -> None:
    """An audit row for something that changes no data (a sign-in, an export, a publish)."""
    with writing(engine) as s:
        audit(s, who, action, subject, None, after)


def verify_trail(engine: Engine) -> tuple[int, str, list[str]]:
    """Check every audit row against the chain: (rows, the newest hash, problems). Keep the newest
    hash somewhere else (a backup log): a trail cut short at its end shows only against it."""
    problems: list[str] = []
    prev, n = "", 0
    with Session(engine) as s:
        for r in s.execute(select(AuditRow).order_by(col(AuditRow.id))).scalars():
            n += 1
            if r.prev_hash != prev:
                problems.append(f"row {r.id} ({r.at:%Y-%m-%d %H:%M:%S}, {r.action}): the row before it was "
                                "deleted or changed")
            elif r.hash != chain_hash(prev, r.at, r.user, r.action, r.subject, r.before, r.after):
                problems.append(f"row {r.id} ({r.at:%Y-%m-%d %H:%M:%S}, {r.action}): changed after it was written")
            prev = r.hash or ""
    return n, prev, problems


def audit_trail(engine: Engine, limit: int = 500) -> list[AuditRow]:
    with Session(engine) as s:
        return list(s.scalars(select(AuditRow).order_by(col(AuditRow.id).desc()).limit(limit)))
