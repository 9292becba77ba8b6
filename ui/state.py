"""What every page of the app shares: the engine on ABFLOW_DB, the loaded workbook, the language.

The workbook is loaded once per database change, not per click: `store.data_version` is cheap and
changes with every import or edit, so a rerun reuses the cached `Workbook` until then.
"""
from __future__ import annotations

import streamlit as st

from roles.storage import store
from roles.model import Workbook

from flows.errors import DatabaseUnavailable

from roles.storage.database import engine_for


def language() -> str:
    return st.session_state.get("lang", "zh")


@st.cache_resource(show_spinner=False)
def _engine(url: str | None):
    return engine_for(url)


def engine():
    import os
    try:
        return _engine(os.environ.get("ABFLOW_DB"))
    except DatabaseUnavailable as e:
        st.error(str(e))
        st.stop()


@st.cache_resource(show_spinner=False, max_entries=4)
def _workbook(url: str, version: int) -> Workbook:
    return store.load(engine_for(url))


def workbook() -> Workbook:
    e = engine()
    return _workbook(e.url.render_as_string(hide_password=False), store.data_version(e))


def editing(key: str, rows: list) -> tuple[list, str]:
    """The base of a table edit: `rows` as they were when the edit began, kept while it is pending
    (so rows never shift under it; saving checks them against the database) and renewed when the
    data has changed and nothing is being edited. Returns the base and the data editor's key."""
    version = store.data_version(engine())
    snap = st.session_state.get(key)
    pending = snap is not None and any((st.session_state.get(f"{key}:{snap['n']}") or {}).get(k)
                                       for k in ("edited_rows", "added_rows", "deleted_rows"))
    if snap is None or (snap["version"] != version and not pending):
        snap = st.session_state[key] = {"rows": rows, "version": version, "n": snap["n"] + 1 if snap else 0}
    return snap["rows"], f"{key}:{snap['n']}"


def done_editing(key: str) -> None:
    """After a save (or to drop an edit): the next run starts from the stored rows, in a new editor."""
    st.session_state.pop(f"{key}:refused", None)
    if key in st.session_state:
        st.session_state[key] = {"rows": None, "version": None, "n": st.session_state[key]["n"] + 1}


def refused(key: str, message: str) -> None:
    """A save of the edit was refused because someone changed the rows meanwhile: say so from now on
    (a button made only in the run that saved could never be clicked)."""
    st.session_state[f"{key}:refused"] = message


def show_refusal(key: str, reload_label: str) -> None:
    """The refusal, if any, and a button that drops the edit and starts again from the stored rows."""
    if message := st.session_state.get(f"{key}:refused"):
        st.error(message)
        if st.button(reload_label, key=f"{key}:reload"):
            done_editing(key)
            st.rerun()


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def account():
    """Who is using the app: the OIDC sign-in's account when `st.login` is configured, else the
    local account signed in on this session; with no accounts at all, the single local user.
    Stops the page with the sign-in form when someone must sign in first."""
    from roles.storage.accounts import LOCAL, account_for_email, any_accounts, sign_in
    from .i18n import t
    lg = language()
    e = engine()
    if "account" in st.session_state:
        return st.session_state["account"]
    if not any_accounts(e):
        return LOCAL
    if _oidc_configured():
        if not st.user.is_logged_in:
            st.button(t("signin.oidc", lg), on_click=st.login, key="oidc_login")
            st.stop()
        found = account_for_email(e, st.user.email)
        if found is None:
            st.error(t("signin.unknown_email", lg, email=st.user.email))
            st.stop()
        st.session_state["account"] = found
        return found
    with st.form("signin"):
        st.subheader(t("signin.title", lg))
        username = st.text_input(t("signin.username", lg), key="signin_user")
        password = st.text_input(t("signin.password", lg), type="password", key="signin_password")
        if st.form_submit_button(t("signin.submit", lg)):
            found = sign_in(e, username.strip(), password)
            if found is None:
                st.error(t("signin.failed", lg))
            else:
                st.session_state["account"] = found
                st.rerun()
    st.stop()


def page(title_key: str, need_data: bool = True) -> tuple[str, Workbook]:
    """Start a page: its title, and the language and workbook; the sign-in form when one is needed;
    a hint when there is no data (unless the page is where data comes in)."""
    from .i18n import t
    lg = language()
    st.title(t(title_key, lg))
    account()
    wb = workbook()
    if need_data and (not wb.departments or not wb.processes):
        st.info(t("today.empty", lg))
        st.stop()
    return lg, wb
