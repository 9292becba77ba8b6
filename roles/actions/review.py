"""Review before a change goes live: a draft (a redesign, or an A/B change) is submitted with a
comment, then approved — it goes live, recorded with its approver — or returned to its author.

The rules hold here for every caller (the designer, the step table, the CLI, the API, an accepted
proposal): the approver is never the author; only the reform office or the leader in charge of
the process's department (分管领导) approves; a department reviews unless the office switched it
off; under review the draft is locked and the live version unchanged (roles.storage.reviews).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flows.diff import Comparison, compare
from flows.errors import BadInput, Conflict, NotFound, PermissionDenied, Problem
from flows.limits import short
from flows.model import Draft, Process, Version
from roles.model import Approval, FiledList, FilingChange, Workbook
from roles.storage import processes as store
from roles.storage import reviews as records
from roles.storage.database import Database
from roles.storage.reviews import Comment, Review

from roles.actor import approves

from .access import Account, require_office, require_section, within
from .handover import open_handovers
from .processes import _process, _which, require_clean

__all__ = ["ABFiling", "Approval", "Comment", "FiledList", "Review", "ab_filing", "ab_filing_all", "ab_list",
           "approvals", "approve_review", "comment_review", "draft_changes", "filed_lists", "latest_review",
           "may_approve", "resolve_comment", "return_review", "review_policy", "review_required", "reviews",
           "set_review_policy", "submit_review"]

#: The most a comment may say.
COMMENT_CHARS = 2000


def review_required(db: Database, department_id: str | None) -> bool:
    """Whether changes of the department wait for an approval before they go live: by default, in
    a database with accounts (a single user has nobody else to approve)."""
    return records.required_of(db.engine, department_id)


def review_policy(db: Database, actor: Account) -> dict[str, bool]:
    """Every department, and whether its changes are reviewed."""
    wb = db.workbook(())
    set_ = records.policies_of(db.engine)
    return {d.id: set_.get(d.id, True) for d in wb.departments
            if actor.department is None or d.id == actor.department}


def set_review_policy(db: Database, actor: Account, *, department_id: str, required: bool) -> None:
    """The office decides which departments review their changes."""
    require_office(actor, "set which departments review their changes")
    if department_id not in db.workbook(()).department_by_id:
        raise NotFound("department", department_id)
    with db.write(actor) as tx:
        records.set_policy(tx, department_id, required)


def may_approve(wb: Workbook, actor: Account, process: Process) -> bool:
    """The office, or the leader in charge of the process's department: never its author, which
    `approve_review` checks against the record."""
    return approves(actor, wb.department_of_section.get(process.section))


def comment_text(text: str | None, field: str, needed: bool = False) -> str | None:
    """A reviewer's or author's words as kept: stripped, printable, of bounded length; `needed`
    where a decision must say why (a return). None for none."""
    text = (text or "").strip()
    if needed and not text:
        raise BadInput([Problem("review", "comment", None, field, "a return says why: give a comment")])
    if len(text) > COMMENT_CHARS or any(not ch.isprintable() and ch not in "\n\t" for ch in text):
        raise BadInput([Problem("review", "comment", None, field,
                                f"a comment is printable text of at most {COMMENT_CHARS} characters")])
    return text or None


def _draft(db: Database, process_id: str, which: str) -> Draft:
    draft = store.load_draft(db.engine, process_id, _which(which))
    if draft is None:
        raise BadInput([Problem("review", f"process {process_id}, {which}", None, "draft",
                                "has no draft: save the edit as a draft first (the designer, or "
                                "abflow bpmn import --draft)")])
    return draft


@dataclass(frozen=True)
class DraftChanges:
    """A draft beside the live version it would replace, and what it changes."""

    live: Version | None
    draft: Draft | None
    changes: Comparison
    review: Review | None


def draft_changes(db: Database, actor: Account, *, process_id: str, which: str = "after") -> DraftChanges:
    """What the process's draft changes of its live version, and its review, if any."""
    wb = db.workbook((_which(which),))
    p = _process(wb, process_id)
    within(db, actor, section_id=p.section)
    draft = store.load_draft(db.engine, process_id, _which(which))
    live = p.version(_which(which))
    return DraftChanges(live, draft, compare(live, draft.version) if draft else Comparison(),
                        latest_review(db, actor, process_id=process_id, which=which))


