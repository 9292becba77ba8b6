"""A person's pending handovers (交接单) on the Today page: the one they leave (open items before
they go, the confirmation when they are back) and those they act in (the report of what was
done); each with the button for the step that is theirs. The use cases say who may."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from roles import actions
from roles.model import Workbook

from .i18n import person_name, t
from .state import account, db, plain, show_error


def _steps(wb: Workbook, h, lg: str) -> str:
    """A line a step, each with who acts on it (or that nobody does): a list a phone can read."""
    def acting(s) -> str:
        return "、".join(person_name(wb, x) for x in s["acting"]) or t("handover.nobody", lg)
    return "\n".join(f"- {s.get('name') or s['process'] + ' · ' + s['step']}：{acting(s)}" for s in h.steps)


def _may_write(wb: Workbook, h, pid: str) -> bool:
    """Whether the signed-in account may take `pid`'s step of `h` (the use cases refuse the rest):
    a form is offered only then, never on someone else's day."""
    me = account()
    if h.person == pid:
        return actions.may_edit_absence(wb, me, pid)
    return actions.is_office(me) or me.person == pid


def _pending(h, pid: str, day: dt.date) -> bool:
    if h.person == pid:
        return h.state in ("open", "reported")
    return pid in h.acting and h.state == "open" and day >= h.start


def handover_panel(wb: Workbook, lg: str, pid: str, day: dt.date) -> None:
    """The handovers waiting on `pid`, with what they may write or confirm."""
    if flash := st.session_state.pop("handover_flash", None):  # what was just done, said once
        st.success(plain(flash))
    mine = [h for h in actions.handovers(db(), account(), open_only=True, person_id=pid) if _pending(h, pid, day)]
    if not mine:
        return
    st.subheader(t("handover.pending", lg, n=len(mine)))
    for h in mine:
        key = f"handover:{h.id}:{h.revision}"
        leaving = h.person == pid
        head = t("handover.mine" if leaving else "handover.theirs", lg, who=person_name(wb, h.person),
                 start=h.start, end=h.end, state=t(f"handover.state.{h.state}", lg))
        with st.expander(head, expanded=True):
            st.markdown(plain(t("handover.col.steps", lg) + "：") + "\n\n" + plain(_steps(wb, h, lg)))
            if h.items:
                st.markdown(plain(t("handover.col.items", lg) + "：" + h.items))
            if h.report:
                st.markdown(plain(t("handover.col.report", lg) + "：" + h.report))
            if not _may_write(wb, h, pid):
                continue
            try:
                if leaving and h.state == "open":
                    text = st.text_area(t("handover.col.items", lg), value=h.items or "", key=f"{key}:items")
                    if st.button(t("handover.save_items", lg), key=f"{key}:save"):
                        actions.handover_items(db(), account(), handover_id=h.id, revision=h.revision, items=text)
                        st.session_state["handover_flash"] = t("handover.saved_items", lg)
                        st.rerun()
                elif leaving:
                    if st.button(t("handover.confirm", lg), key=f"{key}:confirm"):
                        actions.confirm_handover(db(), account(), handover_id=h.id, revision=h.revision)
                        st.session_state["handover_flash"] = t("handover.confirmed", lg)
                        st.rerun()
                else:
                    text = st.text_area(t("handover.col.report", lg), key=f"{key}:report")
                    if st.button(t("handover.report", lg), key=f"{key}:send"):
                        actions.report_handover(db(), account(), handover_id=h.id, revision=h.revision, report=text)
                        st.session_state["handover_flash"] = t("handover.reported", lg)
                        st.rerun()
            except actions.AbflowError as e:
                show_error(e)
