"""The read path of the questions about who acts (roster, gaps, what-if, overrun, a person's day,
the handovers due): the columns they need, on the bare DB-API driver (sqlite3, psycopg), without
SQLAlchemy or SQLModel.

A city's roster asked on the command line spent half its time importing SQLAlchemy and most of
the rest building every step with all its fields. Here a step carries what `roles.engines.acting`,
the stand-in suggestion and, when asked, the overrun forecast read (its holders, B's limits, its
skill, its flow, its days), a version its promised limit, and nothing more. The organisation comes
as `organisation.load` reads it, without the duties, merges, exemptions and powers no such
question asks about. The engines answer on it byte for byte as on the full workbook
(tests/roles/test_scoped.py compares them on both databases).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flows.errors import DatabaseUnavailable
from flows.fields import STEP, FieldSpec, step_from_stored
from flows.limits import number_problem
from flows.model import Process, Step, Version
from roles.model import FIELDS, Absence, CalendarDay, Department, Person, Section, Workbook
from roles.storage.address import dialect as dialect_of, libpq, safe, sqlite_path
from roles.storage.migrate import HEAD
from roles.storage.rows import entity_of, standin_of

log = logging.getLogger(__name__)

#: A step's fields the who-acts questions read: status (`acting.status_of`), the stand-in's
#: ranking (`standin.standin_candidates`) and the flow to its neighbours (`graph.neighbours`).
WHO = tuple(f for f in STEP if f.name in ("id", "name", "kind", "next", "attached", "a", "b", "skill", "b_max_days",
                                          "b_may_act"))
#: And those a case's way through it needs (`overrun`: `timelimits.longest_route`, `deadlines`).
WHEN = WHO + tuple(f for f in STEP if f.name in ("days", "special", "timer", "event", "gateway", "activity",
                                                 "compensates"))
#: Kinds kept as JSON (read as text), and those SQLite keeps as ISO dates.
_JSON_KINDS, _DATE_KINDS = ("ids", "texts", "names", "branches"), ("date",)


class Bare:
    """One bare connection and the SQL dialect it speaks; `?` marks a parameter in either."""

    def __init__(self, conn, dialect: str):
        self.conn, self.dialect = conn, dialect

    def rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        return self._fetched(sql, params)[1]

    def dicts(self, sql: str, params: Sequence = ()) -> list[dict[str, Any]]:
        names, rows = self._fetched(sql, params)
        return [dict(zip(names, r, strict=True)) for r in rows]

    def _fetched(self, sql: str, params: Sequence) -> tuple[list[str], list[tuple]]:
        cur = self.conn.cursor()
        try:
            cur.execute(sql if self.dialect == "sqlite" else sql.replace("?", "%s"), tuple(params))
            return [d[0] for d in cur.description], cur.fetchall()
        finally:
            cur.close()


def connect(url: str) -> Bare | None:
    """A bare connection to the database at `url` when it is on the current schema; None when it
    is not there yet, older, or in memory: then the engine, which creates or upgrades it, must
    open it first. DatabaseUnavailable when it cannot be reached."""
    kind = dialect_of(url)
    conn: Any
    try:
        if kind == "sqlite":
            path = sqlite_path(url)
            if path is None or not path.is_file():
                return None
            conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
        elif kind == "postgresql":
            import psycopg
            conn = psycopg.connect(libpq(url), autocommit=True)
        else:
            return None
    except Exception as e:  # each driver has its own errors; all mean "not reachable"
        said = str(e).strip()
        raise DatabaseUnavailable(f"database {safe(url)}: {said.splitlines()[0] if said else type(e).__name__}") from e
    bare = Bare(conn, kind)
    try:
        current = bare.rows("SELECT version_num FROM alembic_version")
    except Exception:  # noqa: BLE001 - no such table: a database abflow has not set up yet
        current = []
    if current != [(HEAD,)]:
        conn.close()
        return None
    return bare


def data_version(bare: Bare) -> int:
    found = bare.rows("SELECT n FROM data_version WHERE id = 1")
    return found[0][0] if found else 0


def departments_of(bare: Bare, *, section: str | None = None, person: str | None = None) -> frozenset[str]:
    """The departments a question about a section or a person touches: the section's own; the
    person's own and those where they hold a step. Empty when there is no such section or person."""
    if section is not None:
        return frozenset(d for (d,) in bare.rows("SELECT department_id FROM section WHERE id = ?", (section,)))
    own = frozenset(d for (d,) in bare.rows("SELECT c.department_id FROM person e JOIN section c ON c.id = e.section_id "
                                            "WHERE e.id = ?", (person,)))
    if not own:
        return own
    return own | frozenset(d for (d,) in bare.rows(
        "SELECT DISTINCT c.department_id FROM step s JOIN process p ON p.id = s.process_id "
        "JOIN section c ON c.id = p.section_id WHERE s.a = ? OR s.b = ?", (person, person)))


