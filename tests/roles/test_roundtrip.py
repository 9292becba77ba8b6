"""Export → import → export gives the same data, in every format and across formats and databases."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from flows.layout import layout
from flows.model import Shape, Version
from roles.storage import organisation
from roles.storage import processes as process_store
from roles.demo import demo_workbook
from roles.storage.engines import engine_for

from ..conftest import BIANBAN, TESTER, export_file, load_file, save_workbook, stored


@pytest.fixture
def loaded(engine):
    load_file(engine, BIANBAN)
    save_workbook(engine, demo_workbook(dt.date(2026, 11, 25)), user=TESTER)
    # One process drawn (as a BPMN import or the designer's drawing leaves it): places and waypoints.
    v = organisation.load(engine).process_by_id["bb-p2"].after
    boxes = layout(v).boxes
    drawn = Version(tuple(replace(s, shape=Shape(boxes[s.id].x + 0.25, boxes[s.id].y, boxes[s.id].w, boxes[s.id].h,
                                                 tuple((t, ((1.5, 2.0), (3.0, 4.75))) for t in s.next[:1])))
                          for s in v.steps))
    stored(engine, process_store.save_version, "bb-p2", "after", drawn, "test", expected_revision=None, user=TESTER)
    assert organisation.load(engine).process_by_id["bb-p2"].after == drawn
    return engine


def fresh(tmp_path, name: str):
    return engine_for(f"sqlite:///{tmp_path / name}.db")


@pytest.mark.parametrize("fmt", ["yaml", "json", "xlsx"])
def test_export_import_export_is_unchanged(loaded, tmp_path, fmt):
    first = tmp_path / f"first.{fmt}"
    again = tmp_path / f"again.{fmt}"
    wb = organisation.load(loaded)
    first.write_bytes(export_file(loaded, first.name))
    other = fresh(tmp_path, f"other-{fmt}")
    load_file(other, first)
    assert organisation.load(other) == wb
    again.write_bytes(export_file(other, again.name))
    if fmt == "xlsx":  # a zip carries timestamps: compare what it holds
        third = fresh(tmp_path, "third")
        load_file(third, again)
        assert organisation.load(third) == wb
    else:
        assert again.read_bytes() == first.read_bytes()


def test_formats_carry_the_same_data(loaded, tmp_path):
    wb = organisation.load(loaded)
    for fmt in ("json", "xlsx", "yaml"):
        path = tmp_path / f"all.{fmt}"
        path.write_bytes(export_file(loaded, path.name))
        target = fresh(tmp_path, fmt)
        load_file(target, path)
        assert organisation.load(target) == wb, fmt


def test_the_example_exports_as_it_was_written(engine, tmp_path):
    """Nothing of the example is lost or reordered on the way through the database."""
    import yaml
    load_file(engine, BIANBAN)
    out = tmp_path / "bb.yaml"
    out.write_bytes(export_file(engine, out.name))
    original = yaml.safe_load(BIANBAN.read_text(encoding="utf-8"))
    exported = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert exported["departments"][0]["sections"] == original["departments"][0]["sections"]
    assert exported["people"] == original["people"]
    assert [p["id"] for p in exported["processes"]] == ["bb-p1", "bb-p2", "bb-p3"]
    assert exported["processes"][1]["after"] == original["processes"][1]["after"]
    assert exported["absences"] == original["absences"]
    assert exported["calendar"] == original["calendar"]


PARALLEL = """version: 1
departments:
  - {id: d, name: 部门, sections: [{id: s, name: 综合科}]}
people:
  - {id: h, name: 科长, section: s, post: head}
  - {id: x, name: 甲, section: s}
  - {id: y, name: 乙, section: s}
processes:
  - id: p
    section: s
    name: 并联审批
    after:
      steps:
        - {id: s1, name: 受理, next: [g1], a: x, b: y}
        - {id: g1, name: 同时送审, kind: gateway, gateway: parallel, next: [s2, s3]}
        - {id: s2, name: 甲科审查, next: [g2], a: x, b: y}
        - {id: s3, name: 乙科审查, next: [g2], a: y, b: x}
        - {id: g2, name: 汇总, kind: gateway, gateway: parallel, next: [s4]}
        - {id: s4, name: 办结, a: h, b: x}
"""


@pytest.mark.parametrize("fmt", ["yaml", "json", "xlsx"])
def test_a_parallel_gateway_stays_parallel_through_every_format_and_bpmn(cli, tmp_path, fmt):
    source = tmp_path / "w.yaml"
    source.write_text(PARALLEL, encoding="utf-8")
    assert cli("import", str(source)).exit_code == 0
    out = tmp_path / f"all.{fmt}"
    assert cli("export", str(out)).exit_code == 0
    again = cli.__class__(f"sqlite:///{tmp_path / 'again.db'}")
    assert again("import", str(out)).exit_code == 0
    bpmn = tmp_path / "p.bpmn"
    assert again("bpmn", "export", "p", "-o", str(bpmn)).exit_code == 0
    xml = bpmn.read_text(encoding="utf-8")
    assert xml.count("<bpmn:parallelGateway") == 2 and "exclusiveGateway" not in xml
    assert again("bpmn", "import", str(bpmn), "--process", "p").exit_code == 0
    steps = {s.id: s for s in organisation.load(engine_for(again.url)).process_by_id["p"].after.steps}
    assert (steps["g1"].gateway, steps["g2"].gateway, steps["s1"].gateway) == ("parallel", "parallel", None)
