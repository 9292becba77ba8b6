"""A backup of everything a database holds (the data, accounts, the audit trail, contacts, drafts,
the record of notices, the scheduler's jobs) as one file, and its restore into an empty database,
on SQLite or PostgreSQL alike, whichever the backup came from.

The file is a zip: `manifest.json` (the schema revision, when and by whom it was made, per table
its rows and a SHA-256 of its lines, the audit trail's newest hash, and which secret key sealed
the contacts) and a JSON-lines file per table, written and read a batch of rows at a time, so
memory stays bounded at any size. A restore builds the schema of the backup's revision, loads the
rows, then migrates them to today's schema, in one transaction: all or nothing.

A backup is trusted no more than an upload. Its manifest carries a MAC made with the
installation's secret key, and the manifest holds each table's hash, so a file not made here (or
made here and then edited, its hashes recomputed) is refused by name: no extra office account or
rewritten audit trail gets in. Its size and packing ratio are bounded before anything is read,
each value is bounded as it is read, and what it restores passes every reader's checks (the
workbook's fields, the accounts' names and password hashes) before the transaction commits.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from flows import limits
from roles.storage.bulk import bulk_insert
from flows.errors import BadInput, Conflict, Problem
from flows.wording import Progress, Stage, values
from roles.storage import vault
from roles.actor import Account, username
from roles.model import Workbook
from roles.storage.accounts import hash_problem, role_problem, username_problem
from roles.storage.audit import audit, record
from roles.storage.changes import bump
from roles.storage.organisation import load
from roles.storage.migrate import HEAD, MIGRATIONS, ForeignKeysBroken, migrating, to_revision

FORMAT, VERSION = "abflow-backup", 1
BATCH = 2000
MAX_LINE = 64 * 1024 * 1024  # one row's line: a process version's steps at the workbook's limits
#: What a backup may unpack to, and how much more than its packed size each part may be (JSON
#: lines pack 5 to 20 times; a bomb, a thousand).
MAX_UNPACKED = 8 * 1024 * 1024 * 1024
MAX_RATIO, RATIO_FLOOR = 100, 10 * 1024 * 1024
#: The longest text a column other than a JSON one may hold (the longest we write: a handover's
#: open items, a sealed contact, a stored job).
MAX_VALUE = 256 * 1024
#: The schema revisions a backup may name: those our migrations know.
REVISIONS = frozenset(p.name[:4] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
#: Tables the schema itself fills: a database holding only these is empty.
SCHEMA_ONLY = {"alembic_version", "data_version"}


@dataclass(frozen=True)
class BackupStage(Stage):
    key: str
    params: tuple[tuple[str, object], ...] = ()

    CATALOG = {"table": ("{table}：{rows} 行", "{table}: {rows} rows"),
               "migrating": ("升级到当前结构", "bringing the schema up to date")}




@dataclass(frozen=True)
class BackupSummary:
    file: str
    revision: str
    tables: int
    rows: int
    audit_head: str


def _tables(conn: Connection) -> list[sa.Table]:
    meta = sa.MetaData()
    meta.reflect(conn)
    return [t for t in meta.sorted_tables if t.name != "alembic_version"]


def _encode(column: sa.Column, value):
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        if value.tzinfo is not None or column.type.timezone:  # our zoned times are UTC, even where SQLite drops the zone
            value = (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc)
        return value.isoformat()
    if isinstance(column.type, sa.Date):
        return value.isoformat()
    if isinstance(column.type, sa.LargeBinary):
        return base64.b64encode(bytes(value)).decode()
    return value


def _decode(column: sa.Column, value):
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        value = dt.datetime.fromisoformat(value)
        # A zoned column given a time without a zone (from SQLite, which keeps none): it is UTC.
        return value.replace(tzinfo=dt.timezone.utc) if column.type.timezone and value.tzinfo is None else value
    if isinstance(column.type, sa.Date):
        return dt.date.fromisoformat(value)
    if isinstance(column.type, sa.LargeBinary):
        return base64.b64decode(value, validate=True)
    return value


def _key_id() -> str:
    return vault.fingerprint("abflow backup key id")[:8]


def backup(engine: Engine, target: Path, by: Account | str, progress: Progress = lambda _: None,
           revision: str = HEAD) -> BackupSummary:
    """Write everything to `target` (written aside, then moved into place) from one consistent
    snapshot; recorded on the audit trail, and the record is in the backup. `revision`: the
    schema the database is on; an older one's (just before its upgrade) is copied as it is, and
    its upgrade records the backup once the trail is of this release's shape."""
    if revision == HEAD:
        record(engine, by, "backup", target.name[:64])
    aside = target.with_name(f".{target.name}.partial")
    manifest: dict = {"format": FORMAT, "version": VERSION, "revision": revision, "by": username(by),
                      "made": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                      "source": engine.dialect.name, "tables": {}}
    rows_total = 0
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as conn, conn.begin(), \
            zipfile.ZipFile(aside, "w", zipfile.ZIP_DEFLATED) as zf:
        for table in _tables(conn):
            digest, n = hashlib.sha256(), 0
            with zf.open(f"tables/{table.name}.jsonl", "w", force_zip64=True) as out:
                head = (json.dumps({"columns": [c.name for c in table.columns]}) + "\n").encode()
                out.write(head)
                digest.update(head)
                order = list(table.primary_key.columns) or list(table.columns)
                result = conn.execution_options(yield_per=BATCH).execute(sa.select(table).order_by(*order))
                for row in result:
                    line = (json.dumps([_encode(c, v) for c, v in zip(table.columns, row, strict=True)], ensure_ascii=False,
                                       separators=(",", ":")) + "\n").encode()
                    out.write(line)
                    digest.update(line)
                    n += 1
            manifest["tables"][table.name] = {"rows": n, "sha256": digest.hexdigest()}
            rows_total += n
            progress(BackupStage("table", values(table=table.name, rows=n)))
        manifest["audit_head"] = (conn.execute(sa.text("SELECT hash FROM audit ORDER BY id DESC LIMIT 1")).scalar()
                                  if sa.inspect(conn).has_table("audit") else None) or ""
        manifest["secret_key"] = _key_id() if manifest["tables"].get("contact", {}).get("rows") else None
        manifest["mac"] = vault.mac("backup", _canonical(manifest))
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    aside.replace(target)
    return BackupSummary(str(target), revision, len(manifest["tables"]), rows_total, manifest["audit_head"])


