"""A JSON workbook is imported a process at a time (`workbook_files.open_tree`): the tree it reads
is the tree a whole read gives, whatever order its keys come in and wherever a window of its text
ends; a file refused on the way is refused as a whole read refuses it, and nothing is kept."""
from __future__ import annotations

import json
import uuid

import pytest
import yaml
from sqlalchemy import inspect

from flows.errors import BadInput
from roles.formats import workbook_files
from roles.formats.workbook import parse, read

from ..conftest import load_file
from .test_workbook_import import BASE, CASES, counts, write


def streamed(data: bytes, name: str = "wb.json"):
    """The tree `open_tree` gives, its processes read through."""
    tree = workbook_files.open_tree(data, name)
    if isinstance(tree, dict) and isinstance(tree.get("processes"), workbook_files.Later):
        processes = list(tree["processes"])  # the keys after them are read now
        tree["processes"] = processes
    return tree


def base(order: tuple[str, ...] | None = None) -> dict:
    tree = yaml.safe_load(BASE)
    tree["processes"].append({"id": "fgw-p2", "section": "fgw-zh", "name": "信息公开 ☂ 𝔘", "after": {
        "promised_days": 15, "steps": [{"id": "t1", "name": "受理", "a": "p002", "b": "p001", "minutes": 12.5}]}})
    return {k: tree[k] for k in order} if order else tree


ORDERS = [("version", "departments", "people", "processes", "absences"),  # as abflow writes it
          ("processes", "absences", "people", "version", "departments"),  # what processes name comes after
          ("absences", "departments", "version", "people", "processes")]


@pytest.mark.parametrize("order", ORDERS, ids=["written", "processes first", "processes last"])
@pytest.mark.parametrize("window", [1, 7, 64, workbook_files.WINDOW])
def test_a_streamed_tree_is_the_whole_tree(monkeypatch, order, window):
    data = json.dumps(base(order), ensure_ascii=False, indent=1, default=str).encode()
    monkeypatch.setattr(workbook_files, "WINDOW", window)
    assert streamed(data) == workbook_files.read_tree(data, "wb.json", locate=False)
    assert streamed(b"\xef\xbb\xbf" + data) == workbook_files.read_tree(data, "wb.json", locate=False)  # a BOM


@pytest.mark.parametrize("text,problem", [
    ('{"version": 1, "version": 1}', "field 'version': key given twice"),
    ('{"departments": [], "people": [], "processes": [], "processes": []}', "field 'processes': key given twice"),
    ('{"processes": [{"id": "p"},], "people": []}', "not valid JSON"),
    ('{"people": [], "departments": []} []', "not valid JSON"),
    ('{"people": [], "departments": [], "processes": [{"id": ' + "9" * 5000 + '}]}', "more digits than Python reads"),
    ('{"people": [' + "[" * 100_000 + "]" * 100_000 + "]}", "nested too deep"),
])
def test_a_broken_file_is_refused_while_it_streams(monkeypatch, text, problem):
    monkeypatch.setattr(workbook_files, "WINDOW", 16)
    with pytest.raises(BadInput) as info:
        streamed(text.encode())
    assert problem in str(info.value)


def test_no_mapping_is_read_whole_and_refused_as_ever():
    assert streamed(b"[1, 2]") == [1, 2]
    with pytest.raises(BadInput, match="must be a mapping"):
        parse(streamed(b"[1, 2]"), "wb.json")


def test_a_process_is_given_only_while_no_problem_is_found():
    tree = base()
    tree["processes"][0]["after"]["steps"][0]["a"] = "nobody"
    incoming = read(streamed(json.dumps(tree, ensure_ascii=False, default=str).encode()), "wb.json")
    assert list(incoming.processes) == []  # the first is wrong: neither it nor the second is written
    with pytest.raises(BadInput, match="no person 'nobody'"):
        incoming.rest()


