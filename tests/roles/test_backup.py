"""`abflow backup` then `abflow restore` into an empty database gives back everything: the data,
accounts, the audit trail (still verifying), sealed contacts, drafts, dispatches and the
scheduler's jobs; on SQLite and PostgreSQL and from one to the other. A damaged file, a database
that is not empty or another secret key is refused, and the database is left as it was."""
from __future__ import annotations

import datetime as dt
import json
import zipfile

import pytest
from sqlalchemy import create_engine, inspect, text

from roles import actions
from roles.storage import notices as notice_store
from roles.notify.jobs import Schedule, install, make_scheduler
from roles.storage import vault
from roles.storage.accounts import add_account, sign_in
from roles.storage.engines import engine_for
from roles.storage.backup import _encode
from roles.storage.migrate import HEAD
from ..conftest import TESTER

OFFICE = actions.Account("office", "office")
HEAD_JG = actions.Account("head-jg", "head", "bb05")
MAIL = "mailto://abflow:Bk-pa55word@smtp.example.gov.cn?to=bb05@example.gov.cn"


def filled(engine, db_url):
    """A database with something in every table a backup must carry."""
    db = actions.open_database(db_url)
    add_account(engine, "office", "office-pass-1", "office", None, by=TESTER)
    add_account(engine, "head-jg", "head-pass-1", "head", "bb05", by=TESTER)
    assert sign_in(engine, "head-jg", "wrong-guess", client="203.0.113.9") is None
    notice_store.set_contacts(engine, "bb05", [MAIL, "json://hook:tok3n@127.0.0.1:9/x"], user=OFFICE)
    notice_store.set_contacts(engine, "bb01", ["json://127.0.0.1:9/head"], user=OFFICE)  # has gaps that day
    p2 = actions.workbook(db, OFFICE).process_by_id["bb-p2"]
    actions.save_draft(db, HEAD_JG, process_id=p2.id, which="after", version=p2.after,
                       base_revision=p2.revisions["after"], base=p2.after, expected_draft=0)
    from roles.notify.notices import NoticeWords
    from roles.notify.jobs import run_daily
    run_daily(engine, dt.date(2026, 11, 25), 3, NoticeWords.of("zh"), send=lambda *_: "down", tries=1, pause=0)
    s = make_scheduler(engine, Schedule(), background=True)
    s.start(paused=True)
    install(s, Schedule())
    s.shutdown(wait=False)
    return db


