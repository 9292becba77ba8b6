"""The root command and what every command shares: dates as options, the one place errors
become exit codes, JSON and progress output, the database and who acts on it."""
from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import os
import sys
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from flows.wording import Worded

from ..i18n import lang, t

if TYPE_CHECKING:
    from roles.actions import Account, Database

EXIT_PROBLEMS, EXIT_BAD_INPUT, EXIT_DATABASE = 1, 2, 3


class ISODate(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        if len(text) != 10:
            self.fail(f"'{value}' is no date: use YYYY-MM-DD", param, ctx)
        try:
            day = dt.date.fromisoformat(text)
        except ValueError as e:
            self.fail(f"'{value}' is no date: {e} (use YYYY-MM-DD)", param, ctx)
        from flows.limits import FIRST_DAY, LAST_DAY
        if not FIRST_DAY <= day <= LAST_DAY:
            self.fail(f"{day} is outside {FIRST_DAY.year}–{LAST_DAY.year}", param, ctx)
        return day


DATE = ISODate()


def _today() -> dt.date:
    """Today where the office works (roles.clock): the default of every --date."""
    from flows.errors import AbflowError
    from roles.clock import today
    try:
        return today()
    except AbflowError as e:  # defaults are made before the command runs, outside `guarded`
        raise click.UsageError(str(e)) from None


def _stderr():
    from rich.console import Console
    return Console(stderr=True)


def _stdout():
    from rich.console import Console
    return Console(soft_wrap=True)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    click.echo(f"abflow: {message}", err=True)
    sys.exit(code)


def guarded(fn):
    """Turn abflow's errors into the spec's exit codes, with the message on stderr: the one place
    the CLI knows how an error is said."""

    @wraps(fn)
    def run(*args, **kw):
        from roles.actions import AbflowError, BadInput
        try:
            return fn(*args, **kw)
        except BadInput as e:
            lines = e.lines()
            if len(lines) == 1 and not e.problems[0].file:
                fail(lines[0], e.exit_code)
            for line in lines:
                click.echo(f"error: {line}", err=True)
            click.echo(f"abflow: {len(lines)} problem(s); nothing was changed", err=True)
            sys.exit(e.exit_code)
        except AbflowError as e:
            fail(str(e), e.exit_code)
        except Exception as e:
            from roles.actions import DATABASE_ERRORS  # loads SQLAlchemy: only once something failed
            if not isinstance(e, DATABASE_ERRORS):
                raise
            fail(f"database error: {str(e.orig or e).strip().splitlines()[0]}", EXIT_DATABASE)

    return run


def emit_json(doc) -> None:
    """Indented for a person at a terminal; compact for a script, where Python's C encoder is
    several times faster on a city's 12,000 steps."""
    pretty = sys.stdout.isatty()
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2 if pretty else None, default=str,
                          separators=None if pretty else (",", ":")))


class Progress:
    """Stage messages on stderr: a spinner in a terminal, nothing when piped."""

    def __init__(self):
        self.console = _stderr()
        self.status = self.console.status("") if self.console.is_terminal else None

    def __enter__(self):
        if self.status:
            self.status.__enter__()
        return self

    def __call__(self, message) -> None:
        """A message: a stage of the engines (in the CLI's language) or words already chosen."""
        if self.status:
            self.status.update(message.text(lang()) if isinstance(message, Worded) else message)

    def __exit__(self, *exc):
        if self.status:
            self.status.__exit__(*exc)


#: Commands that run until stopped, and so collect their garbage as any long-running process does.
SERVERS = frozenset({"api", "scheduler", "serve"})


def _version(ctx: click.Context, _param, value: bool) -> None:
    """`abflow --version`: the release, and the database schema it reads and writes (what an
    upgrade migrates to)."""
    if not value or ctx.resilient_parsing:
        return
    from roles import actions
    version, schema = actions.release()
    click.echo(f"abflow {version} (database schema {schema})")
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="The release and its database schema, then exit.")
@click.option("--db", "db_url", envvar="ABFLOW_DB", metavar="URL",
              help="SQLAlchemy URL (sqlite:///file.db, postgresql+psycopg://...); default: ABFLOW_DB, "
                   "else a SQLite file in your data folder.")
@click.option("--as", "as_user", envvar="ABFLOW_AS", metavar="USER",
              help="Act as this account of the app (a leader approving, a head submitting), signed in with its "
                   "password: ABFLOW_PASSWORD, else asked for. Default: the reform office, named by your OS user.")
@click.pass_context
def main(ctx: click.Context, db_url: str | None, as_user: str | None) -> None:
    """abflow: business processes of the big-section reform, with A/B holders who cover each step."""
    logging.basicConfig(level=logging.WARNING, format="abflow: %(message)s", stream=sys.stderr)
    logging.getLogger("apprise").propagate = False  # its failures reach us as the dispatch log's errors
    if ctx.invoked_subcommand not in SERVERS and gc.isenabled():
        # A command lives for seconds and builds data without reference cycles; the cycle
        # collector walking a province's million objects again and again cost a third of a roster.
        gc.disable()
        ctx.call_on_close(gc.enable)  # for a caller that runs commands in its own process (tests)
    ctx.obj = db_url
    ctx.meta["as"] = as_user


def _db(ctx: click.Context) -> tuple[Database, Account]:
    """The database and who acts on it: the office, named by the OS user, or the account `--as`
    names once it signed in (asked once per command)."""
    from roles import actions
    db = actions.open_database(ctx.obj)
    meta = ctx.find_root().meta
    if not meta.get("as"):
        return db, actions.cli_account()
    if "actor" not in meta:
        name = meta["as"]
        password = os.environ.get("ABFLOW_PASSWORD") or click.prompt(f"password of {name}", hide_input=True, err=True)
        meta["actor"] = actions.sign_in(db, name, password, client="cli") or fail(
            f"cannot sign in as {name}: unknown account, wrong password, switched off or locked", EXIT_BAD_INPUT)
    return db, meta["actor"]


def _workbook(ctx: click.Context, versions: tuple[str, ...] = ("before", "after")):
    """The data, for names and labels in what a command prints: `versions=()` the organisation
    alone (who a person is), without a step of any process."""
    from roles import actions
    return actions.workbook(*_db(ctx), versions=versions)


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as e:
        fail(f"{file}: {e.strerror}")


def _write(file: Path, data: bytes) -> None:
    try:
        file.write_bytes(data)
    except OSError as e:
        fail(f"{file}: {e.strerror}")


def new_table(title: str | None, columns: tuple[str, ...], words: str = "col", left: tuple[str, ...] | None = None):
    """A table for the terminal, its columns headed in the CLI's language (`{words}.{column}`);
    with `left`, those columns left-aligned and the others (figures) right."""
    from rich.table import Table
    table = Table(title=title)
    for c in columns:
        table.add_column(t(f"{words}.{c}"), justify="left" if left is None or c in left else "right")
    return table


def _row(table, *cells) -> None:
    """Add a row of plain text: names from a workbook are never read as rich markup."""
    from rich.text import Text
    table.add_row(*(c if isinstance(c, Text) else Text(str(c)) for c in cells))


if __name__ == "__main__":
    main()
