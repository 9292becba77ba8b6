"""Accounts in the database: who may sign in, with what password, and how often they may fail. Who may do what is decided in
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
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from flows.errors import BadInput, Conflict, NotFound, Problem
from roles.actor import ROLES, Account
from roles.storage.audit import record, audit
from roles.storage.bulk import table_of
from roles.storage.engines import writing
from roles.storage.sessions import actor_of, end_sessions
from roles.storage.tables import AccountRow, ThrottleRow


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


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=64 * 1024 * 1024)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


@lru_cache(maxsize=1)
def _dummy() -> str:
    """Checked against when a user name is unknown, so that costs what a known one does; made on
    first need, not at import (a scrypt is 0.2 s every command would pay)."""
    return hash_password(secrets.token_urlsafe(16))


#: The most a stored hash may cost to check, against today's: older, cheaper hashes are read; a
#: dearer one (a restored or edited row asking p=200, 12 s a sign-in) is refused, not run.
_MAX_COST = 2 * _N * _R * _P


def hash_problem(stored: object) -> str | None:
    """Why a stored password hash is not one of ours (None when it is)."""
    parts = stored.split("$") if isinstance(stored, str) and len(stored) <= 400 else []
    if len(parts) != 6 or parts[0] != "scrypt" or not all(x.isascii() and x.isdigit() for x in parts[1:4]):
        return "not an scrypt hash of abflow's form"
    n, r, p = (int(x) for x in parts[1:4])
    if n < 2 ** 10 or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 16 or n * r * p > _MAX_COST \
            or 128 * n * r > 64 * 1024 * 1024:
        return f"scrypt parameters N={n}, r={r}, p={p} are outside the policy (at most {_MAX_COST} N·r·p)"
    if not (16 <= len(parts[4]) <= 128 and len(parts[5]) == 128) or any(
            ch not in "0123456789abcdef" for ch in parts[4] + parts[5]):
        return "its salt or digest is not of abflow's form"
    return None


def check_password(password: str, stored: str) -> bool:
    if hash_problem(stored) is not None:
        return False
    _, n, r, p, salt, digest = stored.split("$")
    got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                         maxmem=64 * 1024 * 1024)
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
        return [(actor_of(r), r.disabled)
                for r in s.scalars(select(AccountRow).order_by(col(AccountRow.username)))]


def username_problem(username: str) -> str | None:
    if not 1 <= len(username) <= 128 or any(ch.isspace() or not ch.isprintable() for ch in username):
        return "1 to 128 characters, no spaces or control characters"
    return None


def role_problem(role: str) -> str | None:
    return None if role in ROLES else f"must be one of {', '.join(ROLES)}"


def _problems(s: Session, username: str, role: str, person: str | None, password: str | None,
              leads: str | None = None) -> list[Problem]:
    from roles.storage.tables import DepartmentRow, PersonRow
    entry = f"account {username[:64]}"
    problems = []
    if problem := role_problem(role):
        problems.append(Problem("accounts", entry, None, "role", problem))
    if role in ("head", "staff") and not person:
        problems.append(Problem("accounts", entry, None, "person", f"a {role} account names its person"))
    if role == "leader" and not leads:
        problems.append(Problem("accounts", entry, None, "leads", "a leader account names the department it is in charge of"))
    if role != "leader" and leads:
        problems.append(Problem("accounts", entry, None, "leads", f"only a leader is in charge of a department, not a {role}"))
    if leads and s.get(DepartmentRow, leads) is None:
        problems.append(Problem("accounts", entry, None, "leads", f"no department '{leads[:64]}'"))
    if person and s.get(PersonRow, person) is None:
        problems.append(Problem("accounts", entry, None, "person", f"no person '{person[:64]}'"))
    if password is not None and (problem := password_problem(password, username)):
        problems.append(Problem("accounts", entry, None, "password", problem))
    return problems


def add_account(engine: Engine, username: str, password: str, role: str, person: str | None,
                *, by: Account, leads: str | None = None) -> None:
    with writing(engine) as s:
        problems = _problems(s, username, role, person, password, leads)
        if problem := username_problem(username):
            problems.append(Problem("accounts", "account", None, "username", problem))
        if s.get(AccountRow, username) is not None:
            problems.append(Problem("accounts", f"account {username[:64]}", None, "username", "is taken"))
        if problems:
            raise BadInput(problems)
        s.add(AccountRow(username=username, password_hash=hash_password(password), role=role, person_id=person,
                         leads=leads))
        audit(s, by, "account.add", username, None, {"role": role, "person": person} | ({"leads": leads} if leads else {}))


def _account(s: Session, username: str) -> AccountRow:
    row = s.get(AccountRow, username)
    if row is None:
        raise NotFound("account", username[:64])
    return row


def change_account(engine: Engine, username: str, by: Account, *, role: str | None = None,
                   person: str | None = None, password: str | None = None, disabled: bool | None = None,
                   leads: str | None = None) -> None:
    """Change an account's role (and person, and the department a leader leads), password or
    whether it may sign in; audited."""
    with writing(engine) as s:
        row = _account(s, username)
        before = {"role": row.role, "person": row.person_id, "disabled": row.disabled, "leads": row.leads}
        new_role, new_person = role or row.role, person if role else row.person_id
        new_leads = leads if role else row.leads
        problems = _problems(s, username, new_role, new_person, password, new_leads)
        if problems:
            raise BadInput(problems)
        row.role, row.person_id, row.leads = new_role, new_person, new_leads
        if disabled is not None:
            row.disabled = disabled
        if password is not None:
            row.password_hash = hash_password(password)
        if password is not None or row.disabled:  # every sign-in made before ends
            end_sessions(s, username)
        after = {"role": row.role, "person": row.person_id, "disabled": row.disabled, "leads": row.leads} | (
            {"password": "changed"} if password is not None else {})
        audit(s, by, "account.change", username, before, after)


def remove_account(engine: Engine, username: str, by: Account) -> None:
    with writing(engine) as s:
        row = _account(s, username)
        audit(s, by, "account.remove", username, {"role": row.role, "person": row.person_id}, None)
        end_sessions(s, username)
        s.delete(row)


#: How long each lock of one key lasts, the first, the second in a row, …; the last for any later.
LOCK_MINUTES = (1, 2, 4, 8, 15)
#: A key that failed nothing for this long starts again from the first lock.
LOCK_MEMORY = dt.timedelta(hours=24)


def _upsert_missing(s: Session, key: str, now: dt.datetime) -> None:
    from sqlalchemy.dialects import postgresql, sqlite
    dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
    s.execute(dialect.insert(ThrottleRow).values(key=key, failures=0, refused=0, locks=0, last_at=now)
              .on_conflict_do_nothing(index_elements=["key"]))


def _reserve(engine: Engine, key: str, limit: int, now: dt.datetime,
             what: str) -> tuple[int, int, dt.datetime | None]:
    """Count one attempt of `key` and check it in one statement, so parallel attempts cannot all
    pass the check before any is counted: (attempts in the window, attempts refused during the
    lock just over, the lock this attempt starts); TooManyFailures (`what` names the key) while
    `key` is locked."""
    t = table_of(ThrottleRow)
    c = t.c
    fresh = (c.last_at < now - FAILURE_WINDOW) | c.locked_until.is_not(None)  # the window or the lock is over
    count = sa.case((fresh, 1), else_=c.failures + 1)
    until = sa.case(*[(c.locks == i, now + dt.timedelta(minutes=m)) for i, m in enumerate(LOCK_MINUTES[:-1])],
                    else_=now + dt.timedelta(minutes=LOCK_MINUTES[-1]))
    locking = count >= limit
    with writing(engine) as s:
        # Keys quiet for a day are forgotten (locks start again from the first); not those whose
        # refused attempts are still to be written down.
        s.execute(sa.delete(t).where((c.last_at < now - LOCK_MEMORY) & (c.refused == 0)))
        _upsert_missing(s, key, now)
        got = s.execute(sa.update(t).where((c.key == key) & (c.locked_until.is_(None) | (c.locked_until <= now)))
                        .values(failures=count, last_at=now, locked_until=sa.case((locking, until), else_=None),
                                locks=c.locks + sa.case((locking, 1), else_=0))
                        .returning(c.failures, c.refused, c.locked_until)).first()
        if got is None:
            locked = s.execute(sa.update(t).where(c.key == key).values(refused=c.refused + 1)
                               .returning(c.locked_until)).scalar()
        elif got.refused:
            s.execute(sa.update(t).where(c.key == key).values(refused=c.refused - got.refused))
    if got is None:  # outside the transaction, so the refused attempt is counted
        locked = locked if locked is None or locked.tzinfo else locked.replace(tzinfo=dt.timezone.utc)
        left = max(1, -(-int((locked - now).total_seconds()) // 60)) if locked else 1
        raise TooManyFailures(f"too many failed sign-ins {what}: try again in {left} minute(s)")
    return got.failures, got.refused, got.locked_until


def _signed_in(engine: Engine, pair: str, address: str) -> None:
    """A good sign-in: the pair's failures are forgotten, and it is no failure of the address."""
    t = table_of(ThrottleRow)
    with writing(engine) as s:
        s.execute(sa.delete(t).where(t.c.key == pair))
        s.execute(sa.update(t).where((t.c.key == address) & (t.c.failures > 0)).values(failures=t.c.failures - 1))


