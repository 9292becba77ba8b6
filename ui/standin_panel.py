"""Named stand-ins on the Today page: a gap taken by whoever will act on it (我来顶岗) or given to
someone by the head (安排顶岗), the stand-ins asked of the signed-in person with their answer, and
for a head the ones not agreed, a risk. The use cases say who may do what."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from roles import actions
from roles.model import Workbook

from .i18n import person_name, t
from .state import account, db, plain, show_error


def _flash(text: str) -> None:
    st.session_state["standin_flash"] = text
    st.rerun()


def asked_of_me(wb: Workbook, lg: str, day: dt.date) -> None:
    """Each stand-in asked of the signed-in person that has not ended, with 接受 and 拒绝."""
    me = account().person
    for x in (x for x in wb.standins if x.standin == me and x.state == "asked" and x.end >= day):
        box = st.container(border=True)
        box.markdown(plain(t("standin.asked_of_you", lg, person=person_name(wb, x.person), start=x.start, end=x.end,
                             steps=_steps(wb, x.steps, lg), by=x.named_by)))
        c = box.columns(2)
        for col, accept in zip(c, (True, False), strict=True):
            if col.button(t("standin.accept" if accept else "standin.decline", lg), key=f"standin_{x.id}_{accept}"):
                try:
                    done = actions.answer_standin(db(), account(), standin_id=x.id, accept=accept)
                    _flash(t(f"standin.{done.state}", lg, id=done.id, by=person_name(wb, done.standin),
                                       person=person_name(wb, done.person)))
                except actions.AbflowError as e:
                    show_error(e)


def gap_cover(wb: Workbook, lg: str, gaps: list, day: dt.date) -> None:
    """Under the gaps: pick one, and take it yourself or, as its holder's head or the office, ask
    someone of the section (the suggested stand-in first) to."""
    me = account()
    label = lambda d: t("standin.gap_label", lg, process=d.process_name, step=d.step_name, a=person_name(wb, d.a))  # noqa: E731
    c = st.columns([3, 2, 1, 1])
    gap = c[0].selectbox(t("standin.gap", lg), gaps, key="standin_gap", format_func=label)
    if gap is None or gap.a is None:
        return
    step = [f"{gap.process}:{gap.step}"]
    if me.person is not None and me.person != gap.a and \
            wb.department_of_person(me.person) == wb.department_of_section.get(gap.section):
        if c[2].button(t("standin.mine", lg), key="standin_mine", type="primary"):
            _name(wb, lg, gap.a, me.person, day, step)
    if actions.may_edit_absence(wb, me, gap.a):
        away = {a.person for a in wb.absences if a.covers(day)}
        people = [p.id for p in wb.people_by_section.get(gap.section, []) if p.id != gap.a and p.id not in away]
        if gap.suggested in people:
            people.remove(gap.suggested)
            people.insert(0, gap.suggested)
        if people:
            who = c[1].selectbox(t("standin.who", lg), people, key="standin_who", format_func=lambda p: person_name(wb, p))
            if c[3].button(t("standin.ask", lg), key="standin_ask"):
                _name(wb, lg, gap.a, who, day, step)


def _name(wb: Workbook, lg: str, person: str, standin: str, day: dt.date, steps: list[str]) -> None:
    try:
        made = actions.add_standin(db(), account(), person_id=person, standin_id=standin, start=day, end=day,
                                   steps=steps)
        _flash(t(f"standin.added.{made.state}", lg, id=made.id, by=person_name(wb, standin)))
    except actions.AbflowError as e:
        show_error(e)


def risks(wb: Workbook, lg: str, section: str | None, day: dt.date) -> None:
    """For a head (or the office): the stand-ins of the section's people not agreed, still ahead."""
    me = account()
    shown = [x for x in wb.standins if x.state != "accepted" and x.end >= day and x.person in wb.person_by_id
             and section in (None, wb.person_by_id[x.person].section) and actions.may_edit_absence(wb, me, x.person)
             and x.person != me.person]
    for x in shown:
        st.warning(plain(t(f"standin.risk.{x.state}", lg, person=person_name(wb, x.person),
                           by=person_name(wb, x.standin), start=x.start, end=x.end)))


def flash() -> None:
    if said := st.session_state.pop("standin_flash", None):
        st.success(plain(said))


def _steps(wb: Workbook, steps, lg: str) -> str:
    if not steps:
        return t("standin.all_steps", lg)
    names = {p.id: p.name for p in wb.processes}
    return "、".join(f"{names.get(x.split(':')[0], x.split(':')[0])} {x.split(':')[1]}" for x in steps)
