"""Commands of review before publishing: submit a draft, approve or return it, comment, list what
waits; which departments review; the AB list filed (AB角报备)."""
from __future__ import annotations

from pathlib import Path

import click

from ..i18n import lang, person_label, t
from .base import Progress, _db, _row, _stdout, _workbook, _write, emit_json, fail, guarded, main, new_table

VERSION = click.option("--version", "which", type=click.Choice(["before", "after"]), default="after",
                       show_default=True)
COMMENT = click.option("--comment", metavar="TEXT", help="Said with it, kept beside the draft.")


@main.group()
def review() -> None:
    """Review before a change goes live: submit, approve, return, comment."""


@review.command("submit")
@click.argument("process_id", metavar="PROCESS")
@VERSION
@COMMENT
@click.pass_context
@guarded
def review_submit(ctx, process_id: str, which: str, comment: str | None) -> None:
    """Submit the process's draft for review; lint must find nothing in it."""
    from roles import actions
    r = actions.submit_review(*_db(ctx), process_id=process_id, which=which, comment=comment)
    click.echo(t("review.submitted", process=process_id, kind=t(f"review.kind.{r.kind}")))


@review.command("approve")
@click.argument("process_id", metavar="PROCESS")
@VERSION
@COMMENT
@click.pass_context
@guarded
def review_approve(ctx, process_id: str, which: str, comment: str | None) -> None:
    """Approve the submitted draft: it becomes the live version, in your name. Never your own."""
    from roles import actions
    r = actions.approve_review(*_db(ctx), process_id=process_id, which=which, comment=comment)
    click.echo(t("review.approved", process=process_id, revision=r.revision, approver=r.approver))


@review.command("return")
@click.argument("process_id", metavar="PROCESS")
@VERSION
@click.option("--comment", metavar="TEXT", required=True, help="Why it goes back (required).")
@click.pass_context
@guarded
def review_return(ctx, process_id: str, which: str, comment: str) -> None:
    """Return the submitted draft to its author, with why; it is a draft again."""
    from roles import actions
    actions.return_review(*_db(ctx), process_id=process_id, which=which, comment=comment)
    click.echo(t("review.returned", process=process_id))


@review.command("list")
@click.option("--all", "every", is_flag=True, help="Every submission, not only each process's latest.")
@click.option("--state", type=click.Choice(["submitted", "returned", "approved"]), default=None)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def review_list(ctx, every: bool, state: str | None, as_json: bool) -> None:
    """Each process's review: waiting, returned or approved, with its comments."""
    from roles import actions
    found = actions.reviews(*_db(ctx), every=every, state=state)
    if as_json:
        emit_json({"reviews": [r.json() for r in found]})
        return
    if not found:
        click.echo(t("review.none"))
        return
    table = new_table(None, ("process", "review_kind", "review_state", "author", "submitted", "approver", "decided",
                             "open_comments"))
    from roles.clock import local
    for r in found:
        _row(table, r.process, t(f"review.kind.{r.kind}"), t(f"review.state.{r.state}"), r.author,
             f"{local(r.submitted):%Y-%m-%d %H:%M}", r.approver or "",
             f"{local(r.decided):%Y-%m-%d %H:%M}" if r.decided else "", sum(c.open for c in r.comments))
    _stdout().print(table)


@review.command("show")
@click.argument("process_id", metavar="PROCESS")
@VERSION
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def review_show(ctx, process_id: str, which: str, as_json: bool) -> None:
    """What the draft changes of the live version: steps added, removed and changed, and comments."""
    from roles import actions
    found = actions.draft_changes(*_db(ctx), process_id=process_id, which=which)
    c = found.changes
    doc = {"process": process_id, "version": which, "draft": found.draft is not None,
           "added": list(c.added), "removed": list(c.removed),
           "changed": [{"step": s, "fields": list(f)} for s, f in c.changed], "terms": list(c.terms),
           "review": found.review.json() if found.review else None}
    if as_json:
        emit_json(doc)
        return
    if found.draft is None:
        click.echo(t("review.no_draft", process=process_id))
    if found.review:
        r = found.review
        click.echo(f"{t('review.state.' + r.state)} · {r.author}" + (f" → {r.approver}" if r.approver else ""))
    for sid in c.added:
        click.echo(t("review.added", step=sid))
    for sid in c.removed:
        click.echo(t("review.removed", step=sid))
    for sid, fields in c.changed:
        click.echo(t("review.changed", step=sid, fields=", ".join(fields)))
    if c.terms:
        click.echo(t("review.terms", fields=", ".join(c.terms)))
    for note in found.review.comments if found.review else ():
        click.echo(f"#{note.id} [{t('review.open' if note.open else 'review.resolved')}] {note.author}"
                   f"{' · ' + note.step if note.step else ''}: {note.text}")


