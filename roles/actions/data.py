"""Data in and out: the whole workbook to read, a workbook file imported (all or nothing) or
exported, the demo data, leave files and absence edits."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import PurePath

from flows.errors import BadInput, Problem
from flows.model import VERSIONS
from roles.demo import demo_workbook
from roles.formats import workbook_files
from roles.engines.roster import calendar_of
from roles.formats.ical import read_absences
from roles.formats.workbook import parse, to_tree
from roles.model import Absence, Workbook
from roles.storage import store
from roles.storage.audit import record
from roles.storage.database import Database
from flows.wording import Progress, values
from roles.storage.store import ImportStage, ImportSummary

from .access import Account, may_see_reason, private, require_absences, require_office, whole, within
from .handover import open_handovers

__all__ = ["LEAVE_SUFFIXES", "calendar_years", "change_absences", "load_calendar", "export_workbook",
           "import_leave", "import_workbook", "load_demo", "read_leave_file", "site_workbook", "workbook"]

#: The leave files abflow reads: a leave system's iCalendar export, or a list of absences kept as
#: a workbook (a spreadsheet's XLSX, YAML or JSON) holding only `absences`.
LEAVE_SUFFIXES = (".ics", ".xlsx", ".yaml", ".yml", ".json")


def workbook(db: Database, actor: Account, versions: tuple[str, ...] = VERSIONS,
             departments: frozenset[str] | None = None) -> Workbook:
    """Everything stored (or what `departments` need: their own, and the people of others who
    hold their steps), for the views that show it; every signed-in account may read it, with the
    reasons of others' absences withheld where they are not theirs to know. An account limited to
    one department reads what that department needs."""
    if actor.department is not None:
        for d in departments or ():
            within(db, actor, department_id=d)
        departments = frozenset({actor.department})
    return private(db.workbook(versions, departments), actor)


def import_workbook(db: Database, actor: Account, *, data: bytes, name: str,
                    progress: Progress = lambda _: None) -> ImportSummary:
    """Replace the departments a workbook file names, all or nothing (the reform office): read
    the file, check it against what the database holds outside those departments, and replace
    them, in one transaction; any problem raises `BadInput` and stores nothing."""
    require_office(actor, "import a workbook")
    progress(ImportStage("reading", values(file=name)))
    tree = workbook_files.read_tree(data, name, locate=False)
    with db.write(actor, exclusive=True) as tx:
        known = tx.known(store.department_ids(tree))
        progress(ImportStage("checking"))
        try:
            wb = parse(tree, name, known)
        except BadInput:
            if workbook_files.format_of(name) != "json":
                raise
            # JSON was read fast without positions; read again with them, for the messages.
            parse(workbook_files.read_tree(data, name, locate=True), name, known)
            raise
        summary = tx.replace(wb, name, progress)
    open_handovers(db)
    return summary


def export_workbook(db: Database, actor: Account, *, name: str) -> bytes:
    """The whole database as a workbook file (format by `name`) that imports back unchanged."""
    whole(actor, "the whole database")
    workbook_files.format_of(name)
    if actor.role == "office":
        data = store.export_file(db.engine, name)
    else:  # a workbook that imports back: only the absences whose reasons the reader may know
        wb = db.workbook()
        data = workbook_files.write_tree(to_tree(dataclasses.replace(wb, absences=tuple(
            a for a in wb.absences if may_see_reason(wb, actor, a.person)))), name)
    record(db.engine, actor, "export", PurePath(name).name, {"bytes": len(data)})
    return data


def load_demo(db: Database, actor: Account, *, today: dt.date) -> ImportSummary:
    require_office(actor, "load the demo data")
    summary = store.import_workbook(db.engine, demo_workbook(today), source="demo", user=actor)
    open_handovers(db, today=today)
    return summary


def read_leave_file(db: Database, actor: Account, *, data: bytes, name: str,
                    person: str | None = None) -> list[Absence]:
    """The absences a leave file holds, checked but not stored. `person` owns every event of an
    .ics file that names no one."""
    suffix = PurePath(name).suffix.lower()
    if suffix == ".ics":
        return read_absences(data, name, db.workbook(()), person)
    if suffix not in LEAVE_SUFFIXES:
        raise BadInput([Problem(name, "the file", None, None,
                                f"not a leave file: expected one of {', '.join(LEAVE_SUFFIXES)}")])
    if person is not None:
        raise BadInput([Problem(name, "the file", None, "person",
                                "a leave list names the person of each absence; --person is for .ics files")])
    return store.absence_list(db.engine, workbook_files.read_tree(data, name), PurePath(name).name)


def import_leave(db: Database, actor: Account, *, data: bytes, name: str,
                 person: str | None = None) -> tuple[list[Absence], int]:
    """Add the absences of a leave file, all or none and never twice: (read, newly added)."""
    found = read_leave_file(db, actor, data=data, name=name, person=person)
    require_absences(db.workbook(()), actor, {a.person for a in found})
    added = store.add_absences(db.engine, found, PurePath(name).name, user=actor)
    open_handovers(db)
    return found, added


def change_absences(db: Database, actor: Account, *, removed=(), added=(), source: str) -> int:
    """Remove some absences and add others together, refused whole (`Conflict`) when one of the
    removed was changed meanwhile; returns how many were added."""
    removed, added = list(removed), list(added)
    for person_id in {a.person for a in removed + added}:
        within(db, actor, person_id=person_id)
    require_absences(db.workbook(()), actor, {a.person for a in removed + added})
    count = store.change_absences(db.engine, removed, added, source, user=actor)
    open_handovers(db)
    return count


def site_workbook(db: Database, actor: Account) -> Workbook:
    """The data a release of the flowchart site is made from; publishing is the office's."""
    require_office(actor, "publish the flowchart site")
    record(db.engine, actor, "publish", "site")
    return db.workbook()


def load_calendar(db: Database, actor: Account, *, data: bytes, name: str, year: int) -> int:
    """Load the State Council's schedule of `year` (a workbook file holding only `calendar`: each
    holiday and adjusted working day), so that year's calendar is official; the office's."""
    require_office(actor, "load a year's calendar")
    if not 1900 <= year <= 2100:
        raise BadInput(f"year: {year} is outside 1900–2100")
    tree = workbook_files.read_tree(data, name)
    if not isinstance(tree, dict) or set(tree) - {"version", "calendar"} or not tree.get("calendar"):
        raise BadInput([Problem(PurePath(name).name, "the file", None, "calendar",
                                "a year's schedule holds only `calendar`: each holiday and adjusted working day")])
    days = list(parse(tree, PurePath(name).name).calendar)
    return store.load_calendar_year(db.engine, year, days, PurePath(name).name, user=actor)


def calendar_years(db: Database, actor: Account, *, years: tuple[int, ...]) -> dict[int, str]:
    """Whether each year's calendar is official or estimated."""
    cal = calendar_of(db.workbook(()))
    return {y: cal.source(dt.date(y, 1, 1)) for y in years}
