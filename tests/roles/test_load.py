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
