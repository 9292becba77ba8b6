"""A leave request checked before it is approved, on the Today and People pages: the gaps it would
add, day by day, with a stand-in for each, and the cases it would make miss their promised time
limit; recorded with one click by whoever may."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from roles import actions, clock
from roles.model import ABSENCE_REASONS, Absence, Workbook

from .cells import show_table
from .i18n import person_name, t, when
from .state import account, db, plain, show_error


def overrun_rows(late, lg: str) -> pd.DataFrame:
    """Late cases as a table: (process overrun, case) pairs, the case's start, end and delay."""
    return pd.DataFrame([{t("col.process", lg): f"{p.name}（{p.process}）", t("overrun.col.promised", lg): p.promised_days,
                          t("overrun.started", lg): c.start.isoformat(), t("overrun.ends", lg): c.end.isoformat(),
                          t("overrun.over", lg): f"{c.over:g}"} for p, c in late])


def leave_request(wb: Workbook, lg: str, people: list[str], key: str, start: dt.date | None = None) -> None:
    """The form and its answer; `key` keeps two pages' forms apart, `start` is the first day offered."""
    who = lambda pid: person_name(wb, pid)  # noqa: E731
    first = start or clock.today()
    c = st.columns(3)
    person = c[0].selectbox(t("today.person", lg), people, key=f"{key}_person", format_func=who)
    begin = c[1].date_input(t("people.from", lg), value=first, key=f"{key}_from")
    end = c[2].date_input(t("people.to", lg), value=first + dt.timedelta(days=4), key=f"{key}_to")
    h = st.columns(3)  # leave is taken in half days: from noon, or until noon
    start_half = h[1].selectbox(t("people.start_half", lg), (None, "pm"), key=f"{key}_start_half",
                                format_func=lambda x: t("people.half." + (x or "whole_start"), lg))
    end_half = h[2].selectbox(t("people.end_half", lg), (None, "am"), key=f"{key}_end_half",
                              format_func=lambda x: t("people.half." + (x or "whole_end"), lg))
    if person is None:
        return
    if (problem := Absence(person, begin, end, "leave", start_half, end_half).problem()) is not None:
        st.error(plain(t("people.bad_range" if problem[0] == "end" else "people.bad_halves", lg)))
        return
    first_day, last_day = when(begin, start_half, lg), when(end, end_half, lg)
    found = actions.leave_check(db(), account(), person_id=person, start=begin, end=end, start_half=start_half,
                                end_half=end_half)
    added = found.gaps
    if any(a.person == person and a.start <= begin and a.end >= end for a in wb.absences):
        st.info(plain(t("people.already_away", lg, person=who(person), start=first_day, end=last_day)))
    elif not added:
        st.success(plain(t("whatif.none", lg, person=who(person), start=first_day, end=last_day)))
    else:
        st.error(plain(t("whatif.title", lg, person=who(person), start=first_day, end=last_day) + f"：{len(added)}"))
        show_table(st, [{
            t("col.date", lg): when(g.date, g.half, lg), t("col.process", lg): g.process_name,
            t("col.step", lg): f"{g.step} {g.step_name}", t("col.a", lg): who(g.a), t("col.b", lg): who(g.b),
            t("col.suggested", lg): who(g.suggested)} for g in added])
    for x in found.leaders_apart:
        st.error(plain(t("leaders.together", lg, date=x.date, head=who(x.head), deputy=who(x.deputy))))
    late = found.late
    if late:  # the time limits the leave would break, beside the steps it would leave uncovered
        st.warning(plain(t("overrun.leave", lg, person=who(person), n=len(late))))
        show_table(st, overrun_rows(late, lg))
    reason = st.selectbox(t("people.reason", lg), ABSENCE_REASONS, key=f"{key}_reason",
                          format_func=lambda r: t(f"reason.{r}", lg))
    if not actions.may_edit_absence(wb, account(), person):
        st.caption(plain(t("readonly", lg)))
    elif st.button(t("people.record", lg), key=f"{key}_record"):
        try:
            actions.change_absences(db(), account(), added=[Absence(person, begin, end, reason, start_half, end_half)],
                                   source="app")
            # Said from the check made before it was recorded: once recorded, the leave adds nothing more.
            st.session_state[f"{key}_flash"] = t("people.recorded", lg, person=who(person), start=first_day, end=last_day,
                                                 n=len(added))
            st.rerun()
        except actions.AbflowError as e:
            show_error(e)
    if flash := st.session_state.pop(f"{key}_flash", None):
        st.success(plain(flash))
