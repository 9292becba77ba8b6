"""A matter done once as a BPMN collaboration file (flows.collaboration), out and in: its terms as
our attributes by its declared fields, and what a file gives read and checked as a workbook's
matter is (ids, references, fields), against what the database holds."""
from __future__ import annotations

from collections.abc import Callable, Mapping

from flows import collaboration
from flows.errors import BadInput, Problem
from roles.engines.matters import figures
from roles.formats.workbook import parse
from roles.model import FIELDS, Known, Matter, Workbook

#: The fields the collaboration element itself carries (id and name are BPMN's own attributes).
_OWN = ("id", "name", "stages")


def write(wb: Workbook, matter: Matter, words: Mapping[str, str]) -> bytes:
    """The matter's redesigned stages as pools of departments (the lead first); the rest of its
    fields (the version before included) as our attributes; `words` names the pools' start and end."""
    stages = tuple(tuple(collaboration.Part(p.process, p.name, p.department or "?") for p in stage)
                   for stage in figures(wb, matter).after.stages)
    names = {d: wb.department_name(d) for d in dict.fromkeys([matter.lead, *(p.department for stage in stages for p in stage)])}
    attributes, lists = {}, {}
    for f in FIELDS[Matter]:
        value = getattr(matter, f.name)
        if f.name in _OWN or value is None or value == ():
            continue
        if f.kind == "names":
            lists[f.name] = value
        else:
            attributes[f.name] = f.cell(value) if f.kind == "stages" else str(value)
    return collaboration.write(matter.id, matter.name, stages, names, attributes, lists, words)


def read(data: bytes, source: str, known: Callable[[str], Known], matter_id: str | None = None,
         lead: str | None = None) -> Matter:
    """The matter a collaboration draws, as a workbook's matter checked against `known(id)` (what
    the database holds, the matter's own id free to be given again): `matter_id` and `lead` stand
    in for a file from another tool that says neither; BadInput names what is wrong."""
    drawn = collaboration.read(data, source)
    entry: dict = {"id": matter_id or drawn.id, "name": drawn.name or matter_id or drawn.id,
                   "stages": [list(s) for s in drawn.stages]}
    specs = {f.name: f for f in FIELDS[Matter]}
    for key, text in drawn.attributes.items():
        spec = specs.get(key)
        if spec is None or key in _OWN:
            raise BadInput([Problem(source, f"matter {entry['id']}", None, key, "unknown attribute of the collaboration")])
        entry[key] = [s for s in text.split(",") if s.strip()] if spec.kind == "stages" else spec.from_attribute(text)
    entry |= {k: list(v) for k, v in drawn.lists.items()}
    if lead:
        entry["lead"] = lead
    elif "lead" not in entry:
        first = drawn.pools[0][0] if drawn.pools else None
        if first is None:
            raise BadInput([Problem(source, f"matter {entry['id']}", None, "lead",
                                    "the file names no lead department: give it (--lead)")])
        entry["lead"] = first
    return parse({"matters": [entry]}, source, known(entry["id"])).matters[0]
