"""For the reform office: steps and sections cut, per process, section and department, and the
reform rules checked."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from roles.rules import check
from roles.stats import stats
from ui.i18n import t
from ui.state import page

lg, wb = page("page.reform")

doc = stats(wb)
depts = doc["departments"]
total_before = sum(d["sections_before"] for d in depts)
total_after = sum(d["sections_after"] for d in depts)
steps_before = sum(d["before"] for d in depts)
steps_after = sum(d["after"] for d in depts)
m = st.columns(4)
m[0].metric(t("reform.sections", lg), f"{total_before} → {total_after}")
m[1].metric(t("reform.section_cut", lg), f"{(total_before - total_after) / total_before:.1%}" if total_before else "—")
m[2].metric(t("reform.steps", lg), f"{steps_before} → {steps_after}")
m[3].metric(t("reform.step_cut", lg), f"{(steps_before - steps_after) / steps_before:.1%}" if steps_before else "—")


def pct(x):
    return None if x is None else round(100 * x, 1)


tab_d, tab_s, tab_p, tab_c = st.tabs([t("stats.departments", lg), t("stats.sections", lg),
                                      t("stats.processes", lg), t("reform.check", lg)])
with tab_d:
    st.dataframe(pd.DataFrame([{
        t("col.department", lg): d["name"], "batch": d["batch"],
        t("col.sections", lg): f"{d['sections_before']} → {d['sections_after']}",
        t("reform.section_cut", lg) + " %": pct(d["section_reduction"]),
        t("col.before", lg): d["before"], t("col.after", lg): d["after"],
        t("col.reduction", lg) + " %": pct(d["reduction"])} for d in depts]), hide_index=True, width="stretch")
with tab_s:
    st.dataframe(pd.DataFrame([{
        t("col.section", lg): s["name"], t("col.department", lg): s["department"],
        t("col.before", lg): s["before"], t("col.after", lg): s["after"],
        t("col.reduction", lg) + " %": pct(s["reduction"])} for s in doc["sections"]]), hide_index=True, width="stretch")
with tab_p:
    st.dataframe(pd.DataFrame([{
        t("col.process", lg): p["name"], t("col.section", lg): p["section"],
        t("col.before", lg): p["before"], t("col.after", lg): p["after"],
        t("col.reduction", lg) + " %": pct(p["reduction"]), t("col.handoffs", lg): p["handoffs_after"]}
        for p in doc["processes"]]), hide_index=True, width="stretch")
with tab_c:
    findings = check(wb)
    errors = sum(f.severity == "error" for f in findings)
    (st.error if errors else st.success)(t("reform.findings", lg, errors=errors, warnings=len(findings) - errors))
    if findings:
        st.dataframe(pd.DataFrame([{t("col.rule", lg): f.rule, t("col.severity", lg): t("severity." + f.severity, lg),
                                    t("col.subject", lg): f.subject, t("col.message", lg): f.message}
                                   for f in findings]), hide_index=True, width="stretch")