def latest_review(db: Database, actor: Account, *, process_id: str, which: str = "after") -> Review | None:
    """The process version's last review, with its comments: whether its draft is locked."""
    if actor.department is not None:
        within(db, actor, section_id=_process(db.workbook(()), process_id).section)
    found = [r for r in records.reviews(db.engine, [process_id]) if r.version == _which(which)]
    return found[0] if found else None


def submit_review(db: Database, actor: Account, *, process_id: str, which: str = "after",
                  comment: str | None = None) -> Review:
    """Submit the process's draft for review, once lint finds nothing in it."""
    text = comment_text(comment, "comment")
    wb = db.workbook((_which(which),))
    p = _process(wb, process_id)
    require_section(wb, actor, p.section, "submit the processes")
    draft = _draft(db, process_id, which)
    live = p.version(_which(which))
    if draft.base_revision != p.revisions.get(which, 0):
        raise Conflict(f"process {process_id}, {which}: the live version became revision "
                       f"{p.revisions.get(which, 0)} after the draft was started from revision "
                       f"{draft.base_revision}; open the draft again and redo the edit on it")
    changes = compare(live, draft.version)
    if changes.empty:
        raise BadInput([Problem("review", f"process {process_id}, {which}", None, "draft",
                                "the draft changes nothing of the live version")])
    require_clean(wb, p, _which(which), draft.version, "review")
    with db.write(actor) as tx:
        return records.submit(tx, process_id, _which(which), "holders" if changes.holders_only else "process",
                              draft.revision, text)


def _decidable(db: Database, actor: Account, process_id: str, which: str) -> tuple[Workbook, Process, Review]:
    wb = db.workbook((_which(which),))
    p = _process(wb, process_id)
    review = records.pending_of(db.engine, process_id, _which(which))
    if review is None:
        last = records.latest_of(db.engine, process_id, _which(which))
        raise BadInput([Problem("review", f"process {process_id}, {which}", None, "state",
                                "is not waiting for review" + (f" (its last review was {last.state})" if last else ""))])
    if not may_approve(wb, actor, p):
        raise PermissionDenied(f"{actor.username}: only the reform office or the leader in charge of department "
                               f"{wb.department_of_section.get(p.section)} may approve or return process {process_id}")
    if review.author == actor.username:
        raise PermissionDenied(f"{actor.username}: submitted process {process_id} for review, and so may not "
                               "approve or return it: someone else reviews a change")
    return wb, p, review


def approve_review(db: Database, actor: Account, *, process_id: str, which: str = "after",
                   comment: str | None = None) -> Review:
    """Make the submitted draft the live version, in the approver's name."""
    text = comment_text(comment, "comment")
    wb, p, review = _decidable(db, actor, process_id, which)
    draft = _draft(db, process_id, which)
    if draft.revision != review.draft_revision:  # the lock makes this a damaged record, but say so
        raise Conflict(f"process {process_id}, {which}: the draft is revision {draft.revision}, not the "
                       f"revision {review.draft_revision} that was submitted")
    require_clean(wb, p, _which(which), draft.version, "review")  # who belongs where may have changed since
    with db.write(actor) as tx:
        revision = store.publish_draft(tx, process_id, _which(which), draft.version, store.REVIEWED,
                                       draft.base_revision)
        decided = records.decide(tx, review, "approved", revision, text)
    open_handovers(db, actor)
    return decided


def return_review(db: Database, actor: Account, *, process_id: str, which: str = "after", comment: str) -> Review:
    """Send the draft back to its author, with why: it is a draft again, unlocked."""
    text = comment_text(comment, "comment", needed=True)
    _, _, review = _decidable(db, actor, process_id, which)
    with db.write(actor) as tx:
        return records.decide(tx, review, "returned", None, text)


def reviews(db: Database, actor: Account, *, every: bool = False, state: str | None = None) -> list[Review]:
    """Each process's latest review (all of them with `every`), newest first, with its comments;
    an account limited to one department sees that department's."""
    if state is not None and state not in records.STATES:
        raise BadInput(f"state: '{state}' is none of {', '.join(records.STATES)}")
    ids = None
    if actor.department is not None:
        wb = db.workbook(())
        ids = [p.id for p in wb.processes if wb.department_of_section.get(p.section) == actor.department]
    return [r for r in records.reviews(db.engine, ids, every=every) if state is None or r.state == state]