def _same(value):
    """Times as UTC with their zone: SQLite keeps them without one, PostgreSQL with it."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc)
    return value


def contents(engine) -> dict[str, list]:
    """Every row of every table, in a form that does not depend on the database kind."""
    import sqlalchemy as sa
    meta = sa.MetaData()
    with engine.connect() as conn:
        meta.reflect(conn)
        return {t.name: sorted(json.dumps([_encode(c, _same(v)) for c, v in zip(t.columns, row, strict=True)], sort_keys=True,
                                          ensure_ascii=False, default=str)
                               for row in conn.execute(sa.select(t)))
                for t in meta.sorted_tables if t.name not in ("alembic_version", "data_version")}


def empty_url(kind: str, tmp_path, request) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.db'}"
    base = request.getfixturevalue("pg_database")
    name = base.rsplit("/", 1)[1] + "_restore"
    admin = create_engine(base.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        c.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    request.addfinalizer(lambda: _drop(base, name))
    return base.rsplit("/", 1)[0] + "/" + name


def _drop(base: str, name: str) -> None:
    from roles.storage.database import dispose_all
    dispose_all()
    admin = create_engine(base.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.mark.parametrize("into", ["sqlite", "postgresql"])
def test_backup_then_restore_into_an_empty_database_gives_everything_back(bianban, db_url, cli, tmp_path,
                                                                        request, into):
    filled(bianban, db_url)
    file = tmp_path / "abflow.backup"
    made = cli.json("backup", str(file), "--json")
    before = contents(bianban)
    assert [t for t in ("account", "audit", "contact", "process_draft", "dispatch", "apscheduler_jobs", "step",
                        "absence") if not before[t]] == []
    assert b"Bk-pa55word" not in file.read_bytes() and "tok3n" not in json.dumps(before)

    target = empty_url(into, tmp_path, request)
    restored = cli.__class__(target).json("restore", str(file), "--json")
    assert (restored["rows"], restored["audit_head"]) == (made["rows"], made["audit_head"])
    engine = engine_for(target)
    after = contents(engine)
    restore_rows = [r for r in after["audit"] if '"restore"' in r]
    assert len(restore_rows) == 1
    after["audit"].remove(restore_rows[0])
    assert after == before

    db = actions.open_database(target)
    rows, head, problems = actions.verify_audit(db, OFFICE)
    assert problems == [] and rows == len(before["audit"]) + 1
    assert sign_in(engine, "head-jg", "head-pass-1") is not None               # accounts and their hashes
    assert [c.url for c in notice_store.contacts(engine)["bb05"]][0] == MAIL       # sealed, and opened again
    assert actions.workbook(db, OFFICE) == actions.workbook(actions.open_database(db_url), OFFICE)
    # New rows after a restore get new ids (PostgreSQL's sequences follow the loaded rows).
    actions.set_contacts(db, OFFICE, person_id="bb01", urls=["json://127.0.0.1:9/y"])
    assert actions.verify_audit(db, OFFICE)[2] == []


def test_restore_refuses_a_database_that_holds_data(bianban, db_url, cli, tmp_path):
    file = tmp_path / "b.zip"
    assert cli("backup", str(file)).exit_code == 0
    before = contents(bianban)
    result = cli("restore", str(file))
    assert result.exit_code == 1 and "empty database" in result.stderr
    assert contents(bianban) == before


def _rewrite(src, dst, entry: str, change) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item.filename, change(data) if item.filename == entry else data)


def _resigned(change):
    """A change to the manifest, its MAC made again with this installation's key: what a newer
    release of abflow at the same installation would have written."""
    from roles.storage.backup import _canonical

    def made(data: bytes) -> bytes:
        manifest = json.loads(change(data))
        manifest["mac"] = vault.mac("backup", _canonical(manifest))
        return json.dumps(manifest).encode()
    return made


@pytest.mark.parametrize("entry,change,says", [
    ("tables/account.jsonl", lambda d: d.replace(b'"head"', b'"office"'), "damaged"),
    ("tables/audit.jsonl", lambda d: b"\n".join(d.split(b"\n")[:-2]) + b"\n", "damaged"),
    ("manifest.json", _resigned(lambda d: d.replace(b'"revision": "0', b'"revision": "9')), "newer abflow"),
    ("manifest.json", _resigned(lambda d: d.replace(f'"revision": "{HEAD}'.encode(), b'"revision": "0000')),
     "no release"),
    ("manifest.json", lambda d: d.replace(b'"revision": "0', b'"revision": "9'), "not made with this installation"),
    ("manifest.json", lambda d: b"{", "not JSON"),
    ("tables/step.jsonl", lambda d: d[: len(d) // 2], "cut short"),
])
def test_a_damaged_backup_is_refused_naming_what_and_the_database_stays_empty(bianban, db_url, cli, tmp_path,
                                                                           entry, change, says):
    add_account(bianban, "head-jg", "head-pass-1", "head", "bb05", by=TESTER)
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    assert cli("backup", str(good)).exit_code == 0
    _rewrite(good, bad, entry, change)
    target = f"sqlite:///{tmp_path / 'empty.db'}"
    result = cli.__class__(target)("restore", str(bad))
    assert result.exit_code == 2 and says in result.stderr and "bad.zip" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    engine = engine_for(target)
    assert not any(rows for t, rows in contents(engine).items())              # nothing half-loaded
    assert cli.__class__(target)("restore", str(good)).exit_code == 0         # and the good one still goes in


def test_not_a_backup_is_refused(engine, cli, tmp_path):
    junk = tmp_path / "notes.zip"
    junk.write_bytes(b"PK\x03\x04 this is no zip")
    result = cli("restore", str(junk))
    assert result.exit_code == 2 and "notes.zip" in result.stderr and "not a backup" in result.stderr


def test_contacts_sealed_with_another_key_are_not_restored_blind(bianban, db_url, cli, tmp_path, monkeypatch):
    notice_store.set_contacts(bianban, "bb05", [MAIL], user=TESTER)
    file = tmp_path / "b.zip"
    assert cli("backup", str(file)).exit_code == 0
    monkeypatch.setenv("ABFLOW_SECRET_KEY", vault.new_key())
    target = f"sqlite:///{tmp_path / 'other.db'}"
    result = cli.__class__(target)("restore", str(file))
    assert result.exit_code == 2 and "not made with this installation's secret key" in result.stderr
    assert not inspect(engine_for(target)).get_table_names() or not contents(engine_for(target))["department"]


def test_only_the_office_backs_up_and_restores(bianban, db_url, tmp_path):
    db = actions.open_database(db_url)
    with pytest.raises(actions.PermissionDenied):
        actions.backup(db, HEAD_JG, target=tmp_path / "x.zip")
    with pytest.raises(actions.PermissionDenied):
        actions.restore(db, HEAD_JG, source=tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()



def _forged(good, bad, table: str, change, key: str | None = None) -> None:
    """`good` with `table`'s lines changed and the manifest's count and hash of them recomputed,
    as whoever edits a backup would; its MAC made with `key` (a key of another installation), or
    with this installation's when None (someone who has the key: the rest must still hold)."""
    import hashlib
    import os
    from roles.storage.backup import _canonical
    with zipfile.ZipFile(good) as zin:
        manifest = json.loads(zin.read("manifest.json"))
        lines = zin.read(f"tables/{table}.jsonl").split(b"\n")[:-1]
        files = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    head, rows = lines[0], [json.loads(x) for x in lines[1:]]
    rows = change(json.loads(head)["columns"], rows)
    data = b"".join(x + b"\n" for x in [head, *(json.dumps(r, ensure_ascii=False).encode() for r in rows)])
    manifest["tables"][table] = {"rows": len(rows), "sha256": hashlib.sha256(data).hexdigest()}
    if table == "audit":
        manifest["audit_head"] = rows[-1][json.loads(head)["columns"].index("hash")]
    saved = os.environ.get("ABFLOW_SECRET_KEY")
    os.environ["ABFLOW_SECRET_KEY"] = key or saved or ""
    try:
        manifest["mac"] = vault.mac("backup", _canonical(manifest))
    finally:
        os.environ["ABFLOW_SECRET_KEY"] = saved or ""
        if saved is None:
            del os.environ["ABFLOW_SECRET_KEY"]
    files[f"tables/{table}.jsonl"], files["manifest.json"] = data, json.dumps(manifest).encode()
    with zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        for filename, content in files.items():
            zout.writestr(filename, content)


