"""Matters done once (一件事一次办) on the reform page: the list with each one's departments, stages
and 四减; one matter's parts by stage, its limit end to end, its charts and findings; its edit by
the lead department's head (or the office), which waits for the lead department's leader; and the
changes waiting for the signed-in person's decision. The use cases say who may do what."""
from __future__ import annotations

from typing import Any

import streamlit as st

from flows.fields import stage_of, stage_text
from flows.wording import before_after
from roles import actions, clock
from roles.model import Matter, Workbook

from .cells import show_table
from .charts import matter_dot, svg_image
from .i18n import t
from .state import account, db, drawn, plain, show_error


def show(wb: Workbook, lg: str) -> None:
    if flash := st.session_state.pop("m_flash", None):
        st.success(plain(flash))
    found = actions.matters(db(), account())
    decisions(wb, lg)
    if not found:
        st.info(plain(t("matters.none", lg)))
    else:
        show_table(st, [{
            t("matters.col.matter", lg): f"{f.matter.name}（{f.matter.id}）",
            t("matters.col.lead", lg): wb.department_name(f.matter.lead),
            t("matters.col.departments", lg): "、".join(wb.department_name(d) for d in f.departments[1:]),
            t("matters.col.stages", lg): before_after(f.stage_counts),
            **{t(f"matters.col.{k}", lg): before_after(f.four[k]) for k in ("steps", "days", "materials", "trips")},
            t("matters.col.findings", lg): len(f.findings)} for f in found])
        by_id = {f.matter.id: f for f in found}
        picked = st.selectbox(t("matters.col.matter", lg), list(by_id), key="m_pick",
                              format_func=lambda m: f"{by_id[m].matter.name}（{m}）")
        if picked is not None:
            _one(wb, lg, by_id[picked])
    if any(actions.may_change_matter(wb, account(), d.id) for d in wb.departments):
        with st.expander(t("matters.new", lg)):
            _form(wb, lg, None)


def _one(wb: Workbook, lg: str, f) -> None:
    for col, (k, pair) in zip(st.columns(4), f.four.items(), strict=True):
        col.metric(t(f"matters.col.{k}", lg), before_after(pair),
                   None if f.cuts[k] is None else f"-{f.cuts[k]:.1%}", delta_color="inverse")
    for x in f.findings:
        (st.error if x.error else st.warning)(plain(x.text(lg)))
    for which, run in (("after", f.after), ("before", f.before)):
        if run is None:
            continue
        st.markdown(f"**{t('version.' + which, lg)}**")
        show_table(st, [{t("matters.col.stage", lg): str(i) if j == 0 else t("matter.together", lg),
                         t("matters.col.process", lg): f"{p.name}（{p.process}）",
                         t("matters.col.department", lg): wb.department_name(p.department),
                         t("matters.col.steps", lg): p.steps, t("matters.col.days", lg): p.days}
                        for i, stage in enumerate(run.stages, 1) for j, p in enumerate(stage)])
        if run.path is not None:
            st.caption(plain(t("matter.path" if run.promised_days is not None else "matter.path_only", lg,
                               path=f"{run.path:g}", serial=f"{run.serial:g}", promised=run.promised_days)))
        st.html(svg_image(drawn(matter_dot(wb, f, which, lg), "svg"), f.matter.name))
    waiting = [c for c in actions.matter_changes(db(), account(), matter_id=f.matter.id) if c.state == "submitted"]
    if waiting:
        st.info(plain(t("matters.waiting", lg, author=waiting[0].author,
                        at=f"{clock.local(waiting[0].submitted_at):%Y-%m-%d %H:%M}")))
    elif actions.may_change_matter(wb, account(), f.matter.lead):
        with st.expander(t("matters.edit", lg)):
            _form(wb, lg, f.matter)


