"""Accounts: hashed passwords, sign-in, permissions, accounts surviving a re-import, and the audit
trail of CLI changes."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from roles.storage import organisation
from roles.actions.access import may_edit_absence, may_edit_section
from roles.actor import Account, LOCAL
from roles.storage.accounts import add_account, any_accounts, check_password, hash_password, sign_in
from roles.storage.tables import AccountRow

from ..conftest import BIANBAN, load_file, TESTER


def test_passwords_are_kept_hashed_and_checked():
    stored = hash_password("correct horse")
    assert "correct horse" not in stored and stored.startswith("scrypt$")
    assert check_password("correct horse", stored) and not check_password("wrong", stored)
    assert hash_password("correct horse") != stored  # a salt per hash
    assert not check_password("x", "garbage")


def test_sign_in_and_permissions(bianban):
    assert not any_accounts(bianban)
    add_account(bianban, "h", "head-pass-1", "head", "bb05", by=TESTER)
    add_account(bianban, "s", "staff-pass-1", "staff", "bb03", by=TESTER)
    assert any_accounts(bianban)
    assert sign_in(bianban, "h", "nope") is None and sign_in(bianban, "nobody", "x") is None
    head = sign_in(bianban, "h", "head-pass-1")
    staff = sign_in(bianban, "s", "staff-pass-1")
    wb = organisation.load(bianban)
    assert may_edit_section(wb, head, "bb-jg") and not may_edit_section(wb, head, "bb-zh")
    assert not may_edit_section(wb, staff, "bb-zh") and may_edit_section(wb, LOCAL, "bb-zh")
    assert may_edit_absence(wb, head, "bb07") and not may_edit_absence(wb, head, "bb03")
    assert may_edit_absence(wb, staff, "bb03") and not may_edit_absence(wb, staff, "bb04")
    assert may_edit_absence(wb, Account("o", "office"), "bb04")


def test_accounts_keep_their_person_across_a_reimport(bianban):
    add_account(bianban, "h", "head-pass-1", "head", "bb05", by=TESTER)
    load_file(bianban, BIANBAN)  # replaces the department, people included
    with Session(bianban) as s:
        assert s.exec(select(AccountRow.person_id).where(AccountRow.username == "h")).one() == "bb05"


def test_cli_changes_reach_the_audit_trail(bianban, cli, tmp_path):
    from ui.cli import main
    r = cli.runner.invoke(main, ["--db", cli.url, "accounts", "add", "o1", "--role", "office", "--password-stdin"],
                          input="office-pass-1\n")
    assert r.exit_code == 0, r.output
    assert cli("import", str(BIANBAN)).exit_code == 0
    trail = [x for x in cli.json("audit")["audit"] if not x["action"].startswith("handover.")]  # opened by the import
    assert [x["action"] for x in trail[:2]] == ["import", "account.add"]
    assert trail[0]["user"].startswith("cli:") and trail[0]["after"]["departments"] == 1


def _add(cli, name: str, password: str, *args: str):
    from ui.cli import main
    return cli.runner.invoke(main, ["--db", cli.url, "accounts", "add", name, *args, "--password-stdin"],
                             input=password + "\n")


def test_an_accounts_life_disable_enable_password_role_remove(bianban, cli):
    assert _add(cli, "h", "head-pass-1", "--role", "head", "--person", "bb05").exit_code == 0
    assert sign_in(bianban, "h", "head-pass-1") == Account("h", "head", "bb05")
    assert cli("accounts", "disable", "h").exit_code == 0
    assert sign_in(bianban, "h", "head-pass-1") is None                       # switched off
    assert cli.json("accounts", "list")["accounts"][0]["disabled"] is True
    assert cli("accounts", "enable", "h").exit_code == 0
    from ui.cli import main
    assert cli.runner.invoke(main, ["--db", cli.url, "accounts", "passwd", "h", "--password-stdin"],
                             input="a-new-phrase-2\n").exit_code == 0
    assert sign_in(bianban, "h", "head-pass-1") is None and sign_in(bianban, "h", "a-new-phrase-2") is not None
    assert cli("accounts", "role", "h", "--role", "staff", "--person", "bb07").exit_code == 0
    assert sign_in(bianban, "h", "a-new-phrase-2") == Account("h", "staff", "bb07")
    assert cli("accounts", "remove", "h").exit_code == 0 and sign_in(bianban, "h", "a-new-phrase-2") is None
    trail = [r["action"] for r in cli.json("audit", "--limit", "30")["audit"]]
    assert trail.count("account.change") == 4 and "account.remove" in trail
    assert "a-new-phrase" not in str(cli.json("audit", "--limit", "30"))       # no password on the trail


@pytest.mark.parametrize("password,says", [
    ("short-1", "at least 10 characters"), ("password123", "too easy to guess"), ("qwertyuiop", "too easy to guess"),
    ("aaaaaaaaaaaa", "too easy to guess"), ("h-the-user", None)])
def test_a_password_must_be_long_and_not_a_common_one(bianban, cli, password, says):
    result = _add(cli, "h-the-user", password, "--role", "office")
    if says is None:  # the user name itself: too easy as well
        assert result.exit_code == 2 and "too easy to guess" in result.stderr
    else:
        assert result.exit_code == 2 and says in result.stderr


def test_five_failures_lock_the_account_from_that_address_only_and_locks_grow(bianban, monkeypatch):
    import datetime as dt
    from roles.storage import accounts, audit
    add_account(bianban, "h", "head-pass-1", "head", "bb05", by=TESTER)
    t0 = dt.datetime.now(dt.timezone.utc)
    for _ in range(accounts.MAX_FAILURES):
        assert sign_in(bianban, "h", "wrong-guess", client="203.0.113.9", now=t0) is None
    for _ in range(40):  # refused while locked, the password unread; not an audit row each
        with pytest.raises(accounts.TooManyFailures, match="try again in 1 minute"):
            sign_in(bianban, "h", "head-pass-1", client="203.0.113.9", now=t0)  # even the right one, for now
    assert sign_in(bianban, "h", "head-pass-1", client="198.51.100.7", now=t0) is not None  # the owner elsewhere
    trail = [r for r in audit.audit_trail(bianban) if r.action.startswith("signin")]
    assert [r.action for r in trail] == ["signin"] + ["signin.failed"] * accounts.MAX_FAILURES
    assert trail[1].after["locked_until"] and trail[2].after == {"client": "203.0.113.9", "failures": 4}
    # The lock over, the next try goes on, and the 40 refused attempts are one counted row.
    t1 = t0 + dt.timedelta(minutes=1, seconds=1)
    for _ in range(accounts.MAX_FAILURES):
        assert sign_in(bianban, "h", "wrong-guess", client="203.0.113.9", now=t1) is None
    [refused] = [r for r in audit.audit_trail(bianban) if r.action == "signin.refused"]
    assert refused.after == {"client": "203.0.113.9", "attempts": 40}
    with pytest.raises(accounts.TooManyFailures, match="try again in 2 minute"):  # the second lock in a row: longer
        sign_in(bianban, "h", "head-pass-1", client="203.0.113.9", now=t1)
    with pytest.raises(accounts.TooManyFailures):  # still, when a first lock would be over
        sign_in(bianban, "h", "head-pass-1", client="203.0.113.9", now=t1 + dt.timedelta(minutes=1, seconds=1))
    t2 = t1 + dt.timedelta(minutes=2, seconds=1)
    assert sign_in(bianban, "h", "head-pass-1", client="203.0.113.9", now=t2) is not None  # and a good one resets
    assert sign_in(bianban, "h", "wrong-guess", client="203.0.113.9", now=t2) is None


def test_unknown_names_cost_what_known_ones_do(bianban, monkeypatch):
    from roles.storage import accounts
    checked = []
    real = accounts.check_password
    monkeypatch.setattr(accounts, "check_password", lambda p, h: checked.append(h) or real(p, h))
    assert sign_in(bianban, "nobody-here", "x") is None
    assert checked == [accounts._dummy()]                                          # a full scrypt, as for a real one


def test_parallel_wrong_passwords_get_five_checks_not_more(bianban, monkeypatch):
    from roles.storage import accounts
    from ..conftest import together
    add_account(bianban, "h", "head-pass-1", "head", "bb05", by=TESTER)
    checked = []
    real = accounts.check_password
    monkeypatch.setattr(accounts, "check_password", lambda p, h: checked.append(h) or real(p, h))
    errors = together(30, lambda _: sign_in(bianban, "h", "wrong-guess", client="203.0.113.9"),
                      accounts.TooManyFailures)
    assert errors == [] and len(checked) == accounts.MAX_FAILURES


def test_one_client_guessing_across_accounts_is_throttled_by_its_address(bianban, monkeypatch):
    """Spreading guesses over many names stays under each account's limit; the address is limited too,
    and only that address: another client still signs in."""
    from roles.storage import accounts, audit
    cheap = accounts.hash_password("x")
    monkeypatch.setattr(accounts, "_dummy", lambda: cheap)  # the unknown names' hash (speed only)
    add_account(bianban, "h", "head-pass-1", "head", "bb05", by=TESTER)
    for i in range(accounts.MAX_CLIENT_FAILURES):
        assert sign_in(bianban, f"guess-{i}", "wrong-guess", client="203.0.113.9") is None
    with pytest.raises(accounts.TooManyFailures, match=r"from this address \(203.0.113.9\)"):
        sign_in(bianban, "h", "head-pass-1", client="203.0.113.9")
    assert sign_in(bianban, "h", "head-pass-1", client="198.51.100.7") is not None
    failed = [r for r in audit.audit_trail(bianban) if r.action == "signin.failed"]
    assert len(failed) == accounts.MAX_CLIENT_FAILURES and failed[-1].after == {"client": "203.0.113.9", "failures": 1}


@pytest.mark.parametrize("stored,problem", [
    (f"scrypt${2**14}$8$200${'ab' * 16}${'cd' * 64}", "outside the policy"),    # p=200: 12 s a sign-in
    (f"scrypt${2**20}$8$1${'ab' * 16}${'cd' * 64}", "outside the policy"),      # 1 GiB of memory
    (f"scrypt$1000$8$1${'ab' * 16}${'cd' * 64}", "outside the policy"),         # N no power of two
    (f"scrypt${2**14}$8$1$zz${'cd' * 64}", "not of abflow's form"),
    ("plain-text-password", "not an scrypt hash"), (None, "not an scrypt hash")])
def test_a_stored_hash_outside_the_policy_is_never_run(stored, problem):
    from roles.storage import accounts
    assert problem in accounts.hash_problem(stored)
    assert accounts.check_password("anything", stored) is False
    assert accounts.hash_problem(accounts.hash_password("a-good-pass-1")) is None


def test_a_hash_of_an_older_cost_is_made_again_at_todays_on_a_good_sign_in(bianban):
    import hashlib
    import secrets
    from roles.storage import accounts
    salt = secrets.token_bytes(16)
    old = f"scrypt${2**14}$8$1${salt.hex()}${hashlib.scrypt(b'old-cost-pass-1', salt=salt, n=2**14, r=8, p=1).hex()}"
    add_account(bianban, "o", "placeholder-9z", "office", None, by=TESTER)
    with Session(bianban) as s, s.begin():
        s.get(AccountRow, "o").password_hash = old
    assert sign_in(bianban, "o", "old-cost-pass-1") is not None
    with Session(bianban) as s:
        assert s.get(AccountRow, "o").password_hash.startswith(f"scrypt${accounts._N}${accounts._R}${accounts._P}$")


def test_a_session_holds_until_it_expires_or_is_ended_by_sign_out_password_or_switch_off(bianban):
    from roles.storage.accounts import change_account, remove_account
    from roles.storage.sessions import end_session, session_account, session_token
    add_account(bianban, "h", "head-pass-1", "head", "bb05", by=TESTER)
    token = session_token(bianban, "h", hours=10)
    found, until = session_account(bianban, token)
    assert found.username == "h" and found.person == "bb05"
    assert "." not in token and len(token) >= 40  # random: no name, no expiry to forge
    forged = [token[:-1] + ("A" if token[-1] != "A" else "B"), "garbage", "zz.1.2", "x" * 10_000]
    assert [session_account(bianban, t) for t in forged] == [None] * len(forged)
    assert session_account(bianban, session_token(bianban, "h", hours=-1)) is None       # expired
    end_session(bianban, token)
    assert session_account(bianban, token) is None                                       # signed out: a copy is no use
    token, other = session_token(bianban, "h", hours=10), session_token(bianban, "h", hours=10)
    change_account(bianban, "h", "office", password="a-new-pass-99")                     # the office resets it
    assert session_account(bianban, token) is None and session_account(bianban, other) is None
    fresh = session_token(bianban, "h", hours=10)
    change_account(bianban, "h", "office", role="staff", person="bb05")                  # a role change keeps it
    assert session_account(bianban, fresh)[0].role == "staff"
    change_account(bianban, "h", "office", disabled=True)
    assert session_account(bianban, fresh) is None                                       # switched off
    change_account(bianban, "h", "office", disabled=False)
    assert session_account(bianban, fresh) is None                                       # and stays ended
    last = session_token(bianban, "h", hours=10)
    remove_account(bianban, "h", "office")
    assert session_account(bianban, last) is None
