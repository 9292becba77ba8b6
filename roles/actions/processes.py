"""Process versions: read one, lint it, the designer's drafts (save, publish once lint is clean,
discard), a BPMN file taken in as a version, and solver proposals of A and B accepted."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import cast

from flows import bpmn
from flows.errors import BadInput, Conflict, NotFound, PermissionDenied, Problem
from flows.graph import faults, flow_order
from flows.lint import LintFinding, lint
from flows.model import VERSIONS, Draft, Process, Version, Which
from roles import clock
from roles.engines.lanes import assign_holders
from roles.engines.proposals import Proposal, accepted_versions, suggest
from roles.model import Workbook
from roles.storage import processes as store
from roles.storage import reviews as records
from roles.storage.database import Database

from .access import Account, is_office, require_section, within
from .coverage import section
from .handover import open_handovers

__all__ = ["BpmnImport", "Draft", "accept_proposal", "discard_draft", "drawing", "import_bpmn", "lint_processes",
           "lint_version", "load_draft", "process_version", "propose", "publish_draft", "save_draft"]


def _which(which: str) -> Which:
    if which not in VERSIONS:
        raise BadInput(f"version: '{which}' is neither of {', '.join(VERSIONS)}")
    return cast(Which, which)


def _process(wb: Workbook, process_id: str) -> Process:
    p = wb.process_by_id.get(process_id)
    if p is None:
        raise NotFound("process", process_id)
    return p


def process_version(db: Database, actor: Account, *, process_id: str, which: str = "after",
                    ) -> tuple[Workbook, Process, Version]:
    """The workbook, the process and its version `which`; NotFound when either is missing."""
    wb = db.workbook()
    p = _process(wb, process_id)
    within(db, actor, section_id=p.section)
    v = p.version(_which(which))
    if v is None:
        raise BadInput(f"process '{process_id}' has no '{which}' version")
    return wb, p, v


def lint_version(wb: Workbook, process: Process, which: str, version: Version) -> list[LintFinding]:
    """What stands between a version and publishing: the same findings for `abflow lint`, the
    designer, and the refusal of `publish_draft`."""
    person_dept = {p.id: wb.department_of_section.get(p.section) for p in wb.people}
    return lint(version, holders=which == "after", person_department=person_dept,
                department=wb.department_of_section.get(process.section))


def require_clean(wb: Workbook, process: Process, which: Which, version: Version, source: str) -> None:
    """A version goes live, or to review, only with no faults and nothing lint finds."""
    entry = f"process {process.id}, {which}"
    problems = [Problem(source, f"{entry}, step {sid}", None, "next", message) for sid, message in faults(version)]
    if not problems:
        problems = [Problem(source, f"{entry}, step {f.step}", None, f.code, f.text("en"))
                    for f in lint_version(wb, process, which, version)]
    if problems:
        raise BadInput(problems)


def lint_processes(db: Database, actor: Account, *, process_ids: tuple[str, ...] = (),
                   which: str = "after") -> list[tuple[Process, LintFinding]]:
    """The findings of every process (or those named), version `which`."""
    wb = db.workbook((_which(which),))
    chosen = [_process(wb, x) for x in process_ids] if process_ids else list(wb.processes)
    if actor.department is not None:  # those named, if theirs; else all of theirs, and only theirs
        for p in chosen if process_ids else ():
            within(db, actor, section_id=p.section)
        chosen = [p for p in chosen if wb.department_of_section.get(p.section) == actor.department]
    return [(p, f) for p in chosen if (v := p.version(which)) is not None for f in lint_version(wb, p, which, v)]


def load_draft(db: Database, actor: Account, *, process_id: str, which: str) -> Draft | None:
    if actor.department is not None:
        within(db, actor, section_id=_process(db.workbook(()), process_id).section)
    return store.load_draft(db.engine, process_id, _which(which))


def save_draft(db: Database, actor: Account, *, process_id: str, which: str, version: Version,
               base_revision: int, base: Version, expected_draft: int) -> int:
    """Keep an unfinished edit apart from the live version; `Conflict` when someone else saved
    the draft since `expected_draft` was read."""
    wb = db.workbook(())
    require_section(wb, actor, _process(wb, process_id).section, "edit the processes")
    with db.write(actor) as tx:
        return store.save_draft(tx, process_id, _which(which), version, base_revision, base, expected_draft)


def publish_draft(db: Database, actor: Account, *, process_id: str, which: str, version: Version,
                  expected_revision: int, source: str = "designer") -> int:
    """Make an edit the live version, only when it has no faults and lint finds nothing, and only
    if nobody published this version since `expected_revision` (else `Conflict`)."""
    wb = db.workbook(())  # who belongs where is all lint needs of the database; the version is given
    p = _process(wb, process_id)
    require_section(wb, actor, p.section, "publish the processes")
    _unreviewed(db, wb, p, "published")
    version_name = _which(which)
    require_clean(wb, p, version_name, version, source)
    with db.write(actor) as tx:
        revision = store.publish_draft(tx, process_id, version_name, version, source, expected_revision)
    open_handovers(db, actor)
    return revision


def _unreviewed(db: Database, wb: Workbook, p: Process, what: str) -> None:
    """A change goes live without an approval only where the department's review is switched off."""
    dept = wb.department_of_section.get(p.section)
    if records.required_of(db.engine, dept):
        raise PermissionDenied(f"process {p.id}: department {dept} reviews its changes, so it cannot be {what} "
                               f"directly: save it as a draft and submit it (abflow review submit {p.id})")


