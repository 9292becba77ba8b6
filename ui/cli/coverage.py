"""Commands about who acts: the roster, gaps, what-if, overruns, resilience, pairing and proposals, a
person's calendar, handovers."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from roles.model import HALVES

from ..i18n import off_day, person_label, t, when
from ..shapes import gaps_json, handovers_json, roster_json
from .base import (DATE, EXIT_PROBLEMS, Progress, _db, _row, _stdout, _today, _workbook, _write, emit_json, fail, guarded,
                   main, new_table)


@main.command()
@click.option("--date", "day", type=DATE, default=_today, show_default="today")
@click.option("--department", metavar="ID", help="Only this department.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def roster(ctx, day: dt.date, department: str | None, as_json: bool) -> None:
    """Who covers each redesigned step on a date."""
    from roles import actions
    r = actions.roster(*_db(ctx), day=day, department_id=department)
    if as_json:  # ids only: no names to look up
        emit_json(roster_json(r, day))
        return
    wb = _workbook(ctx, ())
    _say_estimated(r.calendar, day.year)
    if not r.workday:
        click.echo(t("not_workday", date=day, why=off_day(r.off)))
        return
    table = new_table(t("roster.title", date=day), ("process", "step", "a", "b", "status", "acting", "suggested"))
    from rich.text import Text
    from roles.engines.acting import STATUSES
    style = {"A": "", "named": "cyan", "B": "yellow", "up": "magenta", "gap": "bold red"}
    for d in r.steps:
        _row(table, f"{d.process_name} ({d.process})",
             f"{d.step} {d.step_name}" + (f" ({t('half.' + d.half)})" if d.half else ""), person_label(wb, d.a),
             person_label(wb, d.b), Text(t("status." + d.status), style=style[d.status]),
             person_label(wb, d.acting), person_label(wb, d.suggested) if d.suggested else "")
    console = _stdout()
    console.print(table)
    counts = {k: sum(d.status == k for d in r.steps) for k in STATUSES}
    console.print(t("roster.summary", total=len(r.steps), **counts))


def _say_estimated(source: str, *years: int) -> None:
    if source == "estimated":
        click.echo(t("calendar.estimated", years="、".join(str(y) for y in sorted(set(years)))), err=True)


def _print_gaps(wb, title: str, rows) -> None:
    table = new_table(title, ("date", "process", "step", "a", "b", "suggested"))
    for g in rows:
        _row(table, when(g.date, g.half), f"{g.process_name} ({g.process})", f"{g.step} {g.step_name}",
                      person_label(wb, g.a), person_label(wb, g.b),
                      person_label(wb, g.suggested) if g.suggested else "")
    _stdout().print(table)


def _range_command(fn):
    """A command about the workdays from --from to --to, the whole city's or one --department's,
    for people or (--json) for scripts."""
    fn = click.pass_context(guarded(fn))
    for option in (click.option("--json", "as_json", is_flag=True),
                   click.option("--department", metavar="ID", help="Only this department."),
                   click.option("--to", "end", type=DATE, required=True),
                   click.option("--from", "start", type=DATE, required=True)):
        fn = option(fn)
    return main.command()(fn)


@_range_command
def gaps(ctx, start: dt.date, end: dt.date, department: str | None, as_json: bool) -> None:
    """Every workday and step in the range that nobody covers."""
    from roles import actions
    found = actions.gaps(*_db(ctx), start=start, end=end, department_id=department)
    source = actions.calendar(*_db(ctx), start=start, end=end)
    if as_json:
        emit_json(gaps_json(found, start, end, source))
        return
    _say_estimated(source, start.year, end.year)
    if not found:
        click.echo(t("gaps.none", start=start, end=end))
    else:
        _print_gaps(_workbook(ctx, ()), t("gaps.title", start=start, end=end), found)


@click.option("--summary", is_flag=True, help="Per person: days over 100 % and 120 %, the peak and how much is "
                                                 "cover; per section: the peak and who carries it.")
@_range_command
def load(ctx, start: dt.date, end: dt.date, department: str | None, as_json: bool, summary: bool = False) -> None:
    """The load on whoever acts: each workday's minutes per person (A, stand-in, B or up), from the
    steps' minutes and monthly counts; 100% is a working day of 480 minutes."""
    from roles import actions
    if summary:
        _load_summary(ctx, start, end, department, as_json)
        return
    days = actions.load(*_db(ctx), start=start, end=end, department_id=department)
    if as_json:
        emit_json({"from": start.isoformat(), "to": end.isoformat(),
                   "days": [{"date": d.date.isoformat(),
                             "people": [{"person": x.person, "minutes": round(x.minutes, 2), "load": round(x.load, 4)}
                                        for x in d.people]} for d in days]})
        return
    wb = _workbook(ctx, ())
    table = new_table(t("load.title", start=start, end=end), ("date", "person", "minutes", "load"))
    for d in days:
        for x in d.people:
            _row(table, d.date.isoformat(), person_label(wb, x.person), f"{x.minutes:.0f}", f"{x.load:.0%}")
    _stdout().print(table)


