"""Leave lists from outside, read into absences without storing them: the .ics files leave systems
export, and a leave list kept as a workbook of absences only (XLSX from a spreadsheet, YAML, JSON).
The CLI and the app both read through here, then check permissions and store."""
from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy.engine import Engine

from roles.storage import store
from roles.formats.ical import read_absences
from roles.model import Absence
from roles.formats import workbook_files as formats
from flows.errors import Problem, BadInput

SUFFIXES = (".ics", ".xlsx", ".yaml", ".yml", ".json")


def read_leave_file(engine: Engine, data: bytes, name: str, person: str | None = None) -> list[Absence]:
    """The absences of the file `name` (its bytes `data`); BadInput names each bad entry.
    `person` gives the owner of every event of an .ics file that names no one."""
    suffix = Path(name).suffix.lower()
    if suffix == ".ics":
        return read_absences(data, name, store.load(engine, ()), person)
    if suffix not in SUFFIXES:
        raise BadInput([Problem(name, "the file", None, None,
                                     f"not a leave file: expected one of {', '.join(SUFFIXES)}")])
    if person is not None:
        raise BadInput([Problem(name, "the file", None, "person",
                                     "a leave list names the person of each absence; --person is for .ics files")])
    with tempfile.TemporaryDirectory() as tmp:  # the workbook readers take a path, and report its name
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        return store.absence_list(engine, formats.load(path), path.name)