def comment_review(db: Database, actor: Account, *, process_id: str, which: str = "after", step: str | None = None,
                   text: str) -> Comment:
    """Anyone signed in comments on a draft (征求意见), or on one of its steps."""
    body = comment_text(text, "text", needed=True)
    wb = db.workbook(())
    p = _process(wb, process_id)
    within(db, actor, section_id=p.section)
    draft = _draft(db, process_id, which)
    if step is not None and not any(s.id == step for s in draft.version.steps):
        raise NotFound("step", short(step), f"the draft of process {process_id}")
    with db.write(actor) as tx:
        return records.add_comment(tx, process_id, _which(which), step, body or "")


def resolve_comment(db: Database, actor: Account, *, comment_id: int) -> Comment:
    """Mark a comment dealt with: its author, the process's editors or a reviewer may."""
    found = records.comment_of(db.engine, comment_id)
    wb = db.workbook(())
    p = _process(wb, found.process)
    within(db, actor, section_id=p.section)
    if found.author != actor.username and not may_approve(wb, actor, p):
        require_section(wb, actor, p.section, "resolve comments on the processes")
    with db.write(actor) as tx:
        return records.resolve(tx, comment_id)


@dataclass(frozen=True)
class ABFiling:
    """A section's AB list as filed: its rows (each step's A and B, ids), what changed since the
    last filing, and the form written."""

    section: str
    rows: tuple[dict, ...]
    changes: tuple[FilingChange, ...]
    data: bytes


#: What a post is called on the form.
POST_WORDS = {"head": ("科室负责人", "head"), "deputy": ("副职", "deputy"), "staff": ("工作人员", "staff")}


def ab_list(wb: Workbook, section_id: str) -> list[dict]:
    """Every work step of the section's live processes with its A and B, in the section's order."""
    return [{"process": p.id, "step": s.id, "a": s.a, "b": s.b, "b_max_days": s.b_max_days, "b_may_act": s.b_may_act}
            for p in wb.processes if p.section == section_id and p.after is not None for s in p.after.work_steps]


def _filing_changes(before: tuple[dict, ...], now: list[dict]) -> tuple[FilingChange, ...]:
    was = {(e["process"], e["step"]): (e.get("a"), e.get("b")) for e in before}
    out = [FilingChange(e["process"], e["step"], was.get(key, (None, None)), (e["a"], e["b"]))
           for e in now if was.get(key := (e["process"], e["step"])) != (e["a"], e["b"])]
    kept = {(e["process"], e["step"]) for e in now}
    return tuple(out + [FilingChange(p, s, ab, (None, None)) for (p, s), ab in was.items() if (p, s) not in kept])


def ab_filing(db: Database, actor: Account, *, section_id: str, fmt: str, language: str = "zh",
              record: bool = True, day=None) -> ABFiling:
    """The section's AB filing form (xlsx, docx or pdf), with the approvals on record and what
    changed since its last filing; `record` keeps it as the section's filing (its head's or the
    office's act), so the next one lists changes since this."""
    _form_format(fmt)
    wb = db.workbook(("after",))
    if section_id not in wb.section_by_id:
        raise NotFound("section", section_id)
    within(db, actor, section_id=section_id)
    if record:
        require_section(wb, actor, section_id, "file the AB list")
    made = _filing(wb, section_id, records.last_filing(db.engine, section_id), fmt, language, day,
                   approvals(db, actor))
    if record:
        with db.write(actor) as tx:
            records.add_filing(tx, section_id, list(made.rows))
    return made


def ab_filing_all(db: Database, actor: Account, *, fmt: str, language: str = "zh", day=None, if_due: bool = False,
                  progress: Callable[[int, int], None] = lambda done, total: None) -> list[ABFiling]:
    """Every section's AB filing form, all filed together (the half-yearly publication of the AB
    lists, the office's act): nothing is recorded unless every form was made. `if_due`: only on
    a workday, and only if some section has not been filed since its half-year began (a timer
    may ask every morning of the first week); else nothing, and an empty list."""
    from roles import clock
    from roles.engines.roster import calendar_of
    require_office(actor, "file every section's AB list")
    _form_format(fmt)
    wb = db.workbook(("after",))
    sections = [s.id for d in wb.departments for s in d.sections]
    today = day or clock.today()
    filed = records.last_two_filings(db.engine)  # each section's last filing, read once for all of them
    if if_due:
        half = today.replace(month=1 if today.month <= 6 else 7, day=1)
        if not calendar_of(wb).is_workday(today) or all(
                sec in filed and clock.local(filed[sec][0].filed_at).date() >= half for sec in sections):
            return []
    ok = approvals(db, actor)
    made = []
    for n, section_id in enumerate(sections, 1):
        made.append(_filing(wb, section_id, filed[section_id][0] if section_id in filed else None, fmt, language,
                            day, ok))
        progress(n, len(sections))
    with db.write(actor) as tx:
        for f in made:
            records.add_filing(tx, f.section, list(f.rows))
    return made