def _load_summary(ctx, start: dt.date, end: dt.date, department: str | None, as_json: bool) -> None:
    from roles import actions
    people, sections = actions.load_summary(*_db(ctx), start=start, end=end, department_id=department)
    if as_json:
        emit_json({"from": start.isoformat(), "to": end.isoformat(),
                   "people": [{"person": x.person, "days": x.days, "over_100": x.over_full, "over_120": x.over,
                               "peak": round(x.peak, 4), "peak_date": x.peak_date.isoformat(),
                               "cover_share": round(x.cover_share, 4)} for x in people],
                   "sections": [{"section": x.section, "person": x.person, "date": x.date.isoformat(),
                                 "load": round(x.load, 4)} for x in sections]})
        return
    wb = _workbook(ctx, ())
    table = new_table(t("load.summary", start=start, end=end), ("person", "days", "over_100", "over_120", "peak",
                                                               "cover_share"), words="load", left=("person",))
    for x in people:
        _row(table, person_label(wb, x.person), x.days, x.over_full, x.over, f"{x.peak:.0%} ({x.peak_date:%m-%d})",
             f"{x.cover_share:.0%}")
    _stdout().print(table)


@main.command()
@click.option("--person", required=True, metavar="ID")
@click.option("--from", "start", type=DATE, required=True)
@click.option("--to", "end", type=DATE, required=True)
@click.option("--start-half", type=click.Choice(HALVES), help="pm: the leave begins at noon")
@click.option("--end-half", type=click.Choice(HALVES), help="am: the leave ends at noon")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def whatif(ctx, person: str, start: dt.date, end: dt.date, start_half: str | None, end_half: str | None,
           as_json: bool) -> None:
    """The gaps a proposed absence would add, before the leave is approved; and whether it puts a
    head and their paired deputy away together, and which cases it would make late."""
    from roles import actions
    found = actions.leave_check(*_db(ctx), person_id=person, start=start, end=end, start_half=start_half,
                                end_half=end_half)
    added = found.gaps
    source = actions.calendar(*_db(ctx), start=start, end=end)
    if as_json:
        emit_json({"person": person, **gaps_json(added, start, end, source),
                   "leaders_apart": [{"date": x.date.isoformat(), "head": x.head, "deputy": x.deputy}
                                     for x in found.leaders_apart],
                   "late_cases": [{"process": p.process, "start": c.start.isoformat(), "end": c.end.isoformat(),
                                   "over": c.over} for p, c in found.late]})
        return
    _say_estimated(source, start.year, end.year)
    wb = _workbook(ctx, ())
    if found.late:
        click.echo(t("overrun.leave", person=person_label(wb, person), n=len(found.late)))
        for p, c in found.late:
            click.echo(f"  {p.name} ({p.process}) {c.start} +{c.over:g}")
    for x in found.leaders_apart:
        click.echo(t("leaders.together", date=x.date, head=person_label(wb, x.head), deputy=person_label(wb, x.deputy)))
    if not added:
        click.echo(t("whatif.none", person=person_label(wb, person), start=start, end=end))
    else:
        _print_gaps(wb, t("whatif.title", person=person_label(wb, person), start=start, end=end), added)


