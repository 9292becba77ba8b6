"""A step's fields are declared once, on flows.model.Step: the table, the store, the workbook (YAML,
JSON and the XLSX sheet), BPMN and the designer's words all follow that declaration."""
from __future__ import annotations

import dataclasses

from flows.fields import KINDS, STEP, STEP_NAMES, step_from_stored, stored_step
from flows.model import Branch, Shape, Step
from flows.tables import StepRow
from roles.formats import workbook as wb_format
from roles.formats.workbook_files import SHEETS
from ui.i18n import WORDS

FULL = Step("s1", "受理", "approval", ("s2", "s3"), "p1", "p2", 12.5, 30.0, "审批",
            (Branch("s2", "通过", "材料齐全"),), Shape(10, 20, 100, 80, (("s2", ((1.0, 2.0), (3.0, 4.0))),)))


def test_every_field_has_a_known_kind_and_every_place_has_every_field():
    assert [f.name for f in dataclasses.fields(Step)] == list(STEP_NAMES)
    assert {f.kind for f in STEP} <= set(KINDS)
    assert set(STEP_NAMES) <= {c.name for c in StepRow.__table__.c}
    assert SHEETS["steps"][2:] == STEP_NAMES
    assert wb_format._STEP == STEP_NAMES
    assert all(f"field.{name}" in WORDS for name in STEP_NAMES)


def test_a_step_with_every_field_set_survives_the_store_and_the_workbook_tree():
    assert step_from_stored(stored_step(FULL)) == FULL
    from roles.model import Department, Person, Section, Workbook
    from flows.model import Process, Version
    people = (Person("p1", "甲", "s"), Person("p2", "乙", "s"))
    wb = Workbook(departments=(Department("d", "部门", sections=(Section("s", "科"),)),), people=people,
                  processes=(Process("p", "s", "流程", after=Version((FULL, Step("s2", "二", a="p1", b="p2"),
                                                                         Step("s3", "三", a="p2", b="p1")))),))
    tree = wb_format.to_tree(wb)
    assert set(tree["processes"][0]["after"]["steps"][0]) == set(STEP_NAMES)
    assert wb_format.parse(tree, "t.yaml").processes[0].after.steps[0] == FULL