def _bad(file: str, entry: str, message: str) -> BadInput:
    return BadInput([Problem(file, entry, None, None, message)])


def _canonical(manifest: dict) -> str:
    """The manifest as its MAC covers it: every key but the MAC, in one order."""
    return json.dumps({k: v for k, v in manifest.items() if k != "mac"}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))


def _bounded(zf: zipfile.ZipFile, name: str) -> None:
    """Refuse a file that would unpack to more than a backup can be, before reading any of it."""
    total = 0
    for item in zf.infolist():
        total += item.file_size
        if item.file_size > RATIO_FLOOR and item.file_size > MAX_RATIO * max(item.compress_size, 1):
            raise _bad(name, item.filename[:64], f"unpacks to {item.file_size:,} bytes, more than {MAX_RATIO} times "
                                                 "its packed size: no backup packs that tight")
    if total > MAX_UNPACKED:
        raise _bad(name, "file", f"unpacks to {total:,} bytes; a backup is at most {MAX_UNPACKED:,}")


def _manifest(zf: zipfile.ZipFile, name: str) -> dict:
    try:
        manifest = json.loads(zf.read("manifest.json"))
    except KeyError:
        raise _bad(name, "manifest.json", "missing: this is no abflow backup") from None
    except ValueError as e:
        raise _bad(name, "manifest.json", f"not JSON ({e})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("tables"), dict):
        raise _bad(name, "manifest.json", "this is no abflow backup")
    if not vault.mac_matches("backup", _canonical(manifest), manifest.get("mac")):
        raise _bad(name, "manifest.json", "not made with this installation's secret key (or changed since): a "
                                          "backup is restored only where its key is (ABFLOW_SECRET_KEY or its file)")
    revision = str(manifest.get("revision"))
    if manifest.get("version") != VERSION or not re.fullmatch(r"\d{4}", revision) or revision > HEAD:
        raise _bad(name, "manifest.json", f"made by a newer abflow (schema {revision[:8]}, this one reads up to "
                                          f"{HEAD}): restore it with that version or a later one")
    if revision not in REVISIONS:
        raise _bad(name, "manifest.json", f"names schema {revision}, which no release of abflow made")
    return manifest


def _table_file(zf: zipfile.ZipFile, name: str, table: str, expected: dict) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """A table's columns, from the first line of its file, and its rows, read once and checked
    against the manifest's count and hash as they are."""
    entry = f"tables/{table}.jsonl"
    try:
        stream = zf.open(entry)
    except KeyError:
        raise _bad(name, entry, "missing") from None
    head = stream.readline(MAX_LINE)
    try:
        columns = list(json.loads(head)["columns"])
    except (KeyError, ValueError, TypeError):
        stream.close()
        raise _bad(name, entry, "its first line names no columns") from None
    return columns, _rows(stream, name, entry, head, expected)


def _rows(stream, name: str, entry: str, head: bytes, expected: dict) -> Iterator[tuple[int, list]]:
    digest, n = hashlib.sha256(head), 0
    with stream:
        while line := stream.readline(MAX_LINE):
            if not line.endswith(b"\n"):
                raise _bad(name, f"{entry} row {n + 1}", "longer than a row can be, or cut short")
            digest.update(line)
            n += 1
            try:
                row = json.loads(line)
            except ValueError as e:
                raise _bad(name, f"{entry} row {n}", f"not JSON ({e})") from None
            if not isinstance(row, list):
                raise _bad(name, f"{entry} row {n}", "not a row")
            yield n, row
    if n != expected.get("rows") or digest.hexdigest() != expected.get("sha256"):
        raise _bad(name, entry, "damaged: its rows do not match the manifest")


def _empty(conn: Connection) -> list[str]:
    """Tables of the database that hold rows (other than the schema's own)."""
    return [t.name for t in _tables(conn) if t.name not in SCHEMA_ONLY
            and conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()]


def restore(engine: Engine, source: Path, by: Account | str, check: Callable[[Workbook, str], None],
            progress: Progress = lambda _: None) -> BackupSummary:
    """Load a backup into an empty database, all or nothing; the trail it brings is checked, the
    data it brings passes `check` (the workbook's readers, raising BadInput), and the restore
    itself is the trail's next row."""
    name = source.name
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as e:
        raise _bad(name, "file", f"not a backup file ({e})") from None
    with zf:
        _bounded(zf, name)
        manifest = _manifest(zf, name)
        if manifest.get("secret_key") and manifest["secret_key"] != _key_id():
            raise vault.SecretKeyUnusable(
                f"{name}: its contacts were sealed with another secret key than this process has; give abflow "
                "the installation's key (ABFLOW_SECRET_KEY or its file) and restore again")
        rows_total = 0
        try:
            with migrating(engine) as conn:
                if held := _empty(conn):
                    raise Conflict(f"restore goes into an empty database; this one holds data ({', '.join(held[:5])}): "
                                   "make a new database and restore into that")
                meta = sa.MetaData()
                meta.reflect(conn)
                meta.drop_all(conn)
                to_revision(conn, manifest["revision"])
                tables = {t.name: t for t in _tables(conn)}
                unknown = sorted(set(manifest["tables"]) - set(tables))
                if unknown:
                    raise _bad(name, "manifest.json", f"tables this schema does not have: {', '.join(unknown[:5])}")
                conn.execute(sa.delete(tables["data_version"]))
                loading = Session(bind=conn)  # COPY on PostgreSQL, as imports load
                for table in tables.values():
                    if table.name not in manifest["tables"]:
                        continue
                    _load_table(zf, name, table, manifest["tables"][table.name], loading)
                    rows_total += manifest["tables"][table.name]["rows"]
                    progress(BackupStage("table", values(table=table.name, rows=manifest["tables"][table.name]["rows"])))
                _reset_sequences(conn, tables.values())
                progress(BackupStage("migrating"))
                to_revision(conn, "head")
                head = conn.execute(sa.text("SELECT hash FROM audit ORDER BY id DESC LIMIT 1")).scalar() or ""
                if head != manifest.get("audit_head", head):
                    raise _bad(name, "tables/audit.jsonl", "its newest row is not the one the manifest names")
                _check_accounts(conn, name)
                check(load(conn), name)  # type: ignore[arg-type]  # a connection binds a session as an engine does
                with Session(bind=conn) as s:
                    audit(s, by, "restore", name[:64], None, {"made": manifest.get("made"), "by": manifest.get("by"),
                                                              "rows": rows_total, "revision": manifest["revision"]})
                    bump(s)  # every process's loaded copy is stale now
                    s.flush()
        except (IntegrityError, ForeignKeysBroken) as e:
            raise _bad(name, "tables", "rows refer to rows the backup does not hold (a broken foreign key): "
                                       f"{limits.short(str(getattr(e, 'orig', e)).splitlines()[0], 120)}") from None
    return BackupSummary(str(source), manifest["revision"], len(manifest["tables"]), rows_total, head)


def _load_table(zf: zipfile.ZipFile, name: str, table: sa.Table, expected: dict, loading: Session) -> None:
    """One table's rows into the restoring transaction, a batch at a time, each value bounded."""
    columns, rows = _table_file(zf, name, table.name, expected)
    if missing := set(columns) - set(table.columns.keys()):
        raise _bad(name, f"tables/{table.name}.jsonl", f"columns this schema does not have: "
                                                       f"{', '.join(sorted(missing)[:5])}")
    cols = [table.columns[c] for c in columns]
    texts = [i for i, c in enumerate(cols) if not isinstance(c.type, sa.JSON)]
    batch: list[dict] = []
    for n, row in rows:
        entry = f"tables/{table.name}.jsonl row {n}"
        if len(row) != len(cols):
            raise _bad(name, entry, f"a row of {len(row)} values, not {len(cols)}")
        for i in texts:
            if isinstance(row[i], str) and len(row[i]) > MAX_VALUE:
                raise _bad(name, f"{entry}, {cols[i].name}", f"{len(row[i]):,} characters; at most {MAX_VALUE:,}")
        try:
            batch.append({c.name: _decode(c, v) for c, v in zip(cols, row, strict=True)})
        except (ValueError, TypeError, OverflowError) as e:
            raise _bad(name, entry, f"a value of the wrong kind ({limits.short(str(e), 80)})") from None
        if len(batch) >= BATCH:
            bulk_insert(loading, table, batch)
            batch = []
    bulk_insert(loading, table, batch)


def _check_accounts(conn: Connection, name: str) -> None:
    """The accounts a restore brings pass the account rules: names, roles, password hashes within
    the policy (a stored hash decides how long a sign-in takes)."""
    problems = []
    for user, role, password_hash in conn.execute(sa.text("SELECT username, role, password_hash FROM account")):
        entry = f"tables/account.jsonl, account {limits.named(user)}"
        for field, why in (("username", username_problem(user)), ("role", role_problem(role)),
                           ("password_hash", hash_problem(password_hash))):
            if why:
                problems.append(Problem(name, entry, None, field, why))
    if problems:
        raise BadInput(problems)


def _reset_sequences(conn: Connection, tables) -> None:
    """PostgreSQL hands out ids from a sequence, which knows nothing of the ids just loaded."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        key = list(table.primary_key.columns)
        if len(key) == 1 and isinstance(key[0].type, sa.Integer) and key[0].autoincrement in (True, "auto"):
            highest = sa.select(sa.func.coalesce(sa.func.max(key[0]), 0) + 1).scalar_subquery()
            conn.execute(sa.select(sa.func.setval(sa.func.pg_get_serial_sequence(table.name, key[0].name),
                                                  highest, False)))