def overrun_json(report, wb=None) -> dict:
    """`abflow overrun --json` (cli spec), with each late case and the absences that cause it (and,
    with the workbook `wb`, each absent person's department: a matter's run through several)."""
    def days(x: float):
        return int(x) if float(x).is_integer() else x
    return {"from": report.start.isoformat(), "to": report.end.isoformat(),
            "processes": [{"process": p.process, "name": p.name, "section": p.section, "department": p.department,
                           "promised_days": p.promised_days, "cases": len(p.cases), "late": len(p.late),
                           "worst_days": days(p.worst_days), "overdue_steps": p.overdue,
                           "late_cases": [{"start": c.start.isoformat(), "end": c.end.isoformat(), "days": days(c.days),
                                           "over": days(c.over), "absences": list(c.absences)} for c in p.late]}
                          for p in report.processes],
            "absences": [{"person": a.person, "start": a.start.isoformat(), "end": a.end.isoformat(),
                          "reason": a.reason, "late_cases": n}
                         | ({"department": wb.department_of_person(a.person)} if wb is not None else {})
                         for a, n in zip(report.absences, report.late_cases_of(), strict=True)]}


@_range_command
@click.option("--matter", "matter_id", metavar="M", help="A matter done once (一件事) across departments, not processes.")
def overrun(ctx, start: dt.date, end: dt.date, department: str | None, as_json: bool, matter_id: str | None) -> None:
    """Which processes would miss their promised time limit because of who is away: a case started
    on each workday of the range, moved along the process's longest route; with --matter, cases
    of that matter, its parts in their own departments."""
    from roles import actions
    if matter_id is not None and department is not None:
        fail("--matter and --department: a matter spans its departments; give one of them")
    if matter_id is None:
        report = actions.overrun(*_db(ctx), start=start, end=end, department_id=department)
    else:
        report = actions.matter_overrun(*_db(ctx), matter_id=matter_id, start=start, end=end)
    if as_json:
        emit_json(overrun_json(report, _workbook(ctx, ())) | ({"matter": matter_id} if matter_id else {}))
        return
    _say_estimated(actions.calendar(*_db(ctx), start=start, end=end), start.year, end.year)
    late = sorted((p for p in report.processes if p.late), key=lambda p: (-len(p.late), -p.worst_days))
    if not report.processes:
        click.echo(t("matter.no_limit" if matter_id else "overrun.no_limits"))
        return
    if not late:
        click.echo(t("matter.on_time", start=start, end=end, promised=report.processes[0].promised_days) if matter_id
                   else t("overrun.none", start=start, end=end, n=len(report.processes)))
        return
    wb = _workbook(ctx, ())
    table = new_table(t("overrun.title", start=start, end=end), ("process", "promised", "cases", "late", "worst", "late_starts"), words="overrun.col", left=("process", "late_starts"))
    for p in late:
        _row(table, f"{p.name} ({p.process})", p.promised_days, len(p.cases), len(p.late), f"{p.worst_days:g}",
             ", ".join(c.start.strftime("%m-%d") for c in p.late))
    _stdout().print(table)
    if report.absences:
        table = new_table(t("overrun.causes"), ("person", "department", "from", "to", "late"), words="overrun.col")
        for a, n in zip(report.absences, report.late_cases_of(), strict=True):
            dept = wb.department_by_id.get(wb.department_of_person(a.person) or "")
            _row(table, person_label(wb, a.person), dept.name if dept else "—", a.start.isoformat(), a.end.isoformat(), n)
        _stdout().print(table)


