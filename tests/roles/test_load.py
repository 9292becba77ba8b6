"""The load on whoever acts (issue 31's contract), hand-computed on the example, on both databases:
a step's minutes on workday D are minutes × per_month ÷ the workdays of D's month, counted for
whoever acts on it that day."""
from __future__ import annotations

import pytest


def test_the_load_is_counted_for_whoever_acts_in_a_month_with_a_holiday(cli, bianban):
    found = cli.json("load", "--from", "2026-11-25", "--to", "2026-12-01")
    assert set(found) == {"from", "to", "days"} and found["from"] == "2026-11-25" and found["to"] == "2026-12-01"
    days = {d["date"]: {p["person"]: p for p in d["people"]} for d in found["days"]}
    assert list(days) == ["2026-11-25", "2026-11-26", "2026-11-27", "2026-11-30", "2026-12-01"]  # workdays only
    # 12-01: December has 22 workdays, the example's 12-31 being a day off. bb03 holds 公文办理 s1
    # (5 minutes, 160 a month) and bb04 its s4 (20 minutes, 160 a month), both in.
    assert days["2026-12-01"]["bb03"]["minutes"] == pytest.approx(5 * 160 / 22, abs=0.01)
    assert days["2026-12-01"]["bb04"]["minutes"] == pytest.approx(20 * 160 / 22, abs=0.01)
    assert days["2026-12-01"]["bb04"]["load"] == pytest.approx(20 * 160 / 22 / 480, abs=1e-4)
    # 11-25: November has 21. bb03 (training) and bb04 (sick) are both away: s1 and s4 go up to
    # their head bb01, who also holds s3 (10 minutes, 60 a month); they carry none that day.
    assert days["2026-11-25"]["bb01"]["minutes"] == pytest.approx((10 * 60 + 5 * 160 + 20 * 160) / 21, abs=0.01)
    assert "bb03" not in days["2026-11-25"] and "bb04" not in days["2026-11-25"]
    assert set(days["2026-11-25"]["bb01"]) == {"person", "minutes", "load"}


def test_the_load_of_one_department_and_refusals(cli, bianban):
    one = cli.json("load", "--from", "2026-12-01", "--to", "2026-12-01", "--department", "bb")
    assert one["days"][0]["people"]
    bad = cli("load", "--from", "2026-12-02", "--to", "2026-12-01")
    assert bad.exit_code != 0 and "2026-12-01" in bad.output


def test_the_summary_counts_days_over_a_full_day_and_the_share_that_is_cover(cli, bianban):
    """11-25, November's 21 workdays: bb01 acts on s3 as A (10 × 60) and on s1 (5 × 160) and s4
    (20 × 160) gone up to them: 4,600 ÷ 21 minutes, of which 4,000 ÷ 21 is cover; under a full day."""
    doc = cli.json("load", "--from", "2026-11-25", "--to", "2026-11-25", "--summary")
    bb01 = next(p for p in doc["people"] if p["person"] == "bb01")
    assert (bb01["days"], bb01["over_100"], bb01["over_120"], bb01["peak_date"]) == (1, 0, 0, "2026-11-25")
    assert bb01["peak"] == pytest.approx(4600 / 21 / 480, abs=1e-4)
    assert bb01["cover_share"] == pytest.approx(4000 / 4600, abs=1e-4)
    zh = next(s for s in doc["sections"] if s["section"] == "bb-zh")
    assert zh["person"] == "bb01" and zh["load"] == pytest.approx(bb01["peak"], abs=1e-4)


def test_a_day_over_a_fifth_more_than_a_full_day_is_counted():
    """One person holding 700 minutes a day of steps (a month of 20 workdays): 146 %, over both lines."""
    import datetime as dt

    from flows.model import Process, Step, Version
    from roles.engines.load import daily_load, summary
    from roles.model import Department, Person, Section, Workbook
    steps = (Step("s1", "受理", a="p1", b="p2", minutes=35, per_month=400),)
    wb = Workbook(departments=(Department("d", "局", sections=(Section("sx", "科"),)),),
                  people=(Person("p1", "甲", "sx", "head"), Person("p2", "乙", "sx")),
                  processes=(Process("x", "sx", "事项", after=Version(steps)),))
    days = daily_load(wb, dt.date(2027, 3, 1), dt.date(2027, 3, 1))     # March 2027: 23 workdays
    [person], [peak] = summary(wb, days)
    assert person.peak == pytest.approx(35 * 400 / 23 / 480) and person.over_full == person.over == 1
    assert (peak.section, peak.person) == ("sx", "p1")


def test_the_demo_has_someone_covering_past_120_percent_on_one_day():
    """汪洋 (sc11) covers 田甜's three steps on the demo's third workday: (60×20 + 10×20 + 40×30)
    on top of their own (240×20 + 180×30), over December's 22 workdays: 121 %."""
    import datetime as dt

    from roles.demo import demo_workbook
    from roles.engines.load import daily_load, summary
    wb = demo_workbook(dt.date(2026, 12, 7))
    people, sections = summary(wb, daily_load(wb, dt.date(2026, 12, 7), dt.date(2026, 12, 18)))
    over = [(x.person, x.over, x.peak_date) for x in people if x.over]
    assert over == [("sc11", 1, dt.date(2026, 12, 9))]
    sc11 = next(x for x in people if x.person == "sc11")
    assert sc11.peak == pytest.approx((240 * 20 + 180 * 30 + 60 * 20 + 10 * 20 + 40 * 30) / 22 / 480)
