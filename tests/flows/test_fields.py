"""A step's fields are declared once, on flows.model.Step: the table, the store, the workbook (YAML,
JSON and the XLSX sheet), BPMN and the designer's words all follow that declaration."""
from __future__ import annotations

import dataclasses

from flows.fields import KINDS, STEP, STEP_NAMES, VERSION, step_from_stored, step_problems, stored_step
from flows.model import Branch, Shape, Step
from roles.storage.tables import StepRow
from roles.formats import workbook as wb_format
from roles.formats.workbook_files import SHEETS
from ui.i18n import WORDS

FULL = Step("s1", "受理", "approval", ("s2", "s3"), "p1", "p2", 12.5, 30.0, "审批",
            (Branch("s2", "通过", "材料齐全"),), Shape(10, 20, 100, 80, (("s2", ((1.0, 2.0), (3.0, 4.0))),)), 2.5, True,
            30, False, otherwise="s3", activity="service", compensates=True, duty="受理责任")
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


def test_a_field_left_at_its_default_is_read_and_checked_as_nothing_given():
    """The workbook reader reads only the fields an entry gives, and `step_problems` asks only
    fields away from their default: sound while a missing key reads as the default, and the
    default is no problem (an id, which every step must give, aside)."""
    from roles.formats.workbook import _READERS, _Reader
    from roles.model import Known
    r = _Reader("a.yaml", Known())
    for f in (*STEP, *VERSION):
        assert _READERS[f.kind](r, {}, f, "step") == f.default and not list(r.problems), f.name
        assert f.kind == "id" or f.problem(f.default) is None, f.name
    assert step_problems(Step("")) == [("id", "is required")]


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


def test_the_organisations_fields_are_declared_once_and_every_table_keeps_them():
    """An entity's fields are declared on its dataclass (roles/model.py), and the reader's keys,
    the sheet's columns, the writer and the store's rows derive from that; what is left to spell by
    hand is the table: each declared field has its column, and each column is a declared field."""
    from roles import model
    from roles.storage import tables
    tables_of = {model.Person: tables.PersonRow, model.Absence: tables.AbsenceRow, model.CalendarDay: tables.CalendarRow,
                 model.SectionBefore: tables.SectionBeforeRow, model.Function: tables.FunctionRow,
                 model.Exemption: tables.ExemptionRow, model.Section: tables.SectionRow, model.Power: tables.PowerRow,
                 model.Department: tables.DepartmentRow, model.Matter: tables.MatterRow}
    assert set(tables_of) == set(model.FIELDS)
    for cls, row in tables_of.items():
        declared = model.FIELDS[cls]
        assert {f.kind for f in declared} <= set(KINDS), cls.__name__
        nested = set(wb_format.NESTED) if cls is model.Department else set()
        assert [f.name for f in declared] == [f.name for f in dataclasses.fields(cls) if f.name not in nested]
        columns = {c.name for c in row.__table__.c} - {"position"}
        kept = {f.stored_as for f in declared if f.stored_as}
        whose = {"department_id"} if cls in (model.SectionBefore, model.Function, model.Exemption, model.Section) else set()
        # an absence's row id, and the OA approval it was pulled from: the store's, not the workbook's
        assert kept | whose == columns - ({"id", "external_id"} if cls is model.Absence else set()), cls.__name__


def test_an_entity_with_every_field_set_survives_the_store_and_the_workbook_tree():
    import datetime as dt
    from roles import model
    from flows.model import Process, Version
    from roles.storage.rows import entity_of, row_of
    full = [model.SectionBefore("b1", "旧科", 4), model.Function("f1", "审批", True),
            model.Exemption("section-size", "经同意", "s1"), model.Person("p1", "甲", "s1", "head", ("法律", "财务")),
            model.Absence("p1", dt.date(2026, 12, 1), dt.date(2026, 12, 2), "trip"),
            model.CalendarDay(dt.date(2026, 12, 5), True, "调休"),
            model.Power("q1", "d", "许可", "行政许可", "s1", ("pr",), ("受理，审查",), ("不依法受理",)),
            model.Matter("m1", "一件事", "d", (("pr",),), 3, ("申请书",), 1, (("pr",),), 9, (), 2)]
    for entity in full:
        assert entity_of(type(entity), row_of(entity)) == entity
    section = model.Section("s1", "科", "comprehensive", ("b1",), 5, 1, ("上级",), ("f1",))
    assert entity_of(model.Section, row_of(section), merged_from=("b1",), functions=("f1",)) == section
    wb = model.Workbook(departments=(model.Department("d", "部门", 1, (full[0],), (section,), (full[1],), (full[2],)),),
                        people=(full[3],), processes=(Process("pr", "s1", "流程", after=Version((Step("s", "一"),))),),
                        absences=(full[4],), calendar=(full[5],), powers=(full[6],), matters=(full[7],))
    assert wb_format.parse(wb_format.to_tree(wb), "t.yaml") == wb