@main.command()
@click.option("--section", metavar="ID", help="Only this section.")
@click.option("--reform", is_flag=True, help="Sections before the reform against the big sections.")
@click.option("--from", "start", type=DATE, default=None, help="With --reform: from this day (default: a year ago).")
@click.option("--to", "end", type=DATE, default=None, help="With --reform: to this day (default: today).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def resilience(ctx, section: str | None, as_json: bool, reform: bool, start: dt.date | None, end: dt.date | None) -> None:
    """Which people must not be away together; sections weakest first. With --reform, the sections
    before the reform against the big sections, over a year of recorded absences."""
    from roles import actions
    if reform:
        if section is not None:
            fail("--reform and --section: the comparison is of every section before and after; give one of them")
        doc = actions.reform_resilience(*_db(ctx), start=start, end=end)
        if as_json:
            emit_json(doc)
        else:
            print_reform_resilience(doc)
        return
    if start is not None or end is not None:
        fail("--from and --to go with --reform")
    found = actions.resilience(*_db(ctx), section_id=section)
    wb = _workbook(ctx, ())
    if as_json:
        emit_json({"sections": [{"section": r.section, "department": wb.department_of_section.get(r.section),
                                 "people": r.people, "steps": r.steps, "k": r.k,
                                 "k_with_standins": r.k_with_standins,
                                 "critical_pairs": [list(p) for p in r.critical_pairs],
                                 "steps_at_risk": r.steps_at_risk, "exposure": r.exposure,
                                 "unheld": list(r.unheld)} for r in found]})
        return
    table = new_table(t("resilience.title"), ("section", "people", "k", "k_standin", "pairs", "exposed", "at_risk"), words="resilience", left=("section", "exposed", "at_risk"))
    for r in found:
        sec = wb.section_by_id[r.section]
        name = lambda pid: wb.person_by_id[pid].name if pid in wb.person_by_id else pid  # noqa: E731
        exposed = " ".join(f"{name(p)}×{n}" for p, n in list(r.exposure.items())[:3])
        at_risk = " ".join(f"{name(p)}×{n}" for p, n in r.steps_at_risk.items())
        _row(table, f"{sec.name} ({r.section})", r.people, r.k, r.k_with_standins, len(r.critical_pairs),
             exposed, at_risk)
    console = _stdout()
    console.print(table)
    console.print(t("resilience.note"))


def print_reform_resilience(doc: dict) -> None:
    """Per department and for the city: two able people on every step every workday, and how many
    a section can lose, before → after."""
    def pair(r: dict, key: str) -> str:
        b, a = (r[v][key] if r[v] else None for v in ("before", "after"))
        shown = [("—" if x is None else f"{x:.1%}" if key == "share" else f"{x:g}") for x in (b, a)]
        return " → ".join(shown)
    table = new_table(t("reform_resilience.title", start=doc["from"], end=doc["to"], n=doc["workdays"]),
                      ("level", "sections", "share", "k_min", "k_mean"), words="reform_resilience", left=("level",))
    for name, r in [(t("report.city"), doc["city"])] + [(d["name"], d) for d in doc["departments"] if d["known"]]:
        _row(table, name, pair(r, "sections"), pair(r, "share"), pair(r, "k_min"), pair(r, "k_mean"))
    _stdout().print(table)
    unknown = [d["name"] for d in doc["departments"] if not d["known"]]
    if unknown:
        click.echo(t("reform_resilience.unknown", n=len(unknown), names="、".join(unknown[:5])))


@main.command()
@click.argument("person", metavar="PERSON")
@click.option("--from", "start", type=DATE, default=_today, show_default="today")
@click.option("--to", "end", type=DATE, default=None, help="Last day  [default: 60 days on]")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="File (default: stdout).")
@click.pass_context
@guarded
def ical(ctx, person: str, start: dt.date, end: dt.date | None, output: Path | None) -> None:
    """The person's A/B duties and cover days as iCalendar, for a phone calendar."""
    from roles import actions
    data = actions.duty_feed(*_db(ctx), person_id=person, start=start, end=end or start + dt.timedelta(days=59),
                             words=ical_words())
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        _write(output, data)
        click.echo(t("ical.done", file=output), err=True)