def _with_row(columns, rows, **values):
    extra = list(rows[0])
    for k, v in values.items():
        extra[columns.index(k)] = v
    return [*rows, extra]


def _refused(cli, tmp_path, bad, says: str) -> str:
    target = f"sqlite:///{tmp_path / 'empty.db'}"
    result = cli.__class__(target)("restore", str(bad))
    assert result.exit_code == 2 and says in result.stderr and bad.name in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not any(rows for t, rows in contents(engine_for(target)).items())  # nothing half-loaded
    return result.stderr


def test_a_backup_edited_and_its_hashes_recomputed_is_refused_by_name(bianban, cli, tmp_path):
    """An extra office account, or a rewritten audit trail that would pass `audit verify`: the
    hashes were made again, but not the MAC, which needs the installation's key."""
    from roles.storage.audit import chain_hash
    from roles.storage.accounts import hash_password
    add_account(bianban, "head-jg", "head-pass-1", "head", "bb05", by=TESTER)
    good = tmp_path / "good.zip"
    assert cli("backup", str(good)).exit_code == 0
    intruder = tmp_path / "intruder.zip"
    _forged(good, intruder, "account",
            lambda cols, rows: _with_row(cols, rows, username="intruder", role="office", person_id=None,
                                         password_hash=hash_password("intruder-pass-1")), key=vault.new_key())
    _refused(cli, tmp_path, intruder, "not made with this installation's secret key")

    def rewrite_trail(cols, rows):
        at, user, action, subject, before, after, prev, h = (cols.index(c) for c in (
            "at", "user", "action", "subject", "before", "after", "prev_hash", "hash"))
        prev_hash = ""
        for r in rows:
            r[user] = "nobody"
            r[prev] = prev_hash
            r[h] = prev_hash = chain_hash(prev_hash, dt.datetime.fromisoformat(r[at]), r[user], r[action],
                                          r[subject], r[before], r[after])
        return rows
    trail = tmp_path / "trail.zip"
    _forged(good, trail, "audit", rewrite_trail, key=vault.new_key())
    _refused(cli, tmp_path, trail, "not made with this installation's secret key")


def test_a_bomb_and_values_no_reader_takes_are_refused_even_with_the_key(bianban, cli, tmp_path):
    from roles.storage.accounts import hash_password
    good = tmp_path / "good.zip"
    add_account(bianban, "head-jg", "head-pass-1", "head", "bb05", by=TESTER)
    assert cli("backup", str(good)).exit_code == 0

    def named(name):
        return lambda cols, rows: [[*r[:cols.index("name")], name, *r[cols.index("name") + 1:]] for r in rows]
    bomb = tmp_path / "bomb.zip"  # 40 MB of names packed into well under a megabyte
    _forged(good, bomb, "department", named("名" * 20_000_000))
    assert bomb.stat().st_size < 2_000_000
    _refused(cli, tmp_path, bomb, "more than 100 times its packed size")
    long_name = tmp_path / "long.zip"
    _forged(good, long_name, "department", named("部" * 300_000))
    _refused(cli, tmp_path, long_name, "300,000 characters")
    reader = tmp_path / "reader.zip"  # short enough to store, longer than any reader takes
    _forged(good, reader, "department", named("局" * 600))
    _refused(cli, tmp_path, reader, "at most 500")
    costly = tmp_path / "costly.zip"  # a hash that would make each sign-in take seconds
    salt, digest = hash_password("x").split("$")[4:]
    _forged(good, costly, "account", lambda cols, rows: [
        [*r[:cols.index("password_hash")], f"scrypt${2**14}$8$200${salt}${digest}", *r[cols.index("password_hash") + 1:]]
        for r in rows])
    _refused(cli, tmp_path, costly, "outside the policy")
    orphan = tmp_path / "orphan.zip"
    _forged(good, orphan, "person", lambda cols, rows: _with_row(cols, rows, id="ghost", section_id="no-such-section"))
    _refused(cli, tmp_path, orphan, "no section 'no-such-section'")
    orphan = tmp_path / "orphan-account.zip"
    _forged(good, orphan, "account", lambda cols, rows: _with_row(cols, rows, username="ghost-acct", person_id="ghost"))
    _refused(cli, tmp_path, orphan, "broken foreign key")
