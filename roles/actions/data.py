"""Data in and out: the whole workbook to read, a workbook file imported (all or nothing) or
exported, the demo data, leave files and absence edits."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import PurePath

from flows.errors import BadInput, Problem, Unreachable
from flows.model import VERSIONS
from roles.demo import demo_workbook
from roles.formats import workbook_files
from roles.engines.roster import calendar_of
from roles.formats.ical import read_absences
from roles.formats.workbook import absence_list, department_ids, parse, read, to_tree, validate
from roles.model import CalendarDay, Absence, Incoming, Workbook
from roles.storage import absences, calendar
from roles.storage.audit import record
from roles.storage.database import Database, Writing
from flows.wording import Progress, Stage, values
from roles.storage.organisation import ImportStage, ImportSummary

from .access import Account, may_see_reason, private, require_absences, require_office, whole, within
from roles.bulk import many_objects
from .coverage import check_day
from .handover import open_handovers

__all__ = ["LEAVE_SUFFIXES", "calendar_years", "change_absences", "load_calendar", "export_workbook",
           "import_leave", "import_workbook", "leave_sources", "load_demo", "pull_leave", "LeavePull", "read_leave_file", "save_workbook",
           "site_workbook", "workbook"]

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


@many_objects
def import_workbook(db: Database, actor: Account, *, data: bytes, name: str,
                    progress: Progress = lambda _: None) -> ImportSummary:
    """Replace the departments a workbook file names, all or nothing (the reform office): read
    the file, check it against what the database holds outside those departments, and replace
    them, in one transaction; any problem raises `BadInput` and stores nothing. A JSON file is
    read a process at a time as it is written (`open_tree`); one that is refused is read again
    whole, with positions, for its messages."""
    require_office(actor, "import a workbook")
    progress(ImportStage("reading", values(file=name)))
    known = None
    with db.write(actor, exclusive=True) as tx:
        try:
            tree = workbook_files.open_tree(data, name)
            known = tx.known(department_ids(tree))
            progress(ImportStage("checking"))
            summary = _replace(tx, read(tree, name, known), name, progress)
        except BadInput:
            if workbook_files.format_of(name) != "json":
                raise
            whole = workbook_files.read_tree(data, name, locate=True)
            parse(whole, name, known or tx.known(department_ids(whole)))
            raise
    open_handovers(db, actor)
    return summary


@many_objects
def save_workbook(db: Database, actor: Account, *, workbook: Workbook, source: str = "workbook",
                  progress: Progress = lambda _: None) -> ImportSummary:
    """Store an in-memory workbook (the demo, generated data) as an import of a file stores it:
    checked against the database, then the departments it names replaced, all or nothing."""
    require_office(actor, "import a workbook")
    with db.write(actor, exclusive=True) as tx:
        validate(workbook, source, tx.known({d.id for d in workbook.departments}))
        return _replace(tx, Incoming.whole(workbook), source, progress)


def _replace(tx: Writing, incoming: Incoming, source: str, progress: Progress) -> ImportSummary:
    """Replace what `incoming` names, with what it replaced, whole, on the audit trail."""
    before = tx.held({d.id for d in incoming.head.departments})
    summary = tx.replace(incoming, progress)
    tx.record("import", source, _json_safe(to_tree(before)) if before else None, summary.__dict__)
    return summary


def _json_safe(tree):
    """Dates as ISO text, as the JSON column keeps them (and the audit hash reads them back)."""
    return json.loads(json.dumps(tree, ensure_ascii=False, default=str))


@dataclasses.dataclass(frozen=True)
class ExportStage(Stage):
    key: str
    params: tuple[tuple[str, object], ...] = ()

    CATALOG = {"reading": ("正在读取数据库", "reading the database"),
               "writing": ("正在写出 {file}", "writing {file}"),
               "sheet": ("正在写出工作表 {sheet}（{n}/{total}）", "writing sheet {sheet} ({n}/{total})")}


def export_workbook(db: Database, actor: Account, *, name: str, progress: Progress = lambda _: None) -> bytes:
    """The whole database as a workbook file (format by `name`) that imports back unchanged."""
    whole(actor, "the whole database")
    workbook_files.format_of(name)
    progress(ExportStage("reading"))
    wb = db.workbook()
    if actor.role != "office":  # a workbook that imports back: only the absences whose reasons the reader may know
        wb = dataclasses.replace(wb, absences=tuple(a for a in wb.absences if may_see_reason(wb, actor, a.person)))
    progress(ExportStage("writing", values(file=PurePath(name).name)))
    data = workbook_files.write_tree(to_tree(wb), name, lambda sheet, n, total: progress(
        ExportStage("sheet", values(sheet=sheet, n=n, total=total))))
    record(db.engine, actor, "export", PurePath(name).name, {"bytes": len(data)})
    return data


def load_demo(db: Database, actor: Account, *, today: dt.date) -> ImportSummary:
    require_office(actor, "load the demo data")
    summary = save_workbook(db, actor, workbook=demo_workbook(today), source="demo")
    open_handovers(db, actor, today=today)
    _demo_review(db, actor)
    return summary


def _demo_review(db: Database, actor: Account) -> None:
    """A redesign of 企业设立登记 waiting for review, so the demo's 审核 page, its flowchart's
    comparison and its notices have one to show: its last step renamed, with another B holder."""
    from .processes import process_version, save_draft
    from .review import submit_review
    _, p, live = process_version(db, actor, process_id=DEMO_REVIEW)
    draft = dataclasses.replace(live, steps=tuple(
        dataclasses.replace(s, name="电子营业执照发放并归集信用信息", b="sc06") if s.id == "s3" else s
        for s in live.steps))
    save_draft(db, actor, process_id=DEMO_REVIEW, which="after", version=draft, base_revision=p.revisions["after"],
               base=live, expected_draft=0)
    submit_review(db, actor, process_id=DEMO_REVIEW, comment="发照改为电子营业执照；发照环节备岗调整为潘婷。")


#: The demo's process with a draft under review.
DEMO_REVIEW = "scj-p03"


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
    return absence_list(workbook_files.read_tree(data, name), PurePath(name).name, db.known())


@dataclasses.dataclass(frozen=True)
class LeavePull:
    """What a pull of approved leave from the OA did (cli spec `leave pull --json`)."""

    added: int
    changed: int
    removed: int
    unchanged: int
    unmapped: list[dict]     # approved leave of a user no person has as a contact: {"instance", "user"}
    unreadable: list[str]    # approvals that could not be read, each with why

    def json(self) -> dict:
        return dataclasses.asdict(self)


def leave_sources() -> list[str]:
    """The OA platforms set up for leave ("dingtalk", "wecom"): where `pull_leave` reads."""
    from roles import oa_leave
    return oa_leave.configured()


#: How far back a pull asks the OA for decided leave, when not told.
PULL_DAYS = 30


def pull_leave(db: Database, actor: Account, *, since: dt.date | None = None) -> LeavePull:
    """Approved leave from the OA (DingTalk, WeCom, as set up) decided since `since` (default
    PULL_DAYS ago), stored by the OA's approval id: a pull again changes nothing, a cancelled
    approval removes its absence. People are found by their DingTalk or WeCom user (their
    work-notice contact); approvals of users no one has are listed for the office. All or none,
    audited."""
    from roles import clock, oa_leave
    from roles.platforms import PlatformError, user_of
    from roles.storage import notices
    require_office(actor, "pull leave from the OA")
    since = check_day(since or clock.today() - dt.timedelta(days=PULL_DAYS))
    names = oa_leave.configured()
    if not names:
        raise BadInput("no OA is set up for leave: set ABFLOW_DINGTALK_LEAVE_PROCESS_CODE or "
                       "ABFLOW_WECOM_LEAVE_TEMPLATE_ID (docs/deploy.md)")
    users = {found: person for person, cs in notices.contacts(db.engine).items() for c in cs
             if (found := user_of(c.url)) is not None}
    start = dt.datetime.combine(since, dt.time(), tzinfo=clock.zone())
    held: dict[str, Absence | None] = {}
    unmapped: list[dict] = []
    unreadable: list[str] = []
    for name in names:
        try:
            leaves, bad = oa_leave.pull(name, start, clock.now())
        except PlatformError as e:
            raise Unreachable(f"leave could not be pulled from {name}: {e}; nothing was changed") from None
        unreadable += bad
        for leave in leaves:
            person = users.get((name, leave.user))
            if leave.approved and person is None:
                unmapped.append({"instance": leave.instance, "user": leave.user})
                continue
            held[leave.instance] = Absence(person, leave.start, leave.end, leave.reason, leave.start_half,
                                           leave.end_half) if person and leave.start and leave.end else None
    with db.write(actor) as tx:
        synced = absences.sync_pulled(tx, held, "OA")
    open_handovers(db, actor)
    return LeavePull(synced.added, synced.changed, synced.removed, synced.unchanged, unmapped, unreadable)


def import_leave(db: Database, actor: Account, *, data: bytes, name: str,
                 person: str | None = None) -> tuple[list[Absence], int]:
    """Add the absences of a leave file, all or none and never twice: (read, newly added)."""
    found = read_leave_file(db, actor, data=data, name=name, person=person)
    require_absences(db.workbook(()), actor, {a.person for a in found})
    with db.write(actor) as tx:
        added = absences.add_absences(tx, found, PurePath(name).name)
    open_handovers(db, actor)
    return found, added


def change_absences(db: Database, actor: Account, *, removed=(), added=(), source: str) -> int:
    """Remove some absences and add others together, refused whole (`Conflict`) when one of the
    removed was changed meanwhile; returns how many were added."""
    removed, added = list(removed), list(added)
    for person_id in {a.person for a in removed + added}:
        within(db, actor, person_id=person_id)
    require_absences(db.workbook(()), actor, {a.person for a in removed + added})
    with db.write(actor) as tx:
        count = absences.change_absences(tx, removed, added, source)
    open_handovers(db, actor)
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
    source = PurePath(name).name
    days = list(parse(tree, source).calendar)
    outside = [Problem(source, f"calendar day {c.date}", None, "date", f"is not in {year}")
               for c in days if c.date.year != year]
    if outside or not days:
        raise BadInput(outside or [Problem(source, "the file", None, "calendar", f"lists no day of {year}")])
    if problem := _whole_year_problem(year, days):
        raise BadInput([Problem(source, "the file", None, "calendar", problem)])
    with db.write(actor) as tx:
        return calendar.load_calendar_year(tx, year, days, source)


def calendar_years(db: Database, actor: Account, *, years: tuple[int, ...]) -> dict[int, str]:
    """Whether each year's calendar is official or estimated."""
    cal = calendar_of(db.workbook(()))
    return {y: cal.source(dt.date(y, 1, 1)) for y in years}


#: Days off every year's published schedule has since 2000 (New Year's Day, National Day's
#: first three), and how many days off at the least (the statutory holidays: 10, 11 since 2008,
#: 13 since 2025): a file with fewer is part of a schedule, which must not make the year official.
_FIXED_HOLIDAYS, _MIN_DAYS_OFF = ((1, 1), (10, 1), (10, 2), (10, 3)), 10


def _whole_year_problem(year: int, days: list[CalendarDay]) -> str | None:
    off = {c.date for c in days if not c.workday}
    missing = [dt.date(year, m, d) for m, d in _FIXED_HOLIDAYS if dt.date(year, m, d) not in off]
    if missing or len(off) < _MIN_DAYS_OFF:
        return (f"is not the whole schedule of {year}: it lists {len(off)} days off"
                + (f" and not {', '.join(map(str, missing))}" if missing else "")
                + f"; the published schedule lists every holiday (at least {_MIN_DAYS_OFF} days off, "
                  "New Year's Day and National Day among them)")
    return None
