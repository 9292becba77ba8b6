"""Matters done once (一件事一次办, "one thing"): what each asks of which departments, before and after the
reform, and the cases that absences in any of them would make late; and their changes, proposed
by the lead department and reviewed like a process's. An account limited to one department sees
the matters that department leads or takes part in."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from flows.errors import BadInput, NotFound, PermissionDenied, Problem
from flows.model import VERSIONS
from roles.actor import approves
from roles.engines.matters import MatterFigures, all_figures, figures
from roles.engines.overrun import OverrunReport, matter_overrun as run
from roles.formats import matter_bpmn as matter_files
from roles.formats.workbook import validate
from roles.model import FIELDS, Known, Matter, MatterChange, Workbook
from roles.storage import matters as store
from roles.storage.database import Database

from .access import Account, is_office, section_of
from .coverage import check_overrun_range
from .review import comment_text, review_required

__all__ = ["MatterChange", "MatterFigures", "decide_matter_change", "import_matter_bpmn", "matter", "matter_bpmn",
           "matter_changes", "matter_overrun", "matters", "may_change_matter", "may_decide_matter", "propose_matter"]


def matters(db: Database, actor: Account) -> list[MatterFigures]:
    """Every matter with its parts, 四减 and findings, in the order the data gives them."""
    found = db.derived(("matters",), VERSIONS, all_figures)
    return [f for f in found if actor.department is None or actor.department in f.departments]


def matter(db: Database, actor: Account, *, matter_id: str) -> MatterFigures:
    for f in db.derived(("matters",), VERSIONS, all_figures):
        if f.matter.id == matter_id:
            if actor.department is not None and actor.department not in f.departments:
                raise PermissionDenied(f"{actor.username} may read department {actor.department} only, "
                                       f"which takes no part in matter {matter_id}")
            return f
    raise NotFound("matter", matter_id, "the matters done once (一件事)")


def matter_overrun(db: Database, actor: Account, *, matter_id: str, start: dt.date, end: dt.date) -> OverrunReport:
    """Cases of the matter started on each workday from `start` to `end`, its parts in their own
    departments over their own people's absences: which run late against its promise, and by
    whose absence."""
    check_overrun_range(start, end)
    figures = matter(db, actor, matter_id=matter_id)
    return run(db.workbook(("after",)), figures.matter, start, end)


#: The field a matter's finding is about, for the message that refuses a change.
_FIELD_OF = {"matter-part-missing": "stages", "matter-part-unredesigned": "stages", "matter-within-promised": "promised_days"}


def may_change_matter(wb: Workbook, actor: Account, lead: str) -> bool:
    """The office, or a head of a section of the lead department."""
    return is_office(actor) or (actor.role == "head" and wb.department_of_section.get(section_of(wb, actor) or "") == lead)


def may_decide_matter(actor: Account, change: MatterChange) -> bool:
    """The office or the leader in charge of the (proposed) lead department; never the author."""
    return change.author != actor.username and approves(actor, change.proposed.lead)


def propose_matter(db: Database, actor: Account, *, matter: Matter, expected: Matter | None) -> MatterChange:
    """Propose a matter as changed from `expected` (None: a new one) by its lead department's head
    or the office. Checked as an import checks one (ids, references, fields); it waits for the
    approval of the lead department's leader, or goes live at once where the department's changes
    are not reviewed. Conflict when the matter changed meanwhile or a change of it waits already."""
    wb = db.workbook(())
    for lead in {matter.lead, *((expected.lead,) if expected else ())}:
        if not may_change_matter(wb, actor, lead):
            raise PermissionDenied(f"{actor.username}: only the office or a head of department {lead} "
                                   f"may change the matters it leads")
    if expected is not None and expected.id != matter.id:
        raise BadInput([Problem("app", f"matter {matter.id}", None, "id", "a matter keeps its id")])
    if matter == expected:
        raise BadInput([Problem("app", f"matter {matter.id}", None, None, "nothing to change: it is so already")])
    problems = [Problem("app", f"matter {matter.id}", None, f.name, p) for f in FIELDS[Matter]
                if (p := f.problem(getattr(matter, f.name)))]
    problems += [Problem("app", f"matter {matter.id}", None, f.name, "is required") for f in FIELDS[Matter]
                 if f.required and not str(getattr(matter, f.name)).strip()]
    if problems:
        raise BadInput(problems)
    validate(Workbook(matters=(matter,)), "app", _known(db, matter.id))
    wrong = [x for x in figures(db.workbook(), matter).findings if x.error]  # live only once it holds together
    if wrong:
        raise BadInput([Problem("app", f"matter {matter.id}", None, _FIELD_OF.get(x.rule), x.message) for x in wrong])
    with db.write(actor) as tx:
        return store.propose(tx, matter, expected, live=not review_required(db, matter.lead))


def decide_matter_change(db: Database, actor: Account, *, change_id: int, approve: bool, note: str = "") -> MatterChange:
    """Approve a proposed change (it goes live) or return it to its author with a note."""
    change = store.change(db.engine, change_id)
    if not may_decide_matter(actor, change):
        raise PermissionDenied(f"{actor.username}: only the office or the leader in charge of department "
                               f"{change.proposed.lead} decides this change, and never its author")
    said = comment_text(note, "note", needed=not approve)
    with db.write(actor) as tx:
        return store.decide(tx, change_id, approve, said)


def matter_changes(db: Database, actor: Account, *, matter_id: str | None = None) -> list[MatterChange]:
    """Proposed changes of matters, newest first: those an account limited to one department leads."""
    found = store.changes(db.engine, matter_id)
    return [c for c in found if actor.department is None or actor.department in (c.proposed.lead,
                                                                                  c.base and c.base.lead)]


def _known(db: Database, matter_id: str) -> Known:
    """What the database holds, for a matter's checks: its own id free to be given again."""
    known = db.known()
    known.ids["matter"] = {k: d for k, d in known.ids.get("matter", {}).items() if k != matter_id}
    return known


def matter_bpmn(db: Database, actor: Account, *, matter_id: str, words: Mapping[str, str]) -> bytes:
    """The matter as a BPMN 2.0 collaboration: a pool per department, a call activity per part."""
    figures = matter(db, actor, matter_id=matter_id)
    return matter_files.write(db.workbook(()), figures.matter, words)


def import_matter_bpmn(db: Database, actor: Account, *, data: bytes, name: str, matter_id: str | None = None,
                       lead: str | None = None) -> MatterChange:
    """A collaboration read as a matter (its parts the processes its pools call, in stages by its
    flows) and proposed as a change of the matter of that id, reviewed like any other."""
    drawn = matter_files.read(data, name, lambda own: _known(db, own), matter_id=matter_id, lead=lead)
    live = db.workbook(()).matter_by_id.get(drawn.id)
    return propose_matter(db, actor, matter=drawn, expected=live)