def filed_lists(db: Database, actor: Account) -> dict[str, FiledList]:
    """Each filed section's last AB filing and what it changed of the one before."""
    from roles import clock
    out = {}
    dept_of = db.workbook(()).department_of_section if actor.department is not None else {}
    for section, (last, before) in records.last_two_filings(db.engine).items():
        if actor.department is not None and dept_of.get(section) != actor.department:
            continue
        out[section] = FiledList(clock.local(last.filed_at).date(), last.filed_by,
                                 _filing_changes(before.entries, list(last.entries)) if before else (),
                                 first=before is None)
    return out


def _form_format(fmt: str) -> None:
    from roles.formats.filing import FORMATS
    if fmt not in FORMATS:
        raise BadInput(f"form: '{fmt}' is none of {', '.join(FORMATS)} (say it with the file's extension)")


def _filing(wb: Workbook, section_id: str, last: records.Filing | None, fmt: str, language: str, day,
            approved: dict[tuple[str, str], Approval]) -> ABFiling:
    """One section's form, against its `last` filing; nothing is recorded here."""
    from roles import clock
    from roles.formats import filing
    sec = wb.section_by_id[section_id]
    rows = ab_list(wb, section_id)
    changes = _filing_changes(last.entries if last else (), rows)
    lg = "en" if language == "en" else "zh"
    w = filing.words_in(lg)
    name = lambda pid: wb.person_by_id[pid].name if pid in wb.person_by_id else (pid or "—")  # noqa: E731
    names = {p.id: p.name for p in wb.processes if p.section == section_id}
    step_names = {(p.id, s.id): s.label for p in wb.processes if p.section == section_id and p.after
                  for s in p.after.steps}

    def b_acts(e: dict) -> str:
        if not e["b_may_act"]:
            return w["b_no"]
        return w["b_days"].format(n=e["b_max_days"]) if e["b_max_days"] is not None else w["b_yes"]

    dept = wb.department_by_id.get(wb.department_of_section[section_id])
    form = filing.Form(
        department=dept.name if dept else "",
        section=sec.name, date=day or clock.today(), last=clock.local(last.filed_at).date() if last else None,
        steps=tuple(filing.FormStep(names[e["process"]], step_names.get((e["process"], e["step"]), e["step"]),
                                    name(e["a"]), name(e["b"]) if e["b"] else "—", b_acts(e)) for e in rows),
        people=tuple(filing.FormPerson(p.name, POST_WORDS[p.post][lg == "en"], sum(e["a"] == p.id for e in rows),
                                       sum(e["b"] == p.id for e in rows))
                     for p in wb.people_by_section.get(section_id, [])),
        approvals=tuple((names[pid], ok.approver, str(ok.on)) for (pid, which), ok in approved.items()
                        if which == "after" and pid in names),
        changes=tuple(filing.FormChange(names.get(c.process, c.process),
                                        step_names.get((c.process, c.step), c.step),
                                        " / ".join(name(x) for x in c.was if x) or "—",
                                        " / ".join(name(x) for x in c.now if x) or "—") for c in changes))
    try:
        data = filing.write(form, fmt, lg)
    except RuntimeError as e:  # no LibreOffice for the PDF
        raise BadInput(f"form: {e}") from None
    return ABFiling(section_id, tuple(rows), changes, data)


def approvals(db: Database, actor: Account) -> dict[tuple[str, str], Approval]:
    """The last approval of every approved process version: what the print pack's title block and
    the published site show."""
    from roles import clock
    from roles.storage.accounts import account_now
    wb = db.workbook(())
    names: dict[str, str] = {}

    def name(user: str) -> str:
        if user not in names:
            acc = account_now(db.engine, user)
            person = wb.person_by_id.get(acc.person or "") if acc else None
            names[user] = person.name if person else user
        return names[user]
    out = {}
    for key, r in records.last_approved(db.engine).items():
        p = wb.process_by_id.get(key[0])
        if p is None or (actor.department is not None and wb.department_of_section.get(p.section) != actor.department):
            continue
        if r.revision != p.revisions.get(key[1]):  # saved again since (the office's import): not what was approved
            continue
        if r.decided is not None:
            out[key] = Approval(name(r.approver or ""), r.decided, clock.local(r.decided).date(), r.revision)
    return out
