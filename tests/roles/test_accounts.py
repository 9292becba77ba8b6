"""Accounts: hashed passwords, sign-in, permissions, accounts surviving a re-import, and the audit
trail of CLI changes."""
from __future__ import annotations

from sqlmodel import Session, select

from roles.storage import store
from roles.actions.access import may_edit_absence, may_edit_section
from roles.storage.accounts import (LOCAL, Account, add_account, any_accounts, audit_trail, check_password,
                                    hash_password, sign_in)
from roles.storage.tables import AccountRow

from ..conftest import BIANBAN, load_file


def test_passwords_are_kept_hashed_and_checked():
    stored = hash_password("correct horse")
    assert "correct horse" not in stored and stored.startswith("scrypt$")
    assert check_password("correct horse", stored) and not check_password("wrong", stored)
    assert hash_password("correct horse") != stored  # a salt per hash
    assert not check_password("x", "garbage")


def test_sign_in_and_permissions(bianban):
    assert not any_accounts(bianban)
    add_account(bianban, "h", "head-pass-1", "head", "bb05")
    add_account(bianban, "s", "staff-pass-1", "staff", "bb03")
    assert any_accounts(bianban)
    assert sign_in(bianban, "h", "nope") is None and sign_in(bianban, "nobody", "x") is None
    head = sign_in(bianban, "h", "head-pass-1")
    staff = sign_in(bianban, "s", "staff-pass-1")
    wb = store.load(bianban)
    assert may_edit_section(wb, head, "bb-jg") and not may_edit_section(wb, head, "bb-zh")
    assert not may_edit_section(wb, staff, "bb-zh") and may_edit_section(wb, LOCAL, "bb-zh")
    assert may_edit_absence(wb, head, "bb07") and not may_edit_absence(wb, head, "bb03")
    assert may_edit_absence(wb, staff, "bb03") and not may_edit_absence(wb, staff, "bb04")
    assert may_edit_absence(wb, Account("o", "office"), "bb04")


def test_accounts_keep_their_person_across_a_reimport(bianban):
    add_account(bianban, "h", "head-pass-1", "head", "bb05")
    load_file(bianban, BIANBAN)  # replaces the department, people included
    with Session(bianban) as s:
        assert s.exec(select(AccountRow.person_id).where(AccountRow.username == "h")).one() == "bb05"


def test_cli_changes_reach_the_audit_trail(bianban, cli, tmp_path):
    from ui.cli import main
    r = cli.runner.invoke(main, ["--db", cli.url, "accounts", "add", "o1", "--role", "office", "--password-stdin"],
                          input="office-pass-1\n")
    assert r.exit_code == 0, r.output
    assert cli("import", str(BIANBAN)).exit_code == 0
    trail = cli.json("audit")["audit"]
    assert [x["action"] for x in trail[:2]] == ["import", "account.add"]
    assert trail[0]["user"].startswith("cli:") and trail[0]["after"]["departments"] == 1
    assert [a.action for a in audit_trail(bianban, 1)] == ["import"]