def coverage(bare: Bare, departments: frozenset[str] | None = None, timed: bool = False) -> Workbook:
    """What the who-acts questions read of the whole database, or of `departments` (with those who
    hold a step of theirs from another department): departments, sections, people, the redesigned
    processes' steps, absences and the calendar; the calendar alone for no departments. Steps
    carry the fields of `WHO`, or with `timed` those of `WHEN`, the rest left at their defaults."""
    calendar = tuple(_entity(CalendarDay, r) for r in bare.dicts("SELECT * FROM calendar_day ORDER BY date"))
    official = tuple(y for (y,) in bare.rows("SELECT year FROM calendar_year ORDER BY year"))
    if departments is not None and not departments:  # the calendar alone
        return Workbook(calendar=calendar, official_years=official)
    dept_args: tuple[str, ...] = ()
    if departments is None:
        where_dept = ""
    else:
        where_dept, dept_args = f" WHERE department_id IN ({_marks(departments)})", tuple(sorted(departments))
    dept_rows = bare.dicts(f"SELECT * FROM department{where_dept.replace('department_id', 'id')} ORDER BY position",
                           dept_args)
    section_rows = bare.dicts(f"SELECT * FROM section{where_dept} ORDER BY position", dept_args)
    rank = {d["id"]: i for i, d in enumerate(dept_rows)}
    section_rank = {s["id"]: rank[s["department_id"]] for s in section_rows}
    in_sections = f"SELECT id FROM section{where_dept}"

    scope = "" if departments is None else f" AND p.section_id IN ({in_sections})"
    processes = bare.rows("SELECT p.id, p.section_id, p.name, v.promised_days FROM process p "
                          "JOIN process_version v ON v.process_id = p.id AND v.version = 'after'"
                          f"{scope} ORDER BY p.position", dept_args)
    steps: dict[str, list[Step]] = {}
    damaged: list[str] = []
    fields = WHEN if timed else WHO
    columns = ", ".join(f"CAST(s.{f.stored_as} AS TEXT)" if f.kind in _JSON_KINDS else f"s.{f.stored_as}" for f in fields)
    step_scope = "" if departments is None else f" AND s.process_id IN (SELECT id FROM process WHERE section_id IN ({in_sections}))"
    step = _step_reader(fields)
    for row in bare.rows(f"SELECT s.process_id, {columns} FROM step s WHERE s.version = 'after'{step_scope} "
                         "ORDER BY s.process_id, s.position", dept_args):
        steps.setdefault(row[0], []).append(step(row, damaged))
    held = sorted(((section_rank.get(section, 0), i),
                   Process(id=pid, section=section, name=name,
                           after=Version(tuple(steps.get(pid, ())), promised_days=promised)))
                  for i, (pid, section, name, promised) in enumerate(processes))

    if departments is None:
        people = bare.dicts("SELECT * FROM person ORDER BY position")
    else:
        holders = {h for kept in steps.values() for s in kept for h in (s.a, s.b) if h}
        people = bare.dicts(f"SELECT * FROM person WHERE section_id IN ({in_sections}) ORDER BY position", dept_args)
        mine = {r["id"] for r in people}
        if lent := sorted(holders - mine):
            people += _chunked(bare, "SELECT * FROM person WHERE id IN ({}) ORDER BY position", lent)
            people.sort(key=lambda r: r["position"])
    people.sort(key=lambda r: section_rank.get(r["section_id"], 0))
    present = [r["id"] for r in people]
    absences = (bare.dicts('SELECT * FROM absence ORDER BY id') if departments is None
                else sorted(_chunked(bare, 'SELECT * FROM absence WHERE person_id IN ({}) ORDER BY id', present),
                            key=lambda r: r["id"]))
    standins = (bare.dicts('SELECT * FROM standin ORDER BY id') if departments is None
                else sorted(_chunked(bare, 'SELECT * FROM standin WHERE person_id IN ({}) ORDER BY id', present),
                            key=lambda r: r["id"]))
    if damaged:
        log.warning("%d stored value(s) could not be read and were left out, e.g. %s", len(damaged), damaged[0])
    sections: dict[str, list[Section]] = {}
    for r in section_rows:
        sections.setdefault(r["department_id"], []).append(_entity(Section, r))
    return Workbook(
        departments=tuple(_entity(Department, d, sections=tuple(sections.get(d["id"], ()))) for d in dept_rows),
        people=tuple(_entity(Person, r) for r in people),
        processes=tuple(p for _, p in held),
        absences=tuple(_entity(Absence, r) for r in absences),
        calendar=calendar, damaged=tuple(damaged), official_years=official,
        standins=tuple(standin_of(r) for r in standins))


