"""Review before a change goes live, on SQLite and PostgreSQL: a draft is submitted, then approved
by someone other than its author (the office, or the leader in charge of its department) or
returned; under review the live version is unchanged and the draft locked, whoever calls; a
department the office exempts publishes directly; comments; the AB filing form."""
from __future__ import annotations

import dataclasses
import shutil

import pytest

from flows.model import Version
from roles import actions
from roles.storage.accounts import add_account

from ..conftest import CORPUS, TESTER, require

OFFICE = actions.Account("office", "office")
OFFICE2 = actions.Account("office-2", "office")
HEAD_ZH = actions.Account("head-zh", "head", "bb01")   # head of bb-zh, which holds bb-p1
HEAD_JG = actions.Account("head-jg", "head", "bb05")   # head of bb-jg
STAFF = actions.Account("staff", "staff", "bb03")
LEADER = actions.Account("leader-bb", "leader", leads="bb")
LEADER_ELSEWHERE = actions.Account("leader-xx", "leader", leads="xx")


@pytest.fixture
def db(bianban):
    for name, role, person in (("head-zh", "head", "bb01"), ("head-jg", "head", "bb05"), ("staff", "staff", "bb03")):
        add_account(bianban, name, f"{name}-password-1", role, person, by=TESTER)
    add_account(bianban, "leader-bb", "leader-password-1", "leader", None, by=TESTER, leads="bb")
    return actions.open_database(bianban.url.render_as_string(hide_password=False))


def live(db, pid="bb-p1") -> Version:
    return actions.process_version(db, OFFICE, process_id=pid)[2]


def with_b(version: Version, step: str, b: str | None) -> Version:
    return Version(tuple(dataclasses.replace(s, b=b) if s.id == step else s for s in version.steps))


def drafted(db, who=HEAD_ZH, pid="bb-p1", version=None) -> Version:
    """A draft of `pid` saved by `who`: s1's B moved to bb02 unless `version` is given."""
    wb, p, v = actions.process_version(db, who, process_id=pid)
    new = version or with_b(v, "s1", "bb02")
    kept = actions.load_draft(db, who, process_id=pid, which="after")
    actions.save_draft(db, who, process_id=pid, which="after", version=new, base_revision=p.revisions["after"],
                       base=v, expected_draft=kept.revision if kept else 0)
    return new


def test_a_draft_goes_live_only_when_someone_else_approves_it(db):
    before = live(db)
    new = drafted(db)
    r = actions.submit_review(db, HEAD_ZH, process_id="bb-p1", comment="调整备岗")
    assert (r.state, r.kind, r.author) == ("submitted", "holders", "head-zh")
    assert live(db) == before  # under review the live version is unchanged
    for who in (HEAD_ZH, HEAD_JG, STAFF, LEADER_ELSEWHERE):  # the author, another head, staff, another leader
        with pytest.raises(actions.PermissionDenied):
            actions.approve_review(db, who, process_id="bb-p1")
    assert live(db) == before
    done = actions.approve_review(db, LEADER, process_id="bb-p1", comment="同意")
    assert (done.state, done.approver, done.revision) == ("approved", "leader-bb", 2)
    assert live(db) == new
    assert actions.load_draft(db, HEAD_ZH, process_id="bb-p1", which="after") is None
    trail = [(a.action, a.user) for a in actions.audit_trail(db, OFFICE)]
    assert ("review.submit", "head-zh") in trail and ("review.approve", "leader-bb") in trail
    assert ("process.save (review)", "leader-bb") in trail


def test_the_office_never_approves_its_own_submission(db):
    drafted(db, OFFICE)
    actions.submit_review(db, OFFICE, process_id="bb-p1")
    with pytest.raises(actions.PermissionDenied, match="someone else reviews"):
        actions.approve_review(db, OFFICE, process_id="bb-p1")
    assert actions.approve_review(db, OFFICE2, process_id="bb-p1").approver == "office-2"