@pytest.mark.parametrize("order", ORDERS[:2], ids=["written", "processes first"])
def test_a_json_workbook_imports_in_any_order(engine, tmp_path, order):
    summary = load_file(engine, write(tmp_path, json.dumps(base(order), ensure_ascii=False, default=str), "wb.json"))
    assert (summary.people, summary.processes, summary.steps, summary.absences) == (3, 2, 3, 1)
    assert counts(engine) == (3, 3, 1)


@pytest.mark.parametrize("what,change,expected", [c for c in CASES if c[0] not in ("key twice", "yaml syntax")],
                         ids=[c[0] for c in CASES if c[0] not in ("key twice", "yaml syntax")])
def test_every_bad_workbook_is_refused_as_json_too(engine, tmp_path, what, change, expected):
    """Each refused YAML workbook, written as JSON and streamed, is refused with the same problem
    (on its line of the JSON), and nothing of it is kept."""
    load_file(engine, write(tmp_path, BASE))
    before = counts(engine)
    tree = yaml.load(BASE.replace(*change, 1), Loader=yaml.BaseLoader)  # noqa: S506 - text, lists and mappings only
    for entry in (*tree.get("departments", ()), *tree.get("people", ()), *tree.get("absences", ())):
        for key in ("staff", "staffing", "batch"):
            if key in entry and entry[key].lstrip("-").isdigit():
                entry[key] = int(entry[key])
    if "version" in tree:
        tree["version"] = int(tree["version"])
    with pytest.raises(BadInput) as info:
        load_file(engine, write(tmp_path, json.dumps(tree, ensure_ascii=False), "wb.json"))
    for fragment in expected:
        assert fragment[fragment.find("field '"):] in str(info.value)
    assert counts(engine) == before


def test_a_first_import_keeps_every_foreign_key(engine, tmp_path):
    """On PostgreSQL a first import checks its processes' keys after its rows are in (dropped, then
    put back): the same keys stand after it, and a re-import keeps them as they are."""
    def keys():
        found = inspect(engine)
        return {t: sorted((k["name"] or "", tuple(k["constrained_columns"]), k["referred_table"])
                          for k in found.get_foreign_keys(t)) for t in ("process", "process_version", "step")}
    before = keys()
    assert before["step"]
    data = json.dumps(base(), ensure_ascii=False, default=str)
    load_file(engine, write(tmp_path, data, "wb.json"))
    assert keys() == before
    load_file(engine, write(tmp_path, data, "wb.json"))
    assert keys() == before and counts(engine) == (3, 3, 1)


def test_a_role_that_may_only_write_rows_imports_with_its_keys_checked_as_it_goes(pg_migrated, tmp_path):
    """A deployment may give abflow a role that writes rows but does not own the tables: it cannot
    drop their keys, so its first import checks them row by row, and succeeds."""
    from sqlalchemy import create_engine, make_url, text

    from roles import actions
    from roles.storage.database import dispose_all
    from ..conftest import TESTER
    pg_migrated.fresh()
    owner = create_engine(pg_migrated.url, isolation_level="AUTOCOMMIT")
    role = f"abflow_rows_{uuid.uuid4().hex[:8]}"
    with owner.connect() as c:
        c.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        c.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
        c.execute(text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"'))
        c.execute(text(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))
    try:
        keys = inspect(owner).get_foreign_keys("step")
        url = make_url(pg_migrated.url).set(username=role).render_as_string(hide_password=False)
        summary = actions.import_workbook(actions.open_database(url), TESTER, name="wb.json",
                                          data=json.dumps(base(), ensure_ascii=False, default=str).encode())
        assert (summary.processes, summary.steps) == (2, 3)
        assert inspect(owner).get_foreign_keys("step") == keys
    finally:
        dispose_all()
        with owner.connect() as c:
            c.execute(text(f'DROP OWNED BY "{role}"'))
            c.execute(text(f'DROP ROLE "{role}"'))
        owner.dispose()
