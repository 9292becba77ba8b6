"""Cells of the pages' tables. Shown, an empty cell is blank (Streamlit would write "None"); read back
from an edited table (st.data_editor), an empty cell comes as None, NaN or NaT and an edited date as
ISO text. Every page shows and reads its tables through here."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd


def show_table(where: Any, data: Any, **options: Any) -> Any:
    """A read-only table of rows (or a frame) in `where`: without pandas' index, as wide as the
    page, empty cells blank."""
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    return where.dataframe(frame, **{"hide_index": True, "width": "stretch", "placeholder": "", **options})


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
