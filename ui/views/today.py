"""Today's duties: who acts on each redesigned step, who covers for someone away, where no one
covers (a gap) and who could stand in; for one person, what they hold and cover in the days ahead;
and a leave request checked before it is approved."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from roles import actions, clock
from roles.engines.acting import STATUSES
from ui.cells import show_table
from ui.i18n import off_day, person_choice, person_name, section_and_department, t, when
from ui.handover_panel import handover_panel
from ui.leave_request import leave_request
from ui.standin_panel import asked_of_me, flash, gap_cover, risks
from ui.state import account, db, page, plain

lg, wb = page("page.today", versions=())  # the steps come scoped from the use cases below


def who(pid: str | None) -> str:
    return person_name(wb, pid) if pid else ""


def steps_named(rows) -> str:
    return ("、" if lg == "zh" else ", ").join(f"{d.process_name} · {step_name(d)}" for d in rows)


def step_name(d) -> str:
    """A step as a row of the day names it, with the half of the day the row holds for."""
    return d.step_name + (f"（{t('half.' + d.half, lg)}）" if d.half else "")


def my_day(pid: str) -> None:
    """The person's day in a sentence each: in or away and who covers them, whom they cover, where
    they are asked to stand in: the answer a staff member opens the page for."""
    mine = actions.person_days(db(), account(), person_id=pid, start=day, end=day)[0]
    lines = []
    if mine.away:
        leave = next((a for a in wb.absences if a.person == pid and a.start <= day <= a.end), None)
        why = t("today.reason_withheld", lg) if leave is None or leave.reason == actions.WITHHELD \
            else t(f"reason.{leave.reason}", lg)
        lines.append(t("today.my_away", lg, person=who(pid), why=why,
                       end=when(leave.end, leave.end_half, lg) if leave else day))
        by: dict[str | None, list] = {}
        for d in mine.covered:
            by.setdefault(d.acting, []).append(d)
        for acting, rows in by.items():
            lines.append(t("today.my_covered", lg, who=who(acting), n=len(rows), steps=steps_named(rows))
                         if acting else t("today.my_uncovered", lg, n=len(rows), steps=steps_named(rows)))
    else:
        lines.append(t("today.my_in", lg, person=who(pid), n=len(mine.holds)))
    for holder in dict.fromkeys(d.a for d in mine.covers):
        rows = [d for d in mine.covers if d.a == holder]
        lines.append(t("today.my_covers", lg, who=who(holder), steps=steps_named(rows)))
    if mine.stands_in:
        lines.append(t("today.my_stand_in", lg, n=len(mine.stands_in), steps=steps_named(mine.stands_in)))
    st.subheader(t("today.my_day", lg, person=who(pid)))
    st.markdown("\n".join(f"- {plain(line)}" for line in lines))


c1, c2, c3, c4 = st.columns([1, 2, 2, 2])
day = c1.date_input(t("col.date", lg), value=clock.today(), key="day")
depts = {d.id: d.name for d in wb.departments}
me = account().person
signed = wb.person_by_id.get(me) if me else None
if signed is not None and "dept" not in st.session_state:  # a signed-in person starts where they work:
    st.session_state["dept"] = wb.department_of_section.get(signed.section)
    if account().role == "head":  # a head on the section's day,
        st.session_state["today_section"] = signed.section
    else:                         # anyone else on their own
        st.session_state["person"] = me
dept = c2.selectbox(t("col.department", lg), [None, *depts], key="dept",
                    format_func=lambda d: t("all", lg) if d is None else depts[d])
sections = [s.id for d in wb.departments if dept in (None, d.id) for s in d.sections]
if st.session_state.get("today_section") not in (None, *sections):
    st.session_state["today_section"] = None  # of another department
section = c3.selectbox(t("col.section", lg), [None, *sections], key="today_section",
                       format_func=lambda s: t("all", lg) if s is None else wb.section_by_id[s].name)
people = [p.id for p in wb.people if (dept is None or wb.department_of_section.get(p.section) == dept)
          and section in (None, p.section)]
if st.session_state.get("person") not in (None, *people):
    st.session_state["person"] = None
person = c4.selectbox(t("today.person", lg), [None, *people], key="person",
                      format_func=lambda p: t("all", lg) if p is None else person_choice(wb, p))

r = actions.roster(db(), account(), day=day, department_id=dept)
if r.calendar == "estimated":
    st.warning(plain(t("calendar.estimated", lg, years=day.year)))
if not r.workday:
    st.info(plain(t("not_workday", lg, date=day, why=off_day(r.off, lg))))
else:
    if person is not None:
        my_day(person)
        handover_panel(wb, lg, person, day)
    elif signed is not None and section in (None, signed.section) and dept == wb.department_of_section.get(signed.section):
        my_day(me)  # a head on the section's day reads their own first: the steps gone up to them, too
    duties = [d for d in r.steps if (person is None or person in (d.a, d.b, d.acting, d.suggested))
              and section in (None, d.section)]
    counts = {k: sum(d.status == k for d in duties) for k in STATUSES}
    # The figures in a line first (five cards filled a phone's screen before the answer), as cards
    # below the lists, for a desktop's glance.
    st.caption(plain(t("roster.summary", lg, total=len(duties), **counts)))

    def table(rows, with_status=True):
        """The answer first (step, who acts, who could stand in), then its context: on a phone the
        first columns are the ones on screen."""
        return pd.DataFrame([{
            t("col.step", lg): step_name(d),
            **({t("col.status", lg): t("status." + d.status, lg)} if with_status else {}),
            t("col.acting", lg): who(d.acting),
            t("col.suggested", lg): who(d.suggested),
            t("col.a", lg): who(d.a),
            t("col.b", lg): who(d.b),
            t("col.process", lg): d.process_name,
            t("col.section", lg): " · ".join(section_and_department(wb, d.section)[::-1]),
        } for d in rows])

    flash()
    asked_of_me(wb, lg, day)
    risks(wb, lg, section, day)
    gap_rows = [d for d in duties if d.status == "gap"]
    if gap_rows:
        st.subheader(t("today.gaps", lg))
        st.error(plain(t("today.gaps_hint", lg, n=len(gap_rows))))
        show_table(st, table(gap_rows, False))
        gap_cover(wb, lg, gap_rows, day)
    else:
        st.success(plain(t("today.no_gaps", lg)))
    b_rows = [d for d in duties if d.status in ("named", "B", "up")]
    if b_rows:
        st.subheader(t("today.covered", lg))
        show_table(st, table(b_rows))
    with st.expander(t("today.all", lg, n=len(duties)), expanded=person is not None):
        if duties:
            show_table(st, table(duties))
    m = st.columns(1 + len(STATUSES))
    m[0].metric(t("today.steps", lg), len(duties))
    for column, k in zip(m[1:], STATUSES, strict=True):
        column.metric(t(f"status.{k}", lg), counts[k])

# A leave request checked before it is approved, for the person shown (or oneself) from this day.
with st.expander(t("people.whatif", lg)):
    shown = person or me  # the check follows the person chosen above, whenever that changes
    if shown in people and st.session_state.get("today_wi_for") != shown:
        st.session_state["today_wi_person"] = st.session_state["today_wi_for"] = shown
    leave_request(wb, lg, people, "today_wi", start=day)

st.subheader(t("today.ahead", lg))
ahead = st.slider(t("today.days", lg), 7, 60, 14, key="ahead")
end = day + dt.timedelta(days=ahead - 1)
if actions.calendar(db(), account(), start=day, end=end) == "estimated" and r.calendar != "estimated":
    st.caption(plain(t("calendar.estimated", lg, years=end.year)))
coming = [g for g in actions.gaps(db(), account(), start=day, end=end, department_id=dept)
          if (person is None or person in (g.a, g.b, g.suggested)) and section in (None, g.section)]
if not coming:
    st.success(plain(t("gaps.none", lg, start=day, end=end)))
else:
    per_day = pd.Series([g.date for g in coming]).value_counts()
    every = actions.workdays(db(), account(), start=day, end=end)  # the days with no gap too, at 0
    st.bar_chart(pd.DataFrame({t("status.gap", lg): [int(per_day.get(d, 0)) for d in every]},
                              index=[d.isoformat() for d in every]))
    show_table(st, [{
        t("col.date", lg): when(g.date, g.half, lg),
        t("col.process", lg): g.process_name,
        t("col.step", lg): g.step_name,
        t("col.a", lg): who(g.a), t("col.b", lg): who(g.b),
        t("col.suggested", lg): who(g.suggested)} for g in coming])
