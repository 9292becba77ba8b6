"""The abflow app (Streamlit): `abflow serve` or `streamlit run ui/app.py`, database from ABFLOW_DB.

Only navigation, the language switch and the shared database handle live here; each page is a
module of `ui/views` (not `pages/`, which Streamlit would also list on its own) that asks the engines and draws.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

from ui.i18n import t
from ui.state import keep_session, language, plain, restore_session, run_drawn, sign_out

# The tab's icon from this folder: a Material icon name would be fetched from Google's servers,
# which a government intranet does not reach.
st.set_page_config(page_title="abflow", page_icon=str(Path(__file__).with_name("favicon.png")), layout="wide")

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
# Streamlit's own words are English: the uploader's instructions and button, and a select box's "No
# results" when what is typed matches no option, are said in the page's language instead (with our
# size limit), and the top-right "Running… Stop" is left out (each long task shows its own progress).
st.html(f"""<style>
[data-testid="stFileUploaderDropzoneInstructions"] > div > span, [data-testid="stFileUploaderDropzoneInstructions"] > div > small {{display:none}}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{content:"{t("upload.instructions", lg)}"; font-size:0.9rem}}
[data-testid="stFileUploaderDropzone"] button p {{font-size:0}}
[data-testid="stFileUploaderDropzone"] button p::after {{content:"{t("upload.browse", lg)}"; font-size:0.9rem}}
[role="listbox"][data-empty="true"] span {{font-size:0}}
[role="listbox"][data-empty="true"] span::after {{content:"{t("select.none", lg)}"; font-size:0.875rem}}
[data-testid="stStatusWidget"] {{display:none}}
</style>""")
# A date typed into a date field reaches the app only when the field loses focus; Enter, which does
# nothing there, hands it over too, so that what depends on the date (a leave check) follows at once.
st.html("""<script>
if (!window.abflowDateEnter) {
  window.abflowDateEnter = true;
  document.addEventListener("keydown", e => {
    if (e.key === "Enter" && e.target.closest && e.target.closest('[data-testid="stDateInputField"]')) {
      e.preventDefault();
      // focus moved to an element outside the field, as a click elsewhere does (a bare blur has
      // nowhere to go and is ignored while the field's calendar is open)
      let away = document.getElementById("abflow-date-away");
      if (!away) {
        away = Object.assign(document.createElement("span"), {id: "abflow-date-away", tabIndex: -1});
        document.body.appendChild(away);
      }
      away.focus();
    }
  }, true);
}
</script>""", unsafe_allow_javascript=True)
PAGES = Path(__file__).with_name("views")
#: The pages a role finds in the navigation, the rest neither listed nor reachable by address (what
#: each page then offers is still each use case's to allow): staff edit no process, and the audit
#: trail is the office's. Before a sign-in every page is listed, and each asks for it.
HIDDEN_FROM = {"staff": {"designer", "audit"}, "head": {"audit"}}
hidden = set() if signed is None else HIDDEN_FROM.get(signed.role, set())
today = st.Page(PAGES / "today.py", title=t("page.today", lg), icon=":material/today:", url_path="home", default=True)
pages = [
    today,
    # Streamlit serves the default page at the root only; a bookmarked /today lands here and goes on there.
    st.Page(lambda: st.switch_page(today), title=t("page.today", lg), url_path="today", visibility="hidden"),
    *(st.Page(PAGES / f"{name}.py", title=t(f"page.{name}", lg), icon=icon, url_path=name)
      for name, icon in (("flowchart", ":material/account_tree:"), ("designer", ":material/edit_square:"),
                         ("review", ":material/fact_check:"), ("people", ":material/groups:"),
                         ("reform", ":material/analytics:"),
                         ("data", ":material/database:"), ("accounts", ":material/manage_accounts:"),
                         ("audit", ":material/history:"))
      if name not in hidden),
]


try:
    st.navigation(pages).run()
except (RerunException, StopException):  # a run follows at once, or the page stopped and said so (state.stop)
    raise
except BaseException:  # an error shown: the page is drawn as it stays
    run_drawn()
    raise
run_drawn()
