"""Commands that bring data in and take it out: workbooks, leave files, the calendar, backups, the
demo."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..i18n import t
from .base import DATE, Progress, _db, _read, _today, _write, emit_json, guarded, main


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
    with Progress() as progress:
        data = actions.export_workbook(*_db(ctx), name=file.name, progress=progress)
    _write(file, data)
    click.echo(t("export.done", file=file), err=True)


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


@main.group()
def leave() -> None:
    """Leave from the OA system: approved leave pulled from DingTalk or WeCom."""


@leave.command("pull")
@click.option("--since", type=DATE, default=None, help="Approvals decided since this day (default: 30 days ago).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def leave_pull(ctx, since: dt.date | None, as_json: bool) -> None:
    """Pull approved leave from the OA (as docs/deploy.md sets it up), kept by the OA's approval
    id: a pull again changes nothing, a cancelled approval removes its absence; approvals of users
    no person has as a contact are listed."""
    from roles import actions
    found = actions.pull_leave(*_db(ctx), since=since)
    if as_json:
        emit_json(found.json())
        return
    click.echo(t("leave.pulled", added=found.added, changed=found.changed, removed=found.removed,
                 unchanged=found.unchanged))
    for x in found.unmapped:
        click.echo(t("leave.unmapped", instance=x["instance"], user=x["user"]), err=True)
    for why in found.unreadable:
        click.echo(t("leave.unreadable", why=why), err=True)


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
