"""The `Database` handle, the one way in that every use case takes: reads of the data loaded from
it (kept until the data changes), and writes through a unit of work (`Writing`) that carries the
actor and writes the audit rows when it commits."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar, cast

from flows.model import VERSIONS
from flows.wording import Progress
from roles.actor import Account, username
from roles.model import Incoming, Known, Workbook
from roles.storage import lean
from roles.storage.address import resolve_url, safe

if TYPE_CHECKING:  # SQLAlchemy is loaded when something first needs it: a roster never does
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from roles.storage.organisation import ImportSummary


T = TypeVar("T")


class Writing:
    """One transaction of one actor (`Database.write`): what a use case reads to check what it
    was given, then what it writes; committed together at the end, with the audit rows `record`
    asked for written in the actor's name just before."""

    def __init__(self, session: Session, actor: Account | str):
        self.session, self.actor = session, actor
        self._records: list[tuple[str, str, object, object]] = []

    def known(self, replacing: set[str]) -> Known:
        """What the database holds outside the departments about to be replaced, for the checks."""
        from roles.storage import organisation
        return organisation.known(self.session, replacing)

    def held(self, department_ids: set[str]) -> Workbook | None:
        """Those of `department_ids` the database holds, whole (what a replace drops); None for none."""
        from roles.storage import organisation
        return organisation.held(self.session, department_ids)

    def replace(self, incoming: Incoming, progress: Progress = lambda _: None) -> ImportSummary:
        """Replace the departments `incoming` names, and add its absences and calendar days."""
        from roles.storage import organisation
        return organisation.replace(self.session, incoming, progress, user=username(self.actor))

    def record(self, action: str, subject: str, before, after) -> None:
        """An audit row of this unit of work, written when it commits (not at all if it fails)."""
        self._records.append((action, subject, before, after))

    def _audit(self) -> None:
        from roles.storage.audit import audit_many
        audit_many(self.session, self.actor, self._records)