def ical_words():
    from roles.formats.ical import Words
    return Words(**{k: t(f"ical.{k}") for k in Words.__dataclass_fields__})


@main.command()
@click.option("--section", metavar="ID", help="Only this section.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def pairing(ctx, section: str | None, as_json: bool) -> None:
    """Where A/B pairs break the reform's pairing rules, and each person's B load."""
    from roles import actions
    report = [(r.section, r.issues, r.loads) for r in actions.pairing(*_db(ctx), section_id=section)]
    wb = _workbook(ctx, ())
    if as_json:
        emit_json({"sections": [{"section": sid, "issues": [i.__dict__ for i in issues],
                                 "load": [x.__dict__ for x in loads]} for sid, issues, loads in report]})
    else:
        console = _stdout()
        for sid, issues, loads in report:
            table = new_table(f"{wb.section_by_id[sid].name} ({sid})", ("person", "a_steps", "a_minutes", "b_steps", "b_minutes"), words="pairing", left=("person",))
            for x in loads:
                _row(table, person_label(wb, x.person), x.a_steps, f"{x.a_minutes:.0f}", x.steps, f"{x.minutes:.0f}")
            console.print(table)
            for i in issues:
                console.print(t(f"pairing.{i.kind}", subject=i.subject, a=person_label(wb, i.a),
                                b=person_label(wb, i.b)), style="yellow", markup=False)
    if any(issues for _, issues, _ in report):
        sys.exit(EXIT_PROBLEMS)


@main.command()
@click.option("--section", required=True, metavar="ID")
@click.option("--mode", type=click.Choice(["fill", "rebalance"]), default="fill", show_default=True,
              help="fill: only steps that lack a holder; rebalance: every step, changing as few as it can.")
@click.option("--time-limit", type=click.FloatRange(0.1, 600), default=5.0, show_default=True, metavar="SECONDS")
@click.option("--accept", is_flag=True, help="Store the proposal (the section head's acceptance).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def suggest(ctx, section: str, mode: str, time_limit: float, accept: bool, as_json: bool) -> None:
    """Propose A and B holders for a section's steps (OR-Tools CP-SAT); store them with --accept."""
    from roles import actions
    db = _db(ctx)
    with Progress() as progress:
        progress(t("suggest.solving"))
        found = actions.propose(*db, section_id=section, mode=mode, time_limit=time_limit, progress=progress)
    saved = []
    if accept and found.changes:
        saved = actions.accept_proposal(*db, proposal=found, source=f"suggest --section {section}")
    wb = _workbook(ctx, ())
    if as_json:
        emit_json({"section": section, "mode": mode, "status": found.status, "seconds": round(found.seconds, 3),
                   "one_way_pairs": found.one_way_pairs, "accepted": saved,
                   "assignments": [{"process": x.process, "step": x.step, "a": x.a, "b": x.b,
                                    "was_a": x.was_a, "was_b": x.was_b, "changed": x.changed}
                                   for x in found.assignments],
                   "load": [{"person": p, "a_minutes": a, "b_minutes": b} for p, (a, b) in found.loads.items()],
                   "peak_cover": None if found.peak_cover is None else
                   {"before": round(found.peak_cover[0], 4), "after": round(found.peak_cover[1], 4)}})
        return
    console = _stdout()
    table = new_table(t("suggest.title", section=section, status=t(f"suggest.{found.status}"),
                          seconds=f"{found.seconds:.1f}"), ("process", "step", "a", "b"))
    for x in found.changes:
        _row(table, x.process, x.step, f"{person_label(wb, x.was_a)} → {person_label(wb, x.a)}",
             f"{person_label(wb, x.was_b)} → {person_label(wb, x.b)}")
    console.print(table)
    if found.peak_cover is not None:
        console.print(t("suggest.peak_cover", before=f"{found.peak_cover[0]:.0%}", after=f"{found.peak_cover[1]:.0%}"))
    console.print(t("suggest.accepted", n=len(saved)) if accept else t("suggest.how_to_accept", n=len(found.changes)))


@main.command("handovers")
@click.option("--open", "open_only", is_flag=True, help="Only those not confirmed yet.")
@click.option("--department", metavar="ID", help="Only this department's people.")
@click.option("--refresh", is_flag=True, help="First open the handovers recorded absences call for (the daily job does).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@guarded
def handovers_list(ctx, open_only: bool, department: str | None, refresh: bool, as_json: bool) -> None:
    """Handovers (交接单): one per absence that someone acts for, newest first."""
    from roles import actions
    if refresh:
        actions.open_handovers(*_db(ctx))
    found = actions.handovers(*_db(ctx), open_only=open_only, department_id=department)
    if as_json:
        emit_json(handovers_json(found))
        return
    if not found:
        click.echo(t("handover.none"))
        return
    wb = _workbook(ctx, ())
    table = new_table(t("handover.title"), ("id", "person", "from", "to", "acting", "state"), words="handover.col")
    for h in found:
        _row(table, h.id, person_label(wb, h.person), h.start.isoformat(), h.end.isoformat(),
             "、".join(person_label(wb, p) for p in h.acting), t(f"handover.state.{h.state}"))
    _stdout().print(table)


@main.group()
def handover() -> None:
    """Fill in a handover: open items before leaving, the report (代行情况) on return, the confirmation."""


def _handover_step(name: str, help_text: str):
    """A command taking a handover ID and, optionally, the --revision it was read at (default:
    the current one: the CLI reads and writes at once)."""
    def wrap(fn):
        fn = click.pass_context(guarded(fn))
        fn = click.option("--revision", type=int, help="The revision read; refused if it changed since.")(fn)
        fn = click.option("--json", "as_json", is_flag=True)(fn)
        fn = click.argument("ident", metavar="ID", type=int)(fn)
        return handover.command(name, help=help_text)(fn)
    return wrap


def _revision(ctx, ident: int, revision: int | None) -> int:
    from roles import actions
    if revision is not None:
        return revision
    return actions.get_handover(*_db(ctx), handover_id=ident).revision


def _handover_said(h, as_json: bool) -> None:
    if as_json:
        emit_json({"handover": h.json()})
    else:
        click.echo(t("handover.saved", id=h.id, state=t(f"handover.state.{h.state}")))


@_handover_step("items", "Write the open items of handover ID (the person leaving).")
@click.option("--text", "text", required=True, help="The open items.")
def handover_items(ctx, ident: int, as_json: bool, revision: int | None, text: str) -> None:
    from roles import actions
    _handover_said(actions.handover_items(*_db(ctx), handover_id=ident, revision=_revision(ctx, ident, revision), items=text),
          as_json)


@_handover_step("report", "Record what was done for handover ID (代行情况), for the person who acted.")
@click.option("--text", "text", required=True, help="What was done.")
@click.option("--by", metavar="PERSON", help="Who acted, when the office records it for them.")
def handover_report(ctx, ident: int, as_json: bool, revision: int | None, text: str, by: str | None) -> None:
    from roles import actions
    _handover_said(actions.report_handover(*_db(ctx), handover_id=ident, revision=_revision(ctx, ident, revision),
                                  report=text, by=by), as_json)


@_handover_step("confirm", "Confirm the report of handover ID (the person back).")
def handover_confirm(ctx, ident: int, as_json: bool, revision: int | None) -> None:
    from roles import actions
    _handover_said(actions.confirm_handover(*_db(ctx), handover_id=ident, revision=_revision(ctx, ident, revision)), as_json)
