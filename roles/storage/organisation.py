"""The database as a `Workbook`: load it (whole, or what some departments need), and replace
the departments a workbook names inside a use case's unit of work (`Writing`); the other writes
of the organisation, absences, exemptions, calendar and process versions.

Replacing takes every department the workbook names (its sections, duties, people, processes and
their people's absences), adds absences of other people, and sets calendar overrides: re-import
is how users update.
"""
from __future__ import annotations

import datetime as dt
import json
import logging

from dataclasses import asdict, dataclass

from sqlalchemy import delete, func, select, true, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from flows import limits
from flows.fields import STEP_NAMES, VERSION_NAMES, step_from_stored, stored_step, terms_of, terms_problems, version_problems, with_terms
from flows.graph import faults
from flows.model import VERSIONS, Process, Version, Which
from flows.errors import Conflict
from flows.wording import Progress, Stage, values

from roles.storage import processes as flow_store
from roles.actor import Account, username
from roles.storage.audit import audit
from roles.storage.bulk import bulk_insert, table_of
from roles.storage.engines import writing
from roles.model import (ABSENCE_REASONS, Absence, CalendarDay, Department, Exemption, Function, Person, Power, Section, SectionBefore,
                    Workbook)
from roles.storage.tables import (AccountRow, CalendarYearRow, ContactRow, AbsenceRow, CalendarRow, DataVersionRow, DepartmentRow, FunctionRow, ExemptionRow, PersonRow,
                     PowerRow, ProcessRow, SectionBeforeRow, SectionFunctionRow, SectionMergeRow, SectionRow, StepRow,
                     VersionRow)
from roles.formats import workbook_files as formats
from flows.errors import Problem, BadInput
from roles.formats.workbook import Known, parse, to_tree, validate

log = logging.getLogger("abflow.store")


@dataclass(frozen=True)
class ImportStage(Stage):
    key: str
    params: tuple[tuple[str, object], ...] = ()

    CATALOG = {"reading": ("正在读取 {file}", "reading {file}"),
               "checking": ("正在检查", "checking"),
               "replacing": ("替换 {replaced} 个部门，新增 {added} 个", "replacing {replaced} department(s), adding {added}"),
               "processes": ("正在写入 {n} 个流程", "writing {n} processes"),
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


def departments_of(engine: Engine, *, section: str | None = None, person: str | None = None) -> frozenset[str]:
    """The departments a question about a section or a person touches: the section's own; the
    person's own and those where they hold a step. Empty when there is no such section or person."""
    sc = table_of(SectionRow).c
    with engine.connect() as conn:
        if section is not None:
            return frozenset(conn.execute(select(sc.department_id).where(sc.id == section)).scalars())
        st, pc, pe = table_of(StepRow).c, table_of(ProcessRow).c, table_of(PersonRow).c
        own = select(sc.department_id).select_from(table_of(SectionRow)).join(
            table_of(PersonRow), pe.section_id == sc.id).where(pe.id == person)
        held = (select(sc.department_id).select_from(table_of(SectionRow)).join(table_of(ProcessRow), pc.section_id == sc.id)
                .join(table_of(StepRow), st.process_id == pc.id)
                .where(((st.a == person) | (st.b == person)) & st.version.in_(VERSIONS)))
        found = frozenset(conn.execute(own).scalars())
        return found | frozenset(conn.execute(held.distinct()).scalars()) if found else found


def data_version(engine: Engine) -> int:
    """A number that changes whenever the stored data does (one indexed read)."""
    with engine.connect() as conn:
        return conn.execute(select(col(DataVersionRow.n)).where(col(DataVersionRow.id) == 1)).scalar() or 0


def bump(s: Session) -> None:
    """Mark the data changed; call inside every write transaction."""
    s.execute(update(DataVersionRow).where(col(DataVersionRow.id) == 1).values(n=col(DataVersionRow.n) + 1))


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
        depts.append(Department(
            id=d["id"], name=d["name"], batch=d["batch"],
            sections_before=tuple(SectionBefore(r["id"], r["name"], r["staff"]) for r in before.get(d["id"], [])),
            sections=tuple(Section(
                id=r["id"], name=r["name"], kind=r["kind"],
                merged_from=tuple(m["before_id"] for m in merges.get(r["id"], [])),
                staffing=r["staffing"], leader_posts=r["leader_posts"], counterparts=tuple(r["counterparts"] or ()),
                functions=tuple(f["function_id"] for f in sect_functions.get(r["id"], []))) for r in secs),
            functions=tuple(Function(r["id"], r["name"], bool(r["approval"])) for r in functions.get(d["id"], [])),
            exemptions=tuple(Exemption(r["rule"], r["reason"], r["subject"]) for r in exemptions.get(d["id"], []))))
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
        people=tuple(Person(r["id"], r["name"], r["section_id"], r["post"], tuple(r["skills"] or ())) for r in people),
        processes=tuple(p for _, p in processes),
        absences=tuple(Absence(r["person_id"], r["start"], r["end"], r["reason"])
                       for r in rows(AbsenceRow, col(AbsenceRow.person_id).in_(present) if scoped else true(),
                                     col(AbsenceRow.id))),
        calendar=tuple(CalendarDay(r["date"], bool(r["workday"]), r["note"])
                       for r in rows(CalendarRow, true(), col(CalendarRow.date))),
        powers=tuple(Power(r["id"], r["department_id"], r["name"], r["kind"], r["section_id"], tuple(r["processes"]),
                           tuple(r["responsibilities"]), tuple(r["accountability"]))
                     for r in sorted(rows(PowerRow, in_depts(col(PowerRow.department_id)), col(PowerRow.position)),
                                     key=lambda r: dept_pos.get(r["department_id"], 0))),
        damaged=tuple(damaged),
        official_years=tuple(r["year"] for r in rows(CalendarYearRow, true(), col(CalendarYearRow.year))),
    )


