"""For a section head: the section's A/B table and B loads, where pairs break the rules, which
people must not be away together, solver proposals to accept, and absences: enter them, import a
leave file, and see beforehand what a leave request would leave uncovered."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from roles import store
from roles.assign import Unassignable, accepted_versions, suggest
from roles.ical import read_absences
from roles.model import ABSENCE_REASONS, Absence
from roles.pairing import b_loads, pairing_issues, processes_of, section_steps
from roles.resilience import section_resilience
from roles.roster import whatif
from roles.workbook.errors import Problem, WorkbookError
from flows.store import ConflictError
from ui.i18n import person_label, t
from roles.accounts import may_edit_absence, may_edit_section
from ui.state import account, engine, page

lg, wb = page("page.people")

sections = {s.id: s for d in wb.departments for s in d.sections}
sid = st.selectbox(t("col.section", lg), list(sections), key="section",
                   format_func=lambda s: f"{sections[s].name}（{s}）")
members = wb.people_by_section.get(sid, [])
procs = processes_of(wb, sid)
steps = section_steps(procs)
who = lambda pid: person_label(wb, pid)  # noqa: E731

tab_ab, tab_res, tab_suggest, tab_leave = st.tabs([t("people.ab", lg), t("people.resilience", lg),
                                                   t("people.suggest", lg), t("people.absences", lg)])

with tab_ab:
    st.dataframe(pd.DataFrame([{
        t("col.process", lg): f"{p.name}（{p.id}）", t("col.step", lg): f"{s.id} {s.label}",
        t("col.a", lg): who(s.a), t("col.b", lg): who(s.b),
        t("people.minutes", lg): (s.minutes or 0) * (s.per_month or 0)} for p, s in steps]),
        hide_index=True, width="stretch")
    st.subheader(t("people.load", lg))
    st.dataframe(pd.DataFrame([{
        t("pairing.person", lg): who(x.person), t("pairing.a_steps", lg): x.a_steps,
        t("pairing.a_minutes", lg): x.a_minutes, t("pairing.b_steps", lg): x.steps,
        t("pairing.b_minutes", lg): x.minutes} for x in b_loads(steps, members)]), hide_index=True, width="stretch")
    issues = pairing_issues(steps, wb.person_by_id)
    if issues:
        for i in issues:
            st.warning(t(f"pairing.{i.kind}", lg, subject=i.subject, a=who(i.a), b=who(i.b)))
    else:
        st.success(t("people.pairing_ok", lg))

with tab_res:
    r = section_resilience(sid, procs, members)
    m = st.columns(3)
    m[0].metric(t("resilience.k", lg), r.k)
    m[1].metric(t("resilience.k_standin", lg), r.k_with_standins)
    m[2].metric(t("resilience.pairs", lg), len(r.critical_pairs))
    st.caption(t("resilience.note", lg))
    if r.critical_pairs:
        st.dataframe(pd.DataFrame([{t("people.pair", lg): f"{who(a)} + {who(b)}"} for a, b in r.critical_pairs]),
                     hide_index=True, width="stretch")
    for pid, n in r.steps_at_risk.items():
        st.error(t("people.alone", lg, who=who(pid), n=n))

with tab_suggest:
    mode = st.radio(t("people.mode", lg), ["fill", "rebalance"], horizontal=True, key="mode",
                    format_func=lambda m: t(f"people.mode_{m}", lg))
    if st.button(t("people.propose", lg), key="propose"):
        with st.status(t("suggest.solving", lg)) as status:
            try:
                st.session_state["proposal"] = suggest(wb, sid, mode, progress=status.write)
                status.update(state="complete")
            except Unassignable as e:
                st.session_state.pop("proposal", None)
                status.update(state="error")
                st.error(str(e))
    proposal = st.session_state.get("proposal")
    if proposal is not None and proposal.section == sid:
        st.info(t("suggest.title", lg, section=sections[sid].name, status=t(f"suggest.{proposal.status}", lg),
                  seconds=f"{proposal.seconds:.1f}"))
        changes = proposal.changes
        if not changes:
            st.success(t("people.no_changes", lg))
        else:
            st.dataframe(pd.DataFrame([{
                t("col.process", lg): x.process, t("col.step", lg): x.step,
                t("col.a", lg): f"{who(x.was_a)} → {who(x.a)}", t("col.b", lg): f"{who(x.was_b)} → {who(x.b)}"}
                for x in changes]), hide_index=True, width="stretch")
            if not may_edit_section(wb, account(), sid):
                st.info(t("readonly", lg))
            elif st.button(t("people.accept", lg, n=len(changes)), key="accept", type="primary"):
                edits = accepted_versions(wb, proposal)
                try:
                    store.save_versions(engine(), [(p.id, "after", v, p.revisions.get("after")) for p, v in edits],
                                        "app: suggestion", user=account())
                    st.session_state.pop("proposal")
                    st.session_state["flash"] = t("suggest.accepted", lg, n=len(edits))
                    st.rerun()
                except ConflictError as e:
                    st.error(t("people.conflict", lg, why=str(e)))
    if flash := st.session_state.pop("flash", None):
        st.success(flash)

with tab_leave:
    ids = [p.id for p in members]
    st.subheader(t("people.whatif", lg))
    c = st.columns(3)
    person = c[0].selectbox(t("today.person", lg), ids, key="wi_person", format_func=who)
    start = c[1].date_input(t("people.from", lg), value=dt.date.today(), key="wi_from")
    end = c[2].date_input(t("people.to", lg), value=dt.date.today() + dt.timedelta(days=4), key="wi_to")
    if end < start:
        st.error(t("people.bad_range", lg))
    else:
        added = whatif(wb, person, start, end)
        if not added:
            st.success(t("whatif.none", lg, person=who(person), start=start, end=end))
        else:
            st.error(t("whatif.title", lg, person=who(person), start=start, end=end) + f"：{len(added)}")
            st.dataframe(pd.DataFrame([{
                t("col.date", lg): g.date.isoformat(), t("col.process", lg): g.process_name,
                t("col.step", lg): f"{g.step} {g.step_name}", t("col.a", lg): who(g.a), t("col.b", lg): who(g.b),
                t("col.suggested", lg): who(g.suggested)} for g in added]), hide_index=True, width="stretch")
        reason = st.selectbox(t("people.reason", lg), ABSENCE_REASONS, key="wi_reason",
                              format_func=lambda r: t(f"reason.{r}", lg))
        if not may_edit_absence(wb, account(), person):
            st.caption(t("readonly", lg))
        elif st.button(t("people.record", lg), key="record"):
            n = store.add_absences(engine(), [Absence(person, start, end, reason)], "app", user=account())
            st.session_state["flash_leave"] = t("absences.imported", lg, file="app", n=1, added=n)
            st.rerun()
    if flash := st.session_state.pop("flash_leave", None):
        st.success(flash)
    upload = st.file_uploader(t("people.ics", lg), type=["ics"], key="ics")
    if upload is not None and st.button(t("people.import_ics", lg), key="import_ics"):
        try:
            found = read_absences(upload.getvalue(), upload.name, wb)
            denied = sorted({a.person for a in found if not may_edit_absence(wb, account(), a.person)})
            if denied:
                raise WorkbookError([Problem(upload.name, f"absences of {p}", None, "person", t("readonly", lg))
                                     for p in denied])
            n = store.add_absences(engine(), found, upload.name, user=account())
            st.session_state["flash_leave"] = t("absences.imported", lg, file=upload.name, n=len(found), added=n)
            st.rerun()
        except WorkbookError as e:
            for p in e.problems:
                st.error(str(p))
    st.subheader(t("people.away", lg))
    today = dt.date.today()
    away = sorted((a for a in wb.absences if a.person in set(ids) and a.end >= today), key=lambda a: a.start)
    if away:
        st.dataframe(pd.DataFrame([{t("today.person", lg): who(a.person), t("people.from", lg): a.start.isoformat(),
                                    t("people.to", lg): a.end.isoformat(), t("people.reason", lg): t(f"reason.{a.reason}", lg)}
                                   for a in away]), hide_index=True, width="stretch")
    else:
        st.caption(t("people.nobody_away", lg))