def _form(wb: Workbook, lg: str, live: Matter | None) -> None:
    """The matter's fields as text: stages apart by commas, parts together joined by '+'."""
    key = f"m_form_{live.id if live else 'new'}"
    depts = {d.id: d.name for d in wb.departments if actions.may_change_matter(wb, account(), d.id)}
    if live is not None and live.lead not in depts:
        depts[live.lead] = wb.department_name(live.lead)
    with st.form(key):
        ident = live.id if live else st.text_input(t("matters.field.id", lg), key=f"{key}_id")
        name = st.text_input(t("matters.field.name", lg), live.name if live else "", key=f"{key}_name")
        lead = st.selectbox(t("matters.col.lead", lg), list(depts), key=f"{key}_lead", format_func=depts.__getitem__,
                            index=list(depts).index(live.lead) if live else 0)
        values = {}
        for which in ("after", "before"):
            stages, promised, materials, trips = live.terms(which) if live else ((), None, None, None)
            c = st.columns([3, 1, 1])
            values[which] = (
                c[0].text_input(t(f"matters.field.stages_{which}", lg), ", ".join(stage_text(s) for s in stages),
                                key=f"{key}_{which}_stages", help=t("matters.field.stages_help", lg)),
                c[1].number_input(t(f"matters.field.promised_{which}", lg), min_value=0, step=1, value=promised,
                                  key=f"{key}_{which}_promised"),
                c[2].number_input(t(f"matters.field.trips_{which}", lg), min_value=0, step=1, value=trips,
                                  key=f"{key}_{which}_trips"),
                st.text_area(t(f"matters.field.materials_{which}", lg), "\n".join(materials or ()),
                             key=f"{key}_{which}_materials", help=t("matters.field.materials_help", lg)))
        sent = st.form_submit_button(t("matters.propose", lg), type="primary")
    if not sent:
        return
    terms: dict[str, Any] = {}
    for which, (stages_text, promised_days, trips_n, materials_text) in values.items():
        prefix = "" if which == "after" else "before_"
        listed = tuple(x.strip() for x in materials_text.splitlines() if x.strip())
        terms |= {f"{prefix}stages": tuple(s for x in stages_text.replace("，", ",").split(",") if (s := stage_of(x))),
                  f"{prefix}promised_days": None if promised_days is None else int(promised_days),
                  f"{prefix}trips": None if trips_n is None else int(trips_n),
                  f"{prefix}materials": listed or None}
    matter = Matter(id=(ident or "").strip(), name=name.strip(), lead=lead, **terms)
    if matter == live:
        st.info(plain(t("matters.unchanged", lg)))
        return
    try:
        done = actions.propose_matter(db(), account(), matter=matter, expected=live)
    except actions.AbflowError as e:
        show_error(e)
        return
    st.session_state["m_flash"] = t("matters.live" if done.state == "approved" else "matters.submitted", lg,
                                    name=matter.name)
    st.rerun()


def decisions(wb: Workbook, lg: str) -> None:
    """Changes of matters waiting for the signed-in person's decision: approve, or return with a note."""
    me = account()
    waiting = [c for c in actions.matter_changes(db(), me) if c.state == "submitted" and actions.may_decide_matter(me, c)]
    for c in waiting:
        box = st.container(border=True)
        box.markdown(plain(t("matters.decide", lg, name=c.proposed.name, id=c.proposed.id, author=c.author,
                             at=f"{clock.local(c.submitted_at):%Y-%m-%d %H:%M}")))
        rows = [{t("matters.col.measure", lg): t(f"matters.field.{k}", lg),
                 t("matters.col.before", lg): _shown(getattr(c.base, k)) if c.base else "—",
                 t("matters.col.after", lg): _shown(getattr(c.proposed, k))}
                for k in ("name", "lead", "stages", "promised_days", "materials", "trips", "before_stages",
                          "before_promised_days", "before_materials", "before_trips")
                if c.base is None or getattr(c.base, k) != getattr(c.proposed, k)]
        show_table(box, rows)
        note = box.text_input(t("review.decision_comment", lg), key=f"m_note_{c.id}", max_chars=2000)
        a, b = box.columns(2)
        for col, approve in ((a, True), (b, False)):
            if col.button(t("review.approve" if approve else "review.return", lg), key=f"m_decide_{c.id}_{approve}",
                          type="primary" if approve else "secondary"):
                try:
                    done = actions.decide_matter_change(db(), me, change_id=c.id, approve=approve, note=note)
                except actions.AbflowError as e:
                    show_error(e)
                    continue
                st.session_state["m_flash"] = t(f"matters.{done.state}", lg, name=c.proposed.name)
                st.rerun()


def _shown(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, tuple):
        return ", ".join(stage_text(x) if isinstance(x, tuple) else str(x) for x in value) or "—"
    return str(value)
