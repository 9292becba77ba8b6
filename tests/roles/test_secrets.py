"""Contact secrets at rest: sealed with a key kept outside the database, shown only masked,
never colliding; a process with another key is told so clearly."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, text

from roles.storage import notices as notice_store
from roles.storage import vault

from ..conftest import database_at, TESTER

SECRET = "Sm7p-pa55word"
MAIL = f"mailto://abflow:{SECRET}@smtp.example.gov.cn?to=bb05@example.gov.cn"
BOT_A, BOT_B = (f"json://hook:{token}@127.0.0.1:9/bot" for token in ("k3y-one-4f9a", "k3y-two-77c1"))


def everything_stored(engine) -> str:
    """Every value of every table, as text: what a copy or dump of the database would reveal."""
    out = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            out += [repr(tuple(r)) for r in conn.execute(text(f'SELECT * FROM "{table}"'))]
    return "\n".join(out)


def test_no_contact_secret_is_readable_in_the_database(bianban, db_url, cli):
    assert cli("contacts", "set", "bb05", MAIL, BOT_A, BOT_B).exit_code == 0
    stored = everything_stored(bianban)
    for secret in (SECRET, "k3y-one-4f9a", "k3y-two-77c1"):
        assert secret not in stored
    if db_url.startswith("sqlite"):  # nor in the file, free pages and journal included
        path = db_url.split("///", 1)[1]
        raw = b"".join(open(p, "rb").read() for p in (path, path + "-wal") if __import__("os").path.exists(p))
        assert SECRET.encode() not in raw
    shown = cli.json("contacts", "list")["contacts"]["bb05"]
    assert len(shown) == 3 and not any(SECRET in c or "k3y" in c for c in shown)
    # The two bots look the same masked; their fingerprints tell them apart, and both are kept.
    assert shown[1].split(" #")[0] == shown[2].split(" #")[0] and shown[1] != shown[2]
    assert [c.url for c in notice_store.contacts(bianban)["bb05"]] == [MAIL, BOT_A, BOT_B]
    trail = cli.json("audit")["audit"]
    assert SECRET not in repr(trail) and any(r["action"] == "contacts.set" for r in trail)


def test_two_contacts_that_mask_alike_both_get_the_notice(bianban):
    sent = []
    notice_store.set_contacts(bianban, "bb06", [BOT_A, BOT_B, BOT_A], user=TESTER)  # the repeat is kept once
    from roles.notify.jobs import run_daily
    from roles.notify.notices import NoticeWords
    report = run_daily(bianban, dt.date(2026, 11, 25), 3, NoticeWords.of("zh"),
                       send=lambda url, title, body: sent.append(url), tries=1, pause=0)
    assert sorted(sent) == sorted([BOT_A, BOT_B]) and report.sent == 2
    targets = [r.target for r in notice_store.dispatches(bianban)]
    assert len(set(targets)) == 2 and not any("k3y" in t for t in targets)


def test_another_key_cannot_open_the_contacts_and_says_so(bianban, db_url, cli, monkeypatch):
    assert cli("contacts", "set", "bb05", MAIL).exit_code == 0
    monkeypatch.setenv("ABFLOW_SECRET_KEY", vault.new_key())
    with pytest.raises(vault.SecretKeyUnusable, match="another secret key"):
        notice_store.contacts(bianban)
    sent = cli("notify", "--date", "2026-11-25")
    assert sent.exit_code == 3 and "same key" in sent.stderr and "Traceback" not in sent.stderr
    assert "bb05" in cli.json("contacts", "list")["contacts"]  # listing needs no key: it shows the masked form
    monkeypatch.setenv("ABFLOW_SECRET_KEY", "not-a-key")
    bad = cli("contacts", "set", "bb05", MAIL)
    assert bad.exit_code == 3 and "not a Fernet key" in bad.stderr


def test_a_rotated_key_still_opens_what_the_old_one_sealed(bianban, monkeypatch):
    old, new = vault.new_key(), vault.new_key()
    monkeypatch.setenv("ABFLOW_SECRET_KEY", old)
    notice_store.set_contacts(bianban, "bb05", [MAIL], user=TESTER)
    monkeypatch.setenv("ABFLOW_SECRET_KEY", f"{new},{old}")
    assert [c.url for c in notice_store.contacts(bianban)["bb05"]] == [MAIL]


def test_the_key_file_is_made_once_and_kept_private(tmp_path, monkeypatch):
    path = tmp_path / "conf" / "secret.key"
    monkeypatch.setenv("ABFLOW_SECRET_KEY_FILE", str(path))
    sealed = vault.seal(SECRET)
    assert path.stat().st_mode & 0o077 == 0
    assert vault.unseal(sealed, "x") == SECRET and SECRET not in sealed


def test_clear_contacts_of_an_older_database_are_sealed_by_the_upgrade(empty_db_url):
    from roles.storage.engines import engine_for
    with database_at(empty_db_url, "0014") as conn:
        conn.execute(text("INSERT INTO department (id, name, position) VALUES ('d', '部门', 0)"))
        conn.execute(text("INSERT INTO section (id, department_id, name, kind, counterparts, position, "
                          "staffing, leader_posts) VALUES ('s', 'd', '科', 'business', '[]', 0, 3, 1)"))
        conn.execute(text("INSERT INTO person (id, section_id, name, post, skills, position) "
                          "VALUES ('p1', 's', '甲', 'staff', '[]', 0)"))
        for i, url in enumerate((MAIL, BOT_A)):
            conn.execute(text("INSERT INTO contact (person_id, url, position) VALUES ('p1', :u, :i)"),
                         {"u": url, "i": i})
    engine = engine_for(empty_db_url)
    assert SECRET not in everything_stored(engine)
    assert [c.url for c in notice_store.contacts(engine)["p1"]] == [MAIL, BOT_A]
