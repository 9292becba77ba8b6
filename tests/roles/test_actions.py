"""The use-case layer refuses, for every caller, what an account may not do, and changes nothing
when it refuses; the office, and a head in their own section, are let through. Publishing is
refused while lint finds anything. Called directly, with no front end in between."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from flows.model import Step, Version
from roles import actions
from roles.model import Absence, Exemption
from roles.storage.accounts import add_account

from ..conftest import BIANBAN, CORPUS, TESTER

OFFICE = actions.Account("office", "office")
HEAD_JG = actions.Account("head-jg", "head", "bb05")   # head of bb-jg
STAFF = actions.Account("staff", "staff", "bb03")      # staff of bb-zh
D = dt.date


@pytest.fixture
def db(bianban):
    for name, role, person in (("head-jg", "head", "bb05"), ("staff", "staff", "bb03")):
        add_account(bianban, name, f"{name}-password-1", role, person, by=TESTER)
    return actions.open_database(bianban.url.render_as_string(hide_password=False))


def unchanged(db, before: int) -> bool:
    return db.data_version() == before


def refused(db, call, *args, **kw) -> None:
    before = db.data_version()
    with pytest.raises(actions.PermissionDenied):
        call(db, *args, **kw)
    assert unchanged(db, before)


def test_only_the_office_imports_exports_exemptions_and_demo(db):
    data = BIANBAN.read_bytes()
    for who in (HEAD_JG, STAFF):
        refused(db, actions.import_workbook, who, data=data, name="bianban.yaml")
        refused(db, actions.load_demo, who, today=D(2026, 11, 25))
        refused(db, actions.set_exemptions, who, department_id="bb", expected=[],
                exemptions=[Exemption("section-size", "small unit")])
        refused(db, actions.site_workbook, who)
        refused(db, actions.add_account, who, username="x", password="long-enough-1", role="staff", person_id="bb04")
        refused(db, actions.audit_trail, who)
        refused(db, actions.send_notices, who, day=D(2026, 11, 25), ahead=1, words=None)
    assert actions.import_workbook(db, OFFICE, data=data, name="bianban.yaml").departments == 1


def test_an_exemption_names_a_rule_and_says_why_or_nothing_changes(db):
    before = db.data_version()
    with pytest.raises(actions.BadInput) as refusal:
        actions.set_exemptions(db, OFFICE, department_id="bb", expected=[],
                               exemptions=[Exemption("no-such-rule", "small unit"), Exemption("section-size", "  ")])
    said = str(refusal.value)
    assert "exemption #1" in said and "'no-such-rule' is no reform rule" in said
    assert "exemption #2" in said and "needs its reason" in said
    assert unchanged(db, before)
    actions.set_exemptions(db, OFFICE, department_id="bb", expected=[], exemptions=[Exemption("section-size", "small unit")])
    assert not unchanged(db, before)


def test_a_head_edits_their_own_section_only(db):
    wb = actions.workbook(db, OFFICE)
    p1, p2 = wb.process_by_id["bb-p1"], wb.process_by_id["bb-p2"]   # bb-zh and bb-jg
    assert (p1.section, p2.section) == ("bb-zh", "bb-jg")
    for who, p in ((HEAD_JG, p1), (STAFF, p1), (STAFF, p2)):
        kw = dict(process_id=p.id, which="after", version=p.after)
        refused(db, actions.save_draft, who, base_revision=1, base=p.after, expected_draft=0, **kw)
        refused(db, actions.publish_draft, who, expected_revision=p.revisions["after"], **kw)
        refused(db, actions.import_bpmn, who, data=(CORPUS / "miwg-reference-A.1.0.bpmn").read_bytes(),
                name="a.bpmn", process_id=p.id)
    assert actions.save_draft(db, HEAD_JG, process_id=p2.id, which="after", version=p2.after,
                              base_revision=p2.revisions["after"], base=p2.after, expected_draft=0) == 1
    proposal = actions.propose(db, OFFICE, section_id="bb-zh", mode="rebalance", time_limit=5)
    refused(db, actions.accept_proposal, HEAD_JG, proposal=proposal, source="test")


def test_absences_are_changed_by_the_person_their_head_or_the_office(db):
    own = Absence("bb03", D(2026, 12, 7), D(2026, 12, 8), "leave")
    other = Absence("bb04", D(2026, 12, 7), D(2026, 12, 8), "leave")
    refused(db, actions.change_absences, STAFF, added=[other], source="test")
    refused(db, actions.change_absences, HEAD_JG, added=[own], source="test")  # bb03 is of bb-zh
    refused(db, actions.change_absences, STAFF, added=[own, other], source="test")  # all or nothing
    assert actions.change_absences(db, STAFF, added=[own], source="test") == 1
    leave = b"version: 1\nabsences:\n  - {person: bb04, start: 2026-12-09, end: 2026-12-10}\n"
    refused(db, actions.import_leave, STAFF, data=leave, name="leave.yaml")
    assert actions.import_leave(db, OFFICE, data=leave, name="leave.yaml")[1] == 1


def test_contacts_are_set_by_the_person_or_the_office(db):
    refused(db, actions.set_contacts, STAFF, person_id="bb04", urls=["json://localhost/x"])
    actions.set_contacts(db, STAFF, person_id="bb03", urls=["json://localhost/x"])
    refused(db, actions.contacts, STAFF)
    assert list(actions.contacts(db, OFFICE)) == ["bb03"]


def test_publishing_is_refused_while_lint_finds_anything(db):
    actions.set_review_policy(db, OFFICE, department_id="bb", required=False)  # published directly, no review
    wb = actions.workbook(db, OFFICE)
    p = wb.process_by_id["bb-p2"]
    one_holder = Version(tuple(dataclasses.replace(s, b=None) if s.id == "s5" else s for s in p.after.steps))
    before = db.data_version()
    with pytest.raises(actions.BadInput) as e:
        actions.publish_draft(db, HEAD_JG, process_id=p.id, which="after", version=one_holder,
                              expected_revision=p.revisions["after"])
    assert "step s5" in str(e.value) and db.data_version() == before
    broken = Version(p.after.steps + (Step("s9", "孤立", next=("nowhere",), a="bb08", b="bb09"),))
    with pytest.raises(actions.BadInput, match="nowhere"):
        actions.publish_draft(db, OFFICE, process_id=p.id, which="after", version=broken,
                              expected_revision=p.revisions["after"])
    assert actions.publish_draft(db, HEAD_JG, process_id=p.id, which="after", version=p.after,
                                 expected_revision=p.revisions["after"]) == p.revisions["after"] + 1


def test_questions_name_what_they_cannot_find(db):
    with pytest.raises(actions.NotFound, match="no department 'xx'"):
        actions.roster(db, STAFF, day=D(2026, 11, 25), department_id="xx")
    with pytest.raises(actions.NotFound, match="no person 'nobody'"):
        actions.whatif(db, STAFF, person_id="nobody", start=D(2026, 12, 1), end=D(2026, 12, 2))
    with pytest.raises(actions.BadInput, match="before it starts"):
        actions.gaps(db, STAFF, start=D(2026, 12, 2), end=D(2026, 12, 1))
    with pytest.raises(actions.BadInput, match="longer than"):
        actions.gaps(db, STAFF, start=D(1900, 1, 1), end=D(2100, 1, 1))
    with pytest.raises(actions.NotFound, match="no process 'nope'"):
        actions.process_version(db, STAFF, process_id="nope")


def test_why_someone_is_away_is_for_them_their_head_and_the_office(db, tmp_path):
    """Staff see that a colleague is away and who covers, not that it is sick leave."""
    sick = Absence("bb04", D(2026, 12, 7), D(2026, 12, 8), "sick")     # bb04: staff of bb-zh
    own = Absence("bb03", D(2026, 12, 9), D(2026, 12, 9), "training")  # bb03: the staff account
    actions.change_absences(db, OFFICE, added=[sick, own], source="test")
    reasons = lambda who: {(a.person, a.start): a.reason for a in actions.workbook(db, who).absences}  # noqa: E731
    assert reasons(OFFICE)[("bb04", D(2026, 12, 7))] == "sick"
    assert reasons(STAFF)[("bb04", D(2026, 12, 7))] == actions.WITHHELD     # away, but not why
    assert reasons(STAFF)[("bb03", D(2026, 12, 9))] == "training"           # their own
    assert reasons(HEAD_JG)[("bb04", D(2026, 12, 7))] == actions.WITHHELD   # another section's head
    head_zh = actions.Account("head-zh", "head", "bb01")
    assert reasons(head_zh)[("bb04", D(2026, 12, 7))] == "sick"              # their own section's
    exported = actions.export_workbook(db, STAFF, name="mine.yaml").decode("utf-8")
    assert "sick" not in exported and "training" in exported
    assert "sick" in actions.export_workbook(db, OFFICE, name="all.yaml").decode("utf-8")
    # Who covers is still plain to everyone: the roster carries no reasons at all.
    day = actions.roster(db, STAFF, day=D(2026, 12, 7))
    assert any(s.a == "bb04" and s.status == "B" for s in day.steps)
