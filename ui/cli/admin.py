"""Commands that run an installation: accounts, API clients, contacts, notices and the scheduler, the
audit trail, the app."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..i18n import lang, t
from .base import DATE, EXIT_PROBLEMS, _db, _row, _stdout, _today, emit_json, fail, guarded, main, new_table


@main.group()
def contacts() -> None:
    """Where each person's notices go (Apprise URLs: mailto://, wecombot://, dingtalk://, json://…)."""


@contacts.command("set")
@click.argument("person", metavar="PERSON")
@click.argument("urls", nargs=-1, metavar="URL...")
@click.pass_context
@guarded
def contacts_set(ctx, person: str, urls: tuple[str, ...]) -> None:
    """Replace PERSON's contacts with URL... (none: remove them)."""
    from roles import actions
    actions.set_contacts(*_db(ctx), person_id=person, urls=list(urls))


@contacts.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def contacts_list(ctx, as_json: bool) -> None:
    """Each person's contacts, their secrets masked."""
    from roles import actions
    found = actions.contacts(*_db(ctx))
    if as_json:
        emit_json({"contacts": found})
    else:
        for p, urls in found.items():
            click.echo(f"{p}\t{' '.join(urls)}")


@main.group("api", invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything wider belongs behind a reverse proxy with TLS.")
@click.option("--port", type=click.IntRange(1, 65535), default=8600, show_default=True)
@click.pass_context
@guarded
def api(ctx, host: str, port: int) -> None:
    """Serve the read-only acting-holder API (JSON, OpenAPI docs at /docs) for the clients the
    office made with `abflow api client add`."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn
    from ..api import create_app
    app = create_app(ctx.obj)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(t("api.exposed", host=host), err=True)
    click.echo(t("api.listening", host=host, port=port), err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


@api.group("client")
def api_client() -> None:
    """The programs that may read the API, each with its own token."""


@api_client.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["office", "head", "staff"]), default="office", show_default=True,
              help="Whom the client reads as: the app's permissions of that role.")
@click.option("--person", metavar="ID", help="The person a head or staff client reads as.")
@click.option("--department", metavar="ID", help="The one department the client may ask about.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def api_client_add(ctx, name: str, role: str, person: str | None, department: str | None, as_json: bool) -> None:
    """Make API client NAME and print its token, this once."""
    from roles import actions
    token = actions.add_api_client(*_db(ctx), name=name, role=role, person_id=person, department_id=department)
    if as_json:
        emit_json({"name": name, "token": token})
    else:
        click.echo(t("api.client.made", name=name, token=token))


@api_client.command("revoke")
@click.argument("name")
@click.pass_context
@guarded
def api_client_revoke(ctx, name: str) -> None:
    """Revoke API client NAME: its token gets 401 from now on."""
    from roles import actions
    actions.revoke_api_client(*_db(ctx), name=name)
    click.echo(t("api.client.revoked", name=name), err=True)


@api_client.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def api_client_list(ctx, as_json: bool) -> None:
    """The API clients, revoked ones too (never their tokens)."""
    from roles import actions
    found = actions.api_clients(*_db(ctx))
    stamp = lambda x: x.isoformat(timespec="seconds") if x else None  # noqa: E731
    rows = [{"name": c.name, "role": c.role, "person": c.person, "department": c.department,
             "created_at": stamp(c.created_at), "created_by": c.created_by, "revoked_at": stamp(c.revoked_at)}
            for c in found]
    if as_json:
        emit_json({"clients": rows})
    else:
        for r in rows:
            click.echo("\t".join(str(r[k] or "") for k in ("name", "role", "person", "department", "revoked_at")))


@main.command()
@click.option("--date", "day", type=DATE, default=None, help="A day of the week (default: today).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def digest(ctx, day: dt.date | None, as_json: bool) -> None:
    """Send the week's digest now, as the scheduler would: to each section head and the reform
    office, once per recipient and week."""
    from roles import actions, clock
    from roles.notify.digest import DigestWords
    report = actions.send_digest(*_db(ctx), day=day or clock.today(), words=DigestWords.of(lang()))
    if as_json:
        emit_json(report.__dict__)
    else:
        click.echo(t("notify.report", **report.__dict__))


@main.command()
def keygen() -> None:
    """Print a new secret key, for ABFLOW_SECRET_KEY or its file: the key that seals contact secrets.
    Every abflow process of an installation needs the same one; keep it apart from database backups."""
    from roles import actions
    click.echo(actions.new_secret_key())


def _schedule(at: str, ahead: int, tz: str, grace: int):
    from roles.notify.jobs import Schedule
    try:
        when = dt.time.fromisoformat(at)
    except ValueError:
        fail(f"--at: '{at}' is no time of day (use HH:MM)")
    return Schedule(at=when, ahead=ahead, timezone=tz, grace=grace, language=lang())


@main.command()
@click.option("--at", default="08:00", show_default=True, metavar="HH:MM", help="Time of the daily notices.")
@click.option("--ahead", type=click.IntRange(0, 30), default=3, show_default=True,
              help="Workdays of gaps ahead in the section heads' notice.")
@click.option("--timezone", "tz", default="Asia/Shanghai", show_default=True)
@click.option("--grace", type=click.IntRange(0), default=4 * 3600, show_default=True, metavar="SECONDS",
              help="How late a missed run (machine off) may still run.")
@click.pass_context
@guarded
def scheduler(ctx, at: str, ahead: int, tz: str, grace: int) -> None:
    """Run the scheduler: daily notices on workdays and retries of failed sends (jobs kept in the database)."""
    from roles import actions
    schedule = _schedule(at, ahead, tz, grace)
    db, me = _db(ctx)
    import os
    os.environ["ABFLOW_DB"] = actions.resolve_url(ctx.obj)  # where the jobs of this process run
    sched = actions.scheduler(db, me, schedule=schedule)
    click.echo(t("scheduler.started", at=at, tz=tz, db=db.url), err=True)
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass


@main.command()
@click.option("--date", "day", type=DATE, default=_today, show_default="today")
@click.option("--ahead", type=click.IntRange(0, 30), default=3, show_default=True)
@click.option("--retry", "retry_only", is_flag=True, help="Only send again what failed before.")
@click.option("--changes", is_flag=True,
              help="Instead, tell each person, once, how what they do over the next --ahead workdays changed "
                   "since the last time (the scheduler does this every quarter hour).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def notify(ctx, day: dt.date, ahead: int, retry_only: bool, changes: bool, as_json: bool) -> None:
    """Send the day's notices now, as the scheduler would (each notice at most once)."""
    from roles import actions
    from roles.notify.notices import NoticeWords
    if changes:
        report = actions.send_duty_changes(*_db(ctx), day=day, ahead=ahead, words=NoticeWords.of(lang()))
    else:
        report = actions.send_notices(*_db(ctx), day=day, ahead=ahead, words=NoticeWords.of(lang()),
                                      retry_only=retry_only)
    if as_json:
        emit_json(report.__dict__)
    else:
        click.echo(t("notify.report", **report.__dict__))
    if report.failed or report.gave_up:
        sys.exit(EXIT_PROBLEMS)


@main.command()
@click.option("--status", type=click.Choice(["sending", "sent", "delivered", "read", "failed", "gave-up"]), default=None)
@click.option("--date", "day", type=DATE, default=None)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def dispatches(ctx, status: str | None, day: dt.date | None, as_json: bool) -> None:
    """The record of every notice sent or tried."""
    from roles import actions
    rows = actions.dispatches(*_db(ctx), status=status, day=day)
    keys = ("id", "day", "kind", "recipient", "target", "status", "attempts", "error", "title", "updated")
    if as_json:
        emit_json({"dispatches": [{k: getattr(r, k) for k in keys} for r in rows]})
        return
    table = new_table(None, ("id", "day", "kind", "recipient", "status", "attempts", "error"), words="dispatch")
    for r in rows:
        _row(table, r.id, r.day, t(f"dispatch.{r.kind}"), r.recipient, t(f"dispatch.{r.status}"),
             r.attempts, (r.error or "")[:80])
    _stdout().print(table)


@main.group()
def accounts() -> None:
    """Local sign-in accounts of the app (reform office, section heads, staff)."""


ROLE_CHOICE = click.Choice(["office", "head", "leader", "staff"])
LEADS_OPTION = click.option("--leads", metavar="DEPARTMENT",
                            help="The department a leader account is in charge of (分管): whose changes it approves.")


@accounts.command("add")
@click.argument("username")
@click.option("--role", type=ROLE_CHOICE, required=True)
@click.option("--person", metavar="ID", help="The person a head or staff account belongs to.")
@LEADS_OPTION
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@click.pass_context
@guarded
def accounts_add(ctx, username: str, role: str, person: str | None, leads: str | None, password_stdin: bool) -> None:
    """Make an account; the password is asked for (or read with --password-stdin) and kept hashed."""
    from roles import actions
    password = _new_password(password_stdin)
    actions.add_account(*_db(ctx), username=username, password=password, role=role, person_id=person, leads=leads)
    click.echo(t("accounts.added", username=username, role=role), err=True)


@accounts.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def accounts_list(ctx, as_json: bool) -> None:
    """The accounts: role, person, whether switched off (never a password hash)."""
    from roles import actions
    rows = [{"username": a.username, "role": a.role, "person": a.person, "leads": a.leads, "disabled": off}
            for a, off in actions.list_accounts(*_db(ctx))]
    if as_json:
        emit_json({"accounts": rows})
    else:
        for r in rows:
            click.echo(f"{r['username']}\t{r['role']}\t{r['person'] or r['leads'] or ''}"
                       + ("\tdisabled" if r["disabled"] else ""))


def _new_password(stdin: bool) -> str:
    return (sys.stdin.readline().rstrip("\n") if stdin
            else click.prompt("password", hide_input=True, confirmation_prompt=True, err=True))


@accounts.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@click.pass_context
@guarded
def accounts_passwd(ctx, username: str, password_stdin: bool) -> None:
    """Give an account a new password (at least 10 characters, not a common one)."""
    from roles import actions
    actions.set_password(*_db(ctx), username=username, password=_new_password(password_stdin))
    click.echo(t("accounts.changed", username=username), err=True)


@accounts.command("role")
@click.argument("username")
@click.option("--role", type=ROLE_CHOICE, required=True)
@click.option("--person", metavar="ID", help="The person a head or staff account belongs to.")
@LEADS_OPTION
@click.pass_context
@guarded
def accounts_role(ctx, username: str, role: str, person: str | None, leads: str | None) -> None:
    """Change an account's role (and its person, or the department a leader leads)."""
    _change_account(ctx, username, role=role, person_id=person, leads=leads)


def _change_account(ctx, username: str, **change) -> None:
    from roles import actions
    actions.change_account(*_db(ctx), username=username, **change)
    click.echo(t("accounts.changed", username=username), err=True)


@accounts.command("disable")
@click.argument("username")
@click.pass_context
@guarded
def accounts_disable(ctx, username: str) -> None:
    """Switch an account off: it can no longer sign in; its name stays on the audit trail."""
    _change_account(ctx, username, disabled=True)


@accounts.command("enable")
@click.argument("username")
@click.pass_context
@guarded
def accounts_enable(ctx, username: str) -> None:
    """Switch an account on again."""
    _change_account(ctx, username, disabled=False)


@accounts.command("remove")
@click.argument("username")
@click.pass_context
@guarded
def accounts_remove(ctx, username: str) -> None:
    """Remove an account (its audit trail stays)."""
    from roles import actions
    actions.remove_account(*_db(ctx), username=username)
    click.echo(t("accounts.changed", username=username), err=True)


@main.group("audit", invoke_without_command=True)
@click.option("--limit", type=click.IntRange(1, 100000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def audit_(ctx, limit: int, as_json: bool) -> None:
    """The audit trail: who changed what, when (in the office's time zone), with before and after,
    newest first; `abflow audit verify` checks that no row was edited or deleted."""
    if ctx.invoked_subcommand is not None:
        return
    from roles import actions
    from roles.clock import zone
    rows = actions.audit_trail(*_db(ctx), limit=limit)
    local = lambda at: (at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)).astimezone(zone())  # noqa: E731
    if as_json:
        emit_json({"audit": [{"at": local(r.at).isoformat(), "user": r.user, "action": r.action,
                              "subject": r.subject, "before": r.before, "after": r.after} for r in rows]})
        return
    for r in rows:
        click.echo(f"{local(r.at):%Y-%m-%d %H:%M:%S%z}\t{r.user}\t{r.action}\t{r.subject}")


@audit_.command("verify")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def audit_verify(ctx, as_json: bool) -> None:
    """Check the chain of the audit trail: exit 1 when a row was edited or deleted. Keep the newest
    hash it prints somewhere else: a trail cut short at its end shows only against it."""
    from roles import actions
    n, head, problems = actions.verify_audit(*_db(_root(ctx)))
    if as_json:
        emit_json({"rows": n, "head": head, "problems": problems})
    else:
        for p in problems:
            click.echo(f"error: {p}", err=True)
        click.echo(t("audit.verified", n=n, head=head or "—") if not problems else
                   t("audit.broken", n=len(problems)))
    if problems:
        sys.exit(EXIT_PROBLEMS)


def _root(ctx: click.Context) -> click.Context:
    return ctx.find_root()


@main.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True)
@click.option("--address", default="127.0.0.1", show_default=True,
              help="Where to listen: this machine only, unless a reverse proxy on another host needs more "
                   "(0.0.0.0: every interface).")
@click.option("--headless/--browser", default=True, help="Do not open a browser window.")
@click.pass_context
@guarded
def serve(ctx, port: int, address: str, headless: bool) -> None:
    """Start the app (Streamlit) on the configured database. The command becomes the server (exec),
    so a service manager's stop signal reaches it and nothing outlives it."""
    import os
    from roles import actions
    _db(ctx)  # reach and migrate the database first, so a bad URL fails here with exit 3
    app = Path(__file__).resolve().parents[1] / "app.py"  # ui/app.py
    os.environ["ABFLOW_DB"] = actions.resolve_url(ctx.obj)
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
           "--server.address", address, "--server.headless", "true" if headless else "false",
           "--browser.gatherUsageStats", "false",
           "--client.toolbarMode", "viewer",  # no "Deploy" button: this is a deployed app
           "--server.maxUploadSize", "20",    # MB, the readers' own limit (flows.limits.MAX_FILE_BYTES)
           "--client.showErrorDetails", "none"]  # users see a generic error; the traceback goes to the server log
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, cmd)  # noqa: S606 - our own interpreter and app, no shell
