"""The reform office's questions: the rules checked, steps and sections cut, the consolidation
report, work saturation, the power list, the Excel reports; and the exemptions it records."""
from __future__ import annotations

import datetime as dt
import io

from roles.engines import report as reports, stats as step_stats
from roles import clock
from roles.engines.powers import PowerFinding, check_powers
from roles.engines.reform_resilience import before_after
from roles.engines.rules import RULES, Finding, check as run_rules, department_of_subject
from roles.formats.excel import write_powers, write_report
from roles.model import POWER_CHANGES, Exemption, PowerChange
from roles.storage import organisation, power_changes as power_history
from roles.storage.database import Database
from flows import limits
from flows.model import VERSIONS
from flows.errors import BadInput, PermissionDenied, Problem

from roles.actor import approves

from .access import Account, require_office, whole, within
from .review import comment_text, review_required
from .coverage import check_range, department

__all__ = ["change_power", "check", "consolidation", "decide_power_change", "power_changes", "power_findings", "powers_xlsx", "reform_resilience",
           "report_xlsx", "saturation", "set_exemptions", "stats"]


def check(db: Database, actor: Account, *, rules: tuple[str, ...] = (), departments: tuple[str, ...] = ()
          ) -> list[Finding]:
    """The reform rules on the whole data; with `departments`, only the findings about those
    departments (their sections, people and processes), exactly as the whole check states them."""
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        raise BadInput(f"rule: no rule '{unknown[0]}' (rules: {', '.join(RULES)})")
    if actor.department is not None:  # the findings about its own department, and only those
        for d in departments:
            within(db, actor, department_id=d)
        departments = (actor.department,)
    wb = db.workbook()
    for d in departments:
        department(wb, d)
    asked = tuple(rules) or RULES
    findings = list(db.derived(("check", asked), VERSIONS, lambda w: run_rules(w, rules=asked)))
    if departments:
        findings = [f for f in findings if department_of_subject(wb, f.subject) in departments]
    return findings


def stats(db: Database, actor: Account) -> dict:
    whole(actor, "the city's step counts")
    return db.derived(("stats",), VERSIONS, step_stats.stats)


def consolidation(db: Database, actor: Account) -> dict:
    whole(actor, "the city's consolidation")
    return db.derived(("consolidation",), VERSIONS, reports.consolidation)


def reform_resilience(db: Database, actor: Account, *, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """Resilience before vs after the reform over the recorded absences from `start` to `end` (by
    default the year up to today): per section, department and city, the share of steps two able
    people cover every workday, and how many people a section can lose with no step uncovered."""
    whole(actor, "the city's resilience")
    end = end or clock.today()
    start = start or (end - dt.timedelta(days=365) + dt.timedelta(days=1))
    check_range(start, end)
    return db.derived(("reform_resilience", start, end), VERSIONS, lambda wb: before_after(wb, start, end))


def saturation(db: Database, actor: Account, *, hours: float = 174.0) -> dict:
    if not 1 <= hours <= 400:
        raise BadInput(f"hours: {hours} is not between 1 and 400 a month")
    whole(actor, "the city's saturation")
    settings = reports.SaturationSettings(hours_per_month=hours)
    return db.derived(("saturation", hours), ("after",), lambda wb: reports.saturation(wb, settings))


def report_xlsx(db: Database, actor: Account) -> bytes:
    """The consolidation report, saturation and step cuts as an Excel workbook."""
    whole(actor, "the city's report")
    out = io.BytesIO()
    write_report(db.workbook(), out)
    return out.getvalue()


def power_findings(db: Database, actor: Account) -> tuple[int, list[PowerFinding]]:
    """How many power items there are, and what each lacks."""
    whole(actor, "the city's list of powers")
    wb = db.workbook(("after",))  # the steps that exercise each power, and their holders
    return len(wb.powers), check_powers(wb)


def powers_xlsx(db: Database, actor: Account, *, since: dt.date | None = None) -> bytes:
    """The list as it stands (一表), with the names of the steps that exercise each power; with
    `since`, a second sheet of the changes made since that day (两单's 动态调整)."""
    whole(actor, "the city's list of powers")
    out = io.BytesIO()
    made = None if since is None else [c for c in power_changes(db, actor, since=since) if c.state == "approved"]
    write_powers(db.workbook(("after",)), out, made)
    return out.getvalue()


def change_power(db: Database, actor: Account, *, power_id: str, kind: str, document: str, date: dt.date,
                 note: str = "") -> PowerChange:
    """Record a change to the power list by the document that made it (the office's): a power
    added, cancelled, devolved (下放) or changed; a cancelled or devolved one leaves the list. Where
    the power's department reviews its changes it waits for the leader in charge of it or another
    of the office (`decide_power_change`), the list as it was."""
    require_office(actor, "change the list of powers")
    if kind not in POWER_CHANGES:
        raise BadInput(f"kind: must be one of {', '.join(POWER_CHANGES)}, not {limits.short(kind)}")
    if not document.strip():
        raise BadInput("document: the document that makes the change (文件依据) is required")
    if problem := limits.date_problem(date):
        raise BadInput(f"date: {problem}")
    power = next((p for p in db.workbook(()).powers if p.id == power_id), None)
    live = power is None or not review_required(db, power.department)  # no power: record says NotFound
    with db.write(actor) as tx:
        return power_history.record(tx, power_id, kind, document.strip()[:200], date, note.strip()[:500], live)


def decide_power_change(db: Database, actor: Account, *, change_id: int, approve: bool, note: str = "") -> PowerChange:
    """Approve a change of the power list waiting for review (it is made) or return it with a note:
    the office or the leader in charge of the power's department, never the change's author."""
    change = power_history.change_of(db.engine, change_id)
    power = next((p for p in db.workbook(()).powers if p.id == change.power), None)
    if change.recorded_by == actor.username or not approves(actor, power.department if power else None):
        raise PermissionDenied(f"{actor.username}: only the office or the leader in charge of the power's department "
                               "decides a change of the list, and never its author")
    said = comment_text(note, "note", needed=not approve)
    with db.write(actor) as tx:
        return power_history.decide(tx, change_id, approve, said)


def power_changes(db: Database, actor: Account, *, since: dt.date | None = None) -> list[PowerChange]:
    """The list's changes, oldest first (since a day, when given), those waiting for review and
    returned among them."""
    whole(actor, "the city's list of powers")
    return power_history.changes(db.engine, since)


def set_exemptions(db: Database, actor: Account, *, department_id: str, exemptions: list[Exemption],
                   expected: list[Exemption]) -> None:
    """Replace a department's exemptions (the office); `Conflict` if they changed since `expected`.
    Each names a reform rule and says why, in text that prints."""
    require_office(actor, "record exemptions")
    source = f"department {department_id}"
    problems = [Problem("app", f"{source}, exemption #{i}", None, "rule", f"'{e.rule}' is no reform rule")
                for i, e in enumerate(exemptions, 1) if e.rule not in RULES]
    problems += [Problem("app", f"{source}, exemption #{i}", None, "reason", "an exemption needs its reason")
                 for i, e in enumerate(exemptions, 1) if not (e.reason or "").strip()]
    problems += [Problem("app", f"{source}, exemption #{i}", None, key, problem)
                 for i, e in enumerate(exemptions, 1) for key, text in (("reason", e.reason), ("subject", e.subject))
                 if text and (problem := limits.text_problem(text))]
    if problems:
        raise BadInput(problems)
    with db.write(actor) as tx:
        organisation.set_exemptions(tx, department_id, exemptions, expected)