def test_under_review_the_draft_is_locked_and_the_live_version_kept_from_every_caller(db):
    before = live(db)
    drafted(db)
    actions.submit_review(db, HEAD_ZH, process_id="bb-p1")
    version = data_version = db.data_version()
    with pytest.raises(actions.Conflict, match="submitted for review"):
        drafted(db)                                                  # the designer's draft save
    with pytest.raises(actions.Conflict):
        actions.discard_draft(db, HEAD_ZH, process_id="bb-p1", which="after")
    with pytest.raises(actions.Conflict):                            # the office's own BPMN import
        actions.import_bpmn(db, OFFICE, data=(CORPUS / "miwg-reference-A.1.0.bpmn").read_bytes(), name="a.bpmn",
                            process_id="bb-p1")
    with pytest.raises(actions.Conflict):                            # a second submission
        actions.submit_review(db, HEAD_ZH, process_id="bb-p1")
    with pytest.raises(actions.PermissionDenied):                    # publishing directly
        actions.publish_draft(db, HEAD_ZH, process_id="bb-p1", which="after", version=with_b(before, "s1", "bb02"),
                              expected_revision=1)
    assert live(db) == before and db.data_version() == data_version == version


def test_a_returned_draft_is_edited_and_submitted_again(db):
    drafted(db)
    actions.submit_review(db, HEAD_ZH, process_id="bb-p1")
    with pytest.raises(actions.BadInput, match="says why"):
        actions.return_review(db, LEADER, process_id="bb-p1", comment="  ")
    back = actions.return_review(db, LEADER, process_id="bb-p1", comment="s1 的备岗应为工作人员")
    assert (back.state, back.approver) == ("returned", "leader-bb")
    with pytest.raises(actions.BadInput, match="not waiting"):
        actions.approve_review(db, LEADER, process_id="bb-p1")
    second = drafted(db, version=with_b(with_b(live(db), "s1", "bb02"), "s4", "bb02"))  # unlocked: edited again
    actions.submit_review(db, HEAD_ZH, process_id="bb-p1")
    actions.approve_review(db, OFFICE, process_id="bb-p1")
    assert live(db) == second
    history = [(r.state, r.approver) for r in actions.reviews(db, STAFF, every=True) if r.process == "bb-p1"]
    assert history == [("approved", "office"), ("returned", "leader-bb")]
    latest = actions.reviews(db, STAFF)
    assert [r.state for r in latest] == ["approved"]
    assert [c.text for c in latest[0].comments] == ["s1 的备岗应为工作人员"]


def test_only_a_clean_changed_draft_is_submitted(db):
    with pytest.raises(actions.BadInput, match="no draft"):
        actions.submit_review(db, HEAD_ZH, process_id="bb-p1")
    drafted(db, version=live(db))
    with pytest.raises(actions.BadInput, match="changes nothing"):
        actions.submit_review(db, HEAD_ZH, process_id="bb-p1")
    drafted(db, version=with_b(live(db), "s2", None))  # a step with no B: lint finds it
    with pytest.raises(actions.BadInput, match="step s2"):
        actions.submit_review(db, HEAD_ZH, process_id="bb-p1")
    with pytest.raises(actions.PermissionDenied):
        actions.submit_review(db, HEAD_JG, process_id="bb-p1")
    assert actions.reviews(db, OFFICE) == []


def test_a_redesign_is_reviewed_as_a_process_an_ab_change_as_holders(db):
    v = live(db)
    drafted(db, version=Version(tuple(dataclasses.replace(s, name="收文登记并分办") if s.id == "s1" else s
                                      for s in v.steps)))
    assert actions.submit_review(db, HEAD_ZH, process_id="bb-p1").kind == "process"


def test_a_department_the_office_exempts_publishes_directly(db):
    v = live(db)
    new = with_b(v, "s1", "bb02")
    with pytest.raises(actions.PermissionDenied, match="reviews its changes"):
        actions.publish_draft(db, HEAD_ZH, process_id="bb-p1", which="after", version=new, expected_revision=1)
    with pytest.raises(actions.PermissionDenied):
        actions.set_review_policy(db, HEAD_ZH, department_id="bb", required=False)
    actions.set_review_policy(db, OFFICE, department_id="bb", required=False)
    assert actions.review_policy(db, STAFF) == {"bb": False}
    assert actions.publish_draft(db, HEAD_ZH, process_id="bb-p1", which="after", version=new,
                                 expected_revision=1) == 2
    assert live(db) == new


