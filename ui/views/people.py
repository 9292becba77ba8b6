"""For a section head: the section's A/B table and B loads, where pairs break the rules, which
people must not be away together, solver proposals to accept, and absences: enter them, import a
leave file, and see beforehand what a leave request would leave uncovered."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from roles import actions, clock
from roles.engines.load import DAY_MINUTES, OVER
from roles.engines.pairing import processes_of, section_steps
from roles.model import ABSENCE_REASONS, HALVES, Absence
from ui import cells
from ui.cells import show_table
from ui.i18n import person_name, section_label, t, when
from ui.leave_request import leave_request, overrun_rows
from ui.state import (account, choose_scoped, db, done_editing, editing, page, plain, refused, show_error, show_refusal,
                      workbook)

lg, index = page("page.people", versions=())  # the sections for the list; the chosen one's department below

sections = {s.id: s for d in index.departments for s in d.sections}
names = {s: section_label(index, s) for s in sections}
sid = choose_scoped(st, t("col.section", lg), names, "section", index, {x: x for x in names})
wb = workbook(departments=frozenset({index.department_of_section[sid]}))
members = wb.people_by_section.get(sid, [])
steps = section_steps(processes_of(wb, sid))
who = lambda pid: person_name(wb, pid)  # noqa: E731



def half(cell) -> str | None:
    """A half-day cell of the absence table: "am", "pm", or None for a whole day (an empty cell)."""
    return cell if cell in HALVES else None


def calendar(absences: list[Absence], today: dt.date) -> None:
    """Who is away when: a bar per absence on a line per person, today marked."""
    if not absences:
        return
    import altair as alt
    person, start, end, reason = t("today.person", lg), t("people.from", lg), t("people.to", lg), t("people.reason", lg)
    noon = pd.Timedelta(hours=12)  # a leave from noon, or until noon, fills half its day
    frame = pd.DataFrame([{person: who(a.person),
                           start: pd.Timestamp(a.start) + (noon if a.start_half == "pm" else pd.Timedelta(0)),
                           "until": pd.Timestamp(a.end + dt.timedelta(days=1)) - (noon if a.end_half == "am" else pd.Timedelta(0)),
                           end: when(a.end, a.end_half, lg), reason: t(f"reason.{a.reason}", lg)} for a in absences])
    bars = alt.Chart(frame).mark_bar(cornerRadius=3).encode(
        y=alt.Y(f"{person}:N", title=None, sort=None),
        x=alt.X(f"{start}:T", title=None, axis=alt.Axis(format="%m-%d"),  # four weeks ahead at least
                scale=alt.Scale(domain=[pd.Timestamp(min(min(a.start for a in absences), today)).isoformat(),
                                        pd.Timestamp(max(max(a.end for a in absences) + dt.timedelta(days=1),
                                                         today + dt.timedelta(days=28))).isoformat()])),
        x2="until:T", color=alt.Color(f"{reason}:N", legend=alt.Legend(orient="top", title=None)),
        tooltip=[person, alt.Tooltip(f"{start}:T", format="%Y-%m-%d %H:%M"), end, reason])
    rule = alt.Chart(pd.DataFrame({"d": [pd.Timestamp(today)]})).mark_rule(color="#c62828").encode(x="d:T")
    st.altair_chart((bars + rule).properties(height=alt.Step(26)), width="stretch")


def daily_load() -> None:
    """The section's people × the next two weeks' workdays, coloured by load (100 % is 480 minutes
    a day), cover included: who will carry too much while others are away."""
    import altair as alt
    start = clock.today()
    days = actions.load(db(), account(), start=start, end=start + dt.timedelta(days=13),
                        department_id=index.department_of_section[sid])
    ids = {p.id for p in members}
    rows = [{"who": who(x.person), "day": d.date.strftime("%m-%d"), "load": round(x.load * 100),
             "cover": round(100 * x.cover / DAY_MINUTES)} for d in days for x in d.people if x.person in ids]
    st.subheader(t("people.daily_load", lg, n=len(days)))
    if not rows:
        st.caption(plain(t("people.no_load", lg)))
        return
    heat = alt.Chart(pd.DataFrame(rows)).mark_rect().encode(
        x=alt.X("day:O", title=None), y=alt.Y("who:N", title=None, sort=[who(p.id) for p in members]),
        color=alt.Color("load:Q", title="%", scale=alt.Scale(domain=[0, 60, 100, 120, 160],
                                                               range=["#f1f8e9", "#c5e1a5", "#ffe082", "#ef6c00", "#b71c1c"])),
        tooltip=[alt.Tooltip("who:N", title=t("today.person", lg)), alt.Tooltip("day:O", title=t("col.date", lg)),
                 alt.Tooltip("load:Q", title=t("people.load_pct", lg)),
                 alt.Tooltip("cover:Q", title=t("people.cover_pct", lg))])
    st.altair_chart(heat.properties(height=alt.Step(24)), width="stretch")
    over = sorted({who(x.person) for d in days for x in d.people if x.person in ids and x.load > OVER})
    if over:
        st.warning(plain(t("people.over_120", lg, who="、".join(over))))


def filing_form() -> None:
    """The section's AB filing form (AB角报备表), made when asked for; filing it is its head's act."""
    from roles.formats.filing import FORMATS
    f = st.columns([1, 1, 3])
    fmt = f[0].selectbox(t("filing.format", lg), FORMATS, key="filing_fmt", format_func=str.upper)
    record = actions.may_edit_section(wb, account(), sid)
    if f[1].button(t("filing.make", lg), key="filing_make", help=t("filing.make_help" if record else "filing.preview_help", lg)):
        with st.spinner(t("filing.making", lg)):
            try:
                form = actions.ab_filing(db(), account(), section_id=sid, fmt=fmt, language=lg, record=record)
                st.session_state["filing"] = (sid, fmt, form.data, len(form.changes))
            except actions.AbflowError as e:
                show_error(e)
    made = st.session_state.get("filing")
    if made and made[0] == sid:
        mime = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "pdf": "application/pdf"}[made[1]]
        f[2].download_button(t("filing.download", lg, changes=made[3]), made[2], f"{sid}-AB-filing.{made[1]}", mime,
                             key="filing_download", icon=":material/download:")


tab_ab, tab_res, tab_suggest, tab_leave = st.tabs([t("people.ab", lg), t("people.resilience", lg),
                                                   t("people.suggest", lg), t("people.absences", lg)])

with tab_ab:
    show_table(st, [{
        t("col.process", lg): p.name, t("col.step", lg): s.label,
        t("col.a", lg): who(s.a), t("col.b", lg): who(s.b),
        t("people.minutes", lg): (s.minutes or 0) * (s.per_month or 0)} for p, s in steps])
    filing_form()
    st.subheader(t("people.load", lg))
    paired = actions.pairing(db(), account(), section_id=sid)[0]
    show_table(st, [{
        t("pairing.person", lg): who(x.person), t("pairing.a_steps", lg): x.a_steps,
        t("pairing.a_minutes", lg): x.a_minutes, t("pairing.b_steps", lg): x.steps,
        t("pairing.b_minutes", lg): x.minutes} for x in paired.loads])
    if paired.issues:  # one note and one table for the section, not a box per finding
        st.warning(plain(t("people.pairing_issues", lg, n=len(paired.issues))))
        show_table(st, [{
            t("pairing.kind", lg): t(f"pairing.kind_{i.kind}", lg), t("col.a", lg): who(i.a), t("col.b", lg): who(i.b),
            t("col.message", lg): t(f"pairing.{i.kind}", lg, subject=i.subject, a=who(i.a), b=who(i.b))}
            for i in sorted(paired.issues, key=lambda i: (i.kind, i.a, i.b))])
    else:
        st.success(plain(t("people.pairing_ok", lg)))
    daily_load()

with tab_res:
    r = actions.resilience(db(), account(), section_id=sid)[0]
    m = st.columns(3)
    m[0].metric(t("resilience.k", lg), r.k)
    m[1].metric(t("resilience.k_standin", lg), r.k_with_standins)
    m[2].metric(t("resilience.pairs", lg), len(r.critical_pairs))
    st.caption(plain(t("resilience.note", lg)))
    if r.critical_pairs:
        show_table(st, [{t("people.pair", lg): f"{who(a)} + {who(b)}"} for a, b in r.critical_pairs])
    for pid, n in r.steps_at_risk.items():
        st.error(plain(t("people.alone", lg, who=who(pid), n=n)))

with tab_suggest:
    mode = st.radio(t("people.mode", lg), ["fill", "rebalance"], horizontal=True, key="mode",
                    format_func=lambda m: t(f"people.mode_{m}", lg))
    if st.button(t("people.propose", lg), key="propose"):
        with st.status(t("suggest.solving", lg)) as status:
            try:
                st.session_state["proposal"] = actions.propose(db(), account(), section_id=sid, mode=mode,
                                                               progress=lambda m: status.write(m.text(lg)))
                status.update(label=t("suggest.solved", lg), state="complete", expanded=False)
            except actions.AbflowError as e:
                st.session_state.pop("proposal", None)
                status.update(label=t("suggest.failed", lg), state="error")
                show_error(e)
    proposal = st.session_state.get("proposal")
    if proposal is not None and proposal.section == sid:
        st.info(plain(t("suggest.title", lg, section=sections[sid].name, status=t(f"suggest.{proposal.status}", lg),
                  seconds=f"{proposal.seconds:.1f}")))
        if proposal.peak_cover is not None:
            before, after = proposal.peak_cover
            (st.success if after < before else st.warning if after > before else st.caption)(
                plain(t("suggest.peak_cover", lg, before=f"{before:.0%}", after=f"{after:.0%}")))
        changes = proposal.changes
        if not changes:
            st.success(plain(t("people.no_changes", lg)))
        else:
            def holder(was: str | None, now: str | None) -> str:
                """The holder, and where the proposal changes it, whom it replaces."""
                return who(now) if was == now else f"{who(was)} → {who(now)}"

            def step_of(x) -> str:
                p = wb.process_by_id.get(x.process)
                s = p.after.step(x.step) if p is not None and p.after is not None else None
                return f"{x.step} {s.label}" if s is not None else x.step

            show_table(st, [{
                t("col.process", lg): f"{wb.process_by_id[x.process].name}（{x.process}）"
                if x.process in wb.process_by_id else x.process,
                t("col.step", lg): step_of(x),
                t("col.a", lg): holder(x.was_a, x.a), t("col.b", lg): holder(x.was_b, x.b)}
                for x in changes])
            if not actions.may_edit_section(wb, account(), sid):
                st.info(plain(t("readonly", lg)))
            elif st.button(t("people.accept", lg, n=len(changes)), key="accept", type="primary"):
                try:
                    reviewed = actions.review_required(db(), wb.department_of_section.get(sid))
                    saved = actions.accept_proposal(db(), account(), proposal=proposal, source="app: suggestion")
                    st.session_state.pop("proposal")
                    st.session_state["flash"] = t("suggest.submitted" if reviewed else "suggest.accepted", lg,
                                                  n=len(saved))
                    st.rerun()
                except actions.Conflict as e:
                    st.error(plain(t("people.conflict", lg, why=str(e))))
                except actions.AbflowError as e:
                    show_error(e)
    if flash := st.session_state.pop("flash", None):
        st.success(plain(flash))

with tab_leave:
    ids = [p.id for p in members]
    st.subheader(t("overrun.panel", lg))
    horizon = st.select_slider(t("overrun.horizon", lg), [5, 10, 20], value=10, key="overrun_days",
                               format_func=lambda n: t("overrun.workdays", lg, n=n))
    days = actions.workdays(db(), account(), start=clock.today(), end=clock.today() + dt.timedelta(days=3 * horizon))
    if days:
        report = actions.overrun(db(), account(), start=days[0], end=days[min(horizon, len(days)) - 1],
                                 department_id=index.department_of_section[sid])
        late = [(p, c) for p in report.processes for c in p.late]
        if not report.processes:
            st.caption(plain(t("overrun.no_limits", lg)))
        elif not late:
            st.success(plain(t("overrun.none", lg, start=report.start, end=report.end, n=len(report.processes))))
        else:
            st.warning(plain(t("overrun.summary", lg, n=len(late), processes=len({p.process for p, _ in late}),
                               start=report.start, end=report.end)))
            show_table(st, overrun_rows(late, lg))
            st.caption(plain(t("overrun.because", lg) + "；".join(
                f"{person_name(wb, a.person)} {a.start:%m-%d}–{a.end:%m-%d}" for a in report.absences)))
    st.subheader(t("people.whatif", lg))
    leave_request(wb, lg, ids, "wi")
    if flash := st.session_state.pop("flash_leave", None):
        st.success(plain(flash))
    upload = st.file_uploader(t("people.ics", lg), type=[x.lstrip(".") for x in actions.LEAVE_SUFFIXES], key="ics")
    if upload is not None and st.button(t("people.import_ics", lg), key="import_ics"):
        try:
            found, n = actions.import_leave(db(), account(), data=upload.getvalue(), name=upload.name)
            st.session_state["flash_leave"] = t("absences.imported", lg, file=upload.name, n=len(found), added=n)
            st.rerun()
        except actions.AbflowError as e:
            show_error(e)
    sources = actions.leave_sources() if actions.is_office(account()) else []
    if sources:  # approved leave from the OA, at once
        if st.button(t("people.pull_leave", lg, sources="、".join(sources)), key="pull_leave"):
            try:
                with st.spinner(t("people.pulling", lg)):
                    got = actions.pull_leave(db(), account())
                st.session_state["flash_leave"] = t("leave.pulled", lg, added=got.added, changed=got.changed,
                                                    removed=got.removed, unchanged=got.unchanged)
                st.session_state["pulled_unmapped"] = [t("leave.unmapped", lg, **x) for x in got.unmapped] + \
                    [t("leave.unreadable", lg, why=why) for why in got.unreadable]
                st.rerun()
            except actions.AbflowError as e:
                show_error(e)
        for line in st.session_state.pop("pulled_unmapped", []):
            st.warning(plain(line))

    st.subheader(t("people.away", lg))
    today = clock.today()
    ids_set = set(ids)
    show_past = st.toggle(t("people.show_past", lg), key="show_past")
    shown = sorted((a for a in wb.absences if a.person in ids_set and (show_past or a.end >= today)),
                   key=lambda a: (a.start, a.person))
    calendar(shown, today)
    # The table edits a snapshot of the absences shown, renewed when the data changes and nothing is
    # being edited (so rows never shift under an edit). Saving removes the rows taken out or changed
    # and adds the new ones, refused whole when someone changed one of them meanwhile.
    snap_key = f"absences:{sid}:{show_past}"
    base, editor_key = editing(snap_key, shown)
    cols = {"person": t("today.person", lg), "start": t("people.from", lg), "start_half": t("people.start_half", lg),
            "end": t("people.to", lg), "end_half": t("people.end_half", lg), "reason": t("people.reason", lg)}
    edited = st.data_editor(
        pd.DataFrame([{"person": a.person, "start": a.start, "start_half": a.start_half, "end": a.end,
                       "end_half": a.end_half, "reason": a.reason} for a in base], columns=list(cols)),
        num_rows="dynamic", hide_index=True, width="stretch", placeholder="", key=editor_key,
        column_config={
            "person": st.column_config.SelectboxColumn(cols["person"], options=ids, required=True, format_func=who),
            "start": st.column_config.DateColumn(cols["start"], required=True, format="YYYY-MM-DD"),
            "end": st.column_config.DateColumn(cols["end"], required=True, format="YYYY-MM-DD"),
            # empty: the whole day; "pm": from noon on the first day; "am": until noon on the last
            "start_half": st.column_config.SelectboxColumn(cols["start_half"], options=["pm"],
                                                           format_func=lambda x: t("people.half.pm", lg)),
            "end_half": st.column_config.SelectboxColumn(cols["end_half"], options=["am"],
                                                         format_func=lambda x: t("people.half.am", lg)),
            "reason": st.column_config.SelectboxColumn(cols["reason"], options=[*ABSENCE_REASONS, actions.WITHHELD],
                                                       required=True,
                                                       default="leave", format_func=lambda r: t(f"reason.{r}", lg))})
    rows = [Absence(r["person"], start, end, r["reason"] or "leave", half(r.get("start_half")), half(r.get("end_half")))
            for r in edited.to_dict("records")
            if r.get("person") and (start := cells.date(r.get("start"))) and (end := cells.date(r.get("end")))]
    removed = [a for a in base if a not in rows]
    added = [a for a in rows if a not in base]
    if removed or added:
        touched = sorted({a.person for a in removed + added})
        denied = [p for p in touched if not actions.may_edit_absence(wb, account(), p)]
        if denied:
            st.error(plain(t("people.not_yours", lg, who="、".join(who(p) for p in denied))))
        elif st.button(t("people.save_absences", lg, removed=len(removed), added=len(added)), key="save_absences",
                       type="primary"):
            try:
                actions.change_absences(db(), account(), removed=removed, added=added, source="app: absences")
                done_editing(snap_key)
                st.session_state["flash_leave"] = t("people.absences_saved", lg)
                st.rerun()
            except actions.Conflict:
                refused(snap_key, t("people.absences_conflict", lg))
            except actions.AbflowError as e:
                show_error(e)
    show_refusal(snap_key, t("designer.reload", lg))
    if not shown:
        st.caption(plain(t("people.nobody_away", lg)))
