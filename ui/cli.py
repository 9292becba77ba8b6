"""The `abflow` command line (docs/cli.md). It only parses options, calls the same
store and engines the app uses, and prints: human tables by default, one JSON document with
`--json`. Progress and logs go to stderr. Exit: 0 done, 1 problems found, 2 bad input,
3 database unreachable or not migratable."""
from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from flows.wording import Worded

from .i18n import lang, off_day, person_label, t
from .shapes import gaps_json, handovers_json, roster_json

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
        from roles.actions import DATABASE_ERRORS, AbflowError, BadInput
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
        except DATABASE_ERRORS as e:
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_url", envvar="ABFLOW_DB", metavar="URL",
              help="SQLAlchemy URL (sqlite:///file.db, postgresql+psycopg://...); default: ABFLOW_DB, "
                   "else a SQLite file in your data folder.")
@click.pass_context
def main(ctx: click.Context, db_url: str | None) -> None:
    """abflow: business processes of the big-section reform, with A/B holders who cover each step."""
    logging.basicConfig(level=logging.WARNING, format="abflow: %(message)s", stream=sys.stderr)
    logging.getLogger("apprise").propagate = False  # its failures reach us as the dispatch log's errors
    ctx.obj = db_url


def _db(ctx: click.Context) -> tuple[Database, Account]:
    """The database and who acts on it (the office, named by the OS user), for the use cases."""
    from roles import actions
    return actions.open_database(ctx.obj), actions.cli_account()


def _workbook(ctx: click.Context, versions: tuple[str, ...] = ("before", "after")):
    """The data, for names and labels in what a command prints."""
    from roles import actions
    return actions.workbook(*_db(ctx), versions=versions)


@main.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
@guarded
def import_(ctx, file: Path, as_json: bool) -> None:
    """Load a workbook (YAML, JSON or XLSX); all or nothing. Departments it names are replaced."""
    from roles import actions
    data = _read(file)
    with Progress() as progress:
        summary = actions.import_workbook(*_db(ctx), data=data, name=file.name, progress=progress)
    if as_json:
        emit_json({"file": str(file), **summary.__dict__})
    else:
        click.echo(t("import.done", file=file.name, **summary.__dict__))


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_context
@guarded
def export(ctx, file: Path) -> None:
    """Write the whole database as a workbook (format by extension) that imports back unchanged."""
    from roles import actions
    _write(file, actions.export_workbook(*_db(ctx), name=file.name))
    click.echo(t("export.done", file=file), err=True)


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