@review.command("comment")
@click.argument("process_id", metavar="PROCESS")
@VERSION
@click.option("--step", metavar="ID", help="The step of the draft it is about.")
@click.option("--text", required=True, metavar="TEXT")
@click.pass_context
@guarded
def review_comment(ctx, process_id: str, which: str, step: str | None, text: str) -> None:
    """Comment on a draft (征求意见), or on one of its steps; prints the comment's id."""
    from roles import actions
    c = actions.comment_review(*_db(ctx), process_id=process_id, which=which, step=step, text=text)
    click.echo(c.id)


@review.command("resolve")
@click.argument("comment_id", type=int, metavar="COMMENT")
@click.pass_context
@guarded
def review_resolve(ctx, comment_id: int) -> None:
    """Mark a comment dealt with."""
    from roles import actions
    actions.resolve_comment(*_db(ctx), comment_id=comment_id)
    click.echo(t("review.resolved_one", id=comment_id))


@review.command("policy")
@click.argument("department_id", metavar="[DEPARTMENT]", required=False)
@click.option("--required/--not-required", default=None, help="Set whether the department reviews its changes.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def review_policy(ctx, department_id: str | None, required: bool | None, as_json: bool) -> None:
    """Which departments review their changes before they go live (all, unless the office says not)."""
    from roles import actions
    if required is not None:
        if department_id is None:
            raise click.UsageError("name the department whose review to set")
        actions.set_review_policy(*_db(ctx), department_id=department_id, required=required)
    found = actions.review_policy(*_db(ctx))
    if department_id is not None:
        found = {department_id: found[department_id]} if department_id in found else {}
    if as_json:
        emit_json({"departments": [{"department": d, "review": r} for d, r in found.items()]})
        return
    for d, r in found.items():
        click.echo(f"{d}\t{t('review.policy.required' if r else 'review.policy.off')}")


@main.command("ab-filing")
@click.argument("section_id", metavar="[SECTION]", required=False)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="The form (.xlsx, .docx or .pdf, by its extension); with --all, the folder for every form.")
@click.option("--all", "every", is_flag=True, help="Every section's form, filed together (the half-yearly filing).")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "docx", "pdf"]), default="docx", show_default=True,
              help="With --all, the forms' format.")
@click.option("--record/--no-record", default=True, show_default=True,
              help="Keep this filing, so the next one lists what changed since.")
@click.option("--publish", "site", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="With --all, then publish a release of the flowchart site in DIR, showing the filings.")
@click.option("--if-due", is_flag=True,
              help="With --all, only on a workday when some section is not yet filed this half-year (for a timer).")
@click.pass_context
@guarded
def ab_filing(ctx, section_id: str | None, output: Path, every: bool, fmt: str, record: bool,
              site: Path | None, if_due: bool) -> None:
    """The section's AB list as a filing form (AB角报备): each step's A and B, each person's roles,
    the approvals on record and what changed since the last filing; with --all, every section's."""
    from roles import actions
    if every == (section_id is not None):
        raise click.UsageError("name one SECTION, or --all")
    if site is not None and not every:
        raise click.UsageError("--publish goes with --all: the half-yearly publication of every section's list")
    wb = _workbook(ctx, ())
    if every:
        if not record:
            raise click.UsageError("--all files every section's list: it is always recorded")
        with Progress() as progress:
            made = actions.ab_filing_all(*_db(ctx), fmt=fmt, language=lang(), if_due=if_due,
                                         progress=lambda n, total: progress(t("filing.progress", n=n, total=total)))
        if not made:
            click.echo(t("filing.not_due"), err=True)
            return
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            fail(f"{output}: {e.strerror}")
        for form in made:
            _write(output / f"{form.section}.{fmt}", form.data)
        click.echo(t("filing.all_written", folder=output, sections=len(made),
                     changes=sum(len(f.changes) for f in made)), err=True)
        if site is not None:
            from .processes import publish
            ctx.invoke(publish, out=site, jobs=None)
        return
    form = actions.ab_filing(*_db(ctx), section_id=section_id or "", fmt=output.suffix.lstrip(".").lower(),
                             language=lang(), record=record)
    _write(output, form.data)
    click.echo(t("filing.written", file=output, section=wb.section_by_id[form.section].name, steps=len(form.rows),
                 changes=len(form.changes)), err=True)
    for change in form.changes:
        click.echo(t("filing.change", process=change.process, step=change.step, was=", ".join(
            person_label(wb, p) for p in change.was if p) or "—", now=", ".join(
            person_label(wb, p) for p in change.now if p) or "—"), err=True)