def test_a_head_imports_a_bpmn_file_as_a_draft_the_office_as_its_own_act(db, tmp_path):
    from flows.bpmn import write
    v = live(db)
    data = write(with_b(v, "s1", "bb02"), "bb-p1", "公文办理", {})
    with pytest.raises(actions.PermissionDenied):
        actions.import_bpmn(db, HEAD_ZH, data=data, name="p1.bpmn", process_id="bb-p1")
    got = actions.import_bpmn(db, HEAD_ZH, data=data, name="p1.bpmn", process_id="bb-p1", draft=True)
    assert got.revision == 1 and live(db) == v
    assert actions.draft_changes(db, STAFF, process_id="bb-p1").changes.changed == (("s1", ("b",)),)
    with pytest.raises(actions.BadInput, match="exists"):
        actions.import_bpmn(db, HEAD_ZH, data=data, name="p1.bpmn", process_id="new-p", section_id="bb-zh",
                            draft=True)
    actions.discard_draft(db, HEAD_ZH, process_id="bb-p1", which="after")
    assert actions.import_bpmn(db, OFFICE, data=data, name="p1.bpmn", process_id="bb-p1").revision == 2


def test_an_accepted_proposal_waits_for_review(db):
    before = {p: live(db, p) for p in ("bb-p1", "bb-p2")}
    proposal = actions.propose(db, OFFICE, section_id="bb-zh", mode="rebalance", time_limit=5)
    changed = actions.accept_proposal(db, HEAD_ZH, proposal=proposal, source="test")
    waiting = {r.process: r for r in actions.reviews(db, OFFICE, state="submitted")}
    assert set(waiting) == set(changed) and all(r.kind == "holders" for r in waiting.values())
    assert {p: live(db, p) for p in before} == before
    for pid in changed:
        actions.approve_review(db, LEADER, process_id=pid)
    assert any(live(db, p) != before[p] for p in changed) or not changed


def test_anyone_comments_and_the_author_or_a_reviewer_resolves(db):
    drafted(db)
    actions.submit_review(db, HEAD_ZH, process_id="bb-p1")
    c = actions.comment_review(db, STAFF, process_id="bb-p1", step="s1", text="s1 我周三不在")
    with pytest.raises(actions.NotFound):
        actions.comment_review(db, STAFF, process_id="bb-p1", step="s99", text="x")
    with pytest.raises(actions.BadInput):
        actions.comment_review(db, STAFF, process_id="bb-p1", text="x" * 3000)
    with pytest.raises(actions.PermissionDenied):
        actions.resolve_comment(db, HEAD_JG, comment_id=c.id)
    assert actions.resolve_comment(db, LEADER, comment_id=c.id).resolved_by == "leader-bb"
    [r] = actions.reviews(db, HEAD_JG)
    assert [(x.step, x.open) for x in r.comments] == [("s1", False)]


def test_a_leader_account_names_the_department_it_leads(db):
    with pytest.raises(actions.BadInput, match="in charge of"):
        actions.add_account(db, OFFICE, username="l2", password="leader-password-2", role="leader")
    with pytest.raises(actions.BadInput, match="no department 'nope'"):
        actions.add_account(db, OFFICE, username="l2", password="leader-password-2", role="leader", leads="nope")
    signed = actions.sign_in(db, "leader-bb", "leader-password-1")
    assert signed == LEADER


def test_the_ab_filing_form_lists_holders_approvals_and_changes_since_the_last(db, tmp_path):
    import io

    import docx
    import openpyxl
    first = actions.ab_filing(db, HEAD_ZH, section_id="bb-zh", fmt="xlsx")
    assert first.changes and all(c.was == (None, None) for c in first.changes)  # the first filing: all new
    book = openpyxl.load_workbook(io.BytesIO(first.data))
    cells = [[c for c in row if c is not None] for ws in book for row in ws.iter_rows(values_only=True)]
    assert ["公文办理", "收文登记", "孙晓燕", "李建军", "可"] in cells
    drafted(db)
    actions.submit_review(db, HEAD_ZH, process_id="bb-p1")
    actions.approve_review(db, LEADER, process_id="bb-p1")
    with pytest.raises(actions.PermissionDenied):
        actions.ab_filing(db, HEAD_JG, section_id="bb-zh", fmt="docx")
    second = actions.ab_filing(db, HEAD_ZH, section_id="bb-zh", fmt="docx")
    assert [(c.process, c.step, c.was, c.now) for c in second.changes] == [("bb-p1", "s1", ("bb03", "bb04"),
                                                                             ("bb03", "bb02"))]
    doc = docx.Document(io.BytesIO(second.data))
    assert [round(x.mm) for x in (doc.sections[0].page_width, doc.sections[0].page_height)] == [297, 210]  # A4
    cells = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    assert any(r[:2] == ["公文办理", "leader-bb"] for r in cells)  # the approval on record
    assert ["公文办理", "收文登记", "孙晓燕 / 李建军", "孙晓燕 / 钱立新"] in cells
    with pytest.raises(actions.BadInput, match="none of"):
        actions.ab_filing(db, HEAD_ZH, section_id="bb-zh", fmt="odt")
    require(shutil.which("soffice") is not None, "LibreOffice")
    from ..flows.test_printing import pages
    pdf = actions.ab_filing(db, OFFICE, section_id="bb-zh", fmt="pdf", record=False)
    text = "".join(c.get_text() for _, chars, _ in pages(pdf.data) for c in chars).replace(" ", "")
    assert "AB角报备表" in text and "收文登记" in text and "leader-bb" in text
    import subprocess  # and LibreOffice opens the Excel form too: its first sheet, read back as text
    (tmp_path / "form.xlsx").write_bytes(actions.ab_filing(db, OFFICE, section_id="bb-zh", fmt="xlsx",
                                                           record=False).data)
    subprocess.run([shutil.which("soffice") or "soffice", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path),
                    str(tmp_path / "form.xlsx")],
                   check=True, capture_output=True, timeout=120)
    assert "综合科 AB角报备表" in (tmp_path / "form.csv").read_text("utf-8")


