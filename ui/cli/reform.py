"""Commands of the reform office: step counts, the reform rules, the consolidation report, saturation,
the list of powers."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from flows.wording import before_after

from ..i18n import lang, t
from .coverage import print_reform_resilience
from .base import DATE, EXIT_PROBLEMS, Progress, _db, _row, _stdout, _workbook, _write, emit_json, fail, guarded, main, new_table


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
    console = _stdout()
    for level, key in (("processes", "process"), ("sections", "section"), ("departments", "department")):
        cols = (key, "before", "after", "reduction") + (("handoffs",) if level == "processes" else ()) \
            + (("sections",) if level == "departments" else ())
        table = new_table(t(f"stats.{level}"), cols, left=(key,))
        for row in doc[level]:
            cells = [f"{row['name']} ({row[key]})", str(row["before"] if row["before"] is not None else "—"),
                     str(row["after"]), _pct(row["reduction"])]
            if level == "processes":
                cells.append(str(row["handoffs_after"] if row["handoffs_after"] is not None else "—"))
            if level == "departments":
                cells.append(f"{row['sections_before']} → {row['sections_after']} ({_pct(row['section_reduction'])})")
            _row(table, *cells)
        console.print(table)
    table = new_table(t("stats.batches"), ("batch", "before", "after", "reduction", "sections"), left=("batch",))
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
        from rich.text import Text
        table = new_table(t("check.title", n=len(findings)), ("rule", "severity", "subject", "message"))
        rank = {"error": 0, "warning": 1}  # errors first, then warnings, the exempted last
        for f in sorted(findings, key=lambda f: (f.exemption is not None, rank.get(f.severity, 2))):
            severity = Text(t("severity." + f.severity), style="bold red" if f.blocking else "yellow")
            if f.exemption:
                severity = Text(t("severity.exempted", severity=t("severity." + f.severity)), style="dim")
            _row(table, t(f"rule.{f.rule}"), severity, f.subject,
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
    doc = actions.consolidation(*db) | {"resilience": actions.reform_resilience(*db)}
    if xlsx is not None:
        with Progress() as progress:
            progress(t("report.writing", file=xlsx))
            _write(xlsx, actions.report_xlsx(*db))
        click.echo(t("export.done", file=xlsx), err=True)
    if as_json:
        emit_json(doc)
        return
    console = _stdout()
    table = new_table(t("report.title"), ("level", "sections", "reduction", "range", "sizes", "small"), words="report", left=("level",))
    rows = [(t("report.city"), doc["city"])] + [(t("report.batch", batch=b["batch"] if b["batch"] is not None else "—"), b)
                                                for b in doc["batches"]] + [(d["name"], d) for d in doc["departments"]]
    for name, r in rows:
        span = f"{_pct(r.get('lowest'))} – {_pct(r.get('highest'))}" if "highest" in r else ""
        _row(table, name, f"{r['sections_before']} → {r['sections_after']}", _pct(r["reduction"]), span,
             f"{r['size_smallest']}–{r['size_largest']}", f"{r['one_person']} / {r['two_person']}")
    console.print(table)
    print_reform_resilience(doc["resilience"])


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
    table = new_table(t("saturation.title", hours=f"{hours:g}"), ("section", "people", "hours", "share", "flag"), words="saturation", left=("section", "flag"))
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
@click.option("--since", type=DATE, default=None, help="Also a sheet of the changes made since this day.")
@click.pass_context
@guarded
def powers_export(ctx, file: Path, since: dt.date | None) -> None:
    """Write the list as one table in the standard layout (.xlsx), and with --since its changes."""
    from roles import actions
    if file.suffix.lower() != ".xlsx":
        fail(f"{file}: the list is written as .xlsx")
    _write(file, actions.powers_xlsx(*_db(ctx), since=since))
    click.echo(t("export.done", file=file), err=True)


@powers.command("change")
@click.argument("power")
@click.option("--kind", type=click.Choice(["added", "cancelled", "devolved", "changed"]), required=True,
              help="cancelled or devolved (下放) takes the power off the list; its history keeps it.")
@click.option("--document", required=True, help="The document that makes the change (文件依据).")
@click.option("--date", "day", type=DATE, required=True)
@click.option("--note", default="")
@click.pass_context
@guarded
def powers_change(ctx, power: str, kind: str, document: str, day: dt.date, note: str) -> None:
    """Record a change to the power list by its document and date (the office's)."""
    from roles import actions
    made = actions.change_power(*_db(ctx), power_id=power, kind=kind, document=document, date=day, note=note)
    click.echo(t("powers.changed" if made.state == "approved" else "powers.submitted", name=made.name,
                 kind=t(f"powers.kind.{kind}"), document=made.document, date=made.date, id=made.id))


@powers.command("approve")
@click.argument("change_id", metavar="ID", type=int)
@click.option("--note", default="")
@click.pass_context
@guarded
def powers_approve(ctx, change_id: int, note: str) -> None:
    """Approve a change of the list waiting for review: it is made (the office or the leader in
    charge of the power's department, never its author)."""
    from roles import actions
    done = actions.decide_power_change(*_db(ctx), change_id=change_id, approve=True, note=note)
    click.echo(t("powers.changed", name=done.name, kind=t(f"powers.kind.{done.kind}"), document=done.document,
                 date=done.date))


@powers.command("return")
@click.argument("change_id", metavar="ID", type=int)
@click.option("--note", required=True, help="Why it goes back to its author.")
@click.pass_context
@guarded
def powers_return(ctx, change_id: int, note: str) -> None:
    """Return a change of the list waiting for review to its author, saying why."""
    from roles import actions
    done = actions.decide_power_change(*_db(ctx), change_id=change_id, approve=False, note=note)
    click.echo(t("powers.returned", name=done.name, id=done.id))


@powers.command("history")
@click.option("--since", type=DATE, default=None)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def powers_history(ctx, since: dt.date | None, as_json: bool) -> None:
    """The list's changes, oldest first: what, by which document, when."""
    from roles import actions
    found = actions.power_changes(*_db(ctx), since=since)
    if as_json:
        emit_json({"changes": [{"id": c.id, "power": c.power, "name": c.name, "kind": c.kind, "document": c.document,
                                "date": c.date.isoformat(), "note": c.note, "recorded_by": c.recorded_by,
                                "state": c.state, "decider": c.decider, "decision": c.decision} for c in found]})
        return
    for c in found:
        state = "" if c.state == "approved" else f"［{t('powers.state.' + c.state)}］"
        click.echo(f"#{c.id} {c.date} {t(f'powers.kind.{c.kind}')} {c.name}（{c.power}）：{c.document}"
                   + (f"；{c.note}" if c.note else "") + state)


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def matters(ctx, as_json: bool) -> None:
    """Matters done once (一件事一次办) across departments: their departments, serial stages and
    四减 before and after."""
    from roles import actions
    from ..shapes import matter_json
    found = actions.matters(*_db(ctx))
    if as_json:
        emit_json({"matters": [matter_json(f) for f in found]})
        return
    if not found:
        click.echo(t("matters.none"))
        return
    wb = _workbook(ctx, ())
    table = new_table(t("matters.title", n=len(found)), ("matter", "lead", "departments", "stages", "steps", "days",
                                                          "materials", "trips"),
                      words="matters.col", left=("matter", "lead", "departments"))
    for f in found:
        _row(table, f"{f.matter.name} ({f.matter.id})", wb.department_name(f.matter.lead),
             "、".join(wb.department_name(d) for d in f.departments[1:]) or "—", before_after(f.stage_counts),
             *(before_after(f.four[k]) for k in ("steps", "days", "materials", "trips")))
    _stdout().print(table)
    for f in found:
        for x in f.findings:
            click.echo(("✗ " if x.error else "! ") + f"{f.matter.name} ({f.matter.id})：" + x.text(lang()))


@main.command()
@click.argument("matter_id", metavar="M")
@click.option("--guide", type=click.Path(path_type=Path), default=None,
              help="Also write its 办事指南, FILE.docx or FILE.pdf (PDF through LibreOffice).")
@click.option("--print", "print_to", type=click.Path(path_type=Path), default=None,
              help="Also write its print pack, FILE.pdf: its charts before and after with a title block.")
@click.option("--paper", type=click.Choice(["A4", "A3"]), default="A4", show_default=True)
@click.option("--portrait", is_flag=True, help="Portrait pages for --print (default: landscape).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def matter(ctx, matter_id: str, guide: Path | None, print_to: Path | None, paper: str, portrait: bool,
           as_json: bool) -> None:
    """One matter done once: its parts by stage and department, its end-to-end limit and 四减;
    exit 1 when its check finds an error."""
    from roles import actions
    from ..shapes import matter_json
    f = actions.matter(*_db(ctx), matter_id=matter_id)
    if guide is not None or print_to is not None:
        _matter_documents(ctx, f, guide, print_to, paper, portrait)
    if as_json:
        emit_json(matter_json(f))
    else:
        wb = _workbook(ctx, ())
        click.echo(t("matter.head", name=f.matter.name, id=f.matter.id, lead=wb.department_name(f.matter.lead)))
        for which, run in (("before", f.before), ("after", f.after)):
            if run is None:
                continue
            table = new_table(t(f"matter.{which}", n=len(run.stages)), ("stage", "process", "department", "steps", "days"),
                              words="matters.col", left=("process", "department"))
            for i, stage in enumerate(run.stages, 1):
                for j, p in enumerate(stage):
                    _row(table, str(i) if j == 0 else t("matter.together"), f"{p.name} ({p.process})",
                         wb.department_name(p.department), "—" if p.steps is None else p.steps,
                         "—" if p.days is None else f"{p.days:g}")
            _stdout().print(table)
            if run.path is not None:
                click.echo(t("matter.path" if run.promised_days is not None else "matter.path_only", path=f"{run.path:g}",
                             serial=f"{run.serial:g}", promised=run.promised_days))
        table = new_table(t("matter.four"), ("measure", "before", "after", "cut"), words="matters.col", left=("measure",))
        for k, (b, a) in f.four.items():
            _row(table, t(f"matters.col.{k}"), "—" if b is None else f"{b:g}", "—" if a is None else f"{a:g}", _pct(f.cuts[k]))
        _stdout().print(table)
        for x in f.findings:
            click.echo(("✗ " if x.error else "! ") + x.text(lang()))
    if any(x.error for x in f.findings):
        sys.exit(EXIT_PROBLEMS)


def _matter_documents(ctx, f, guide: Path | None, print_to: Path | None, paper: str, portrait: bool) -> None:
    from flows.guide import guide_docx, to_pdf
    from flows.printing import Paper
    from ..charts import matter_guide, matter_print
    wb = _workbook(ctx, ())
    if guide is not None:
        fmt = guide.suffix.lower().lstrip(".")
        if fmt not in ("docx", "pdf"):
            fail(f"{guide}: write a .docx or .pdf file")
        doc = guide_docx(*matter_guide(wb, f, lang()))
        try:
            _write(guide, to_pdf(doc) if fmt == "pdf" else doc)
        except RuntimeError as e:
            fail(str(e), EXIT_PROBLEMS)
        click.echo(t("render.done", file=guide), err=True)
    if print_to is not None:
        _write(print_to, matter_print(wb, f, Paper(paper, not portrait)))
        click.echo(t("render.done", file=print_to), err=True)