@main.command()
@click.option("--date", "day", type=DATE, default=_today, show_default="today")
@click.option("--department", metavar="ID", help="Only this department.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def roster(ctx, day: dt.date, department: str | None, as_json: bool) -> None:
    """Who covers each redesigned step on a date."""
    from roles import actions
    r = actions.roster(*_db(ctx), day=day, department_id=department)
    if as_json:  # ids only: no names to look up
        emit_json(roster_json(r, day))
        return
    wb = _workbook(ctx, ("after",))
    _say_estimated(r.calendar, day.year)
    if not r.workday:
        click.echo(t("not_workday", date=day, why=off_day(r.off)))
        return
    from rich.table import Table
    table = Table(title=t("roster.title", date=day))
    for col in ("process", "step", "a", "b", "status", "acting", "suggested"):
        table.add_column(t(f"col.{col}"))
    from rich.text import Text
    from roles.engines.acting import STATUSES
    style = {"A": "", "B": "yellow", "up": "magenta", "gap": "bold red"}
    for d in r.steps:
        _row(table, f"{d.process_name} ({d.process})", f"{d.step} {d.step_name}", person_label(wb, d.a),
             person_label(wb, d.b), Text(t("status." + d.status), style=style[d.status]),
             person_label(wb, d.acting), person_label(wb, d.suggested) if d.suggested else "")
    console = _stdout()
    console.print(table)
    counts = {k: sum(d.status == k for d in r.steps) for k in STATUSES}
    console.print(t("roster.summary", total=len(r.steps), **counts))


def _say_estimated(source: str, *years: int) -> None:
    if source == "estimated":
        click.echo(t("calendar.estimated", years="、".join(str(y) for y in sorted(set(years)))), err=True)


def _row(table, *cells) -> None:
    """Add a row of plain text: names from a workbook are never read as rich markup."""
    from rich.text import Text
    table.add_row(*(c if isinstance(c, Text) else Text(str(c)) for c in cells))


def _print_gaps(wb, title: str, rows) -> None:
    from rich.table import Table
    table = Table(title=title)
    for col in ("date", "process", "step", "a", "b", "suggested"):
        table.add_column(t(f"col.{col}"))
    for g in rows:
        _row(table, g.date.isoformat(), f"{g.process_name} ({g.process})", f"{g.step} {g.step_name}",
                      person_label(wb, g.a), person_label(wb, g.b),
                      person_label(wb, g.suggested) if g.suggested else "")
    _stdout().print(table)


def _range_command(fn):
    """A command about the workdays from --from to --to, the whole city's or one --department's,
    for people or (--json) for scripts."""
    fn = click.pass_context(guarded(fn))
    for option in (click.option("--json", "as_json", is_flag=True),
                   click.option("--department", metavar="ID", help="Only this department."),
                   click.option("--to", "end", type=DATE, required=True),
                   click.option("--from", "start", type=DATE, required=True)):
        fn = option(fn)
    return main.command()(fn)


@_range_command
def gaps(ctx, start: dt.date, end: dt.date, department: str | None, as_json: bool) -> None:
    """Every workday and step in the range that nobody covers."""
    from roles import actions
    found = actions.gaps(*_db(ctx), start=start, end=end, department_id=department)
    source = actions.calendar(*_db(ctx), start=start, end=end)
    if as_json:
        emit_json(gaps_json(found, start, end, source))
        return
    _say_estimated(source, start.year, end.year)
    if not found:
        click.echo(t("gaps.none", start=start, end=end))
    else:
        _print_gaps(_workbook(ctx, ("after",)), t("gaps.title", start=start, end=end), found)


@main.command()
@click.option("--person", required=True, metavar="ID")
@click.option("--from", "start", type=DATE, required=True)
@click.option("--to", "end", type=DATE, required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def whatif(ctx, person: str, start: dt.date, end: dt.date, as_json: bool) -> None:
    """The gaps a proposed absence would add, before the leave is approved; and whether it puts a
    head and their paired deputy away together, and which cases it would make late."""
    from roles import actions
    found = actions.leave_check(*_db(ctx), person_id=person, start=start, end=end)
    added = found.gaps
    source = actions.calendar(*_db(ctx), start=start, end=end)
    if as_json:
        emit_json({"person": person, **gaps_json(added, start, end, source),
                   "leaders_apart": [{"date": x.date.isoformat(), "head": x.head, "deputy": x.deputy}
                                     for x in found.leaders_apart],
                   "late_cases": [{"process": p.process, "start": c.start.isoformat(), "end": c.end.isoformat(),
                                   "over": c.over} for p, c in found.late]})
        return
    _say_estimated(source, start.year, end.year)
    wb = _workbook(ctx, ("after",))
    if found.late:
        click.echo(t("overrun.leave", person=person_label(wb, person), n=len(found.late)))
        for p, c in found.late:
            click.echo(f"  {p.name} ({p.process}) {c.start} +{c.over:g}")
    for x in found.leaders_apart:
        click.echo(t("leaders.together", date=x.date, head=person_label(wb, x.head), deputy=person_label(wb, x.deputy)))
    if not added:
        click.echo(t("whatif.none", person=person_label(wb, person), start=start, end=end))
    else:
        _print_gaps(wb, t("whatif.title", person=person_label(wb, person), start=start, end=end), added)


def overrun_json(report) -> dict:
    """`abflow overrun --json` (cli spec), with each late case and the absences that cause it."""
    def days(x: float):
        return int(x) if float(x).is_integer() else x
    return {"from": report.start.isoformat(), "to": report.end.isoformat(),
            "processes": [{"process": p.process, "name": p.name, "section": p.section, "department": p.department,
                           "promised_days": p.promised_days, "cases": len(p.cases), "late": len(p.late),
                           "worst_days": days(p.worst_days), "overdue_steps": p.overdue,
                           "late_cases": [{"start": c.start.isoformat(), "end": c.end.isoformat(), "days": days(c.days),
                                           "over": days(c.over), "absences": list(c.absences)} for c in p.late]}
                          for p in report.processes],
            "absences": [{"person": a.person, "start": a.start.isoformat(), "end": a.end.isoformat(),
                          "reason": a.reason, "late_cases": n}
                         for a, n in zip(report.absences, report.late_cases_of(), strict=True)]}


@_range_command
def overrun(ctx, start: dt.date, end: dt.date, department: str | None, as_json: bool) -> None:
    """Which processes would miss their promised time limit because of who is away: a case started
    on each workday of the range, moved along the process's longest route."""
    from roles import actions
    report = actions.overrun(*_db(ctx), start=start, end=end, department_id=department)
    if as_json:
        emit_json(overrun_json(report))
        return
    _say_estimated(actions.calendar(*_db(ctx), start=start, end=end), start.year, end.year)
    late = sorted((p for p in report.processes if p.late), key=lambda p: (-len(p.late), -p.worst_days))
    if not report.processes:
        click.echo(t("overrun.no_limits"))
        return
    if not late:
        click.echo(t("overrun.none", start=start, end=end, n=len(report.processes)))
        return
    from rich.table import Table
    wb = _workbook(ctx, ("after",))
    table = Table(title=t("overrun.title", start=start, end=end))
    for c in ("process", "promised", "cases", "late", "worst", "late_starts"):
        table.add_column(t(f"overrun.col.{c}"), justify="left" if c in ("process", "late_starts") else "right")
    for p in late:
        _row(table, f"{p.name} ({p.process})", p.promised_days, len(p.cases), len(p.late), f"{p.worst_days:g}",
             ", ".join(c.start.strftime("%m-%d") for c in p.late))
    _stdout().print(table)
    if report.absences:
        table = Table(title=t("overrun.causes"))
        for c in ("person", "from", "to", "late"):
            table.add_column(t(f"overrun.col.{c}"))
        for a, n in zip(report.absences, report.late_cases_of(), strict=True):
            _row(table, person_label(wb, a.person), a.start.isoformat(), a.end.isoformat(), n)
        _stdout().print(table)


@main.command()
@click.option("--section", metavar="ID", help="Only this section.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def resilience(ctx, section: str | None, as_json: bool) -> None:
    """Which people must not be away together; sections weakest first."""
    from roles import actions
    found = actions.resilience(*_db(ctx), section_id=section)
    wb = _workbook(ctx, ("after",))
    if as_json:
        emit_json({"sections": [{"section": r.section, "department": wb.department_of_section.get(r.section),
                                 "people": r.people, "steps": r.steps, "k": r.k,
                                 "k_with_standins": r.k_with_standins,
                                 "critical_pairs": [list(p) for p in r.critical_pairs],
                                 "steps_at_risk": r.steps_at_risk, "exposure": r.exposure,
                                 "unheld": list(r.unheld)} for r in found]})
        return
    from rich.table import Table
    table = Table(title=t("resilience.title"))
    for col in ("section", "people", "k", "k_standin", "pairs", "exposed", "at_risk"):
        table.add_column(t(f"resilience.{col}"), justify="left" if col in ("section", "exposed", "at_risk") else "right")
    for r in found:
        sec = wb.section_by_id[r.section]
        name = lambda pid: wb.person_by_id[pid].name if pid in wb.person_by_id else pid  # noqa: E731
        exposed = " ".join(f"{name(p)}×{n}" for p, n in list(r.exposure.items())[:3])
        at_risk = " ".join(f"{name(p)}×{n}" for p, n in r.steps_at_risk.items())
        _row(table, f"{sec.name} ({r.section})", r.people, r.k, r.k_with_standins, len(r.critical_pairs),
             exposed, at_risk)
    console = _stdout()
    console.print(table)
    console.print(t("resilience.note"))


@main.command()
@click.argument("person", metavar="PERSON")
@click.option("--from", "start", type=DATE, default=_today, show_default="today")
@click.option("--to", "end", type=DATE, default=None, help="Last day  [default: 60 days on]")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="File (default: stdout).")
@click.pass_context
@guarded
def ical(ctx, person: str, start: dt.date, end: dt.date | None, output: Path | None) -> None:
    """The person's A/B duties and cover days as iCalendar, for a phone calendar."""
    from roles import actions
    data = actions.duty_feed(*_db(ctx), person_id=person, start=start, end=end or start + dt.timedelta(days=59),
                             words=ical_words())
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        _write(output, data)
        click.echo(t("ical.done", file=output), err=True)


def ical_words():
    from roles.formats.ical import Words
    return Words(**{k: t(f"ical.{k}") for k in Words.__dataclass_fields__})


@main.group()
def calendar() -> None:
    """China's workday calendar: which years follow a published schedule, and loading a new one."""


@calendar.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--year", type=click.IntRange(1900, 2100), required=True)
@click.pass_context
@guarded
def calendar_import(ctx, file: Path, year: int) -> None:
    """Load the State Council's schedule of YEAR (a workbook holding only `calendar`: each holiday and
    adjusted working day), before the national calendar library knows it; the year becomes official."""
    from roles import actions
    n = actions.load_calendar(*_db(ctx), data=_read(file), name=file.name, year=year)
    click.echo(t("calendar.loaded", year=year, n=n, file=file.name), err=True)


@calendar.command("status")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def calendar_status(ctx, as_json: bool) -> None:
    """Whether last year, this year and the next three follow a published schedule."""
    from roles import actions
    this = _today().year
    found = actions.calendar_years(*_db(ctx), years=tuple(range(this - 1, this + 4)))
    if as_json:
        emit_json({"years": {str(y): s for y, s in found.items()}})
        return
    for y, s in found.items():
        click.echo(f"{y}\t{t('calendar.status.' + s)}")


@main.group()
def absences() -> None:
    """Absences: import the .ics files leave systems export."""


@absences.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--person", metavar="ID", help="Whose absences (default: read from each event).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def absences_import(ctx, file: Path, person: str | None, as_json: bool) -> None:
    """Add the absences of a leave file: an iCalendar file's events, or a leave list (XLSX, YAML or
    JSON with an `absences` sheet or list only); all or nothing, and never twice."""
    from roles import actions
    found, added = actions.import_leave(*_db(ctx), data=_read(file), name=file.name, person=person)
    if as_json:
        emit_json({"file": str(file), "events": len(found), "added": added,
                   "absences": [{"person": a.person, "start": a.start.isoformat(), "end": a.end.isoformat(),
                                 "reason": a.reason} for a in found]})
    else:
        click.echo(t("absences.imported", file=file.name, n=len(found), added=added))


@main.command()
@click.option("--section", metavar="ID", help="Only this section.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def pairing(ctx, section: str | None, as_json: bool) -> None:
    """Where A/B pairs break the reform's pairing rules, and each person's B load."""
    from roles import actions
    report = [(r.section, r.issues, r.loads) for r in actions.pairing(*_db(ctx), section_id=section)]
    wb = _workbook(ctx, ("after",))
    if as_json:
        emit_json({"sections": [{"section": sid, "issues": [i.__dict__ for i in issues],
                                 "load": [x.__dict__ for x in loads]} for sid, issues, loads in report]})
    else:
        from rich.table import Table
        console = _stdout()
        for sid, issues, loads in report:
            table = Table(title=f"{wb.section_by_id[sid].name} ({sid})")
            for col in ("person", "a_steps", "a_minutes", "b_steps", "b_minutes"):
                table.add_column(t(f"pairing.{col}"), justify="left" if col == "person" else "right")
            for x in loads:
                _row(table, person_label(wb, x.person), x.a_steps, f"{x.a_minutes:.0f}", x.steps, f"{x.minutes:.0f}")
            console.print(table)
            for i in issues:
                console.print(t(f"pairing.{i.kind}", subject=i.subject, a=person_label(wb, i.a),
                                b=person_label(wb, i.b)), style="yellow", markup=False)
    if any(issues for _, issues, _ in report):
        sys.exit(EXIT_PROBLEMS)


@main.command()
@click.option("--section", required=True, metavar="ID")
@click.option("--mode", type=click.Choice(["fill", "rebalance"]), default="fill", show_default=True,
              help="fill: only steps that lack a holder; rebalance: every step, changing as few as it can.")
@click.option("--time-limit", type=click.FloatRange(0.1, 600), default=5.0, show_default=True, metavar="SECONDS")
@click.option("--accept", is_flag=True, help="Store the proposal (the section head's acceptance).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def suggest(ctx, section: str, mode: str, time_limit: float, accept: bool, as_json: bool) -> None:
    """Propose A and B holders for a section's steps (OR-Tools CP-SAT); store them with --accept."""
    from roles import actions
    db = _db(ctx)
    with Progress() as progress:
        progress(t("suggest.solving"))
        found = actions.propose(*db, section_id=section, mode=mode, time_limit=time_limit, progress=progress)
    saved = []
    if accept and found.changes:
        saved = actions.accept_proposal(*db, proposal=found, source=f"suggest --section {section}")
    wb = _workbook(ctx, ("after",))
    if as_json:
        emit_json({"section": section, "mode": mode, "status": found.status, "seconds": round(found.seconds, 3),
                   "one_way_pairs": found.one_way_pairs, "accepted": saved,
                   "assignments": [{"process": x.process, "step": x.step, "a": x.a, "b": x.b,
                                    "was_a": x.was_a, "was_b": x.was_b, "changed": x.changed}
                                   for x in found.assignments],
                   "load": [{"person": p, "a_minutes": a, "b_minutes": b} for p, (a, b) in found.loads.items()]})
        return
    from rich.table import Table
    console = _stdout()
    table = Table(title=t("suggest.title", section=section, status=t(f"suggest.{found.status}"),
                          seconds=f"{found.seconds:.1f}"))
    for col in ("process", "step", "a", "b"):
        table.add_column(t(f"col.{col}"))
    for x in found.changes:
        _row(table, x.process, x.step, f"{person_label(wb, x.was_a)} → {person_label(wb, x.a)}",
             f"{person_label(wb, x.was_b)} → {person_label(wb, x.b)}")
    console.print(table)
    console.print(t("suggest.accepted", n=len(saved)) if accept else t("suggest.how_to_accept", n=len(found.changes)))


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


@main.command("handovers")
@click.option("--open", "open_only", is_flag=True, help="Only those not confirmed yet.")
@click.option("--department", metavar="ID", help="Only this department's people.")
@click.option("--refresh", is_flag=True, help="First open the handovers recorded absences call for (the daily job does).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def handovers_list(ctx, open_only: bool, department: str | None, refresh: bool, as_json: bool) -> None:
    """Handovers (交接单): one per absence that someone acts for, newest first."""
    from roles import actions
    if refresh:
        actions.open_handovers(*_db(ctx))
    found = actions.handovers(*_db(ctx), open_only=open_only, department_id=department)
    if as_json:
        emit_json(handovers_json(found))
        return
    if not found:
        click.echo(t("handover.none"))
        return
    from rich.table import Table
    wb = _workbook(ctx, ())
    table = Table(title=t("handover.title"))
    for c in ("id", "person", "from", "to", "acting", "state"):
        table.add_column(t(f"handover.col.{c}"))
    for h in found:
        _row(table, h.id, person_label(wb, h.person), h.start.isoformat(), h.end.isoformat(),
             "、".join(person_label(wb, p) for p in h.acting), t(f"handover.state.{h.state}"))
    _stdout().print(table)


@main.group()
def handover() -> None:
    """Fill in a handover: open items before leaving, the report (代行情况) on return, the confirmation."""


def _handover_step(name: str, help_text: str):
    """A command taking a handover ID and, optionally, the --revision it was read at (default:
    the current one: the CLI reads and writes at once)."""
    def wrap(fn):
        fn = click.pass_context(guarded(fn))
        fn = click.option("--revision", type=int, help="The revision read; refused if it changed since.")(fn)
        fn = click.option("--json", "as_json", is_flag=True)(fn)
        fn = click.argument("ident", metavar="ID", type=int)(fn)
        return handover.command(name, help=help_text)(fn)
    return wrap


def _revision(ctx, ident: int, revision: int | None) -> int:
    from roles import actions
    if revision is not None:
        return revision
    return actions.get_handover(*_db(ctx), handover_id=ident).revision


def _handover_said(h, as_json: bool) -> None:
    if as_json:
        emit_json({"handover": h.json()})
    else:
        click.echo(t("handover.saved", id=h.id, state=t(f"handover.state.{h.state}")))


@_handover_step("items", "Write the open items of handover ID (the person leaving).")
@click.option("--text", "text", required=True, help="The open items.")
def handover_items(ctx, ident: int, as_json: bool, revision: int | None, text: str) -> None:
    from roles import actions
    _handover_said(actions.handover_items(*_db(ctx), handover_id=ident, revision=_revision(ctx, ident, revision), items=text),
          as_json)


@_handover_step("report", "Record what was done for handover ID (代行情况), for the person who acted.")
@click.option("--text", "text", required=True, help="What was done.")
@click.option("--by", metavar="PERSON", help="Who acted, when the office records it for them.")
def handover_report(ctx, ident: int, as_json: bool, revision: int | None, text: str, by: str | None) -> None:
    from roles import actions
    _handover_said(actions.report_handover(*_db(ctx), handover_id=ident, revision=_revision(ctx, ident, revision),
                                  report=text, by=by), as_json)


@_handover_step("confirm", "Confirm the report of handover ID (the person back).")
def handover_confirm(ctx, ident: int, as_json: bool, revision: int | None) -> None:
    from roles import actions
    _handover_said(actions.confirm_handover(*_db(ctx), handover_id=ident, revision=_revision(ctx, ident, revision)), as_json)


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
    from .api import create_app
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
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def notify(ctx, day: dt.date, ahead: int, retry_only: bool, as_json: bool) -> None:
    """Send the day's notices now, as the scheduler would (each notice at most once)."""
    from roles import actions
    from roles.notify.notices import NoticeWords
    report = actions.send_notices(*_db(ctx), day=day, ahead=ahead, words=NoticeWords.of(lang()), retry_only=retry_only)
    if as_json:
        emit_json(report.__dict__)
    else:
        click.echo(t("notify.report", **report.__dict__))
    if report.failed or report.gave_up:
        sys.exit(EXIT_PROBLEMS)


@main.command()
@click.option("--status", type=click.Choice(["sending", "sent", "failed", "gave-up"]), default=None)
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
    from rich.table import Table
    table = Table()
    for k in ("id", "day", "kind", "recipient", "status", "attempts", "error"):
        table.add_column(t(f"dispatch.{k}"))
    for r in rows:
        _row(table, r.id, r.day, t(f"dispatch.{r.kind}"), r.recipient, t(f"dispatch.{r.status}"),
             r.attempts, (r.error or "")[:80])
    _stdout().print(table)


@main.group()
def accounts() -> None:
    """Local sign-in accounts of the app (reform office, section heads, staff)."""


@accounts.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["office", "head", "staff"]), required=True)
@click.option("--person", metavar="ID", help="The person a head or staff account belongs to.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@click.pass_context
@guarded
def accounts_add(ctx, username: str, role: str, person: str | None, password_stdin: bool) -> None:
    """Make an account; the password is asked for (or read with --password-stdin) and kept hashed."""
    from roles import actions
    password = _new_password(password_stdin)
    actions.add_account(*_db(ctx), username=username, password=password, role=role, person_id=person)
    click.echo(t("accounts.added", username=username, role=role), err=True)


@accounts.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def accounts_list(ctx, as_json: bool) -> None:
    """The accounts: role, person, whether switched off (never a password hash)."""
    from roles import actions
    rows = [{"username": a.username, "role": a.role, "person": a.person, "disabled": off}
            for a, off in actions.list_accounts(*_db(ctx))]
    if as_json:
        emit_json({"accounts": rows})
    else:
        for r in rows:
            click.echo(f"{r['username']}\t{r['role']}\t{r['person'] or ''}" + ("\tdisabled" if r["disabled"] else ""))


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
@click.option("--role", type=click.Choice(["office", "head", "staff"]), required=True)
@click.option("--person", metavar="ID", help="The person a head or staff account belongs to.")
@click.pass_context
@guarded
def accounts_role(ctx, username: str, role: str, person: str | None) -> None:
    """Change an account's role (and its person)."""
    _change_account(ctx, username, role=role, person_id=person)


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


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def backup(ctx, file: Path, as_json: bool) -> None:
    """Write everything the database holds to FILE: the data, accounts, the audit trail, contacts
    (sealed), drafts, the record of notices and the scheduler's jobs. Keep the secret key apart."""
    from roles import actions
    with Progress() as progress:
        done = actions.backup(*_db(ctx), target=file, progress=progress)
    _said(done, as_json, "backup.done")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def restore(ctx, file: Path, as_json: bool) -> None:
    """Load a backup FILE into this database, which must be empty; all or nothing, brought up to
    this version's schema, its audit trail checked."""
    from roles import actions
    with Progress() as progress:
        done = actions.restore(*_db(ctx), source=file, progress=progress)
    _said(done, as_json, "restore.done")


def _said(done, as_json: bool, key: str) -> None:
    if as_json:
        emit_json(done.__dict__)
    else:
        click.echo(t(key, **done.__dict__), err=True)


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


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def stats(ctx, as_json: bool) -> None:
    """Step counts before and after, per process, section and department."""
    from roles import actions
    doc = actions.stats(*_db(ctx))
    if as_json:
        emit_json(doc)
        return
    from rich.table import Table
    console = _stdout()
    for level, key in (("processes", "process"), ("sections", "section"), ("departments", "department")):
        table = Table(title=t(f"stats.{level}"))
        cols = [key, "before", "after", "reduction"] + (["handoffs"] if level == "processes" else []) \
            + (["sections"] if level == "departments" else [])
        for c in cols:
            table.add_column(t(f"col.{c}"), justify="left" if c == key else "right")
        for row in doc[level]:
            cells = [f"{row['name']} ({row[key]})", str(row["before"] if row["before"] is not None else "—"),
                     str(row["after"]), _pct(row["reduction"])]
            if level == "processes":
                cells.append(str(row["handoffs_after"] if row["handoffs_after"] is not None else "—"))
            if level == "departments":
                cells.append(f"{row['sections_before']} → {row['sections_after']} ({_pct(row['section_reduction'])})")
            _row(table, *cells)
        console.print(table)
    table = Table(title=t("stats.batches"))
    for c in ("batch", "before", "after", "reduction", "sections"):
        table.add_column(t(f"col.{c}"), justify="left" if c == "batch" else "right")
    for b in doc["batches"]:
        _row(table, b["batch"] if b["batch"] is not None else "—", b["before"], b["after"], _pct(b["reduction"]),
             f"{b['sections_before']} → {b['sections_after']} ({_pct(b['section_reduction'])})")
    console.print(table)


@main.command()
@click.option("--rule", "rules", multiple=True, metavar="ID", help="Only this rule (repeatable).")
@click.option("--department", metavar="ID", help="Only findings about this department.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def check(ctx, rules: tuple[str, ...], department: str | None, as_json: bool) -> None:
    """Check the reform rules; exit 1 when any finding is an error."""
    from roles import actions
    findings = actions.check(*_db(ctx), rules=rules, departments=(department,) if department else ())
    if as_json:
        emit_json({"findings": [f.as_json() for f in findings]})
    elif not findings:
        click.echo(t("check.none"))
    else:
        from rich.table import Table
        from rich.text import Text
        table = Table(title=t("check.title", n=len(findings)))
        for col in ("rule", "severity", "subject", "message"):
            table.add_column(t(f"col.{col}"))
        for f in findings:
            severity = Text(t("severity." + f.severity), style="bold red" if f.blocking else "yellow")
            if f.exemption:
                severity = Text(t("severity.exempted", severity=t("severity." + f.severity)), style="dim")
            _row(table, f.rule, severity, f.subject,
                 f.text(lang()) + (t("check.exemption", reason=f.exemption) if f.exemption else ""))
        _stdout().print(table)
    if any(f.blocking for f in findings):
        sys.exit(EXIT_PROBLEMS)


@main.command()
@click.option("--xlsx", "xlsx", type=click.Path(path_type=Path), default=None,
              help="Also write the report as an Excel workbook (one sheet per level).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def report(ctx, xlsx: Path | None, as_json: bool) -> None:
    """The consolidation report: sections before and after per department, batch and city."""
    from roles import actions
    db = _db(ctx)
    doc = actions.consolidation(*db)
    if xlsx is not None:
        with Progress() as progress:
            progress(t("report.writing", file=xlsx))
            _write(xlsx, actions.report_xlsx(*db))
        click.echo(t("export.done", file=xlsx), err=True)
    if as_json:
        emit_json(doc)
        return
    from rich.table import Table
    console = _stdout()
    table = Table(title=t("report.title"))
    for col in ("level", "sections", "reduction", "range", "sizes", "small"):
        table.add_column(t(f"report.{col}"), justify="left" if col == "level" else "right")
    rows = [(t("report.city"), doc["city"])] + [(t("report.batch", batch=b["batch"] if b["batch"] is not None else "—"), b)
                                                for b in doc["batches"]] + [(d["name"], d) for d in doc["departments"]]
    for name, r in rows:
        span = f"{_pct(r.get('lowest'))} – {_pct(r.get('highest'))}" if "highest" in r else ""
        _row(table, name, f"{r['sections_before']} → {r['sections_after']}", _pct(r["reduction"]), span,
             f"{r['size_smallest']}–{r['size_largest']}", f"{r['one_person']} / {r['two_person']}")
    console.print(table)


@main.command("saturation")
@click.option("--hours", type=click.FloatRange(1, 400), default=174.0, show_default=True,
              help="Working hours a person has in a month.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def saturation_(ctx, hours: float, as_json: bool) -> None:
    """Work saturation (工作饱和度): each section's monthly workload over its people's hours."""
    from roles import actions
    doc = actions.saturation(*_db(ctx), hours=hours)
    if as_json:
        emit_json(doc)
        return
    from rich.table import Table
    table = Table(title=t("saturation.title", hours=f"{hours:g}"))
    for col in ("section", "people", "hours", "share", "flag"):
        table.add_column(t(f"saturation.{col}"), justify="left" if col in ("section", "flag") else "right")
    for r in doc["sections"]:
        _row(table, f"{r['name']} ({r['section']})", r["people"], f"{r['minutes'] / 60:.1f}", _pct(r["saturation"]),
             t(f"saturation.{r['flag'] or 'unknown'}"))
    _stdout().print(table)


@main.group()
def powers() -> None:
    """The power and responsibility list (权责清单)."""


@powers.command("check")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def powers_check(ctx, as_json: bool) -> None:
    """Every power item has a responsible section, a process and an accountability case; exit 1 if not."""
    from roles import actions
    n, found = actions.power_findings(*_db(ctx))
    if as_json:
        emit_json({"powers": n, "findings": [f.as_json() for f in found]})
    elif not found:
        click.echo(t("powers.ok", n=n))
    else:
        for f in found:
            click.echo(f"{f.power}, {f.field}: {f.text(lang())}")
    if found:
        sys.exit(EXIT_PROBLEMS)


@powers.command("export")
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_context
@guarded
def powers_export(ctx, file: Path) -> None:
    """Write the list as one table in the standard layout (.xlsx)."""
    from roles import actions
    if file.suffix.lower() != ".xlsx":
        fail(f"{file}: the list is written as .xlsx")
    _write(file, actions.powers_xlsx(*_db(ctx)))
    click.echo(t("export.done", file=file), err=True)


@main.command()
@click.argument("process_ids", nargs=-1, metavar="[PROCESS...]")
@click.option("--version", "which", type=click.Choice(["before", "after"]), default="after", show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def lint(ctx, process_ids: tuple[str, ...], which: str, as_json: bool) -> None:
    """Check process versions before publishing (all processes when none is named); exit 1 on findings."""
    from roles import actions
    found = actions.lint_processes(*_db(ctx), process_ids=process_ids, which=which)
    if as_json:
        emit_json({"version": which, "findings": [{"process": p.id, **f.as_json()} for p, f in found]})
    elif not found:
        click.echo(t("lint.none"))
    else:
        from rich.table import Table
        table = Table(title=t("lint.title", n=len(found)))
        for col in ("process", "step", "rule", "message"):
            table.add_column(t(f"col.{col}"))
        for p, f in found:
            _row(table, f"{p.name} ({p.id})", f.step, f.code, f.text(lang()))
        _stdout().print(table)
    if found:
        sys.exit(EXIT_PROBLEMS)


VERSION_OPTION = click.option("--version", "which", type=click.Choice(["before", "after"]), default="after",
                              show_default=True)


@main.group()
def bpmn() -> None:
    """BPMN 2.0 XML: export a process version, import one drawn in another tool."""


@bpmn.command("export")
@click.argument("process_id", metavar="PROCESS")
@VERSION_OPTION
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
@click.pass_context
@guarded
def bpmn_export(ctx, process_id: str, which: str, output: Path) -> None:
    """Write a process version as BPMN 2.0, a lane per A holder, laid out for other tools."""
    from flows.bpmn import write
    from roles import actions
    from roles.engines.lanes import lane_titles
    wb, p, v = actions.process_version(*_db(ctx), process_id=process_id, which=which)
    _write(output, write(v, p.id, p.name, lane_titles(wb.people, lang())))
    click.echo(t("bpmn.exported", file=output, steps=len(v.work_steps)), err=True)


@bpmn.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--process", "process_id", required=True, metavar="ID", help="Our process id (new or existing).")
@click.option("--section", metavar="ID", help="Its section, for a new process.")
@VERSION_OPTION
@click.option("--bpmn-process", metavar="ID", help="Which <process> of the file (default: the largest).")
@click.option("--name", help="The process name (default: the BPMN process's name, for a new process).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def bpmn_import(ctx, file: Path, process_id: str, section: str | None, which: str, bpmn_process: str | None,
                name: str | None, as_json: bool) -> None:
    """Read a BPMN 2.0 file as one version of a process; lanes naming people become A holders."""
    from roles import actions
    got = actions.import_bpmn(*_db(ctx), data=_read(file), name=file.name, process_id=process_id,
                              section_id=section, which=which, bpmn_process=bpmn_process, process_name=name)
    revision = got.revision
    wb = _workbook(ctx, ())
    report: dict[str, Any] = {"file": str(file), "process": process_id, "version": which, "revision": revision,
              "bpmn_process": got.bpmn_process, "counts": got.counts.__dict__, "steps": len(got.version.work_steps),
              "lanes_matched": got.lanes_matched, "lanes_unmatched": got.lanes_unmatched, "notes": got.notes}
    if as_json:
        emit_json(report)
        return
    click.echo(t("bpmn.imported", file=file.name, process=process_id, version=t("version." + which), steps=report["steps"],
                 revision=revision))
    for lane, pid in report["lanes_matched"].items():
        click.echo(t("bpmn.lane_matched", lane=lane, person=person_label(wb, pid)))
    for lane in report["lanes_unmatched"]:
        click.echo(t("bpmn.lane_unmatched", lane=lane), err=True)
    for note in report["notes"]:
        click.echo(t("bpmn.note", note=note), err=True)


@main.command()
@click.argument("process_id", metavar="PROCESS")
@VERSION_OPTION
@click.option("--format", "fmt", metavar="svg|png|pdf|dot", default=None,
              help="Default: from the output file's extension.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
@click.option("--direction", type=click.Choice(["LR", "TB"]), default="LR", show_default=True,
              help="Left to right, or top down.")
@click.option("--date", "day", type=DATE, default=None, help="Also show who acts on each step on this day.")
@click.option("--sheet", is_flag=True,
              help="Both versions side by side on one before/after sheet, with their step counts (top down).")
@click.pass_context
@guarded
def render(ctx, process_id: str, which: str, fmt: str | None, output: Path, direction: str,
           day: dt.date | None, sheet: bool) -> None:
    """Draw the flowchart of a process version (SVG, PNG or PDF), with A/B holders; or, with
    --sheet, the before/after sheet of the process."""
    from flows.render import FORMATS, render as draw, to_dot
    from .charts import before_after_sheet, chart_labels
    if fmt is not None and fmt not in FORMATS:
        fail(f"--format: '{fmt}' is none of {', '.join(FORMATS)}")
    fmt = fmt or output.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        fail(f"--format: cannot tell the format from '{output.name}': give --format svg|png|pdf")
    from roles import actions
    wb, p, v = actions.process_version(*_db(ctx), process_id=process_id, which="after" if sheet else which)
    if sheet and p.before is None:
        fail(f"process {p.id} has no 'before' version to set beside the redesign")
    dot = before_after_sheet(wb, p.id, day=day) if sheet else \
        to_dot(v, chart_labels(wb, p.id, which, day=day), direction)
    try:
        output.write_bytes(draw(dot, fmt))
    except RuntimeError as e:
        fail(str(e), EXIT_PROBLEMS)
    click.echo(t("render.done", file=output), err=True)


@main.command("print")
@click.argument("process_id", metavar="PROCESS")
@VERSION_OPTION
@click.option("--sheet", is_flag=True, help="The before/after sheet instead of one version.")
@click.option("--paper", type=click.Choice(["A4", "A3"]), default="A4", show_default=True)
@click.option("--portrait", is_flag=True, help="Portrait pages, flows top down (default: landscape, left to right).")
@click.option("--date", "day", type=DATE, default=None, help="Also show who acts on each step on this day.")
@click.option("--effective", type=DATE, default=None, help="The effective date in the title block (default: today).")
@click.option("--approver", default=None, help="The approver in the title block (default: the section's head).")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="The PDF to write.")
@click.pass_context
@guarded
def print_(ctx, process_id: str, which: str, sheet: bool, paper: str, portrait: bool, day: dt.date | None,
           effective: dt.date | None, approver: str | None, output: Path) -> None:
    """The print pack of a process: its flowchart (or before/after sheet) on A4 or A3 pages, text at
    8 pt or more, long processes wrapped onto further pages, each page with a title block and legend."""
    from flows.printing import Paper
    from roles import actions
    from .charts import print_pdf
    wb, p, _ = actions.process_version(*_db(ctx), process_id=process_id, which="after" if sheet else which)
    if sheet and p.before is None:
        fail(f"process {p.id} has no 'before' version to set beside the redesign")
    try:
        data = print_pdf(wb, p.id, "sheet" if sheet else which, Paper(paper, not portrait), day=day,
                         effective=effective, approver=approver)
    except RuntimeError as e:
        fail(str(e), EXIT_PROBLEMS)
    _write(output, data)
    click.echo(t("render.done", file=output), err=True)


@main.command()
@click.argument("process_id", metavar="PROCESS")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="FILE.docx or FILE.pdf (PDF through LibreOffice).")
@click.pass_context
@guarded
def guide(ctx, process_id: str, output: Path) -> None:
    """The 办事指南 of a process: its kind, time limits, materials, trips, steps with their holders
    and days, and the flowchart, as a Word document or PDF."""
    from roles import actions
    from .charts import guide_document
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("docx", "pdf"):
        fail(f"{output}: write a .docx or .pdf file")
    wb, p, _ = actions.process_version(*_db(ctx), process_id=process_id, which="after")
    try:
        data = guide_document(wb, p.id, fmt)
    except RuntimeError as e:
        fail(str(e), EXIT_PROBLEMS)
    _write(output, data)
    click.echo(t("render.done", file=output), err=True)


@main.command()
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="The site's folder.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Charts drawn at once (default: cores).")
@click.pass_context
@guarded
def publish(ctx, out: Path, jobs: int | None) -> None:
    """Publish every flowchart as a static site (department → section → process); earlier releases are kept."""
    from roles import actions
    from .publish import publish as make_site
    wb = actions.site_workbook(*_db(ctx))
    with Progress() as progress:
        rel = make_site(wb, out, lang(), progress, jobs)
    click.echo(t("publish.done", path=rel / "index.html"), err=True)


@main.command()
@click.option("--today", "day", type=DATE, default=_today, show_default="today",
              help="Place the demo absences around this day.")
@click.pass_context
@guarded
def demo(ctx, day: dt.date) -> None:
    """Load the demo data: three pilot departments, with absences around today."""
    from roles import actions
    summary = actions.load_demo(*_db(ctx), today=day)
    click.echo(t("import.done", file="demo", **summary.__dict__))


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
    app = Path(__file__).with_name("app.py")
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


if __name__ == "__main__":
    main()
