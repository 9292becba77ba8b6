"""Commands about processes: lint, BPMN in and out, flowcharts, the print pack, the 办事指南, the published
site."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from ..i18n import lang, person_label, t
from .base import (DATE, EXIT_PROBLEMS, Progress, _db, _read, _row, _stdout, _workbook, _write, emit_json, fail,
                   guarded, main, new_table)


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
        table = new_table(t("lint.title", n=len(found)), ("process", "step", "rule", "message"))
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
@click.option("--draft", is_flag=True,
              help="Keep it as the process's draft, for review (abflow review submit), the live version unchanged.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def bpmn_import(ctx, file: Path, process_id: str, section: str | None, which: str, bpmn_process: str | None,
                name: str | None, draft: bool, as_json: bool) -> None:
    """Read a BPMN 2.0 file as one version of a process; lanes naming people become A holders."""
    from roles import actions
    got = actions.import_bpmn(*_db(ctx), data=_read(file), name=file.name, process_id=process_id,
                              section_id=section, which=which, bpmn_process=bpmn_process, process_name=name,
                              draft=draft)
    revision = got.revision
    wb = _workbook(ctx, ())
    report: dict[str, Any] = {"file": str(file), "process": process_id, "version": which, "revision": revision,
              "draft": draft, "bpmn_process": got.bpmn_process, "counts": got.counts.__dict__,
              "steps": len(got.version.work_steps), "lanes_matched": got.lanes_matched,
              "lanes_unmatched": got.lanes_unmatched, "notes": got.notes}
    if as_json:
        emit_json(report)
        return
    click.echo(t("bpmn.drafted" if draft else "bpmn.imported", file=file.name, process=process_id,
                 version=t("version." + which), steps=report["steps"], revision=revision))
    for lane, pid in report["lanes_matched"].items():
        click.echo(t("bpmn.lane_matched", lane=lane, person=person_label(wb, pid)))
    for lane in report["lanes_unmatched"]:
        click.echo(t("bpmn.lane_unmatched", lane=lane), err=True)
    for note in report["notes"]:
        click.echo(t("bpmn.note", note=note), err=True)


@bpmn.command("export-matter")
@click.argument("matter_id", metavar="M")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
@click.pass_context
@guarded
def bpmn_export_matter(ctx, matter_id: str, output: Path) -> None:
    """Write a matter done once (一件事) as a BPMN 2.0 collaboration: a pool per department, each
    part a call activity of its process, message flows where the work passes between departments."""
    from roles import actions
    data = actions.matter_bpmn(*_db(ctx), matter_id=matter_id, words={k: t(f"chart.{k}") for k in ("start", "end")})
    _write(output, data)
    click.echo(t("bpmn.matter_exported", file=output), err=True)


@bpmn.command("import-matter")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--matter", "matter_id", metavar="ID", help="Our matter id (default: the file's).")
@click.option("--lead", metavar="ID", help="Its lead department (default: the file's, else its first pool's).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def bpmn_import_matter(ctx, file: Path, matter_id: str | None, lead: str | None, as_json: bool) -> None:
    """Read a BPMN 2.0 collaboration as a matter done once: its parts are the processes its pools
    call, in stages by its flows; proposed as a change, reviewed where the lead department's are."""
    from roles import actions
    change = actions.import_matter_bpmn(*_db(ctx), data=_read(file), name=file.name, matter_id=matter_id, lead=lead)
    m = change.proposed
    if as_json:
        emit_json({"file": str(file), "matter": m.id, "change": change.id, "state": change.state, "lead": m.lead,
                   "stages": [list(s) for s in m.stages]})
        return
    click.echo(t("matters.live" if change.state == "approved" else "matters.submitted", name=f"{m.name}（{m.id}）"))


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
    from ..charts import before_after_sheet, chart_labels
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
@click.option("--changes", is_flag=True,
              help="The live redesign beside its draft: steps added green, removed red, changed amber.")
@click.option("--paper", type=click.Choice(["A4", "A3"]), default="A4", show_default=True)
@click.option("--portrait", is_flag=True, help="Portrait pages, flows top down (default: landscape, left to right).")
@click.option("--date", "day", type=DATE, default=None, help="Also show who acts on each step on this day.")
@click.option("--effective", type=DATE, default=None, help="The effective date in the title block (default: today).")
@click.option("--approver", default=None,
              help="The approver in the title block where no approval is on record (default: the section's head).")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="The PDF to write.")
@click.pass_context
@guarded
def print_(ctx, process_id: str, which: str, sheet: bool, changes: bool, paper: str, portrait: bool,
           day: dt.date | None, effective: dt.date | None, approver: str | None, output: Path) -> None:
    """The print pack of a process: its flowchart (or before/after sheet) on A4 or A3 pages, text at
    8 pt or more, long processes wrapped onto further pages, each page with a title block and legend."""
    from flows.printing import Paper
    from roles import actions
    from ..charts import print_pdf, turn_the_paper
    wb, p, _ = actions.process_version(*_db(ctx), process_id=process_id, which="after" if sheet else which)
    if sheet and p.before is None:
        fail(f"process {p.id} has no 'before' version to set beside the redesign")
    approval = actions.approvals(*_db(ctx)).get((p.id, "after" if sheet or changes else which))
    draft = actions.load_draft(*_db(ctx), process_id=p.id, which="after") if changes else None
    if changes and draft is None:
        fail(f"process {p.id} has no draft to set beside its live version")
    kind, on = "changes" if changes else "sheet" if sheet else which, Paper(paper, not portrait)
    try:
        data = print_pdf(wb, p.id, kind, on, day=day, effective=effective, approver=approver, approval=approval,
                         draft=draft.version if draft else None)
    except RuntimeError as e:
        fail(str(e), EXIT_PROBLEMS)
    _write(output, data)
    click.echo(t("render.done", file=output), err=True)
    if turn_the_paper(wb, p.id, kind, on, day=day, draft=draft.version if draft else None):
        click.echo(t("print.turn", paper=paper, now=t("print.portrait" if portrait else "print.landscape"),
                     other=t("print.landscape" if portrait else "print.portrait")), err=True)


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
    from ..charts import guide_document
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
    from roles.formats.site import publish as make_site
    from ..charts import site_words
    wb = actions.site_workbook(*_db(ctx))
    approvals, filed = actions.approvals(*_db(ctx)), actions.filed_lists(*_db(ctx))
    with Progress() as progress:
        rel = make_site(wb, out, site_words(lang()), progress, jobs, approvals=approvals, filed=filed)
    click.echo(t("publish.done", path=rel / "index.html"), err=True)
