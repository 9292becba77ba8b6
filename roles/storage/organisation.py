"""The organisation in the database: load it as a `Workbook` (whole, or what some departments
need), what it holds outside some departments (`Known`, for an import's checks), and replace the
departments a workbook names; a department's exemptions.

Replacing takes every department the workbook names (its sections, duties, people, processes and
their people's absences), adds absences of other people, and sets calendar overrides: re-import
is how users update. Functions that take a session never commit: the use case's unit of work
(`Database.write`) owns the transaction.
"""
from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, text, true, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from flows.errors import BadInput, Conflict, Problem
from flows.model import VERSIONS
from flows.wording import Progress, Stage, values
from roles.model import (Absence, CalendarDay, Department, Exemption, Function, Incoming, Known, Matter, Person, Power, Section, SectionBefore,
                         Workbook)
from roles.storage import processes as flow_store
from roles.storage.absences import new_absences
from roles.storage.bulk import bulk_insert, checked_after, table_of
from roles.storage.changes import bump
from roles.storage.rows import entity_of, row_of, standin_of
from roles.storage.tables import (AbsenceRow, AccountRow, CalendarRow, CalendarYearRow, ContactRow, DepartmentRow, ExemptionRow,
                                  FunctionRow, MatterRow, PersonRow, PowerRow, ProcessRow, SectionBeforeRow, SectionFunctionRow,
                                  SectionMergeRow, SectionRow, StandInRow, StepRow, VersionRow)

if TYPE_CHECKING:
    from roles.storage.database import Writing

log = logging.getLogger("abflow.store")


@dataclass(frozen=True)
class ImportStage(Stage):
    key: str
    params: tuple[tuple[str, object], ...] = ()

    CATALOG = {"reading": ("正在读取 {file}", "reading {file}"),
               "checking": ("正在检查", "checking"),
               "replacing": ("替换 {replaced} 个部门，新增 {added} 个", "replacing {replaced} department(s), adding {added}"),
               "processes": ("正在检查并写入流程：已 {n} 个", "checking and writing processes: {n} so far"),
               "absences": ("正在写入 {n} 条请假", "writing {n} absences")}


@dataclass(frozen=True)
class ImportSummary:
    departments: int
    replaced: int
    people: int
    processes: int
    steps: int
    absences: int
    calendar: int


def load(engine: Engine, versions: tuple[str, ...] = VERSIONS, departments: frozenset[str] | None = None) -> Workbook:
    """Everything in the database, in the order it was given. `versions=("after",)` leaves the
    `before` versions out, for the roster and gaps, which never look at them. `departments`
    reads only those departments (their sections, people, processes and powers), the people of
    other departments who hold one of their steps, and the absences of all of these: all that a
    question about those departments needs, at a cost that does not grow with the province."""
    with Session(engine) as s:
        return _load(s, versions, departments)