def test_the_cli_refuses_an_approval_by_its_author_with_exit_2(cli, bianban, tmp_path):
    exported = tmp_path / "p1.bpmn"
    assert cli("bpmn", "export", "bb-p1", "-o", str(exported)).exit_code == 0
    changed = tmp_path / "p1b.bpmn"
    changed.write_text(exported.read_text().replace('abflow:b="bb04"', 'abflow:b="bb02"'))
    assert cli("bpmn", "import", str(changed), "--process", "bb-p1", "--draft").exit_code == 0
    before = cli.json("roster", "--date", "2026-12-08")
    assert cli("review", "submit", "bb-p1", "--comment", "调整").exit_code == 0
    refused = cli("review", "approve", "bb-p1")
    assert refused.exit_code == 2 and "someone else" in refused.stderr
    [r] = cli.json("review", "list")["reviews"]
    assert {k: r[k] for k in ("process", "kind", "state", "approver", "decided")} == {
        "process": "bb-p1", "kind": "holders", "state": "submitted", "approver": None, "decided": None}
    assert r["comments"][0]["text"] == "调整" and r["author"].startswith("cli:")
    assert cli.json("roster", "--date", "2026-12-08") == before
    add_account(bianban, "wang", "leader-password-9", "leader", None, by=TESTER, leads="bb")
    wrong = cli("--as", "wang", "review", "approve", "bb-p1", env={"ABFLOW_PASSWORD": "not-it-at-all"})
    assert wrong.exit_code == 2
    ok = cli("--as", "wang", "review", "approve", "bb-p1", env={"ABFLOW_PASSWORD": "leader-password-9"})
    assert ok.exit_code == 0, ok.output
    after = {(s["process"], s["step"]): s["b"] for s in cli.json("roster", "--date", "2026-12-08")["steps"]}
    assert after[("bb-p1", "s1")] == "bb02"
    assert cli.json("review", "list")["reviews"][0]["approver"] == "wang"


