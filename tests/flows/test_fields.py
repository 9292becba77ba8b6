"""A step's fields are declared once, on flows.model.Step: the table, the store, the workbook (YAML,
JSON and the XLSX sheet), BPMN and the designer's words all follow that declaration."""
from __future__ import annotations

import dataclasses

from flows.fields import KINDS, STEP, STEP_NAMES, step_from_stored, stored_step
from flows.model import Branch, Shape, Step
from roles.storage.tables import StepRow
from roles.formats import workbook as wb_format
from roles.formats.workbook_files import SHEETS
from ui.i18n import WORDS

FULL = Step("s1", "受理", "approval", ("s2", "s3"), "p1", "p2", 12.5, 30.0, "审批",
            (Branch("s2", "通过", "材料齐全"),), Shape(10, 20, 100, 80, (("s2", ((1.0, 2.0), (3.0, 4.0))),)), 2.5, True,
            30, False, otherwise="s3", activity="service", compensates=True)
#: Every field a gateway may have set, its type among them (only a gateway has one).
GATE = Step("g1", "材料齐全？", "gateway", ("s2", "s3"), gateway="parallel")
#: Every field an event may have: a boundary timer that runs beside its step, and one that waits.
TIMER = Step("t1", "超时", "event", ("s3",), event="timer", timer="P5D", attached="s1", interrupting=False)
CATCH = Step("m1", "收到", "event", ("s3",), event="link", definition="转下一页", catches=True)
#: A sub-process, its inner elements kept as the file had them.
SUB = Step("sp", "子流程", "task", ("s3",), activity="subprocess",
           inside='<abflow:inside xmlns:abflow="https://abflow.example/bpmn" '
                  'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:task id="i1" name="内部"/>'
                  '</abflow:inside>')


def test_every_field_has_a_known_kind_and_every_place_has_every_field():
    assert [f.name for f in dataclasses.fields(Step)] == list(STEP_NAMES)
    assert {f.kind for f in STEP} <= set(KINDS)
    assert set(STEP_NAMES) <= {c.name for c in StepRow.__table__.c}
    assert SHEETS["steps"][2:] == STEP_NAMES
    assert wb_format._STEP == STEP_NAMES
    assert all(f"field.{name}" in WORDS for name in STEP_NAMES)


def test_a_step_with_every_field_set_survives_the_store_and_the_workbook_tree():
    assert all(step_from_stored(stored_step(s)) == s for s in (FULL, GATE, TIMER, CATCH, SUB))
    from roles.model import Department, Person, Section, Workbook
    from flows.model import Process, Version
    people = (Person("p1", "甲", "s"), Person("p2", "乙", "s"))
    wb = Workbook(departments=(Department("d", "部门", sections=(Section("s", "科"),)),), people=people,
                  processes=(Process("p", "s", "流程", after=Version((FULL, GATE, TIMER, CATCH, SUB, Step("s2", "二", a="p1", b="p2"),
                                                                         Step("s3", "三", a="p2", b="p1")))),))
    tree = wb_format.to_tree(wb)
    full, gate, timer, catch, sub = tree["processes"][0]["after"]["steps"][:5]
    assert set(full) | set(gate) | set(timer) | set(catch) | set(sub) == set(STEP_NAMES) and gate["gateway"] == "parallel"
    assert timer["interrupting"] is False and "interrupting" not in catch  # a default is left out
    assert wb_format.parse(tree, "t.yaml").processes[0].after.steps[:5] == (FULL, GATE, TIMER, CATCH, SUB)


def test_the_other_entities_say_the_same_fields_in_the_model_the_reader_the_sheet_and_the_table():
    """Entities of a few fields each are spelled in the dataclass, the reader's keys, the XLSX sheet
    and the table; these must agree, so a field added to one and not the others fails here."""
    from roles import model
    from roles.storage import tables
    nested = {"sections_before", "sections", "functions", "exemptions"}  # a department's rows of their own
    parent = {"department", "department_id"}  # the column that says whose row it is

    def columns(row, renames: dict) -> set[str]:
        back = {column: name for name, column in renames.items()}
        return {back.get(c.name, c.name) for c in row.__table__.c} - {"position"}

    cases = [  # model, reader's keys, sheet, table, field → column, fields kept in tables of their own
        (model.Person, wb_format._PERSON, "people", tables.PersonRow, {"section": "section_id"}, set()),
        (model.Absence, wb_format._ABSENCE, "absences", tables.AbsenceRow, {"person": "person_id"}, {"id"}),
        (model.CalendarDay, wb_format._CALENDAR, "calendar", tables.CalendarRow, {}, set()),
        (model.SectionBefore, wb_format._SECTION_BEFORE, "sections_before", tables.SectionBeforeRow, {}, set()),
        (model.Function, wb_format._FUNCTION, "functions", tables.FunctionRow, {}, set()),
        (model.Exemption, wb_format._EXEMPTION, "exemptions", tables.ExemptionRow, {}, set()),
        (model.Section, wb_format._SECTION, "sections", tables.SectionRow, {}, {"merged_from", "functions"}),
        (model.Power, wb_format._POWER, "powers", tables.PowerRow,
         {"department": "department_id", "section": "section_id"}, set()),
        (model.Department, wb_format._DEPT, "departments", tables.DepartmentRow, {}, nested),
    ]
    for cls, keys, sheet, row, renames, elsewhere in cases:
        fields = {f.name for f in dataclasses.fields(cls)}
        assert set(keys) == fields, cls.__name__
        in_sheet = set(SHEETS[sheet]) if "department" in fields else set(SHEETS[sheet]) - parent
        assert in_sheet == fields - (nested if cls is model.Department else set()), cls.__name__
        in_table = columns(row, renames) if "department" in fields else columns(row, renames) - parent
        assert in_table - {"id"} == fields - elsewhere - {"id"}, cls.__name__
