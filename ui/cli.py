"""The `abflow` command line (../shared/spec/cli.md). It only parses options, calls the same
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

import click

from .i18n import off_day, person_label, t

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
            return dt.date.fromisoformat(text)
        except ValueError as e:
            self.fail(f"'{value}' is no date: {e} (use YYYY-MM-DD)", param, ctx)


DATE = ISODate()


def _stderr():
    from rich.console import Console
    return Console(stderr=True)


def _stdout():
    from rich.console import Console
    return Console(soft_wrap=True)


def fail(message: str, code: int = EXIT_BAD_INPUT):
    click.echo(f"abflow: {message}", err=True)
    sys.exit(code)


def guarded(fn):
    """Turn the domain's errors into the spec's exit codes, with the message on stderr."""

    @wraps(fn)
    def run(*args, **kw):
        from roles.workbook.errors import WorkbookError
        from .db import DatabaseUnavailable
        from sqlalchemy.exc import DBAPIError
        try:
            return fn(*args, **kw)
        except WorkbookError as e:
            for p in e.problems:
                click.echo(f"error: {p}", err=True)
            click.echo(f"abflow: {len(e.problems)} problem(s); nothing was changed", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except DatabaseUnavailable as e:
            fail(str(e), EXIT_DATABASE)
        except DBAPIError as e:
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

    def __call__(self, message: str) -> None:
        if self.status:
            self.status.update(message)

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
    ctx.obj = db_url


def _engine(ctx: click.Context):
    from .db import engine_for
    return engine_for(ctx.obj)


def _workbook(ctx: click.Context, versions: tuple[str, ...] = ("before", "after")):
    from roles.store import load
    return load(_engine(ctx), versions)


@main.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
@guarded
def import_(ctx, file: Path, as_json: bool) -> None:
    """Load a workbook (YAML, JSON or XLSX); all or nothing. Departments it names are replaced."""
    from roles.store import import_file
    engine = _engine(ctx)
    with Progress() as progress:
        summary = import_file(engine, file, progress)
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
    from roles.store import export_file
    from roles.workbook.formats import format_of
    format_of(file)
    export_file(_engine(ctx), file)
    click.echo(t("export.done", file=file), err=True)


def _check_department(wb, department: str | None) -> None:
    if department and department not in {d.id for d in wb.departments}:
        fail(f"--department: no department '{department}' in the database")


def _check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        fail(f"--to: {end} is before --from {start}")


def _duty_json(d, with_date: bool = False) -> dict:
    out = {"date": d.date.isoformat()} if with_date else {}
    out.update({"process": d.process, "step": d.step, "a": d.a, "b": d.b})
    if not with_date:
        out.update({"acting": d.acting, "status": d.status, "suggested": d.suggested})
    out.update({"department": d.department, "section": d.section, "name": d.step_name})
    return out


@main.command()
@click.option("--date", "day", type=DATE, default=dt.date.today, show_default="today")
@click.option("--department", metavar="ID", help="Only this department.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def roster(ctx, day: dt.date, department: str | None, as_json: bool) -> None:
    """Who covers each redesigned step on a date."""
    from roles.roster import roster as make_roster
    wb = _workbook(ctx, ("after",))
    _check_department(wb, department)
    r = make_roster(wb, day, department)
    if as_json:
        emit_json({"date": day.isoformat(), "workday": r.workday, "steps": [_duty_json(d) for d in r.duties]})
        return
    if not r.workday:
        click.echo(t("not_workday", date=day, why=off_day(r.off)))
        return
    from rich.table import Table
    table = Table(title=t("roster.title", date=day))
    for col in ("process", "step", "a", "b", "status", "acting", "suggested"):
        table.add_column(t(f"col.{col}"))
    from rich.text import Text
    style = {"A": "", "B": "yellow", "gap": "bold red"}
    for d in r.duties:
        _row(table, f"{d.process_name} ({d.process})", f"{d.step} {d.step_name}", person_label(wb, d.a),
             person_label(wb, d.b), Text(t("status." + d.status), style=style[d.status]),
             person_label(wb, d.acting), person_label(wb, d.suggested) if d.suggested else "")
    console = _stdout()
    console.print(table)
    counts = {k: sum(d.status == k for d in r.duties) for k in ("A", "B", "gap")}
    console.print(t("roster.summary", total=len(r.duties), **counts))


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


@main.command()
@click.option("--from", "start", type=DATE, required=True)
@click.option("--to", "end", type=DATE, required=True)
@click.option("--department", metavar="ID", help="Only this department.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def gaps(ctx, start: dt.date, end: dt.date, department: str | None, as_json: bool) -> None:
    """Every workday and step in the range that nobody covers."""
    from roles.roster import gaps as find_gaps
    _check_range(start, end)
    wb = _workbook(ctx, ("after",))
    _check_department(wb, department)
    found = find_gaps(wb, start, end, department)
    if as_json:
        emit_json({"from": start.isoformat(), "to": end.isoformat(),
                   "gaps": [_duty_json(g, with_date=True) | {"suggested": g.suggested} for g in found]})
    elif not found:
        click.echo(t("gaps.none", start=start, end=end))
    else:
        _print_gaps(wb, t("gaps.title", start=start, end=end), found)


@main.command()
@click.option("--person", required=True, metavar="ID")
@click.option("--from", "start", type=DATE, required=True)
@click.option("--to", "end", type=DATE, required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def whatif(ctx, person: str, start: dt.date, end: dt.date, as_json: bool) -> None:
    """The gaps a proposed absence would add, before the leave is approved."""
    from roles.roster import whatif as what_if
    _check_range(start, end)
    wb = _workbook(ctx, ("after",))
    if person not in wb.person_by_id:
        fail(f"--person: no person '{person}' in the database")
    added = what_if(wb, person, start, end)
    if as_json:
        emit_json({"person": person, "from": start.isoformat(), "to": end.isoformat(),
                   "gaps": [_duty_json(g, with_date=True) | {"suggested": g.suggested} for g in added]})
    elif not added:
        click.echo(t("whatif.none", person=person_label(wb, person), start=start, end=end))
    else:
        _print_gaps(wb, t("whatif.title", person=person_label(wb, person), start=start, end=end), added)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def stats(ctx, as_json: bool) -> None:
    """Step counts before and after, per process, section and department."""
    from roles.stats import stats as compute
    doc = compute(_workbook(ctx))
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


@main.command()
@click.option("--rule", "rules", multiple=True, metavar="ID", help="Only this rule (repeatable).")
@click.option("--department", metavar="ID", help="Only findings about this department.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def check(ctx, rules: tuple[str, ...], department: str | None, as_json: bool) -> None:
    """Check the reform rules; exit 1 when any finding is an error."""
    from roles.rules import RULES, check as run_checks
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        fail(f"--rule: no rule '{unknown[0]}' (rules: {', '.join(RULES)})")
    wb = _workbook(ctx)
    _check_department(wb, department)
    if department:
        import dataclasses
        wb = dataclasses.replace(wb, departments=tuple(d for d in wb.departments if d.id == department))
        keep = {s.id for d in wb.departments for s in d.sections}
        wb = dataclasses.replace(wb, processes=tuple(p for p in wb.processes if p.section in keep))
    findings = run_checks(wb, rules=rules or RULES)
    if as_json:
        emit_json({"findings": [f.__dict__ for f in findings]})
    elif not findings:
        click.echo(t("check.none"))
    else:
        from rich.table import Table
        from rich.text import Text
        table = Table(title=t("check.title", n=len(findings)))
        for col in ("rule", "severity", "subject", "message"):
            table.add_column(t(f"col.{col}"))
        for f in findings:
            _row(table, f.rule, Text(t("severity." + f.severity), style="bold red" if f.severity == "error" else "yellow"),
                 f.subject, f.message)
        _stdout().print(table)
    if any(f.severity == "error" for f in findings):
        sys.exit(EXIT_PROBLEMS)


def _process(wb, process_id: str, which: str):
    p = wb.process_by_id.get(process_id)
    if p is None:
        fail(f"PROCESS: no process '{process_id}' in the database")
    v = p.version(which)
    if v is None:
        fail(f"--version: process '{process_id}' has no '{which}' version")
    return p, v


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
    from roles.lanes import lane_titles
    from .i18n import lang
    wb = _workbook(ctx)
    p, v = _process(wb, process_id, which)
    output.write_bytes(write(v, p.id, p.name, lane_titles(wb.people, lang())))
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
    from flows.bpmn import BpmnError, read
    from roles.lanes import assign_holders
    from roles.store import save_version
    try:
        data = file.read_bytes()
    except OSError as e:
        fail(f"{file}: {e.strerror}")
    try:
        bp = read(data, file.name, bpmn_process)
    except BpmnError as e:
        fail(str(e))
    wb = _workbook(ctx, ("after",))
    existing = wb.process_by_id.get(process_id)
    sec = existing.section if existing else section
    people = wb.people_by_section.get(sec or "", [])
    # A 'before' version carries no holders: its steps stay as read, lanes only reported.
    assigned = assign_holders(bp, people) if which == "after" else None
    version = assigned.version if assigned else bp.version
    revision = save_version(_engine(ctx), process_id, which, version, file.name, section=section,
                            name=name or (None if existing else bp.name))
    report = {"file": str(file), "process": process_id, "version": which, "revision": revision,
              "bpmn_process": bp.id, "counts": bp.counts.__dict__, "steps": len(version.work_steps),
              "lanes_matched": assigned.matched if assigned else {},
              "lanes_unmatched": assigned.unmatched if assigned else bp.lanes,
              "notes": bp.notes + [f"holder attribute names nobody of the section: {h}"
                                   for h in (assigned.ignored_holders if assigned else [])]}
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
@click.pass_context
@guarded
def render(ctx, process_id: str, which: str, fmt: str | None, output: Path, direction: str,
           day: dt.date | None) -> None:
    """Draw the flowchart of a process version (SVG, PNG or PDF), with A/B holders."""
    from flows.render import FORMATS, render as draw, to_dot
    from .charts import chart_labels
    if fmt is not None and fmt not in FORMATS:
        fail(f"--format: '{fmt}' is none of {', '.join(FORMATS)}")
    fmt = fmt or output.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        fail(f"--format: cannot tell the format from '{output.name}': give --format svg|png|pdf")
    wb = _workbook(ctx)
    p, v = _process(wb, process_id, which)
    labels = chart_labels(wb, p.id, which, day=day)
    try:
        output.write_bytes(draw(to_dot(v, labels, direction), fmt))
    except RuntimeError as e:
        fail(str(e), EXIT_PROBLEMS)
    click.echo(t("render.done", file=output), err=True)


@main.command()
@click.option("--today", "day", type=DATE, default=dt.date.today, show_default="today",
              help="Place the demo absences around this day.")
@click.pass_context
@guarded
def demo(ctx, day: dt.date) -> None:
    """Load the demo data: three pilot departments, with absences around today."""
    from roles.demo import demo_workbook
    from roles.store import import_workbook
    summary = import_workbook(_engine(ctx), demo_workbook(day), source="demo")
    click.echo(t("import.done", file="demo", **summary.__dict__))


@main.command()
@click.option("--port", type=int, default=8501, show_default=True)
@click.option("--headless/--browser", default=True, help="Do not open a browser window.")
@click.pass_context
@guarded
def serve(ctx, port: int, headless: bool) -> None:
    """Start the app (Streamlit) on the configured database."""
    import os
    import subprocess
    from .db import resolve_url
    _engine(ctx)  # reach and migrate the database first, so a bad URL fails here with exit 3
    app = Path(__file__).with_name("app.py")
    env = {**os.environ, "ABFLOW_DB": resolve_url(ctx.obj)}
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
           "--server.headless", "true" if headless else "false", "--browser.gatherUsageStats", "false"]
    sys.exit(subprocess.call(cmd, env=env))


if __name__ == "__main__":
    main()