class Database:
    """An open database, and the data loaded from it, kept until the data changes.

    Every write bumps a data version, one indexed read, so a long-running process (the app, the
    scheduler) reloads the workbook only after a change, and every session of the app shares one
    copy. Made once per URL and process (`open_database`). Its SQLAlchemy engine is made when
    something first needs it: the questions about who acts read on the bare driver (`coverage`),
    so `abflow roster` never loads SQLAlchemy."""

    KEEP = 32
    ANSWERS = 512

    def __init__(self, url: str):
        self._url = url
        self._engine: Engine | None = None
        self._lock = threading.RLock()  # a derived answer loads the workbook while it holds it
        self._loaded: dict[tuple[tuple[str, ...], frozenset[str] | None], tuple[int, Workbook]] = {}
        self._covered: dict[tuple[frozenset[str] | None, bool], tuple[int, Workbook]] = {}
        self._derived: dict[tuple, tuple[int, object]] = {}
        self._answers: dict[tuple, tuple[int, object]] = {}

    @property
    def engine(self) -> Engine:
        """The engine, on the current schema (made, and the schema created or upgraded, at first use)."""
        if self._engine is None:
            from roles.storage.engines import engine_for
            self._engine = engine_for(self._url)
        return self._engine

    @property
    def url(self) -> str:
        """The URL with its password hidden, for messages."""
        return safe(self._url)

    @contextmanager
    def _bare(self) -> Iterator[lean.Bare]:
        """A bare DB-API connection: the engine's pooled one once there is an engine, else one of
        its own (when the database is already on the current schema, else the engine first)."""
        if self._engine is None and (own := lean.connect(self._url)) is not None:
            try:
                yield own
            finally:
                own.conn.close()
            return
        pooled = self.engine.raw_connection()
        try:
            yield lean.Bare(pooled, self.engine.dialect.name)
        finally:
            pooled.close()

    def data_version(self) -> int:
        with self._bare() as bare:
            return lean.data_version(bare)

    def workbook(self, versions: tuple[str, ...] = VERSIONS, departments: frozenset[str] | None = None) -> Workbook:
        """Everything stored, with the process versions asked for (the roster needs only `after`);
        or only what a question about `departments` needs (`organisation.load`). The newest
        KEEP answers are kept while the data does not change."""
        from roles.storage import organisation
        return self._kept(self._loaded, (versions, departments),
                          lambda: organisation.load(self.engine, versions, departments))

    def coverage(self, departments: frozenset[str] | None = None, *, timed: bool = False) -> Workbook:
        """What the questions about who acts (and when a case ends) read, of the whole database or
        of `departments`, on the bare driver (roles.storage.lean): the redesigned steps with their
        holders and flow (with `timed`, also their days: for an overrun forecast), the
        organisation without duties, merges, exemptions or powers. Kept like `workbook`."""
        def read() -> Workbook:
            with self._bare() as bare:
                return lean.coverage(bare, departments, timed)
        return self._kept(self._covered, (departments, timed), read)

    @contextmanager
    def in_parts(self, size: int = 100) -> Iterator[tuple[Workbook, Iterator[Workbook]]]:
        """The whole database for a pass that needs only a few departments at a time: what every
        part shares (`lean.everyone`), and `coverage()` of `size` departments after another, in
        their order, each let go before the next (a province's steps, read whole, are half a
        gigabyte). Not kept."""
        with self._bare() as bare:
            ids = lean.department_ids(bare)
            yield lean.everyone(bare), (lean.coverage(bare, frozenset(ids[i:i + size])) for i in range(0, len(ids), size))

    def derived(self, key: tuple, versions: tuple[str, ...], compute: Callable[[Workbook], T]) -> T:
        """What `compute` makes of the whole workbook (with `versions`), kept under `key` until the
        data changes: a report every rerun of a page asks for is computed once per change. The
        answer is shared: callers read it, never change it."""
        return self._kept(self._derived, key, lambda: compute(self.workbook(versions)))

    def answer(self, key: tuple, make: Callable[[], T]) -> T:
        """The answer `make()` gives to a question about part of the data (a section's day, a
        person's), kept under `key` until the data changes: the same few questions come again and
        again (each client of the API, each rerun of Today). Small answers only: the newest
        ANSWERS are kept. Callers read an answer, never change it."""
        return self._kept(self._answers, key, make, self.ANSWERS)

    def _kept(self, cache: dict, key, make: Callable[[], T], keep: int = KEEP) -> T:
        """`make()`'s answer, kept in `cache` under `key` while the data version stays what it was
        when it was made (read first: a change meanwhile makes the next call make it again); the
        newest `keep` answers are kept. One answer is made at a time, so sessions asking together
        wait for one load instead of each making their own."""
        version = self.data_version()
        with self._lock:
            kept = cache.pop(key, None)
            if kept is None or kept[0] != version:
                kept = (version, make())
            cache[key] = kept  # the newest last
            while len(cache) > keep:
                del cache[next(iter(cache))]
            return cast(T, kept[1])

    @contextmanager
    def write(self, actor: Account | str, *, exclusive: bool = False) -> Iterator[Writing]:
        """A unit of work: one transaction in which `actor` reads what it checks and writes, all
        committed at the end or nothing (any error rolls it back); `exclusive` (imports) waits
        for any other exclusive writer."""
        from roles.storage.engines import writing
        with writing(self.engine, exclusive) as session:
            tx = Writing(session, actor)
            yield tx
            tx._audit()

    def known(self) -> Known:
        """What the database holds (ids, by kind, with their departments), for a reader's checks."""
        from sqlmodel import Session

        from roles.storage import organisation
        with Session(self.engine) as s:
            return organisation.known(s, set())

    def departments_of(self, *, section: str | None = None, person: str | None = None) -> frozenset[str]:
        with self._bare() as bare:
            return lean.departments_of(bare, section=section, person=person)


_databases: dict[str, Database] = {}


def open_database(url: str | None = None) -> Database:
    """The database at `url` (else ABFLOW_DB, else the user's own), on the current schema."""
    url = resolve_url(url)
    if url not in _databases:
        _databases[url] = Database(url)
    return _databases[url]


def dispose_all() -> None:
    """Close every pooled connection and forget every handle (tests, and before a process forks)."""
    from roles.storage.engines import dispose_engines
    dispose_engines()
    _databases.clear()
