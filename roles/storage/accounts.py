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
from functools import lru_cache
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from roles.storage.database import writing
from sqlmodel import Session, col

from roles.storage.tables import AccountRow, AuditRow
from flows.errors import BadInput, Conflict, NotFound, Problem

ROLES = ("office", "head", "staff")
#: scrypt at OWASP's cost (N=2^14, r=8, p=5: 16 MiB, as hard as N=2^17 with p=1); a hash made at a
#: lower cost is made again at this one on the next good sign-in.
_N, _R, _P = 2 ** 14, 8, 5
MIN_PASSWORD = 10
#: Sign-in throttling: this many failures of one account within the window lock it for the window;
#: this many from one client (address) lock that client out, whichever accounts it tries.
MAX_FAILURES, MAX_CLIENT_FAILURES, FAILURE_WINDOW = 5, 20, dt.timedelta(minutes=15)
#: Passwords too common to keep anyone out (the top of every leaked-password list, and our own words).
COMMON_PASSWORDS = frozenset("""
password password1 password123 passw0rd 123456789 1234567890 12345678910 qwertyuiop qwerty123 1q2w3e4r5t
1qaz2wsx3edc iloveyou123 abc123456 admin12345 administrator welcome123 letmein123 football123 monkey1234
dragon1234 sunshine123 princess123 qwerty12345 11111111111 00000000000 88888888888 66666666666 abcdefghij
a1b2c3d4e5 zaq12wsxcde changeme123 woaini1314 woaini520 5201314520 1314520520 aaaaaaaaaa 1234qwerasdf
abflow12345 abflow2026 password2026 123123123123 987654321 9876543210 asdfghjkl qazwsxedc
""".split())


class TooManyFailures(Conflict):
    """An account that failed to sign in too often is locked for a while."""


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    person: str | None = None


#: Who acts when the database has no accounts (a single-user installation).
LOCAL = Account("local", "office")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=64 * 1024 * 1024)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


@lru_cache(maxsize=1)
def _dummy() -> str:
    """Checked against when a user name is unknown, so that costs what a known one does; made on
    first need, not at import (a scrypt is 0.2 s every command would pay)."""
    return hash_password(secrets.token_urlsafe(16))