def _load(s: Session, versions: tuple[str, ...] = VERSIONS, departments: frozenset[str] | None = None) -> Workbook:
    dept_pos = {}
    depts = []
    conn = s.connection()
    scoped = departments is not None
    in_depts = lambda column: column.in_(departments) if scoped else true()  # noqa: E731
    sections_in = select(col(SectionRow.id)).where(in_depts(col(SectionRow.department_id)))
    in_sections = lambda column: column.in_(sections_in) if scoped else true()  # noqa: E731

    def rows(table, where, *order):
        return conn.execute(select(table.__table__).where(where).order_by(*order)).mappings().all()

    before = _group(rows(SectionBeforeRow, in_depts(col(SectionBeforeRow.department_id)), col(SectionBeforeRow.position)),
                    "department_id")
    functions = _group(rows(FunctionRow, in_depts(col(FunctionRow.department_id)), col(FunctionRow.position)),
                       "department_id")
    merges = _group(rows(SectionMergeRow, in_sections(col(SectionMergeRow.section_id)), col(SectionMergeRow.position)),
                    "section_id")
    sect_functions = _group(rows(SectionFunctionRow, in_sections(col(SectionFunctionRow.section_id)),
                                 col(SectionFunctionRow.position)), "section_id")
    sections = _group(rows(SectionRow, in_depts(col(SectionRow.department_id)), col(SectionRow.position)), "department_id")
    exemptions = _group(rows(ExemptionRow, in_depts(col(ExemptionRow.department_id)), col(ExemptionRow.position)),
                        "department_id")
    section_rank: dict[str, tuple[int, int]] = {}
    for i, d in enumerate(rows(DepartmentRow, in_depts(col(DepartmentRow.id)), col(DepartmentRow.position))):
        dept_pos[d["id"]] = i
        secs = sections.get(d["id"], [])
        for j, r in enumerate(secs):
            section_rank[r["id"]] = (i, j)
        depts.append(entity_of(
            Department, d,
            sections_before=tuple(entity_of(SectionBefore, r) for r in before.get(d["id"], [])),
            sections=tuple(entity_of(Section, r, merged_from=tuple(m["before_id"] for m in merges.get(r["id"], [])),
                                     functions=tuple(f["function_id"] for f in sect_functions.get(r["id"], [])))
                           for r in secs),
            functions=tuple(entity_of(Function, r) for r in functions.get(d["id"], [])),
            exemptions=tuple(entity_of(Exemption, r) for r in exemptions.get(d["id"], []))))
    processes_in = select(col(ProcessRow.id)).where(in_sections(col(ProcessRow.section_id)))
    damaged: list[str] = []
    processes = sorted(flow_store.read_processes(s, versions, damaged, processes_in if scoped else None),
                       key=lambda pp: section_rank.get(pp[1].section, (0, 0))[0])
    who = in_sections(col(PersonRow.section_id))
    if scoped:  # and whoever of another department holds one of their steps
        who = who | col(PersonRow.id).in_({h for _, p in processes for v in (p.before, p.after) if v
                                           for st in v.steps for h in (st.a, st.b) if h})
    people = sorted(rows(PersonRow, who, col(PersonRow.position)), key=lambda r: section_rank.get(r["section_id"], (0, 0))[0])
    present = {r["id"] for r in people}
    if damaged:
        log.warning("%d stored value(s) could not be read and were left out, e.g. %s", len(damaged), damaged[0])
    return Workbook(
        departments=tuple(depts),
        people=tuple(entity_of(Person, r) for r in people),
        processes=tuple(p for _, p in processes),
        absences=tuple(entity_of(Absence, r) for r in rows(AbsenceRow, col(AbsenceRow.person_id).in_(present) if scoped else true(),
                                     col(AbsenceRow.id))),
        calendar=tuple(entity_of(CalendarDay, r) for r in rows(CalendarRow, true(), col(CalendarRow.date))),
        powers=tuple(entity_of(Power, r) for r in sorted(rows(PowerRow, in_depts(col(PowerRow.department_id)), col(PowerRow.position)),
                                     key=lambda r: dept_pos.get(r["department_id"], 0))),
        matters=tuple(entity_of(Matter, r) for r in sorted(rows(MatterRow, in_depts(col(MatterRow.lead_id)), col(MatterRow.position)),
                                      key=lambda r: dept_pos.get(r["lead_id"], 0))),
        damaged=tuple(damaged),
        official_years=tuple(r["year"] for r in rows(CalendarYearRow, true(), col(CalendarYearRow.year))),
        standins=tuple(standin_of(r) for r in rows(StandInRow, col(StandInRow.person_id).in_(present) if scoped else true(),
                                                   col(StandInRow.id))),
    )


