"""The audit trail: every change, sign-in, export and publish, once each, with its actor and a time
with its zone; chained, so an edited or deleted row is found by `abflow audit verify`."""
from __future__ import annotations

from sqlalchemy import text

from roles import actions
from roles.storage.accounts import add_account, sign_in

from ..conftest import BIANBAN, TESTER


def test_what_is_recorded_and_that_a_tampered_row_is_found(bianban, cli, tmp_path):
    db_ok = cli.json("audit", "verify")
    opened = len(cli.json("handovers")["handovers"])  # the import opened the handovers its absences call for
    assert db_ok["problems"] == [] and db_ok["rows"] == 1 + opened and len(db_ok["head"]) == 64
    add_account(bianban, "h", "head-pass-1", "head", "bb05", by=TESTER)
    assert sign_in(bianban, "h", "wrong") is None and sign_in(bianban, "h", "head-pass-1") is not None
    assert cli("export", str(tmp_path / "all.yaml")).exit_code == 0
    assert cli("publish", "--out", str(tmp_path / "site")).exit_code == 0
    assert cli("contacts", "set", "bb05", "mailto://user:secret@smtp.example.gov.cn?to=bb05@example.gov.cn").exit_code == 0
    assert cli("import", str(BIANBAN)).exit_code == 0  # replaces the department: its whole before is kept
    assert list(cli.json("contacts", "list")["contacts"]) == ["bb05"]  # contacts outlive a re-import
    trail = [r for r in cli.json("audit", "--limit", "40")["audit"]
             if not r["action"].startswith("handover.")]  # the re-import opened the handovers its absences call for
    actions_done = [r["action"] for r in reversed(trail)]
    assert actions_done == ["import", "account.add", "signin.failed", "signin", "export", "publish",
                            "contacts.set", "import"]
    assert all(r["at"].endswith("+08:00") for r in trail)  # the office's zone, said
    assert trail[0]["before"]["departments"][0]["id"] == "bb" and len(trail[0]["before"]["people"]) == 12
    assert "secret" not in str(trail[2]["after"]) and trail[2]["user"].startswith("cli:")
    assert cli("audit", "verify").exit_code == 0

    engine = bianban
    with engine.begin() as conn:  # someone with write access to the table changes who did what
        conn.execute(text("UPDATE audit SET \"user\" = 'nobody' WHERE action = 'export'"))
    broken = cli("audit", "verify")
    assert broken.exit_code == 1 and "changed after it was written" in broken.stderr and "export" in broken.stderr
    with engine.begin() as conn:  # ... or removes a sign-in
        conn.execute(text("UPDATE audit SET \"user\" = :u WHERE action = 'export'"),
                     {"u": trail[4]["user"]})
        conn.execute(text("DELETE FROM audit WHERE action = 'signin.failed'"))
    gone = cli("audit", "verify")
    assert gone.exit_code == 1 and "the row before it was deleted or changed" in gone.stderr


def test_only_the_office_verifies_the_trail(bianban):
    db = actions.open_database(bianban.url.render_as_string(hide_password=False))
    staff = actions.Account("s", "staff", "bb03")
    try:
        actions.verify_audit(db, staff)
        raise AssertionError("staff verified the trail")
    except actions.PermissionDenied:
        pass
