"""The `Database` handle, the one way in that every use case takes: the engine of the database,
and the data loaded from it, kept until the data changes."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine

from flows.model import VERSIONS
from roles.model import Workbook
from roles.storage import store
from roles.actor import Account
from roles.storage.engines import dispose_engines, engine_for, resolve_url, writing


class Database:
    """An open database: its engine, and the data loaded from it, kept until the data changes.

    Every write bumps a data version, one indexed read, so a long-running process (the app, the
    scheduler) reloads the workbook only after a change, and every session of the app shares one
    copy. Made once per URL and process (`open_database`)."""

    KEEP = 32

    def __init__(self, engine: Engine):
        self.engine = engine
        self._lock = threading.Lock()
        self._loaded: dict[tuple[tuple[str, ...], frozenset[str] | None], tuple[int, Workbook]] = {}

    @property
    def url(self) -> str:
        """The URL with its password hidden, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    def data_version(self) -> int:
        return store.data_version(self.engine)

    def workbook(self, versions: tuple[str, ...] = VERSIONS, departments: frozenset[str] | None = None) -> Workbook:
        """Everything stored, with the process versions asked for (the roster needs only `after`);
        or only what a question about `departments` needs (`store.load`). The newest
        KEEP answers are kept while the data does not change."""
        version = self.data_version()
        key = (versions, departments)
        with self._lock:
            kept = self._loaded.pop(key, None)
            if kept is None or kept[0] != version:
                kept = (version, store.load(self.engine, versions, departments))
            self._loaded[key] = kept  # the newest last
            while len(self._loaded) > self.KEEP:
                del self._loaded[next(iter(self._loaded))]
            return kept[1]

    @contextmanager
    def write(self, actor: Account | str, *, exclusive: bool = False) -> Iterator[store.Writing]:
        """A unit of work: one transaction in which `actor` reads what it checks and writes, all
        committed at the end or nothing (any error rolls it back); `exclusive` (imports) waits
        for any other exclusive writer."""
        with writing(self.engine, exclusive) as session:
            yield store.Writing(session, actor)

    def departments_of(self, *, section: str | None = None, person: str | None = None) -> frozenset[str]:
        return store.departments_of(self.engine, section=section, person=person)


_databases: dict[str, Database] = {}


def open_database(url: str | None = None) -> Database:
    """The database at `url` (else ABFLOW_DB, else the user's own), on the current schema."""
    url = resolve_url(url)
    if url not in _databases:
        _databases[url] = Database(engine_for(url))
    return _databases[url]


def dispose_all() -> None:
    """Close every pooled connection and forget every handle (tests, and before a process forks)."""
    dispose_engines()
    _databases.clear()