def _group(rows, key: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return out


def held(s: Session, department_ids: set[str]) -> Workbook | None:
    """Of `department_ids`, those the database holds, whole: their people, processes, absences
    and powers (what an import is about to replace, for the audit trail); None for none."""
    names = department_ids
    held = set(s.scalars(select(col(DepartmentRow.id)).where(col(DepartmentRow.id).in_(names)))) if names else set()
    if not held:
        return None
    now = _load(s, VERSIONS, frozenset(held))  # those departments only, not the whole database
    sections = {sec.id for d in now.departments if d.id in held for sec in d.sections}
    people = {p.id for p in now.people if p.section in sections}
    return Workbook(departments=tuple(d for d in now.departments if d.id in held),
                    people=tuple(p for p in now.people if p.id in people),
                    processes=tuple(p for p in now.processes if p.section in sections),
                    absences=tuple(a for a in now.absences if a.person in people),
                    powers=tuple(p for p in now.powers if p.department in held),
                    matters=tuple(m for m in now.matters if m.lead in held))


def known(s: Session, replacing: set[str]) -> Known:
    """What the database holds outside the departments about to be replaced."""
    known = Known()
    sec_dept = dict(s.execute(select(col(SectionRow.id), col(SectionRow.department_id))).all())
    known.ids["department"] = {d: d for d in s.scalars(select(col(DepartmentRow.id))) if d not in replacing}
    known.ids["section"] = {k: d for k, d in sec_dept.items() if d not in replacing}
    for kind, table in (("section_before", SectionBeforeRow), ("function", FunctionRow), ("power", PowerRow),
                        ("matter", MatterRow)):
        c = table_of(table).c
        lead = c.lead_id if table is MatterRow else c.department_id
        known.ids[kind] = {k: d for k, d in s.execute(select(c.id, lead)) if d not in replacing}
    person_dept = {p: sec_dept[sid] for p, sid in s.execute(select(col(PersonRow.id), col(PersonRow.section_id)))}
    known.ids["person"] = {p: d for p, d in person_dept.items() if d not in replacing}
    proc_dept = {p: sec_dept[sid] for p, sid in s.execute(select(col(ProcessRow.id), col(ProcessRow.section_id)))}
    known.ids["process"] = {p: d for p, d in proc_dept.items() if d not in replacing}
    for p, d in person_dept.items():
        if d in replacing:
            known.people_of.setdefault(d, set()).add(p)
    leaving = {p for ps in known.people_of.values() for p in ps}
    if leaving:
        for proc, step, a, b in s.execute(select(table_of(StepRow).c.process_id, table_of(StepRow).c.id, table_of(StepRow).c.a, table_of(StepRow).c.b)
                                          .where(table_of(StepRow).c.a.in_(leaving) | table_of(StepRow).c.b.in_(leaving))):
            if proc_dept[proc] in replacing:
                continue
            for holder in {a, b} & leaving:
                known.holders.setdefault(holder, []).append((proc_dept[proc], proc, step))
    return known


def replace(s: Session, incoming: Incoming, progress: Progress, *, user: str) -> ImportSummary:
    """Replace the departments `incoming` names: their organisation, then its processes written as
    they come (so a province's are never all held), then what follows them. Its `rest` raises when
    the file had a problem anywhere, and the caller's transaction takes everything back."""
    wb = incoming.head
    dept_ids = [d.id for d in wb.departments]
    old_pos = dict(s.execute(select(col(DepartmentRow.id), col(DepartmentRow.position))).all())
    replaced = [d for d in dept_ids if d in old_pos]
    first = not replaced  # nothing of the file's is read by anyone yet: its processes' keys may be checked after
    progress(ImportStage("replacing", values(replaced=len(replaced), added=len(dept_ids) - len(replaced))))
    # Accounts outlive a re-import: unlink their people while the departments are replaced, relink after.
    linked = dict(s.execute(select(col(AccountRow.username), col(AccountRow.person_id)).where(col(AccountRow.person_id).is_not(None))).all())
    if linked:
        s.execute(update(AccountRow).where(col(AccountRow.person_id).is_not(None)).values(person_id=None))
    # So do contacts: kept aside, and put back for the people the department still has.
    cc = table_of(ContactRow).c
    contacts = [dict(r) for r in s.execute(select(table_of(ContactRow)).where(
        cc.person_id.in_(select(col(PersonRow.id)).join(SectionRow, col(SectionRow.id) == col(PersonRow.section_id))
                         .where(col(SectionRow.department_id).in_(replaced))))).mappings()] if replaced else []
    if contacts:
        s.execute(delete(table_of(ContactRow)).where(cc.person_id.in_({c["person_id"] for c in contacts})))
    _delete_departments(s, replaced)
    next_pos = max(old_pos.values(), default=-1) + 1
    dept_rows, before_rows, section_rows, merge_rows, function_rows, sfunction_rows, ex_rows = [], [], [], [], [], [], []
    for d in wb.departments:
        pos = old_pos.get(d.id)
        if pos is None:
            pos, next_pos = next_pos, next_pos + 1
        dept_rows.append(row_of(d, position=pos))
        before_rows += [row_of(b, department_id=d.id, position=i) for i, b in enumerate(d.sections_before)]
        function_rows += [row_of(f, department_id=d.id, position=i) for i, f in enumerate(d.functions)]
        ex_rows += [row_of(e, department_id=d.id, position=i) for i, e in enumerate(d.exemptions)]
        for i, sec in enumerate(d.sections):
            section_rows.append(row_of(sec, department_id=d.id, position=i))
            merge_rows += [{"section_id": sec.id, "before_id": m, "position": j} for j, m in enumerate(sec.merged_from)]
            sfunction_rows += [{"section_id": sec.id, "function_id": f, "position": j} for j, f in enumerate(sec.functions)]
    for table, rows in ((DepartmentRow, dept_rows), (SectionBeforeRow, before_rows), (FunctionRow, function_rows),
                        (SectionRow, section_rows), (SectionMergeRow, merge_rows), (SectionFunctionRow, sfunction_rows),
                        (ExemptionRow, ex_rows)):
        bulk_insert(s, table, rows)
    person_pos = (s.scalar(select(func.coalesce(func.max(col(PersonRow.position)), -1))) or 0) + 1
    bulk_insert(s, PersonRow, [row_of(p, position=person_pos + i) for i, p in enumerate(wb.people)])
    if linked:
        present = set(s.scalars(select(col(PersonRow.id)).where(col(PersonRow.id).in_(set(linked.values())))))
        for username, person in linked.items():
            if person in present:
                s.execute(update(AccountRow).where(col(AccountRow.username) == username).values(person_id=person))
    staying = {p.id for p in wb.people}
    bulk_insert(s, ContactRow, [c for c in contacts if c["person_id"] in staying])
    with checked_after(s, (ProcessRow, VersionRow, StepRow)) if first else nullcontext():
        written = flow_store.write_processes(s, incoming.processes, flow_store.max_position(s) + 1, user=user,
                                             progress=lambda n: progress(ImportStage("processes", values(n=n))))
    flow_store.drop_orphan_drafts(s)
    wb = incoming.rest()
    bulk_insert(s, PowerRow, [row_of(p, position=i) for i, p in enumerate(wb.powers)])
    bulk_insert(s, MatterRow, [row_of(m, position=i) for i, m in enumerate(wb.matters)])
    progress(ImportStage("absences", values(n=len(wb.absences))))
    bulk_insert(s, AbsenceRow, new_absences(s, wb.absences))
    for c in wb.calendar:
        s.execute(delete(CalendarRow).where(col(CalendarRow.date) == c.date))
    bulk_insert(s, CalendarRow, [row_of(c) for c in wb.calendar])
    _analyze(s)
    bump(s)
    return ImportSummary(departments=len(dept_ids), replaced=len(replaced), people=len(wb.people),
                         processes=written.processes, steps=written.steps,
                         absences=len(wb.absences), calendar=len(wb.calendar))


def set_exemptions(tx: Writing, department: str, exemptions, expected) -> None:
    """Replace a department's recorded exemptions, each with its rule and reason. `expected` is
    the list as it was read: if someone changed it meanwhile, Conflict, and nothing changes."""
    exemptions, expected = list(exemptions), list(expected)
    source = f"department {department}"
    s = tx.session
    if s.get(DepartmentRow, department) is None:
        raise BadInput([Problem("app", source, None, "department", f"no department '{department}'")])
    c = table_of(ExemptionRow).c
    stored = [entity_of(Exemption, r) for r in s.execute(
        select(c.rule, c.reason, c.subject).where(c.department_id == department).order_by(c.position)
        .with_for_update()).mappings()]
    if stored != expected:
        raise Conflict(f"{source}: its exemptions were changed by someone else meanwhile")
    s.execute(delete(table_of(ExemptionRow)).where(c.department_id == department))
    bulk_insert(s, ExemptionRow, [row_of(e, department_id=department, position=i, reason=e.reason.strip())
                                  for i, e in enumerate(exemptions)])
    tx.record("exemptions.set", department, [asdict(e) for e in stored] or None,
              [asdict(e) for e in exemptions] or None)
    bump(s)


#: The tables an import writes.
_IMPORTED = (DepartmentRow, SectionBeforeRow, FunctionRow, SectionRow, SectionMergeRow, SectionFunctionRow, ExemptionRow,
             PersonRow, ContactRow, ProcessRow, VersionRow, StepRow, PowerRow, MatterRow, AbsenceRow, CalendarRow)


def _analyze(s: Session) -> None:
    """The planner's statistics of the tables an import wrote, fresh with the data: an import can
    change a table's size many times over, and PostgreSQL's autovacuum would catch up only later (a
    province's step query: 0.95 s on stale statistics, 0.3 s after). Only those tables: the whole
    database's, system catalogs and all, cost 80 ms an import on PostgreSQL."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("ANALYZE " + ", ".join(table_of(t).name for t in _IMPORTED)))
    else:
        s.execute(text("ANALYZE main"))


def _delete_departments(s: Session, dept_ids: list[str]) -> None:
    if not dept_ids:
        return
    sections = list(s.scalars(select(col(SectionRow.id)).where(col(SectionRow.department_id).in_(dept_ids))))
    people = list(s.scalars(select(col(PersonRow.id)).where(col(PersonRow.section_id).in_(sections)))) if sections else []
    flow_store.delete_processes(s, flow_store.process_ids_of_sections(s, sections))
    _delete(s, AbsenceRow, "person_id", people)
    for of_section in (PersonRow, SectionMergeRow, SectionFunctionRow):
        _delete(s, of_section, "section_id", sections)
    _delete(s, PowerRow, "department_id", dept_ids)
    _delete(s, MatterRow, "lead_id", dept_ids)
    for of_department in (SectionRow, SectionBeforeRow, FunctionRow, ExemptionRow):
        _delete(s, of_department, "department_id", dept_ids)
    _delete(s, DepartmentRow, "id", dept_ids)


def _delete(s: Session, table, column: str, values: list) -> None:
    """Core deletes in chunks: no ORM bookkeeping, and under SQLite's bound-parameter limit."""
    t = table.__table__
    for start in range(0, len(values), 500):
        s.execute(delete(t).where(t.c[column].in_(values[start:start + 500])))


