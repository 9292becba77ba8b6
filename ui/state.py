"""What every page of the app shares: the engine on ABFLOW_DB, the loaded workbook, the language.

The workbook is loaded once per database change, not per click: `store.data_version` is cheap and
changes with every import or edit, so a rerun reuses the cached `Workbook` until then.
"""
from __future__ import annotations

import streamlit as st

from roles import store
from roles.model import Workbook

from .db import DatabaseUnavailable, engine_for


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


def page(title_key: str) -> tuple[str, Workbook]:
    """Start a page: its title, and the language and workbook; stop with a hint when there is no data."""
    from .i18n import t
    lg = language()
    wb = workbook()
    st.title(t(title_key, lg))
    if not wb.departments or not wb.processes:
        st.info(t("today.empty", lg))
        st.stop()
    return lg, wb