def test_the_print_pack_and_the_site_show_the_approval_on_record(cli, bianban, db, tmp_path):
    from ..flows.test_printing import pages
    drafted(db)
    actions.submit_review(db, HEAD_ZH, process_id="bb-p1")
    assert cli("print", "bb-p1", "--changes", "-o", str(tmp_path / "changes.pdf")).exit_code == 0
    text = "".join(page[2] for page in pages((tmp_path / "changes.pdf").read_bytes()))
    assert "现行 · 4 环节" in text and "草稿 · 4 环节（绿色新增 0 个，橙色修改 1 个）" in text
    actions.approve_review(db, LEADER, process_id="bb-p1")
    assert cli("print", "bb-p1", "-o", str(tmp_path / "p1.pdf")).exit_code == 0
    text = "".join(page[2] for page in pages((tmp_path / "p1.pdf").read_bytes()))
    assert "审核人leader-bb" in text.replace("\n", "") and "审批日期" in text
    typed = cli("print", "bb-p1", "--approver", "张三", "-o", str(tmp_path / "p2.pdf"))
    assert typed.exit_code == 2 and "on record" in typed.stderr
    assert cli("print", "bb-p2", "--approver", "张三", "-o", str(tmp_path / "p3.pdf")).exit_code == 0  # none on record
    assert cli("publish", "--out", str(tmp_path / "site")).exit_code == 0
    page = (tmp_path / "site" / "r1" / "p-bb-p1.html").read_text("utf-8")
    assert "审批：leader-bb，" in page and "（修订 2）" in page
    assert "审批：" not in (tmp_path / "site" / "r1" / "p-bb-p2.html").read_text("utf-8")
    index = (tmp_path / "site" / "r1" / "index.html").read_text("utf-8")
    assert "已批准的修改" in index and "公文办理" in index.split("已批准的修改")[1].split("</table>")[0]
    drafted(db, version=with_b(live(db), "s4", "bb02"))
    actions.submit_review(db, HEAD_ZH, process_id="bb-p1")
    actions.approve_review(db, OFFICE, process_id="bb-p1")
    assert cli("publish", "--out", str(tmp_path / "site")).exit_code == 0
    drawn = (tmp_path / "site" / "r2" / "svg" / "bb-p1.changes.svg").read_text("utf-8").lower()
    assert "#ef6c00" in drawn and "与第 1 版相比" in drawn  # what changed since release 1, drawn amber
    assert 'svg/bb-p1.changes.svg' in (tmp_path / "site" / "r2" / "p-bb-p1.html").read_text("utf-8")
    assert not (tmp_path / "site" / "r2" / "svg" / "bb-p2.changes.svg").exists()  # unchanged: no drawing
    since = (tmp_path / "site" / "r2" / "index.html").read_text("utf-8").split("第 1 版以来批准的修改")[1]
    assert "公文办理" in since.split("</table>")[0] and "office" in since.split("</table>")[0]
    assert cli("publish", "--out", str(tmp_path / "site")).exit_code == 0
    assert "第 2 版以来批准的修改</h2><p>无</p>" in (tmp_path / "site" / "r3" / "index.html").read_text("utf-8")


def test_every_sections_ab_list_is_filed_together_and_published(cli, bianban, db, tmp_path):
    with pytest.raises(actions.PermissionDenied):
        actions.ab_filing_all(db, HEAD_ZH, fmt="xlsx")
    done = cli("ab-filing", "--all", "-o", str(tmp_path / "forms"), "--format", "xlsx",
               "--publish", str(tmp_path / "site"))
    assert done.exit_code == 0, done.output
    assert sorted(f.name for f in (tmp_path / "forms").iterdir()) == ["bb-jd.xlsx", "bb-jg.xlsx", "bb-zh.xlsx"]
    page = (tmp_path / "site" / "r1" / "d-bb.html").read_text("utf-8")
    assert page.count("首次报备") == 3
    drafted(db)
    actions.submit_review(db, HEAD_ZH, process_id="bb-p1")
    actions.approve_review(db, LEADER, process_id="bb-p1")
    assert cli("ab-filing", "bb-zh", "-o", str(tmp_path / "zh.xlsx")).exit_code == 0
    assert cli("publish", "--out", str(tmp_path / "site")).exit_code == 0
    page = (tmp_path / "site" / "r2" / "d-bb.html").read_text("utf-8")
    assert "较上次报备变化 1 处" in page and "公文办理 · 收文登记" in page
    assert "孙晓燕" in page.split("较上次报备变化 1 处")[1] and "钱立新" in page.split("较上次报备变化 1 处")[1]
    assert cli("ab-filing", "bb-zh", "--all", "-o", str(tmp_path / "x")).exit_code == 2  # one or all, not both


def test_the_half_yearly_filing_is_made_once_on_a_workday_of_its_half_year(db):
    import datetime as dt
    from roles import clock
    from roles.engines.roster import calendar_of
    cal, day = calendar_of(db.workbook(())), dt.timedelta(days=1)
    workday = rest = clock.today()  # the half-year the filings are recorded in (they are stamped now)
    while not cal.is_workday(workday):
        workday -= day
    while cal.is_workday(rest):
        rest -= day
    assert actions.ab_filing_all(db, OFFICE, fmt="xlsx", if_due=True, day=rest) == []        # no workday
    assert len(actions.ab_filing_all(db, OFFICE, fmt="xlsx", if_due=True, day=workday)) == 3  # due: filed
    assert actions.ab_filing_all(db, OFFICE, fmt="xlsx", if_due=True, day=workday) == []     # filed this half-year
    assert len(actions.ab_filing_all(db, OFFICE, fmt="xlsx", day=workday)) == 3              # unless asked outright
