"""`leaders-apart`: a head and a deputy who back each other are not both away on a workday. Checked
over the recorded absences by `check`, and over what a leave would add by every leave-request
check; days worked out by hand (Sat 12-05 a working day only where the calendar says so)."""
from __future__ import annotations

import json

import pytest
import yaml

WORKBOOK = {
    "version": 1,
    "departments": [{"id": "d", "name": "市测试局", "sections_before": [{"id": "o1", "name": "甲科"}],
                     "sections": [{"id": "s", "name": "综合科", "merged_from": ["o1"]}]}],
    "people": [{"id": "h", "name": "张科长", "section": "s", "post": "head"},
               {"id": "v", "name": "李副科长", "section": "s", "post": "deputy"},
               {"id": "w", "name": "王科员", "section": "s"}],
    "processes": [{"id": "p", "section": "s", "name": "审批", "after": {"steps": [
        {"id": "s1", "name": "受理", "next": ["s2"], "a": "w", "b": "v"},
        {"id": "s2", "name": "审批", "kind": "approval", "a": "v", "b": "h"}]}}],   # v backs w; h backs v
}


def load(cli, tmp_path, absences, calendar=()):
    tree = dict(WORKBOOK, absences=absences, calendar=list(calendar))
    (tmp_path / "w.yaml").write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    assert cli("import", str(tmp_path / "w.yaml")).exit_code == 0


def findings(cli):
    result = cli("check", "--json", "--rule", "leaders-apart")
    return result.exit_code, [(f["subject"], f["message"][:10]) for f in json.loads(result.stdout)["findings"]]


H = {"person": "h", "start": "2026-12-03", "end": "2026-12-07"}                # Thu … Mon


@pytest.mark.parametrize("deputy,calendar,days", [
    ({"start": "2026-12-08", "end": "2026-12-09"}, [], []),                      # the day after: apart
    ({"start": "2026-12-05", "end": "2026-12-06"}, [], []),                      # together on a weekend only
    ({"start": "2026-12-05", "end": "2026-12-08"}, [], ["2026-12-07"]),          # together on Monday
    ({"start": "2026-12-05", "end": "2026-12-08"}, [{"date": "2026-12-05", "workday": True}],
     ["2026-12-05", "2026-12-07"]),                                               # and on a working Saturday
])
def test_a_head_and_deputy_away_together_on_a_workday_is_an_error(cli, tmp_path, deputy, calendar, days):
    load(cli, tmp_path, [H, {"person": "v", **deputy}], calendar)
    code, found = findings(cli)
    assert found == [("h/v", d) for d in days] and code == (1 if days else 0)


def test_a_staff_member_away_with_the_head_is_no_finding(cli, tmp_path):
    load(cli, tmp_path, [H, {"person": "w", "start": "2026-12-03", "end": "2026-12-07"}])
    assert findings(cli) == (0, [])


def test_a_leave_request_names_the_days_it_would_put_both_away(cli, tmp_path):
    load(cli, tmp_path, [H])
    doc = cli.json("whatif", "--person", "v", "--from", "2026-12-07", "--to", "2026-12-08")
    assert doc["leaders_apart"] == [{"date": "2026-12-07", "head": "h", "deputy": "v"}]
    assert cli.json("whatif", "--person", "w", "--from", "2026-12-07", "--to", "2026-12-08")["leaders_apart"] == []
    human = cli("whatif", "--person", "v", "--from", "2026-12-07", "--to", "2026-12-08")
    assert "2026-12-07：张科长" in human.output and "这天两人都不在岗" in human.output
