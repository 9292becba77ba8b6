"""Running an installation: accounts and sign-in, the audit trail, where notices go, sending them
and the scheduler that does so each workday, and the record of every send."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows import limits
from flows.errors import BadInput, PermissionDenied, Problem
from flows.wording import Progress
from roles.notify import dispatch
from roles.notify.digest import DigestWords
from roles.notify.jobs import Schedule, install, make_scheduler, run_daily, run_retry, run_weekly
from roles.notify.notices import NoticeWords
from roles.storage import accounts, audit, notices, sessions, vault
from roles.storage import backup as backups
from roles.actor import ROLES
from roles.formats.workbook import parse, to_tree
from roles.model import Workbook
from roles.storage.database import Database
from roles.storage.tables import AuditRow, DispatchRow

from .access import Account, require_office
from .coverage import check_day, person
from .handover import handovers, open_handovers

__all__ = ["ROLES", "account_for_email", "account_now", "session_account", "session_token", "sign_out", "backup", "restore", "add_account", "any_accounts", "audit_trail", "contacts",
           "change_account", "dispatches", "list_accounts", "new_secret_key", "remove_account", "scheduler", "send_digest",
           "send_notices", "set_contacts", "set_password", "sign_in", "verify_audit", "release", "send_duty_changes"]


def release() -> tuple[str, str]:
    """(this release's version, the database schema it migrates to): what an upgrade brings."""
    from importlib.metadata import version

    from roles.storage.migrate import HEAD
    return version("abflow"), HEAD


def any_accounts(db: Database) -> bool:
    """Whether anyone must sign in: with no accounts the installation is single-user."""
    return accounts.any_accounts(db.engine)


def sign_in(db: Database, username: str, password: str, client: str | None = None) -> Account | None:
    """The account, or None; `client` (the caller's address, where known) is throttled on its own."""
    return accounts.sign_in(db.engine, username, password, client)


def session_token(db: Database, actor: Account, *, hours: float) -> str:
    """A token that keeps `actor` signed in for `hours`, across reloads, tabs and app servers."""
    return sessions.session_token(db.engine, actor.username, hours)


def sign_out(db: Database, *, token: str) -> None:
    """End the sign-in `token` makes, for every tab and copy of it."""
    sessions.end_session(db.engine, token)


def session_account(db: Database, token: str) -> tuple[Account, int] | None:
    """Who a session token signs in, and until when; None when it no longer holds."""
    return sessions.session_account(db.engine, token)


def account_for_email(db: Database, email: str) -> Account | None:
    return accounts.account_for_email(db.engine, email)


def add_account(db: Database, actor: Account, *, username: str, password: str, role: str,
                person_id: str | None = None, leads: str | None = None) -> None:
    """Make an account; a leader's names the department it is in charge of (`leads`)."""
    require_office(actor, "make accounts")
    accounts.add_account(db.engine, username, password, role, person_id, by=actor, leads=leads)


def list_accounts(db: Database, actor: Account) -> list[tuple[Account, bool]]:
    """Every account, with whether it is disabled."""
    require_office(actor, "list accounts")
    return accounts.all_accounts(db.engine)


def change_account(db: Database, actor: Account, *, username: str, role: str | None = None,
                   person_id: str | None = None, disabled: bool | None = None, leads: str | None = None) -> None:
    """Change an account's role (with its person) or switch it off or on: the office's."""
    require_office(actor, "change accounts")
    if username == actor.username and (disabled or (role and role != "office")):
        raise BadInput("an office account cannot switch itself off or out of the office")
    accounts.change_account(db.engine, username, actor, role=role, person=person_id, disabled=disabled, leads=leads)


def set_password(db: Database, actor: Account, *, username: str, password: str, current: str | None = None) -> None:
    """A new password: the office's for anyone, anyone's for themselves, who must give the
    current one (a session left open is not enough to take the account over)."""
    if actor.role != "office" and actor.username != username:
        raise PermissionDenied(f"{actor.username}: may change only their own password")
    if actor.username == username and not accounts.password_matches(db.engine, username, current or ""):
        raise BadInput([Problem("accounts", f"account {limits.short(username)}", None, "current password",
                                "is not the current password")])
    accounts.change_account(db.engine, username, actor, password=password)


def account_now(db: Database, actor: Account) -> Account | None:
    """The account as it is now (its role may have changed), None once it is disabled or removed:
    a session ends with its account."""
    return accounts.account_now(db.engine, actor.username)


def remove_account(db: Database, actor: Account, *, username: str) -> None:
    require_office(actor, "remove accounts")
    if username == actor.username:
        raise BadInput("an office account cannot remove itself")
    accounts.remove_account(db.engine, username, actor)


def audit_trail(db: Database, actor: Account, *, limit: int = 500) -> list[AuditRow]:
    require_office(actor, "read the audit trail")
    return audit.audit_trail(db.engine, limit)


def verify_audit(db: Database, actor: Account) -> tuple[int, str, list[str]]:
    """(rows, newest hash, problems): whether any audit row was edited or deleted."""
    require_office(actor, "verify the audit trail")
    return audit.verify_trail(db.engine)


def set_contacts(db: Database, actor: Account, *, person_id: str, urls: list[str]) -> None:
    """Replace where a person's notices go (Apprise URLs, or their DingTalk or WeCom user for work
    notices); the office, or the person."""
    if actor.role != "office" and actor.person != person_id:
        raise PermissionDenied(f"{actor.username}: may set only their own contacts")
    person(db.workbook(()), person_id)
    import apprise

    from roles.platforms import user_of
    bad = [Problem("contacts", f"person {person_id}", None, "url", f"'{notices.masked(u)}' is no notification "
                   "URL Apprise knows, nor a work-notice user (dingtalk-user://ID, wecom-user://ID)")
           for u in urls if user_of(u) is None and apprise.Apprise.instantiate(u) is None]
    if bad:
        raise BadInput(bad)
    notices.set_contacts(db.engine, person_id, urls, user=actor)


def contacts(db: Database, actor: Account, *, person_id: str | None = None) -> dict[str, list[str]]:
    """Contacts as they may be shown (masked): everyone's for the office, one's own for anyone."""
    if person_id is None or person_id != actor.person:
        require_office(actor, "list others' contacts")
    return notices.shown_contacts(db.engine, person_id)


def backup(db: Database, actor: Account, *, target: Path, progress: Progress = lambda _: None
           ) -> backups.BackupSummary:
    """Everything the database holds, as one file (the office's)."""
    require_office(actor, "make backups")
    return backups.backup(db.engine, target, actor, progress)


def restore(db: Database, actor: Account, *, source: Path, progress: Progress = lambda _: None
            ) -> backups.BackupSummary:
    """A backup loaded into this database, which must be empty; all or nothing (the office's)."""
    require_office(actor, "restore backups")
    return backups.restore(db.engine, source, actor, _readable, progress)


def _readable(wb: Workbook, name: str) -> None:
    """A restored workbook reads back as an import reads it: every field of every entry."""
    parse(to_tree(wb), name)


def new_secret_key() -> str:
    """A key for ABFLOW_SECRET_KEY (or its file), which seals the contact secrets."""
    return vault.new_key()


def dispatches(db: Database, actor: Account, *, status: str | None = None,
               day: dt.date | None = None) -> list[DispatchRow]:
    require_office(actor, "read the record of notices")
    return notices.dispatches(db.engine, status, day)


def send_notices(db: Database, actor: Account, *, day: dt.date, ahead: int, words: NoticeWords,
                 retry_only: bool = False) -> dispatch.Report:
    """Send the day's notices now (each at most once), or only those that failed before."""
    require_office(actor, "send notices")
    check_day(day)
    if not 0 <= ahead <= 30:
        raise BadInput(f"ahead: {ahead} is not between 0 and 30 workdays")
    if retry_only:
        return run_retry(db.engine)
    open_handovers(db, actor, today=day)  # the daily job is what opens the handovers the passing days call for
    return run_daily(db.engine, day, ahead, words)


def send_duty_changes(db: Database, actor: Account, *, day: dt.date, ahead: int, words: NoticeWords) -> dispatch.Report:
    """Tell each person, once, of a change to what they act on over the next `ahead` workdays
    since the last time this ran (the first run records what everyone does)."""
    from roles.notify.jobs import run_changes
    require_office(actor, "send notices")
    check_day(day)
    if not 1 <= ahead <= 30:
        raise BadInput(f"ahead: {ahead} is not between 1 and 30 workdays")
    return run_changes(db.engine, day, ahead, words)


def send_digest(db: Database, actor: Account, *, day: dt.date, words: DigestWords) -> dispatch.Report:
    """Send the digest of `day`'s week now, to each section head and everyone with an office
    account (and a contact); once per recipient and week, and only from a workday on."""
    from roles.engines.roster import calendar_of
    require_office(actor, "send the weekly digest")
    check_day(day)
    if not calendar_of(db.coverage(frozenset())).is_workday(day):
        return dispatch.Report()
    office = [a.person for a, disabled in accounts.all_accounts(db.engine)
              if a.role == "office" and a.person and not disabled]
    open_handovers(db, actor, today=day)
    return run_weekly(db.engine, day, words, handovers(db, actor, open_only=True), office)


def scheduler(db: Database, actor: Account, *, schedule: Schedule):
    """A blocking APScheduler with the daily notices and the retries installed in the database's
    job store; the caller starts it."""
    require_office(actor, "run the scheduler")
    try:
        ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(f"timezone: no time zone {limits.short(schedule.timezone)} (e.g. Asia/Shanghai)") from None
    sched = make_scheduler(db.engine, schedule)
    install(sched, schedule)
    return sched
