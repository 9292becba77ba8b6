"""The demo data set: three pilot departments (roles/data/demo.yaml) and absences placed around
a given day, so that day always shows B coverage, steps gone up to a head (B's days over, and
both holders away), a gap, and a handover; and the days ahead show more, a person covering
past 120 % of a working day among them."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from roles import clock
from roles.engines.calendar import WorkCalendar
from roles.model import Absence, Workbook
from roles.formats import workbook_files as formats
from roles.formats.workbook import parse

DEMO_FILE = Path(__file__).parent / "data" / "demo.yaml"


def demo_workbook(today: dt.date | None = None) -> Workbook:
    today = today or clock.today()
    wb = parse(formats.read_tree(DEMO_FILE.read_bytes(), DEMO_FILE.name), DEMO_FILE.name)
    cal = WorkCalendar(wb.calendar)
    wd = cal.next_workdays(today, 12)  # wd[0]: today, or the next workday
    long_ago = _workdays_before(cal, wd[0], 32)
    absences = (
        Absence("rs03", wd[0] - dt.timedelta(days=2), wd[3], "training"),  # 何俊: B covers, and with 宋佳 up to the head
        Absence("rs04", wd[0], wd[0], "sick"),                              # 宋佳: today only
        Absence("sc05", wd[0], wd[2], "trip"),                              # 余海波: the head covers 核准
        Absence("sc13", wd[0], wd[0], "trip"),                              # 任重 and 姜楠, the leaders of
        Absence("sc14", wd[0], wd[0], "sick"),                              # 计量: both away, a gap
        Absence("zj11", long_ago, wd[4], "leave"),                          # 孔凡: B's 30 days are over
        Absence("sc07", _workdays_before(cal, wd[0], 6), _workdays_before(cal, wd[0], 5), "training"),  # 杜宇: back
        Absence("zj07", wd[1], wd[5], "leave"),                             # 熊斌: from tomorrow
        Absence("zj06", wd[3], wd[4], "training"),                          # 邹晓: with 熊斌, a gap ahead
        Absence("rs11", wd[6], wd[9], "leave"),                             # 沈玉兰: next week
        Absence("sc10", wd[8], wd[8], "other"),
        Absence("sc12", wd[2], wd[2], "leave"),                             # 田甜: 汪洋 covers, over 120 % that day
    )
    return dataclasses.replace(wb, absences=absences)


def _workdays_before(cal: WorkCalendar, day: dt.date, n: int) -> dt.date:
    """The workday `n` workdays before `day`."""
    while n:
        day -= dt.timedelta(days=1)
        n -= cal.is_workday(day)
    return day