def discard_draft(db: Database, actor: Account, *, process_id: str, which: str) -> None:
    wb = db.workbook(())
    require_section(wb, actor, _process(wb, process_id).section, "discard drafts")
    with db.write(actor) as tx:
        store.discard_draft(tx, process_id, _which(which))


@dataclass(frozen=True)
class BpmnImport:
    """A BPMN file read as a version: which lanes became A holders and what was left aside."""

    bpmn_process: str
    name: str
    version: Version
    counts: bpmn.Counts
    lanes_matched: dict[str, str] = field(default_factory=dict)
    lanes_unmatched: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    revision: int | None = None


def drawing(db: Database, actor: Account, *, data: bytes, name: str, section_id: str, which: str,
            bpmn_process: str | None = None) -> BpmnImport:
    """A BPMN file (or the designer's bpmn-js drawing) read as a version of a process of
    `section_id`, not stored: in an `after` version, lanes naming people of the section become A
    holders; a `before` version carries no holders, so its lanes are only reported."""
    bp = bpmn.read(data, name, bpmn_process)
    within(db, actor, section_id=section_id)
    wb = db.workbook(())
    if _which(which) == "before":
        return BpmnImport(bp.id, bp.name, _in_flow_order(bp.version), bp.counts, {}, list(bp.lanes), list(bp.notes))
    got = assign_holders(bp, wb.people_by_section.get(section_id, []))
    return BpmnImport(bp.id, bp.name, _in_flow_order(got.version), bp.counts, got.matched, got.unmatched,
                      bp.notes + [f"holder attribute names nobody of the section: {h}" for h in got.ignored_holders])


def _in_flow_order(version: Version) -> Version:
    """A drawing's steps in the order the work flows, as the step table lists them: a file writes
    a step moved in the drawing last."""
    return replace(version, steps=flow_order(version))


def import_bpmn(db: Database, actor: Account, *, data: bytes, name: str, process_id: str,
                section_id: str | None = None, which: str = "after", bpmn_process: str | None = None,
                process_name: str | None = None, draft: bool = False) -> BpmnImport:
    """Store a BPMN file as version `which` of a process, new (in `section_id`) or existing; with
    `draft`, as the process's draft (for review), the live version untouched. A live import is
    the office's own act, like its workbook import; anyone else's waits for review where the
    department reviews its changes."""
    wb = db.workbook((_which(which),))
    existing = wb.process_by_id.get(process_id)
    if existing is None and (section_id is None or draft):
        raise BadInput([Problem(name, f"process {process_id}, {which}", None, "section",
                                "a draft is of a process that exists" if draft and section_id
                                else "a new process needs --section")])
    home = existing.section if existing else section(wb, section_id) or ""
    require_section(wb, actor, home, "import processes into")
    if existing is not None and not draft and not is_office(actor):
        _unreviewed(db, wb, existing, "replaced by a file")
    got = drawing(db, actor, data=data, name=name, section_id=home, which=which, bpmn_process=bpmn_process)
    with db.write(actor) as tx:
        if draft and existing is not None:
            live = existing.version(_which(which)) or Version()
            kept = store.read_draft(tx.session, process_id, _which(which))
            revision = store.save_draft(tx, process_id, _which(which), got.version, existing.revisions.get(which, 0),
                                        live, kept.revision if kept else 0)
        else:
            revision = store.save_version(tx, process_id, _which(which), got.version, name, section=section_id,
                                          name=process_name or (None if existing else got.name))
    if not draft:
        open_handovers(db, actor)
    return BpmnImport(**{**got.__dict__, "revision": revision})


def propose(db: Database, actor: Account, *, section_id: str, mode: str = "fill", time_limit: float = 5.0,
            progress: Callable | None = None) -> Proposal:
    """A CP-SAT proposal of A and B holders for a section's steps; nothing is stored."""
    if mode not in ("fill", "rebalance"):
        raise BadInput(f"mode: '{mode}' is neither fill nor rebalance")
    if not 0.1 <= time_limit <= 600:
        raise BadInput(f"time limit: {time_limit} s is not between 0.1 and 600")
    wb = db.workbook(("after",))
    section(wb, section_id)
    within(db, actor, section_id=section_id)
    return suggest(wb, section_id, mode, time_limit, progress=progress or (lambda _: None),
                   absences_from=clock.today())


def accept_proposal(db: Database, actor: Account, *, proposal: Proposal, source: str) -> list[str]:
    """Store a proposal's changes, all processes together, refused (`Conflict`) if any of them
    was saved since the proposal read it. Returns the processes changed."""
    wb = db.workbook(("after",))
    require_section(wb, actor, proposal.section, "accept proposals")
    edits = accepted_versions(wb, proposal)
    if records.required_of(db.engine, wb.department_of_section.get(proposal.section)):
        _submit_holders(db, actor, edits, source)
        return [p.id for p, _ in edits]
    with db.write(actor) as tx:
        store.save_versions(tx, [(p.id, "after", v, p.revisions.get("after")) for p, v in edits], source)
    open_handovers(db, actor)
    return [p.id for p, _ in edits]


def _submit_holders(db: Database, actor: Account, edits: list[tuple[Process, Version]], source: str) -> None:
    """An accepted proposal where the department reviews its changes: each process's new A and B
    kept as its draft and submitted, all together; a process with a draft of its own is left to
    its author (Conflict), not overwritten."""
    with db.write(actor) as tx:
        for p, v in edits:
            if store.read_draft(tx.session, p.id, "after") is not None:
                raise Conflict(f"process {p.id} has a draft already: publish, submit or discard it, then accept "
                               "the proposal again")
            revision = store.save_draft(tx, p.id, "after", v, p.revisions.get("after", 0), p.after or Version(), 0)
            records.submit(tx, p.id, "after", "holders", revision, source)
