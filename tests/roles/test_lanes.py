"""A drawing's lanes are its A holders: a step moved into another lane changes hands (into its B
holder's lane, A and B trade places), and a step written last in the file keeps its place in the
flow, in the table and in the numbers every chart, print and guide shows."""
from __future__ import annotations

import re

import pytest

from flows.bpmn import write
from flows.render import numbering
from roles import actions
from roles.engines.lanes import lane_titles

from ..conftest import TESTER

OFFICE = actions.Account("office", "office")


@pytest.fixture
def exported(bianban):
    db = actions.open_database(bianban.url.render_as_string(hide_password=False))
    wb, p, v = actions.process_version(db, TESTER, process_id="bb-p1")
    return db, v, write(v, p.id, p.name, lane_titles(wb.people)).decode()


def moved(xml: str, step: str, lane: str) -> str:
    """As bpmn-js writes a step dragged into `lane`: its node reference in that lane, and its
    element written last among the process's."""
    xml = re.sub(rf"\s*<bpmn:flowNodeRef>{step}</bpmn:flowNodeRef>", "", xml)
    xml = re.sub(rf'(<bpmn:lane id="[^"]+" name="{lane}[^"]*">)', rf"\1<bpmn:flowNodeRef>{step}</bpmn:flowNodeRef>",
                 xml)
    element = re.search(rf'\s*<bpmn:(\w+) id="{step}".*?</bpmn:\1>', xml, re.S)
    assert element is not None
    xml = xml.replace(element.group(0), "")
    return xml.replace("</bpmn:process>", element.group(0) + "</bpmn:process>")


def test_a_step_moved_into_another_lane_changes_its_a_holder(exported):
    db, live, xml = exported
    assert (live.step("s3").a, live.step("s3").b) == ("bb01", "bb02")   # 分管领导批示: 赵文静, B 钱立新
    got = actions.drawing(db, OFFICE, data=moved(xml, "s3", "李建军").encode(), name="drawn.bpmn",
                          section_id="bb-zh", which="after").version
    assert (got.step("s3").a, got.step("s3").b) == ("bb04", "bb02")      # 李建军 now; B kept
    assert [s.id for s in got.work_steps] == ["s1", "s2", "s3", "s4"]    # the table keeps the flow's order
    assert numbering(got) == {"s1": 1, "s2": 2, "s3": 3, "s4": 4}


def test_a_step_moved_into_its_b_holders_lane_swaps_a_and_b(exported):
    db, live, xml = exported
    got = actions.drawing(db, OFFICE, data=moved(xml, "s3", "钱立新").encode(), name="drawn.bpmn",
                          section_id="bb-zh", which="after").version
    assert (got.step("s3").a, got.step("s3").b) == ("bb02", "bb01")


def test_a_lane_that_names_nobody_keeps_the_holders_the_file_carries(exported):
    db, live, xml = exported
    renamed = xml.replace('name="李建军（工作人员）"', 'name="窗口"')
    got = actions.drawing(db, OFFICE, data=renamed.encode(), name="drawn.bpmn", section_id="bb-zh",
                          which="after")
    assert got.version.step("s4").a == "bb04" and "窗口" in got.lanes_unmatched