def sign_in(engine: Engine, username: str, password: str, client: str | None = None,
            now: dt.datetime | None = None) -> Account | None:
    """The account, if the password is its own and it is enabled. An unknown name costs what a
    known one does. Failures are throttled per account *and* address, so whoever guesses from
    one address cannot lock the owner out at another: MAX_FAILURES within FAILURE_WINDOW lock
    that pair for LOCK_MINUTES (growing with each lock in a row), and MAX_CLIENT_FAILURES lock
    the address, whichever names it tries; a locked attempt is TooManyFailures, the password
    unread. Each failure is audited; the attempts refused during a lock, as one counted row."""
    name, where = username[:64], (client or "local")[:64]
    dummy = _dummy()  # made before the name is looked at: a process's first sign-in costs the same either way
    now = now or dt.datetime.now(dt.timezone.utc)
    address, pair = f"client:{where}", f"pair:{name}\n{where}"
    by_address = _reserve(engine, address, MAX_CLIENT_FAILURES, now, f"from this address ({where})")
    by_pair = _reserve(engine, pair, MAX_FAILURES, now, f"for {name} from this address")
    refused = by_address[1] + by_pair[1]
    if refused:
        record(engine, name, "signin.refused", name, {"client": where, "attempts": refused})
    with Session(engine) as s:
        row = s.get(AccountRow, username)
        good = check_password(password, row.password_hash if row is not None else dummy)
        found = actor_of(row) if row is not None and good and not row.disabled \
            else None
        stale = found is not None and row is not None and not row.password_hash.startswith(f"scrypt${_N}${_R}${_P}$")
    if stale:  # made at an older, lower cost: made again at today's
        with writing(engine) as w:
            _account(w, username).password_hash = hash_password(password)
    if found is not None:
        _signed_in(engine, pair, address)
        record(engine, found, "signin", name, {"client": where})
        return found
    locked = by_pair[2] or by_address[2]
    record(engine, name, "signin.failed", name, {"client": where, "failures": by_pair[0]} | (
        {"locked_until": locked.isoformat(timespec="seconds")} if locked else {}))
    return None


def password_matches(engine: Engine, username: str, password: str) -> bool:
    with Session(engine) as s:
        row = s.get(AccountRow, username)
        return check_password(password, row.password_hash if row is not None else _dummy()) and row is not None


def account_now(engine: Engine, username: str) -> Account | None:
    with Session(engine) as s:
        row = s.get(AccountRow, username)
        return actor_of(row) if row is not None and not row.disabled else None


def account_for_email(engine: Engine, email: str) -> Account | None:
    """The account an OIDC sign-in maps to: the one whose username is the e-mail address, compared
    without regard to case; None for a disabled account."""
    with Session(engine) as s:
        row = s.scalars(select(AccountRow).where(func.lower(col(AccountRow.username)) == email.strip().lower())
                        ).first()
        return actor_of(row) if row is not None and not row.disabled else None