def _group(rows, key: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return out


class Writing:
    """One transaction of one actor (`Database.write`): what a use case reads to check what it
    was given, then what it writes, committed together at the end and audited in the actor's name."""

    def __init__(self, session: Session, actor: Account | str):
        self.session, self.actor = session, actor

    def known(self, replacing: set[str]) -> Known:
        """What the database holds outside the departments about to be replaced, for the checks."""
        return _known(self.session, replacing)

    def replace(self, wb: Workbook, source: str, progress: Progress = lambda _: None) -> ImportSummary:
        """Replace the departments `wb` names (and add its absences and calendar days): an import
        of `source`, with what it replaced on the audit trail."""
        before = _replaced(self.session, wb)
        summary = _replace(self.session, wb, progress)
        audit(self.session, self.actor, "import", source, before, summary.__dict__)
        return summary


def import_workbook(engine: Engine, wb: Workbook, progress: Progress = lambda _: None,
                    source: str = "workbook", *, user: Account | str) -> ImportSummary:
    """Store an in-memory workbook (demo data, generated data) with the same checks as a file."""
    with writing(engine, exclusive=True) as s:
        tx = Writing(s, user)
        validate(wb, source, tx.known({d.id for d in wb.departments}))
        return tx.replace(wb, source, progress)


def _replaced(s: Session, wb: Workbook) -> dict | None:
    """What an import is about to replace, whole, as a workbook tree for the audit trail: the
    departments it names that the database holds, with their people, processes, absences and
    powers; None when it replaces nothing."""
    names = {d.id for d in wb.departments}
    held = set(s.scalars(select(col(DepartmentRow.id)).where(col(DepartmentRow.id).in_(names)))) if names else set()
    if not held:
        return None
    now = _load(s, VERSIONS, frozenset(held))  # those departments only, not the whole database
    sections = {sec.id for d in now.departments if d.id in held for sec in d.sections}
    people = {p.id for p in now.people if p.section in sections}
    return _json_safe(to_tree(Workbook(departments=tuple(d for d in now.departments if d.id in held),
                            people=tuple(p for p in now.people if p.id in people),
                            processes=tuple(p for p in now.processes if p.section in sections),
                            absences=tuple(a for a in now.absences if a.person in people),
                            powers=tuple(p for p in now.powers if p.department in held))))


def _json_safe(tree):
    """Dates as ISO text, as the JSON column keeps them (and the audit hash reads them back)."""
    return json.loads(json.dumps(tree, ensure_ascii=False, default=str))


def department_ids(tree) -> set[str]:
    """The departments a workbook tree names, before it is checked (what an import replaces)."""
    if not isinstance(tree, dict) or not isinstance(tree.get("departments"), list):
        return set()
    return {str(d["id"]) for d in tree["departments"] if isinstance(d, dict) and d.get("id") is not None}


def _known(s: Session, replacing: set[str]) -> Known:
    """What the database holds outside the departments about to be replaced."""
    known = Known()
    sec_dept = dict(s.execute(select(col(SectionRow.id), col(SectionRow.department_id))).all())
    known.ids["department"] = {d: d for d in s.scalars(select(col(DepartmentRow.id))) if d not in replacing}
    known.ids["section"] = {k: d for k, d in sec_dept.items() if d not in replacing}
    for kind, table in (("section_before", SectionBeforeRow), ("function", FunctionRow), ("power", PowerRow)):
        c = table_of(table).c
        known.ids[kind] = {k: d for k, d in s.execute(select(c.id, c.department_id)) if d not in replacing}
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


def _replace(s: Session, wb: Workbook, progress: Progress) -> ImportSummary:
    dept_ids = [d.id for d in wb.departments]
    old_pos = dict(s.execute(select(col(DepartmentRow.id), col(DepartmentRow.position))).all())
    replaced = [d for d in dept_ids if d in old_pos]
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
        dept_rows.append({"id": d.id, "name": d.name, "batch": d.batch, "position": pos})
        before_rows += [{"id": b.id, "department_id": d.id, "name": b.name, "staff": b.staff, "position": i}
                        for i, b in enumerate(d.sections_before)]
        function_rows += [{"id": f.id, "department_id": d.id, "name": f.name, "approval": f.approval, "position": i}
                      for i, f in enumerate(d.functions)]
        ex_rows += [{"department_id": d.id, "position": i, "rule": e.rule, "subject": e.subject, "reason": e.reason}
                    for i, e in enumerate(d.exemptions)]
        for i, sec in enumerate(d.sections):
            section_rows.append({"id": sec.id, "department_id": d.id, "name": sec.name, "kind": sec.kind,
                                 "staffing": sec.staffing, "leader_posts": sec.leader_posts,
                                 "counterparts": list(sec.counterparts), "position": i})
            merge_rows += [{"section_id": sec.id, "before_id": m, "position": j} for j, m in enumerate(sec.merged_from)]
            sfunction_rows += [{"section_id": sec.id, "function_id": f, "position": j} for j, f in enumerate(sec.functions)]
    for table, rows in ((DepartmentRow, dept_rows), (SectionBeforeRow, before_rows), (FunctionRow, function_rows),
                        (SectionRow, section_rows), (SectionMergeRow, merge_rows), (SectionFunctionRow, sfunction_rows),
                        (ExemptionRow, ex_rows)):
        _insert(s, table, rows)
    person_pos = (s.scalar(select(func.coalesce(func.max(col(PersonRow.position)), -1))) or 0) + 1
    _insert(s, PersonRow, [{"id": p.id, "section_id": p.section, "name": p.name, "post": p.post,
                            "skills": list(p.skills), "position": person_pos + i} for i, p in enumerate(wb.people)])
    if linked:
        present = set(s.scalars(select(col(PersonRow.id)).where(col(PersonRow.id).in_(set(linked.values())))))
        for username, person in linked.items():
            if person in present:
                s.execute(update(AccountRow).where(col(AccountRow.username) == username).values(person_id=person))
    staying = {p.id for p in wb.people}
    _insert(s, ContactRow, [c for c in contacts if c["person_id"] in staying])
    progress(ImportStage("processes", values(n=len(wb.processes))))
    flow_store.write_processes(s, wb.processes, first_position=flow_store.max_position(s) + 1)
    flow_store.drop_orphan_drafts(s)
    _insert(s, PowerRow, [{"id": p.id, "department_id": p.department, "name": p.name, "kind": p.kind,
                           "section_id": p.section, "processes": list(p.processes),
                           "responsibilities": list(p.responsibilities), "accountability": list(p.accountability),
                           "position": i} for i, p in enumerate(wb.powers)])
    progress(ImportStage("absences", values(n=len(wb.absences))))
    _insert(s, AbsenceRow, _new_absences(s, wb.absences))
    for c in wb.calendar:
        s.execute(delete(CalendarRow).where(col(CalendarRow.date) == c.date))
    _insert(s, CalendarRow, [{"date": c.date, "workday": c.workday, "note": c.note} for c in wb.calendar])
    bump(s)
    return ImportSummary(departments=len(dept_ids), replaced=len(replaced), people=len(wb.people),
                         processes=len(wb.processes),
                         steps=sum(len(v.steps) for p in wb.processes for v in (p.before, p.after) if v),
                         absences=len(wb.absences), calendar=len(wb.calendar))


def add_absences(engine: Engine, absences, source: str, user: Account | str) -> int:
    """Add absences (from a leave file or the app); all or none. Returns how many were new."""
    return change_absences(engine, (), absences, source, user)


def change_absences(engine: Engine, removed, added, source: str, user: Account | str) -> int:
    """Remove some absences and add others, together or not at all; returns how many were added.
    Each removed absence must still be stored as it was read (person, dates, reason): if someone
    changed or removed it meanwhile, Conflict, and nothing changes."""
    removed, added = list(removed), list(added)
    with writing(engine) as s:
        people = set(s.scalars(select(col(PersonRow.id)).where(col(PersonRow.id).in_({a.person for a in added}))))
        problems = [Problem(source, f"absence {i} ({a.person})", None, "person", f"no person '{a.person}'")
                    for i, a in enumerate(added, 1) if a.person not in people]
        problems += [Problem(source, f"absence {i} ({a.person})", None, "end", f"{a.end} is before the start {a.start}")
                     for i, a in enumerate(added, 1) if a.end < a.start]
        problems += [Problem(source, f"absence {i} ({a.person})", None, key, problem)
                     for i, a in enumerate(added, 1) for key, problem in _absence_problems(a)]
        if problems:
            raise BadInput(problems)
        c = table_of(AbsenceRow).c
        for a in removed:
            row = s.execute(select(c.id).where((c.person_id == a.person) & (c.start == a.start) & (c.end == a.end)
                                               & (c.reason == a.reason)).limit(1).with_for_update()).scalar()
            if row is None:
                raise Conflict(f"the absence of {a.person} from {a.start} to {a.end} was changed by someone "
                                    "else meanwhile")
            s.execute(delete(table_of(AbsenceRow)).where(c.id == row))
        rows = _new_absences(s, added)
        _insert(s, AbsenceRow, rows)
        if rows or removed:
            as_rows = lambda items: [{"person": a.person, "start": str(a.start), "end": str(a.end),  # noqa: E731
                                      "reason": a.reason} for a in items] or None
            audit(s, user, "absences.change" if removed else "absences.add", source, as_rows(removed),
                  [{k: str(v) for k, v in r.items()} for r in rows] or None)
            bump(s)
        return len(rows)


def set_exemptions(engine: Engine, department: str, exemptions, expected, user: Account | str) -> None:
    """Replace a department's recorded exemptions, each with its rule and reason. `expected` is
    the list as it was read: if someone changed it meanwhile, Conflict, and nothing changes."""
    exemptions, expected = list(exemptions), list(expected)
    source = f"department {department}"
    with writing(engine) as s:
        if s.get(DepartmentRow, department) is None:
            raise BadInput([Problem("app", source, None, "department", f"no department '{department}'")])
        c = table_of(ExemptionRow).c
        stored = [Exemption(r.rule, r.reason, r.subject) for r in s.execute(
            select(c.rule, c.reason, c.subject).where(c.department_id == department).order_by(c.position)
            .with_for_update())]
        if stored != expected:
            raise Conflict(f"{source}: its exemptions were changed by someone else meanwhile")
        s.execute(delete(table_of(ExemptionRow)).where(c.department_id == department))
        _insert(s, ExemptionRow, [{"department_id": department, "position": i, "rule": e.rule, "subject": e.subject,
                                   "reason": e.reason.strip()} for i, e in enumerate(exemptions)])
        audit(s, user, "exemptions.set", department, [asdict(e) for e in stored] or None,
              [asdict(e) for e in exemptions] or None)
        bump(s)


def absence_list(engine: Engine, tree, source: str) -> list:
    """The absences of a workbook tree that holds nothing else (a leave list kept in a spreadsheet),
    checked against the people in the database; BadInput names each bad entry and field."""
    extra = sorted(k for k, v in tree.items() if k not in ("version", "absences") and v not in (None, [], {})
                   ) if isinstance(tree, dict) else []
    if not isinstance(tree, dict) or extra or "absences" not in tree:
        raise BadInput([Problem(source, "the file", None, ", ".join(extra) or None,
                                     "a leave list holds only absences; a whole workbook goes through import")])
    with Session(engine) as s:
        return list(parse(tree, source, _known(s, set())).absences)


def _new_absences(s: Session, absences) -> list[dict]:
    """Absence rows to add, leaving out those the database holds already (re-importing a leave
    list must not double it)."""
    people = list({a.person for a in absences})
    have: set[tuple] = set()
    for start in range(0, len(people), 500):
        have.update(s.execute(select(col(AbsenceRow.person_id), col(AbsenceRow.start), col(AbsenceRow.end), col(AbsenceRow.reason))
                              .where(col(AbsenceRow.person_id).in_(people[start:start + 500]))).all())
    rows, seen = [], set()
    for a in absences:
        key = (a.person, a.start, a.end, a.reason)
        if key not in have and key not in seen:
            seen.add(key)
            rows.append({"person_id": a.person, "start": a.start, "end": a.end, "reason": a.reason})
    return rows


def _insert(s: Session, table, rows: list[dict]) -> None:
    bulk_insert(s, table.__table__, rows)


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
    for of_department in (SectionRow, SectionBeforeRow, FunctionRow, ExemptionRow):
        _delete(s, of_department, "department_id", dept_ids)
    _delete(s, DepartmentRow, "id", dept_ids)


def _delete(s: Session, table, column: str, values: list) -> None:
    """Core deletes in chunks: no ORM bookkeeping, and under SQLite's bound-parameter limit."""
    t = table.__table__
    for start in range(0, len(values), 500):
        s.execute(delete(t).where(t.c[column].in_(values[start:start + 500])))


def export_file(engine: Engine, name: str) -> bytes:
    """The whole database as a workbook file of the format `name` asks for."""
    return formats.write_tree(to_tree(load(engine)), name)


def save_version(engine: Engine, process_id: str, which: Which, version: Version, source: str,
                 section: str | None = None, name: str | None = None, expected_revision: int | None = None,
                 *, user: Account | str) -> int:
    """Store one version of a process (from the editor or a BPMN file), creating the process in
    `section` if it is new. Checked like a workbook import; on a problem nothing changes."""
    with writing(engine) as s:
        revision = _save_version(s, process_id, which, version, source, section, name, expected_revision, user=user)
        bump(s)
        return revision


def load_draft(engine: Engine, process_id: str, which: Which) -> flow_store.Draft | None:
    with Session(engine) as s:
        return flow_store.read_draft(s, process_id, which)


def save_draft(engine: Engine, process_id: str, which: Which, version: Version, base_revision: int, base: Version,
               expected_draft: int, user: Account | str) -> int:
    """Keep an unfinished edit without touching the live version; it may still have faults.
    Conflict if someone else saved the draft since `expected_draft` was read; BadInput for a value
    no reader lets in (a draft is kept, and read back, like any version)."""
    problems = _value_problems(version, "designer", f"process {process_id}, {which} (draft)")
    if problems:
        raise BadInput(problems)
    with writing(engine) as s:
        before = flow_store.read_draft(s, process_id, which)
        revision = flow_store.write_draft(s, process_id, which, version, base_revision, base, expected_draft,
                                          username(user))
        audit(s, user, "draft.save", f"{process_id}/{which}", _steps_json(before.version) if before else None,
              _steps_json(version))
        return revision


def publish_draft(engine: Engine, process_id: str, which: Which, version: Version, source: str,
                  expected_revision: int, user: Account | str) -> int:
    """Make the edit the live version (checked like any save) and drop the draft, together."""
    with writing(engine) as s:
        revision = _save_version(s, process_id, which, version, source, expected_revision=expected_revision, user=user)
        flow_store.delete_draft(s, process_id, which)
        bump(s)
        return revision


def discard_draft(engine: Engine, process_id: str, which: Which, user: Account | str) -> None:
    with writing(engine) as s:
        before = flow_store.read_draft(s, process_id, which)
        if before is not None:
            flow_store.delete_draft(s, process_id, which)
            audit(s, user, "draft.discard", f"{process_id}/{which}", _steps_json(before.version), None)


def save_versions(engine: Engine, edits: list[tuple[str, Which, Version, int | None]], source: str,
                  user: Account | str) -> list[int]:
    """Store several versions (process, which, version, expected revision) together or not at all:
    an accepted assignment proposal touches many processes of a section at once."""
    with writing(engine) as s:
        revisions = [_save_version(s, pid, which, v, source, expected_revision=rev, user=user)
                     for pid, which, v, rev in edits]
        bump(s)
        return revisions


def _save_version(s: Session, process_id: str, which: Which, version: Version, source: str,
                  section: str | None = None, name: str | None = None, expected_revision: int | None = None,
                  *, user: Account | str) -> int:
    entry = f"process {process_id}, {which}"
    problems = _value_problems(version, source, entry)
    problems += [Problem(source, f"{entry}, step {sid}", None, "next", message) for sid, message in faults(version)]
    stored = s.execute(select(col(ProcessRow.section_id)).where(col(ProcessRow.id) == process_id)).scalar()
    exists = stored is not None
    home = stored if stored is not None else section
    if home is None or (not exists and s.get(SectionRow, home) is None):
        raise BadInput([Problem(source, entry, None, "section",
                                f"no section '{section}'" if section else "a new process needs --section")])
    dept = s.execute(select(col(SectionRow.department_id)).where(col(SectionRow.id) == home)).scalar()
    people = set(s.scalars(select(col(PersonRow.id)).join(SectionRow, col(SectionRow.id) == col(PersonRow.section_id))
                           .where(col(SectionRow.department_id) == dept)))
    for step in version.steps:
        if which == "before" and (step.a or step.b):
            problems.append(Problem(source, f"{entry}, step {step.id}", None, "a",
                                    "steps of the 'before' version carry no holders"))
        for key in ("a", "b"):
            holder = getattr(step, key)
            if holder and holder not in people:
                problems.append(Problem(source, f"{entry}, step {step.id}", None, key,
                                        f"no person '{holder}' in department '{dept}'"))
    if problems:
        raise BadInput(problems)
    if not exists:
        flow_store.write_processes(s, [Process(process_id, home, name or process_id)],
                                   first_position=flow_store.max_position(s) + 1)
    elif name:
        s.execute(update(table_of(ProcessRow)).where(table_of(ProcessRow).c.id == process_id).values(name=name))
    before = _steps_json(_stored_version(s, process_id, which)) or None if exists else None
    revision = flow_store.replace_version(s, process_id, which, version, expected_revision, username(user))
    audit(s, user, f"process.save ({source})", f"{process_id}/{which}", before, _steps_json(version))
    return revision


def _steps_json(version: Version) -> list[dict] | dict:
    """A version for the audit trail: each step in its stored columns' form, empty fields left out;
    with its terms beside the steps where it has any."""
    steps = [{k: v for k, v in stored_step(st).items() if v not in (None, [], False)} | {"next": list(st.next)}
             for st in version.steps]
    terms = {k: v for k, v in terms_of(version).items() if v is not None}
    return {"terms": terms, "steps": steps} if terms else steps


def _stored_version(s: Session, process_id: str, which: Which) -> Version:
    c, v = table_of(StepRow).c, table_of(VersionRow).c
    terms = s.execute(select(*(v[f] for f in VERSION_NAMES))
                      .where((v.process_id == process_id) & (v.version == which))).mappings().first()
    return with_terms(Version(tuple(step_from_stored(r) for r in s.execute(
        select(*(c[f] for f in STEP_NAMES))
        .where((c.process_id == process_id) & (c.version == which)).order_by(c.position)).mappings())), terms)


def _value_problems(version: Version, source: str, entry: str) -> list[Problem]:
    """The values of a version's terms and steps that no reader lets in (ids, text, numbers, drawings)."""
    return [Problem(source, entry, None, key, problem) for key, problem in terms_problems(version)] + \
        [Problem(source, f"{entry}, step {sid}", None, key, problem)
         for sid, key, problem in version_problems(version.steps)]


def _absence_problems(a: Absence) -> list[tuple[str, str]]:
    out = [(key, problem) for key, day in (("start", a.start), ("end", a.end)) if (problem := limits.date_problem(day))]
    if a.reason not in ABSENCE_REASONS:
        out.append(("reason", f"must be one of {', '.join(ABSENCE_REASONS)}, not {limits.short(a.reason)}"))
    return out


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


def load_calendar_year(engine: Engine, year: int, days: list[CalendarDay], source: str,
                       user: Account | str) -> int:
    """Make `days` (a published schedule: holidays and adjusted working days) the calendar
    overrides of `year`, replacing that year's earlier ones, and mark the year official; together
    or not at all. Returns how many days were set."""
    outside = [Problem(source, f"calendar day {c.date}", None, "date", f"is not in {year}")
               for c in days if c.date.year != year]
    if outside or not days:
        raise BadInput(outside or [Problem(source, "the file", None, "calendar", f"lists no day of {year}")])
    if problem := _whole_year_problem(year, days):
        raise BadInput([Problem(source, "the file", None, "calendar", problem)])
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    with writing(engine) as s:
        c = table_of(CalendarRow).c
        before = [{"date": str(r.date), "workday": r.workday, "note": r.note} for r in s.execute(
            select(c.date, c.workday, c.note).where((c.date >= first) & (c.date <= last)).order_by(c.date))]
        s.execute(delete(table_of(CalendarRow)).where((c.date >= first) & (c.date <= last)))
        _insert(s, CalendarRow, [{"date": d.date, "workday": d.workday, "note": d.note} for d in days])
        s.execute(delete(table_of(CalendarYearRow)).where(table_of(CalendarYearRow).c.year == year))
        _insert(s, CalendarYearRow, [{"year": year, "loaded_at": dt.datetime.now(dt.timezone.utc),
                                      "loaded_by": username(user), "source": source}])
        audit(s, user, "calendar.year", str(year), before or None,
              [{"date": str(d.date), "workday": d.workday, "note": d.note} for d in days])
        bump(s)
    return len(days)