def everyone(bare: Bare) -> Workbook:
    """Every person and absence, and the calendar: what a pass over the database in parts shares."""
    return dataclasses.replace(
        coverage(bare, frozenset()),
        people=tuple(_entity(Person, r) for r in bare.dicts("SELECT * FROM person ORDER BY position")),
        absences=tuple(_entity(Absence, r) for r in bare.dicts("SELECT * FROM absence ORDER BY id")),
        standins=tuple(standin_of(r) for r in bare.dicts("SELECT * FROM standin ORDER BY id")))


def department_ids(bare: Bare) -> list[str]:
    """Every department, in order."""
    return [d for (d,) in bare.rows("SELECT id FROM department ORDER BY position")]


def _marks(values: Iterable) -> str:
    return ", ".join("?" for _ in values)


def _chunked(bare: Bare, sql: str, ids: list[str], size: int = 500) -> list[dict[str, Any]]:
    """`sql`'s rows for `ids`, asked a block at a time (SQLite takes so many parameters at most)."""
    out: list[dict[str, Any]] = []
    for i in range(0, len(ids), size):
        block = ids[i:i + size]
        out += bare.dicts(sql.format(_marks(block)), block)
    return out


def _decode(kind: str, value: Any) -> Any:
    """A stored value of a declared kind as `flows.fields` reads it back: JSON and dates come as
    the text SQLAlchemy wrote from sqlite3, and as text from a step's JSON column on either
    database (read `AS TEXT`: psycopg's parser per value cost a province's roster a second)."""
    if not isinstance(value, str):
        return value
    if kind in _JSON_KINDS:
        return json.loads(value)
    if kind in _DATE_KINDS:
        return dt.date.fromisoformat(value)
    return value


def _entity(cls: type, row: dict[str, Any], **lists: Any):
    return entity_of(cls, {f.stored_as: _decode(f.kind, row[f.stored_as]) for f in FIELDS[cls] if f.stored_as}, **lists)


def _step_reader(fields: tuple[FieldSpec, ...]) -> Callable[[tuple, list[str]], Step]:
    """How a step row becomes a `Step`: each field's value as `flows.fields` reads it back, by a
    converter chosen once per field (a city is tens of thousands of rows). A value no converter
    takes goes the careful way, `step_from_stored`, which names it in `damaged` and leaves the
    field at its default."""
    def convert(f: FieldSpec) -> Callable[[Any], Any] | None:
        if f.kind in ("ids", "texts"):
            return _ids
        default = f.default
        if f.kind == "choice":
            return lambda v: default if v is None else v
        if f.kind == "flag":
            return lambda v: bool(default) if v is None else bool(v)
        if f.kind == "number":
            return lambda v: v if v is None or number_problem(v) is None else _refuse()
        if f.kind in ("id", "text", "person", "count", "ref"):
            return None
        return lambda v: f.from_stored(_decode(f.kind, v))
    names = [f.name for f in fields]
    converted = [(f.name, i, c) for i, f in enumerate(fields, 1) if (c := convert(f)) is not None]

    def read(row: tuple, damaged: list[str]) -> Step:
        try:
            values = dict(zip(names, row[1:], strict=True))  # as stored, then those that need it converted
            for name, i, conv in converted:
                values[name] = conv(row[i])
            return _made(values)
        except (ValueError, TypeError, KeyError):
            def report(field: str, why: str) -> None:
                damaged.append(f"process {row[0]}, after, step {row[1]}, field '{field}': {why}")
            return step_from_stored({f.name: _decode(f.kind, v) for f, v in zip(fields, row[1:], strict=True)},
                                    report, fields)
    return read


def _ids(text: str | None) -> tuple[str, ...]:
    """A JSON list of ids as its column's text. Most are empty or one plain id, read without the
    JSON parser (a call of it per step cost a city's roster a fifth of its time)."""
    if text is None or text == "[]":
        return ()
    if text.startswith('["') and text.endswith('"]') and '"' not in text[2:-2] and "\\" not in text:
        return (text[2:-2],)
    return tuple(json.loads(text))


#: Every field of a step at its default: what `_made` starts from.
_DEFAULTS = Step("").__dict__.copy()


def _made(values: dict[str, Any]) -> Step:
    """`Step(**values)` for values already read back, made without the frozen dataclass's
    `__init__`, which sets each of its 26 fields through `object.__setattr__`: a fifth of the
    cost (a province reads a quarter of a million steps). Right while Step checks nothing as it
    is made (no `__post_init__`): tests/roles/test_scoped.py holds it to that."""
    step = object.__new__(Step)
    step.__dict__.update(_DEFAULTS)
    step.__dict__.update(values)
    return step


def _refuse() -> Any:
    raise ValueError("not a number a step may hold")
