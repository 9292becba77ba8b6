"""Resilience before vs after the reform, on a two-section example worked out by hand: two
two-person sections (两人科) merged into one big section of four, over a year with one absence."""
from __future__ import annotations

import datetime as dt

import pytest
import yaml

from roles.engines.reform_resilience import before_after
from roles.formats import workbook as workbook_format
from flows.errors import BadInput

#  Before: o1 {a1, a2} ran 收文 (x1, x2, no skill); o2 {b1, b2} ran 审核 (x3, skill 法制审核, which
#  only b1 and a1 have: a1 was of o1, so in o2 only b1 could do it).
#  After: s {a1, a2, b1, b2}: y1 (a1/a2), y2 (b1/b2) with no skill, y3 法制审核 (b1/a1).
#  a2 is away Mon 2026-03-02 and Tue 03-03.
#    o1: x1, x2 able {a1, a2}: one of them on a2's days: 0 of 2 covered; k = 2 - 1 = 1
#    o2: x3 able {b1}: never two: 0 of 1; k = 0
#    s:  y1, y2 able {a1, a2, b1, b2}: three on a2's days: covered; y3 able {a1, b1}: covered;
#        3 of 3; k = min(4, 4, 2) - 1 = 1
#  City: before 0 of 3 (0.0), k_min 0, k_mean (1 + 0) / 2 = 0.5; after 3 of 3 (1.0), k 1.
WORKBOOK = """
version: 1
departments:
  - id: d
    name: 市测试局
    sections_before:
      - {id: o1, name: 收文科, staff: 2}
      - {id: o2, name: 法规科, staff: 2}
    sections:
      - {id: s, name: 综合科, merged_from: [o1, o2]}
people:
  - {id: a1, name: 甲一, section: s, post: head, section_before: o1, skills: [法制审核]}
  - {id: a2, name: 甲二, section: s, section_before: o1}
  - {id: b1, name: 乙一, section: s, post: deputy, section_before: o2, skills: [法制审核]}
  - {id: b2, name: 乙二, section: s, section_before: o2}
processes:
  - id: p1
    section: s
    name: 收文办理
    before:
      section_before: o1
      steps:
        - {id: x1, name: 登记, next: [x2]}
        - {id: x2, name: 分办}
    after:
      steps:
        - {id: y1, name: 登记分办, next: [y2], a: a1, b: a2}
        - {id: y2, name: 办结, a: b1, b: b2}
  - id: p2
    section: s
    name: 合法性审核
    before:
      section_before: o2
      steps:
        - {id: x3, name: 审核, skill: 法制审核}
    after:
      steps:
        - {id: y3, name: 审核, skill: 法制审核, a: b1, b: a1}
absences:
  - {person: a2, start: 2026-03-02, end: 2026-03-03}
"""


def _wb(tree=None):
    return workbook_format.parse(tree or yaml.safe_load(WORKBOOK), "w.yaml")


def test_two_small_sections_against_the_big_one_they_became():
    doc = before_after(_wb(), dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    units = {(u["version"], u["section"]): (u["people"], u["steps"], u["covered"], u["k"]) for u in doc["sections"]}
    assert units == {("before", "o1"): (2, 2, 0, 1), ("before", "o2"): (2, 1, 0, 0), ("after", "s"): (4, 3, 3, 1)}
    assert doc["city"] == {
        "before": {"sections": 2, "people": 4, "steps": 3, "covered": 0, "share": 0.0, "k_min": 0, "k_mean": 0.5},
        "after": {"sections": 1, "people": 4, "steps": 3, "covered": 3, "share": 1.0, "k_min": 1, "k_mean": 1.0}}
    assert doc["departments"][0]["known"] is True


def test_outside_the_absence_every_step_with_two_able_people_is_covered():
    """Over January only (a2 at work): o1's steps have their two; o2's x3 still only b1."""
    doc = before_after(_wb(), dt.date(2026, 1, 5), dt.date(2026, 1, 30))
    assert doc["city"]["before"]["covered"] == 2 and doc["city"]["after"]["covered"] == 3


def test_a_department_without_its_sections_before_is_left_out_of_the_city():
    tree = yaml.safe_load(WORKBOOK)
    for p in tree["people"]:
        del p["section_before"]
    doc = before_after(_wb(tree), dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert doc["departments"][0]["known"] is False and doc["city"]["before"] is None
    assert doc["departments"][0]["after"]["covered"] == 3


@pytest.mark.parametrize("where, value, field", [("person", "o9", "section_before"), ("after", "o1", "section_before")])
def test_a_section_before_must_be_one_of_the_departments(where, value, field):
    tree = yaml.safe_load(WORKBOOK)
    if where == "person":
        tree["people"][0]["section_before"] = value
    else:
        tree["processes"][0]["after"]["section_before"] = value
    with pytest.raises(BadInput) as e:
        _wb(tree)
    assert [p.field for p in e.value.problems] == [field]


def test_the_cli_compares_them_on_both_databases(cli, tmp_path):
    (tmp_path / "w.yaml").write_text(WORKBOOK, encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0
    doc = cli.json("resilience", "--reform", "--from", "2026-01-01", "--to", "2026-12-31")
    assert doc["city"]["before"]["share"] == 0.0 and doc["city"]["after"]["share"] == 1.0
    text = cli("resilience", "--reform", "--from", "2026-01-01", "--to", "2026-12-31").output
    assert "0.0% → 100.0%" in text
    assert cli("resilience", "--from", "2026-01-01").exit_code == 2
