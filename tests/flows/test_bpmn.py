"""BPMN interop on the real files of ../shared/corpus/bpmn, our own export read back, and hostile
files refused."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from xml.dom import minidom

import pytest

from flows.bpmn import ACTIVITIES, EVENTS, GATEWAYS, BpmnError, read, write
from flows.model import Step, Version

from ..conftest import SHARED

CORPUS = sorted((SHARED / "corpus" / "bpmn").glob("*.bpmn"))


def independent_counts(data: bytes, process_id: str) -> tuple[int, int, int, int]:
    """Counts of the process's own elements by a different parser (minidom), not our reader."""
    doc = minidom.parseString(data)
    proc = next(p for p in doc.getElementsByTagNameNS("*", "process") if p.getAttribute("id") == process_id)
    kinds = Counter()
    nodes = set()
    for child in proc.childNodes:
        if child.nodeType != child.ELEMENT_NODE:
            continue
        name = child.localName
        kind = ("activities" if name in ACTIVITIES else "gateways" if name in GATEWAYS else
                "events" if name in EVENTS else None)
        if kind:
            kinds[kind] += 1
            nodes.add(child.getAttribute("id"))
    flows = sum(1 for c in proc.childNodes if c.nodeType == c.ELEMENT_NODE and c.localName == "sequenceFlow"
                and c.getAttribute("sourceRef") in nodes and c.getAttribute("targetRef") in nodes)
    return kinds["activities"], kinds["gateways"], kinds["events"], flows


def counts(bp) -> tuple[int, int, int, int]:
    c = bp.counts
    return c.activities, c.gateways, c.events, c.flows


def test_the_corpus_is_there():
    assert len(CORPUS) >= 100


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_every_corpus_file_imports_with_the_counts_of_the_xml_and_round_trips(path: Path):
    data = path.read_bytes()
    bp = read(data, path.name)
    assert counts(bp) == independent_counts(data, bp.id)
    assert len(bp.version.steps) == sum(counts(bp)[:3])
    again = read(write(bp.version, bp.id, bp.name, {}), "again.bpmn")
    assert counts(again) == counts(bp)
    assert again.version == bp.version  # same ids, kinds, names and links


def test_our_export_keeps_holders_lanes_and_approvals():
    v = Version((Step("start", kind="start", next=("s1",)),
                 Step("s1", "受理", next=("g1",), a="p1", b="p2"),
                 Step("g1", kind="gateway", next=("s2", "s1")),
                 Step("s2", "审批", "approval", next=("end",), a="p2", b="p1"),
                 Step("end", kind="end")))
    xml = write(v, "proc-1", "测试流程", {"p1": "张伟（负责人）", "p2": "李娜（副职）"})
    bp = read(xml, "x.bpmn")
    assert bp.lanes == ["张伟（负责人）", "李娜（副职）"]
    assert bp.lane_of["s1"] == "张伟（负责人）" and bp.lane_of["s2"] == "李娜（副职）"
    assert bp.holders == {"s1": ("p1", "p2"), "s2": ("p2", "p1")}
    assert [s.kind for s in bp.version.steps] == ["start", "task", "gateway", "approval", "end"]
    text = xml.decode()
    assert "<bpmndi:BPMNShape" in text and "<di:waypoint" in text and 'isHorizontal="true"' in text


def test_which_process_of_a_collaboration():
    path = SHARED / "corpus" / "bpmn" / "miwg-reference-B.2.0.bpmn"
    bp = read(path.read_bytes(), path.name)
    assert any("processes (pools)" in n for n in bp.notes) and any("message flow" in n for n in bp.notes)
    with pytest.raises(BpmnError, match="no process 'nope'"):
        read(path.read_bytes(), path.name, "nope")


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p"><task id="t" name="&x;"/></process></definitions>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY a "hahahahahaha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;"><!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p"><task id="t" name="&i;"/></process></definitions>"""


@pytest.mark.parametrize("data,message", [
    (XXE, "refused, the file declares a DTD"),
    (LAUGHS, "refused, the file declares a DTD"),
    (b"<definitions xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL'>" + b"<a>" * 18_000_000, "MB is more than"),
    (b"<definitions xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL'>" + b"<a>" * 100_000, "Excessive depth"),
    (b"<definitions><process", "not well-formed XML"),
    (b"<html/>", "the root element is <html>"),
    (b"<definitions xmlns='http://www.omg.org/spec/BPMN/20100524/MODEL'/>", "no <process>"),
], ids=["external-entity", "billion-laughs", "50MB-nesting", "deep-nesting", "malformed", "not-bpmn", "no-process"])
def test_hostile_or_broken_files_are_refused_with_the_reason(data, message):
    with pytest.raises(BpmnError, match=message) as info:
        read(data, "evil.bpmn")
    assert str(info.value).startswith("evil.bpmn: ")
