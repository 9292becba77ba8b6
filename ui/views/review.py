"""Review (审核): what waits for the signed-in person's decision, what they submitted and what came
back; a draft drawn against the live version (added green, removed red, changed amber) with the
list of changes and the comments beside it; approve or return. The office sets which departments
review their changes."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from flows.render import diff_dot, render
from roles import actions, clock
from ui import matters_panel
from ui.cells import show_table
from ui.charts import change_rows, chart_labels, svg_image
from ui.i18n import process_label, t
from ui.state import account, db, department_workbook, page, plain, show_error

lg, index = page("page.review", versions=())
me = account()
found = actions.reviews(db(), me)
waiting = [r for r in found if r.state == "submitted" and r.author != me.username
           and r.process in index.process_by_id and actions.may_approve(index, me, index.process_by_id[r.process])]
mine = [r for r in found if r.author == me.username]
views = {"waiting": t("review.view.waiting", lg, n=len(waiting)), "mine": t("review.view.mine", lg, n=len(mine)),
         "all": t("review.view.all", lg, n=len(found))}
view = st.radio(t("review.view", lg), list(views), format_func=views.__getitem__, horizontal=True, key="r_view",
                index=0 if waiting else 2)
shown = {"waiting": waiting, "mine": mine, "all": found}[view]
if flash := st.session_state.pop("r_flash", None):
    st.success(plain(flash))
# Changes of matters done once wait here too, whatever the view, for the lead department's leader.
if flash := st.session_state.pop("m_flash", None):
    st.success(plain(flash))
matters_panel.decisions(index, lg)


def stamp(moment) -> str:
    return f"{clock.local(moment):%Y-%m-%d %H:%M}" if moment else ""


def decide(pid: str, name: str, review) -> None:
    """Approve or return, with a comment (required to return); never one's own submission."""
    if review.author == me.username:
        st.info(plain(t("review.own", lg)))
        return
    st.markdown(f"**{t('review.decide', lg)}**")
    said = st.text_area(t("review.decision_comment", lg), key=f"r_said_{pid}", max_chars=2000)
    a, b = st.columns(2)
    try:
        if a.button(t("review.approve", lg), type="primary", key="r_approve"):
            done = actions.approve_review(db(), me, process_id=pid, comment=said)
            st.session_state["r_flash"] = t("review.approved", lg, process=name, revision=done.revision,
                                            approver=done.approver)
            st.rerun()
        if b.button(t("review.return", lg), key="r_return"):
            actions.return_review(db(), me, process_id=pid, comment=said)
            st.session_state["r_flash"] = t("review.returned", lg, process=name)
            st.rerun()
    except actions.AbflowError as e:
        show_error(e)


if not shown:
    st.info(plain(t("review.none", lg)))
else:
    show_table(st, [{
        t("col.process", lg): process_label(index, r.process), t("col.review_kind", lg): t(f"review.kind.{r.kind}", lg),
        t("col.review_state", lg): t(f"review.state.{r.state}", lg), t("col.author", lg): r.author,
        t("col.submitted", lg): stamp(r.submitted), t("col.approver", lg): r.approver or "",
        t("col.decided", lg): stamp(r.decided), t("col.open_comments", lg): sum(c.open for c in r.comments)}
        for r in shown])
    pid = st.selectbox(t("review.pick", lg), [r.process for r in shown if r.process in index.process_by_id],
                       format_func=lambda x: process_label(index, x), key="r_pick")
    if pid is not None:
        wb = department_workbook(index, pid)
        proc = wb.process_by_id[pid]
        changes = actions.draft_changes(db(), me, process_id=pid)
        review = changes.review
        if review is not None:
            said = t("review.record", lg, state=t(f"review.state.{review.state}", lg), author=review.author,
                     submitted=stamp(review.submitted))
            if review.decided:
                said += t("review.record_decided", lg, approver=review.approver or "—", decided=stamp(review.decided))
            st.caption(plain(said))
        if changes.draft is not None:  # the whole change at once, as wide as the page
            labels = chart_labels(wb, pid, "after", lg)
            labels.title = t("review.chart_title", lg, name=proc.name)
            st.html(svg_image(render(diff_dot(changes.live, changes.draft.version, labels), "svg"), proc.name, fit=True))
            st.caption(plain(t("review.legend", lg)))
        else:
            st.info(plain(t("review.no_draft", lg, process=proc.name)))
        steps = {s.id: s for v in (changes.live, changes.draft.version if changes.draft else None) if v
                 for s in v.steps}
        left, right = st.columns(2)
        with left:
            rows = change_rows(changes.live, changes.draft.version, changes.changes, lg) if changes.draft else []
            if rows:
                show_table(st, rows)
            if review is not None and review.state == "submitted" and actions.may_approve(wb, me, proc):
                decide(pid, proc.name, review)
        with right:
            st.markdown(f"**{t('review.comments', lg)}**")
            for note in review.comments if review else ():
                where = f" · {steps[note.step].label if note.step in steps else note.step}" if note.step else ""
                box = st.container(border=True)
                box.caption(plain(f"{note.author}{where} · {stamp(note.at)} · "
                                  f"{t('review.open' if note.open else 'review.resolved', lg)}"))
                box.text(note.text)
                if note.open and box.button(t("review.resolve", lg), key=f"r_resolve_{note.id}"):
                    try:
                        actions.resolve_comment(db(), me, comment_id=note.id)
                        st.rerun()
                    except actions.AbflowError as e:
                        show_error(e)
            if changes.draft is not None:
                with st.form(f"r_comment_{pid}", clear_on_submit=True):
                    text = st.text_area(t("review.comment", lg), key="r_comment_text", max_chars=2000)
                    options = [None, *(s.id for s in changes.draft.version.work_steps)]
                    step = st.selectbox(t("col.step", lg), options, key="r_comment_step",
                                        format_func=lambda x: "—" if x is None else steps[x].label)
                    if st.form_submit_button(t("review.add_comment", lg)):
                        try:
                            actions.comment_review(db(), me, process_id=pid, step=step, text=text)
                            st.rerun()
                        except actions.AbflowError as e:
                            show_error(e)

if actions.is_office(me):
    with st.expander(t("review.policy", lg)):
        policy = actions.review_policy(db(), me)
        names = {d.id: d.name for d in index.departments}
        edited = st.data_editor(pd.DataFrame([{"id": d, t("col.department", lg): names.get(d, d),
                                               t("review.policy.required", lg): r} for d, r in policy.items()]),
                                hide_index=True, disabled=["id", t("col.department", lg)], key="r_policy",
                                column_config={"id": None}, width="stretch", placeholder="")
        if st.button(t("review.policy.save", lg), key="r_policy_save"):
            for row in edited.to_dict("records"):
                if bool(row[t("review.policy.required", lg)]) != policy[row["id"]]:
                    actions.set_review_policy(db(), me, department_id=row["id"],
                                              required=bool(row[t("review.policy.required", lg)]))
            st.rerun()
        if not actions.any_accounts(db()):
            st.caption(plain(t("review.single_user", lg)))
