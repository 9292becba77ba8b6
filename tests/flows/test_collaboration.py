"""A matter across departments as a BPMN collaboration: written with a pool per department and read
back to the same stages, a file from another tool read by its flows alone, and what is refused."""
from __future__ import annotations

import re

import pytest

from flows import collaboration
from flows.bpmn import BpmnError
from flows.collaboration import Part

#  Three stages over three departments: a (d1); b (d1) with c (d2) and e (d2) together; f (d3).
STAGES = ((Part("a", "甲", "d1"),), (Part("b", "乙", "d1"), Part("c", "丙", "d2"), Part("e", "戊", "d2")),
          (Part("f", "己", "d3"),))
DEPTS = {"d1": "一局", "d2": "二局", "d3": "三局"}


def _written(**kw) -> bytes:
    return collaboration.write("m1", "一件事", STAGES, DEPTS, {"lead": "d1", "promised_days": "9"},
                               {"materials": ("表",)}, **kw)


def test_a_collaboration_reads_back_to_its_stages_pools_and_terms():
    drawn = collaboration.read(_written(), "m.bpmn")
    assert drawn.id == "m1" and drawn.name == "一件事"
    assert drawn.stages == (("a",), ("b", "c", "e"), ("f",))
    assert drawn.pools == (("d1", "一局"), ("d2", "二局"), ("d3", "三局"))
    assert drawn.attributes == {"lead": "d1", "promised_days": "9"} and drawn.lists == {"materials": ("表",)}


def test_a_pool_with_two_parts_of_a_stage_splits_and_joins_them():
    xml = _written().decode()
    assert xml.count("<bpmn:parallelGateway") == 2 and xml.count("<bpmn:messageFlow") == 2 + 3
    # a → c, a → e (to d2), then b, c, e → f (to d3): each part that hands work to another department


def test_a_file_from_another_tool_reads_by_its_flows_alone():
    """No attribute of ours, the parts' order in the file shuffled: the flows still give the stages."""
    xml = re.sub(r' abflow:[a-z_]+="[^"]*"', "", _written().decode())
    xml = re.sub(r"<bpmn:extensionElements>.*?</bpmn:extensionElements>", "", xml, flags=re.S)
    drawn = collaboration.read(xml.encode(), "other.bpmn")
    assert drawn.id == "matter_m1" and drawn.attributes == {} and drawn.pools[0] == (None, "一局")
    assert drawn.stages == (("a",), ("b", "c", "e"), ("f",))


@pytest.mark.parametrize("change, words", [
    (lambda x: x.replace(' calledElement="c"', ""), "names no process"),
    (lambda x: re.sub(r"<bpmn:collaboration.*?</bpmn:collaboration>", "", x, flags=re.S), "no <collaboration>"),
    (lambda x: x.replace('</bpmn:collaboration>',
                         '<bpmn:messageFlow id="back" sourceRef="part_f" targetRef="part_a"/></bpmn:collaboration>'),
     "loop"),
    (lambda x: x.replace("<bpmn:definitions", '<!DOCTYPE x [<!ENTITY e "e">]><bpmn:definitions', 1)
     .replace('<?xml version="1.0" encoding="UTF-8"?>\n', ""), "DTD"),
])
def test_a_bad_collaboration_is_refused_saying_why(change, words):
    with pytest.raises(BpmnError) as e:
        collaboration.read(change(_written().decode()).encode(), "bad.bpmn")
    assert "bad.bpmn" in str(e.value) and words in str(e.value)