def check_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def password_problem(password: str, username: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"at least {MIN_PASSWORD} characters"
    if password.strip().lower() in COMMON_PASSWORDS or password.lower() == username.lower() \
            or len(set(password)) < 4:
        return "too easy to guess: use a phrase of your own"
    return None


def any_accounts(engine: Engine) -> bool:
    with Session(engine) as s:
        return bool(s.scalar(select(func.count()).select_from(AccountRow)))


def all_accounts(engine: Engine) -> list[tuple[Account, bool]]:
    """Every account, with whether it is disabled."""
    with Session(engine) as s:
        return [(Account(r.username, r.role, r.person_id), r.disabled)
                for r in s.scalars(select(AccountRow).order_by(col(AccountRow.username)))]


def _problems(s: Session, username: str, role: str, person: str | None, password: str | None) -> list[Problem]:
    from roles.storage.tables import PersonRow
    entry = f"account {username[:64]}"
    problems = []
    if role not in ROLES:
        problems.append(Problem("accounts", entry, None, "role", f"must be one of {', '.join(ROLES)}"))
    if role in ("head", "staff") and not person:
        problems.append(Problem("accounts", entry, None, "person", f"a {role} account names its person"))
    if person and s.get(PersonRow, person) is None:
        problems.append(Problem("accounts", entry, None, "person", f"no person '{person[:64]}'"))
    if password is not None and (problem := password_problem(password, username)):
        problems.append(Problem("accounts", entry, None, "password", problem))
    return problems


def add_account(engine: Engine, username: str, password: str, role: str, person: str | None,
                by: Account = LOCAL) -> None:
    with writing(engine) as s:
        problems = _problems(s, username, role, person, password)
        if not 1 <= len(username) <= 128 or any(ch.isspace() or not ch.isprintable() for ch in username):
            problems.append(Problem("accounts", "account", None, "username",
                                    "1 to 128 characters, no spaces or control characters"))
        if s.get(AccountRow, username) is not None:
            problems.append(Problem("accounts", f"account {username[:64]}", None, "username", "is taken"))
        if problems:
            raise BadInput(problems)
        s.add(AccountRow(username=username, password_hash=hash_password(password), role=role, person_id=person))
        audit(s, by, "account.add", username, None, {"role": role, "person": person})


def _account(s: Session, username: str) -> AccountRow:
    row = s.get(AccountRow, username)
    if row is None:
        raise NotFound("account", username[:64])
    return row


def change_account(engine: Engine, username: str, by: Account, *, role: str | None = None,
                   person: str | None = None, password: str | None = None, disabled: bool | None = None) -> None:
    """Change an account's role (and person), password or whether it may sign in; audited."""
    with writing(engine) as s:
        row = _account(s, username)
        before = {"role": row.role, "person": row.person_id, "disabled": row.disabled}
        new_role, new_person = role or row.role, person if role else row.person_id
        problems = _problems(s, username, new_role, new_person, password)
        if problems:
            raise BadInput(problems)
        row.role, row.person_id = new_role, new_person
        if disabled is not None:
            row.disabled = disabled
        if password is not None:
            row.password_hash = hash_password(password)
        after = {"role": row.role, "person": row.person_id, "disabled": row.disabled} | (
            {"password": "changed"} if password is not None else {})
        audit(s, by, "account.change", username, before, after)


def remove_account(engine: Engine, username: str, by: Account) -> None:
    with writing(engine) as s:
        row = _account(s, username)
        audit(s, by, "account.remove", username, {"role": row.role, "person": row.person_id}, None)
        s.delete(row)


def _recent_failures(s: Session, username: str | None = None, client: str | None = None) -> int:
    since = dt.datetime.now(dt.timezone.utc) - FAILURE_WINDOW
    which = col(AuditRow.subject) == username[:64] if username is not None \
        else col(AuditRow.after)["client"].as_string() == client
    return s.scalar(select(func.count()).select_from(AuditRow).where(
        (col(AuditRow.action) == "signin.failed") & which & (col(AuditRow.at) >= since))) or 0


def sign_in(engine: Engine, username: str, password: str, client: str | None = None) -> Account | None:
    """The account, if the password is its own and it is enabled; every attempt, good or bad, goes
    to the audit trail with the client's address. An unknown name costs what a known one does.
    After MAX_FAILURES for the account, or MAX_CLIENT_FAILURES from the client, within
    FAILURE_WINDOW, the answer is TooManyFailures, without looking at the password."""
    name = username[:64]
    dummy = _dummy()  # made before the name is looked at: a process's first sign-in costs the same either way
    where = {"client": client[:64]} if client else None
    minutes = int(FAILURE_WINDOW.total_seconds() // 60)
    with Session(engine) as s:
        if _recent_failures(s, username=name) >= MAX_FAILURES:
            record(engine, name, "signin.locked", name, where)
            raise TooManyFailures(f"too many failed sign-ins for {name}: try again in {minutes} minutes")
        if client and _recent_failures(s, client=client[:64]) >= MAX_CLIENT_FAILURES:
            record(engine, name, "signin.locked", name, where)
            raise TooManyFailures(f"too many failed sign-ins from this address ({client[:64]}): "
                                  f"try again in {minutes} minutes")
        row = s.get(AccountRow, username)
        good = check_password(password, row.password_hash if row is not None else dummy)
        found = Account(row.username, row.role, row.person_id) if row is not None and good and not row.disabled \
            else None
        stale = found is not None and row is not None and not row.password_hash.startswith(f"scrypt${_N}${_R}${_P}$")
    if stale:  # made at an older, lower cost: made again at today's
        with writing(engine) as w:
            _account(w, username).password_hash = hash_password(password)
    record(engine, found or name, "signin" if found else "signin.failed", name, where)
    return found


def password_matches(engine: Engine, username: str, password: str) -> bool:
    with Session(engine) as s:
        row = s.get(AccountRow, username)
        return check_password(password, row.password_hash if row is not None else _dummy()) and row is not None


def account_now(engine: Engine, username: str) -> Account | None:
    with Session(engine) as s:
        row = s.get(AccountRow, username)
        return Account(row.username, row.role, row.person_id) if row is not None and not row.disabled else None


def session_token(engine: Engine, username: str, hours: float) -> str:
    """A token that signs `username` in for `hours` from now, in any tab or app server of the
    installation: signed with its key, and bound to the account's password hash, so a new
    password ends every session made with the old one."""
    from roles.storage import vault
    with Session(engine) as s:
        row = _account(s, username)
        expires = int(dt.datetime.now(dt.timezone.utc).timestamp() + hours * 3600)
        body = f"{username.encode().hex()}.{expires}"
        return f"{body}.{vault.sign(f'{body}.{row.password_hash}')}"


def session_account(engine: Engine, token: str) -> tuple[Account, int] | None:
    """The account a token signs in, with when it expires (epoch seconds); None for a token that
    is forged, expired, of a changed password, or of an account switched off or removed."""
    from roles.storage import vault
    try:
        name_hex, expires, signature = token.split(".")
        username, until = bytes.fromhex(name_hex).decode(), int(expires)
    except (ValueError, UnicodeDecodeError):
        return None
    if until < dt.datetime.now(dt.timezone.utc).timestamp():
        return None
    with Session(engine) as s:
        row = s.get(AccountRow, username)
        if row is None or row.disabled or not hmac.compare_digest(
                signature, vault.sign(f"{name_hex}.{expires}.{row.password_hash}")):
            return None
        return Account(row.username, row.role, row.person_id), until


def account_for_email(engine: Engine, email: str) -> Account | None:
    """The account an OIDC sign-in maps to: the one whose username is the e-mail address, compared
    without regard to case; None for a disabled account."""
    with Session(engine) as s:
        row = s.scalars(select(AccountRow).where(func.lower(col(AccountRow.username)) == email.strip().lower())
                        ).first()
        return Account(row.username, row.role, row.person_id) if row is not None and not row.disabled else None


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
