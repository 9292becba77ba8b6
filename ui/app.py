"""The abflow app (Streamlit): `abflow serve` or `streamlit run ui/app.py`, database from ABFLOW_DB.

Only navigation, the language switch and the shared database handle live here; each page is a
module of `ui/views` (not `pages/`, which Streamlit would also list on its own) that asks the engines and draws.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.i18n import t
from ui.state import keep_session, language, plain, restore_session, sign_out

st.set_page_config(page_title="abflow", page_icon=":material/account_tree:", layout="wide")

restore_session()  # before the sidebar, which says who is signed in
with st.sidebar:
    st.radio("语言 / Language", ["zh", "en"], key="lang", horizontal=True,
             format_func=lambda x: {"zh": "中文", "en": "English"}[x])
    signed = st.session_state.get("account")
    if signed is not None:
        st.caption(plain(t("signin.as", language(), user=signed.username, role=t(f"role.{signed.role}", language()))))
        if st.button(t("signin.out", language()), key="signout"):
            sign_out()
            st.rerun()
    keep_session()

lg = language()
# Streamlit's own words are English: the uploader's instructions and button are said in the page's
# language instead (with our size limit), and the top-right "Running… Stop" is left out (each long
# task shows its own progress).
st.html(f"""<style>
[data-testid="stFileUploaderDropzoneInstructions"] > div > span, [data-testid="stFileUploaderDropzoneInstructions"] > div > small {{display:none}}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{content:"{t("upload.instructions", lg)}"; font-size:0.9rem}}
[data-testid="stFileUploaderDropzone"] button p {{font-size:0}}
[data-testid="stFileUploaderDropzone"] button p::after {{content:"{t("upload.browse", lg)}"; font-size:0.9rem}}
[data-testid="stStatusWidget"] {{display:none}}
</style>""")
PAGES = Path(__file__).with_name("views")
today = st.Page(PAGES / "today.py", title=t("page.today", lg), icon=":material/today:", url_path="home", default=True)
nav = st.navigation([
    today,
    # Streamlit serves the default page at the root only; a bookmarked /today lands here and goes on there.
    st.Page(lambda: st.switch_page(today), title=t("page.today", lg), url_path="today", visibility="hidden"),
    st.Page(PAGES / "flowchart.py", title=t("page.flowchart", lg), icon=":material/account_tree:", url_path="flowchart"),
    st.Page(PAGES / "designer.py", title=t("page.designer", lg), icon=":material/edit_square:", url_path="designer"),
    st.Page(PAGES / "people.py", title=t("page.people", lg), icon=":material/groups:", url_path="people"),
    st.Page(PAGES / "reform.py", title=t("page.reform", lg), icon=":material/analytics:", url_path="reform"),
    st.Page(PAGES / "data.py", title=t("page.data", lg), icon=":material/database:", url_path="data"),
    st.Page(PAGES / "accounts.py", title=t("page.accounts", lg), icon=":material/manage_accounts:", url_path="accounts"),
    st.Page(PAGES / "audit.py", title=t("page.audit", lg), icon=":material/history:", url_path="audit"),
])
nav.run()
