"""The audit trail, for the reform office: every change, who made it and when, before and after."""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from roles import actions
from ui.i18n import t
from ui.state import account, db, page, plain

lg, wb = page("page.audit")
if account().role != "office":
    st.warning(plain(t("audit.office_only", lg)))
    st.stop()
rows = actions.audit_trail(db(), account(), limit=500)
st.dataframe(pd.DataFrame([{
    t("audit.at", lg): r.at.strftime("%Y-%m-%d %H:%M:%S"), t("audit.user", lg): r.user,
    t("audit.action", lg): r.action, t("audit.subject", lg): r.subject,
    t("audit.before", lg): json.dumps(r.before, ensure_ascii=False)[:300] if r.before is not None else "",
    t("audit.after", lg): json.dumps(r.after, ensure_ascii=False)[:300] if r.after is not None else ""}
    for r in rows]), hide_index=True, width="stretch")
