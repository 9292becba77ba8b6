"""Which database a process talks to: `--db URL`, else `ABFLOW_DB`, else a SQLite file in the
user's data folder; and that URL as the bare drivers take it. Kept apart from the engines so a
question answered on the bare driver (roles.storage.lean) never loads SQLAlchemy."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def default_url() -> str:
    from platformdirs import user_data_dir
    folder = Path(user_data_dir("abflow", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'abflow.db'}"


def resolve_url(url: str | None = None) -> str:
    url = url or os.environ.get("ABFLOW_DB") or default_url()
    # Plain postgresql:// would ask SQLAlchemy for psycopg2; we ship psycopg 3.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def dialect(url: str) -> str:
    """"sqlite" or "postgresql": which SQL the URL's database speaks."""
    return url.split(":", 1)[0].split("+", 1)[0]


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for an in-memory database (no other connection sees it)."""
    path = url.split("///", 1)[1] if "///" in url else ""
    path = path.split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


def libpq(url: str) -> str:
    """A PostgreSQL URL as libpq (psycopg) takes it: without SQLAlchemy's driver name."""
    return "postgresql://" + url.split("://", 1)[1]


def safe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
    except ValueError:  # an unparsable URL is shown as given
        return url
