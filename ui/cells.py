"""Cells of an edited table (st.data_editor): an empty cell comes back as None, NaN or NaT, and an
edited date as ISO text. Every page that edits a table reads its cells through here."""
from __future__ import annotations

import datetime as dt

import pandas as pd


def text(x) -> str | None:
    """The cell's text, stripped; None when it is empty."""
    if x is None or (not isinstance(x, str) and pd.isna(x)) or str(x).strip() == "":
        return None
    return str(x).strip()


def number(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def date(x) -> dt.date | None:
    """A date from a date, a pandas timestamp or ISO text; None when empty or no date."""
    if x is None or (not isinstance(x, (dt.date, str)) and pd.isna(x)):
        return None
    if isinstance(x, str):
        try:
            return dt.date.fromisoformat(x[:10])
        except ValueError:
            return None
    return x.date() if isinstance(x, dt.datetime) else x
