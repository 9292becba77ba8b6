"""Workbook files (YAML, JSON, XLSX) to and from one nested tree of dicts and lists.

Every format reads into the same tree, so validation is written once. Mappings read from a file
are `Entry` dicts that remember where they stood (line, or sheet and row), for error messages.
"""
from __future__ import annotations

import bisect
import codecs
import datetime as dt
import json
import json.scanner
import re
import io
from pathlib import PurePath
from collections.abc import Callable
from typing import Any

import yaml

from flows.fields import STEP, STEP_NAMES, VERSION, VERSION_NAMES, stage_text
from flows.model import Branch
from roles.model import (FIELDS, Absence, CalendarDay, Department, Exemption, Function, Matter, Person, Power, Section,
                         SectionBefore)

from flows import limits
from flows.errors import BadInput, Problem, Problems

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".xlsx": "xlsx"}


class Entry(dict):
    """A mapping from a file, with where it stands and where each of its keys stands."""

    where: str | None = None

    def __init__(self, *args, where: str | None = None, **kw):
        super().__init__(*args, **kw)
        self.where = where
        self.key_where: dict[str, str] = {}

    def where_of(self, key: str) -> str | None:
        return self.key_where.get(key, self.where)


class Items(list):
    where: str | None = None


def format_of(name: str) -> str:
    fmt = FORMATS.get(PurePath(name).suffix.lower())
    if fmt is None:
        raise BadInput([Problem(PurePath(name).name, "the file", None, None,
                                f"unknown format '{PurePath(name).suffix}': use {', '.join(FORMATS)}")])
    return fmt


def read_tree(data: bytes, name: str, locate: bool = True) -> Any:
    """Read a workbook file's bytes into a tree; `name` (its file name) gives the format and is named
    in every message. `locate` asks for line numbers where that costs extra. The file's size is
    checked before it is parsed, and its nesting while it is."""
    fmt, name = format_of(name), PurePath(name).name
    if problem := limits.size_problem(len(data), limits.MAX_WORKBOOK_BYTES):
        raise BadInput([Problem(name, "the file", None, None, problem)])
    try:
        return READERS[fmt](name, data, locate)
    except RecursionError:
        raise BadInput([Problem(name, "the file", None, None,
                                "is nested too deep to be a workbook")]) from None


def write_tree(tree: dict, name: str, progress: Callable[[str, int, int], None] | None = None) -> bytes:
    """The tree as a file of the format `name` asks for; an XLSX file says which sheet it writes
    (`progress(sheet, n, total)`)."""
    fmt = format_of(name)
    return _dump_xlsx(tree, progress) if fmt == "xlsx" and progress is not None else WRITERS[fmt](tree)


def _text(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise BadInput([Problem(name, "the file", None, None, f"cannot be read as UTF-8: {e}")]) from None


# --- YAML -------------------------------------------------------------------------------------

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader that keeps dates as text (so a bad date is our clear error, not a crash),
    records line numbers, and refuses aliases: a workbook needs none, and a few nested ones
    make a kilobyte of YAML stand for gigabytes."""

    def construct_object(self, node, deep=False):
        if node in self.constructed_objects or node in self.recursive_objects:
            raise _Alias(node.start_mark.line + 1)
        return super().construct_object(node, deep)


class _Alias(Exception):
    def __init__(self, line: int):
        self.line = line


_Loader.yaml_implicit_resolvers = {
    ch: [r for r in rs if r[0] != "tag:yaml.org,2002:timestamp"]
    for ch, rs in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Duplicate(Exception):
    def __init__(self, key: str, line: int):
        self.key, self.line = key, line


def _yaml_mapping(loader, node):
    loader.flatten_mapping(node)
    entry = Entry(where=f"line {node.start_mark.line + 1}")
    for knode, vnode in node.value:
        key = loader.construct_object(knode, deep=True)
        key = str(key) if not isinstance(key, str) else key
        if key in entry:
            raise _Duplicate(key, knode.start_mark.line + 1)
        entry[key] = loader.construct_object(vnode, deep=True)
        entry.key_where[key] = f"line {knode.start_mark.line + 1}"
    return entry


def _yaml_sequence(loader, node):
    items = Items(loader.construct_object(n, deep=True) for n in node.value)
    items.where = f"line {node.start_mark.line + 1}"
    return items


_Loader.add_constructor("tag:yaml.org,2002:map", _yaml_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _yaml_sequence)


def _digits(e: ValueError) -> str:
    """Python refuses to convert an integer of thousands of digits; say so in a user's words."""
    return f"holds a number of more digits than Python reads ({limits.short(str(e), 80)})"


def _load_yaml(name: str, text: str):
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except _Duplicate as d:
        raise BadInput([Problem(name, "the file", f"line {d.line}", d.key, "key given twice")]) from None
    except _Alias as a:
        raise BadInput([Problem(name, "the file", f"line {a.line}", None,
                                "a YAML anchor here (&name) is used again by an alias (*name) or merge key; "
                                "a workbook takes none: write the value out instead")]) from None
    except ValueError as e:  # a number of more digits than Python converts
        raise BadInput([Problem(name, "the file", None, None, _digits(e))]) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        msg = getattr(e, "problem", None) or str(e)
        raise BadInput([Problem(name, "the file", where, None, f"not valid YAML: {msg}")]) from None


class _Dumper(yaml.SafeDumper):
    """Writes every value out: the reader takes no aliases, and a person reads none."""

    def ignore_aliases(self, data) -> bool:
        return True


def _str_presenter(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


# --- JSON -------------------------------------------------------------------------------------

def _pairs(name: str) -> Callable[..., Entry]:
    """A JSON mapping's pairs as an `Entry`, refusing a key given twice."""

    def pairs(items, where=None):
        entry = Entry(items, where=where)  # built in C; a key given twice shows as a shorter mapping
        if len(entry) != len(items):
            seen: set[str] = set()
            for k, _ in items:
                if k in seen:
                    raise BadInput([Problem(name, "the file", where, k, "key given twice")])
                seen.add(k)
        return entry
    return pairs


def _load_json(name: str, text: str, locate: bool):
    """Plain `json` is fast but gives no positions; with `locate`, a scanner that notes lines."""
    pairs = _pairs(name)
    try:
        if not locate:
            return json.loads(text, object_pairs_hook=pairs)
        newlines = [m.start() for m in re.finditer("\n", text)]

        def line_at(pos: int) -> str:
            return f"line {bisect.bisect_left(newlines, pos) + 1}"

        decoder: Any = json.JSONDecoder()  # its scanner hooks are not part of the typed API
        plain_object = decoder.parse_object

        def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
            s, end = s_and_end
            collected: list = []
            key_lines: dict[str, str] = {}

            def hook(items):
                collected.extend(items)
                return None

            _, new_end = plain_object(s_and_end, strict, scan_once, object_hook, hook, memo)
            entry = pairs(collected, line_at(end - 1))
            # Keys' lines: each key's quoted text, searched forward from the object's start.
            pos = end
            for k in entry:
                pos = s.find(json.dumps(k, ensure_ascii=False), pos)
                if pos < 0:
                    break
                key_lines[k] = line_at(pos)
            entry.key_where = key_lines
            return entry, new_end

        def parse_array(s_and_end, scan_once, _plain=decoder.parse_array):
            values, new_end = _plain(s_and_end, scan_once)
            items = Items(values)
            items.where = line_at(s_and_end[1] - 1)
            return items, new_end

        decoder.parse_object = parse_object
        decoder.parse_array = parse_array
        decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]  # the Python scanner calls our hooks
        return decoder.decode(text)
    except json.JSONDecodeError as e:
        raise BadInput([Problem(name, "the file", f"line {e.lineno}, column {e.colno}", None,
                                     f"not valid JSON: {e.msg}")]) from None
    except ValueError as e:  # a number of more digits than Python converts
        raise BadInput([Problem(name, "the file", None, None, _digits(e))]) from None


def open_tree(data: bytes, name: str) -> Any:
    """A workbook file's tree for an import. A JSON workbook is streamed: its `processes` are a
    `Later`, read one process at a time as the import takes them (a province's, read whole, are a
    gigabyte of objects), and the keys after them are read once they are through. Other formats,
    and a JSON file that is no mapping, are read whole; no positions either way (a refused file is
    read again with them, for its messages)."""
    if format_of(name) != "json" or limits.size_problem(len(data), limits.MAX_WORKBOOK_BYTES):
        return read_tree(data, name, locate=False)
    name = PurePath(name).name
    stream = _JsonStream(name, data)
    if stream.peek() != "{":
        return read_tree(data, name, locate=False)
    tree = Entry()
    keys = stream.members()

    def read_on() -> None:
        """The keys into the tree, up to processes that can be streamed (what follows them is read
        once they are through), or to the end."""
        for key in keys:
            if key in tree:
                raise stream.twice(key)
            if key != "processes" or stream.peek() != "[":
                tree[key] = stream.value()
            elif "departments" in tree and "people" in tree:
                tree[key] = Later(stream.elements(), read_on)
                return
            else:  # processes before what they refer to: the rest first, then the processes again
                for _ in stream.elements():
                    pass
                tree[key] = Later(_JsonStream(name, data).values_of("processes"), lambda: None)
    read_on()
    return tree


class Later:
    """A list of a streamed tree, read as it is iterated, once; `then` reads what follows it."""

    def __init__(self, values, then: Callable[[], None]):
        self._values, self._then = values, then

    def __iter__(self):
        values, self._values = self._values, None
        if values is None:
            raise RuntimeError("a streamed list is read only once")
        yield from values
        self._then()


#: Bytes of a streamed JSON workbook decoded at a time.
WINDOW = 1 << 22
_SPACE = re.compile(r"[ \t\n\r]*")


class _JsonStream:
    """A JSON text read a value at a time from a window of it, with the same decoder (and the
    same refusals) as a whole file's read: only the value being read, and the window, are held."""

    def __init__(self, name: str, data: bytes):
        self.name, self.data = name, data
        self.decoder = json.JSONDecoder(object_pairs_hook=_pairs(name))
        self.utf8 = codecs.getincrementaldecoder("utf-8-sig")()
        self.fed, self.text, self.at = 0, "", 0

    def _more(self) -> bool:
        """Decode the next window onto what is not yet read; False at the end of the file."""
        if self.fed >= len(self.data):
            return False
        end = self.fed + WINDOW
        try:
            more = self.utf8.decode(self.data[self.fed:end], final=end >= len(self.data))
        except UnicodeDecodeError as e:
            raise BadInput([Problem(self.name, "the file", None, None, f"cannot be read as UTF-8: {e}")]) from None
        self.text, self.at, self.fed = self.text[self.at:] + more, 0, end
        return True

    def peek(self) -> str:
        """The next character that is not white space, not taken; '' at the end."""
        while True:
            self.at = _SPACE.match(self.text, self.at).end()  # type: ignore[union-attr]  # matches the empty text
            if self.at < len(self.text) or not self._more():
                return self.text[self.at:self.at + 1]

    def _take(self, char: str) -> None:
        if self.peek() != char:
            raise self._broken(f"expected '{char}'")
        self.at += 1

    def value(self) -> Any:
        """The next whole value. A value cut off by the window's end is read again with more."""
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.text, self.at)
            except json.JSONDecodeError as e:
                if self._more():
                    continue
                raise self._broken(e.msg) from None
            except ValueError as e:  # a number of more digits than Python converts
                raise BadInput([Problem(self.name, "the file", None, None, _digits(e))]) from None
            except RecursionError:
                raise BadInput([Problem(self.name, "the file", None, None,
                                        "is nested too deep to be a workbook")]) from None
            if end < len(self.text) or not self._more():  # a number at the edge may go on
                self.at = end
                return value

    def members(self):
        """The keys of the top mapping, in order; the caller reads each one's value before the next."""
        self._take("{")
        if self.peek() == "}":
            self.at += 1
        else:
            while True:
                key = self.value()
                if not isinstance(key, str):
                    raise self._broken("expected a key")
                self._take(":")
                yield key
                if self.peek() != ",":
                    break
                self.at += 1
            self._take("}")
        if self.peek():
            raise self._broken("extra data after the workbook")

    def elements(self):
        """The values of the list that comes next, one at a time."""
        self._take("[")
        if self.peek() == "]":
            self.at += 1
            return
        while True:
            yield self.value()
            if self.peek() != ",":
                break
            self.at += 1
        self._take("]")

    def values_of(self, wanted: str):
        """The values of the top mapping's list under `wanted`, the other keys passed over."""
        for key in self.members():
            if key == wanted:
                yield from self.elements()
                return
            self.value()

    def twice(self, key: str) -> BadInput:
        return BadInput([Problem(self.name, "the file", None, key, "key given twice")])

    def _broken(self, why: str) -> BadInput:
        return BadInput([Problem(self.name, "the file", None, None, f"not valid JSON: {why}")])


# --- XLSX -------------------------------------------------------------------------------------

#: Sheet name -> columns, in order. Nested lists of the tree get a column naming their parent.
def _columns(cls) -> tuple[str, ...]:
    return tuple(f.name for f in FIELDS[cls])


SHEETS: dict[str, tuple[str, ...]] = {
    "departments": _columns(Department),
    "sections_before": ("department", *_columns(SectionBefore)),
    "sections": ("department", *_columns(Section)),
    "functions": ("department", *_columns(Function)),
    "people": _columns(Person),
    "processes": ("id", "section", "name"),
    "versions": ("process", "version", *VERSION_NAMES),
    "steps": ("process", "version", *STEP_NAMES),
    "absences": _columns(Absence),
    "calendar": _columns(CalendarDay),
    "exemptions": ("department", *_columns(Exemption)),
    "powers": _columns(Power),
    "matters": _columns(Matter),
}
_DECLARED = (*STEP, *VERSION, *(f for fields in FIELDS.values() for f in fields))
LIST_COLUMNS = {f.name for f in _DECLARED if f.kind in ("ids", "names", "stages")}
#: Lists of sentences, which have commas of their own: one item per line of the cell.
LINE_COLUMNS = {f.name for f in _DECLARED if f.kind in ("texts", "branches")}
_DEPT_SHEETS = ("sections_before", "sections", "functions", "exemptions")
_LIST_SPLIT = re.compile(r"\s*[,，]\s*")


def _cell(value):
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _load_xlsx(name: str, data: bytes) -> dict:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter
    from zipfile import BadZipFile

    _check_zip(name, data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as e:
        raise BadInput([Problem(name, "the file", None, None, f"not a readable XLSX workbook: {e}")]) from None
    problems = Problems(limits.MAX_PROBLEMS)
    rows: dict[str, list[Entry]] = {}
    for sheet in book.worksheets:
        if sheet.title not in SHEETS:
            problems.append(Problem(name, f"sheet '{sheet.title}'", None, None,
                                    f"unknown sheet; expected {', '.join(SHEETS)}"))
            continue
        declared = _declared_rows(sheet)
        if declared > limits.MAX_ROWS + 1:  # the sheet's own <dimension>, read before any row
            problems.append(Problem(name, f"sheet '{sheet.title}'", None, None,
                                    f"declares {declared - 1:,} rows; at most {limits.MAX_ROWS:,}"))
            continue
        it = sheet.iter_rows(values_only=True)
        header = [(_cell(h) or "") for h in next(it, ())]
        unknown = [str(h) for h in header if h and h not in SHEETS[sheet.title]]
        if unknown:  # named before a single row is read
            problems.append(Problem(name, f"sheet '{sheet.title}'", "row 1", None,
                                    f"unknown column {limits.short(unknown[0])}; expected "
                                    f"{', '.join(SHEETS[sheet.title])}"))
            continue
        entries = rows[sheet.title] = []
        for r, values in enumerate(it, start=2):
            if problems.full:
                break  # refused already; the rest would only be counted
            if r > limits.MAX_ROWS + 1:
                problems.append(Problem(name, f"sheet '{sheet.title}'", None, None,
                                        f"has more than {limits.MAX_ROWS:,} rows"))
                break
            where = f"sheet '{sheet.title}', row {r}"
            entry = Entry(where=where)
            for c, raw in enumerate(values, start=1):
                value = _cell(raw)
                if value is None:
                    continue
                key = header[c - 1] if c <= len(header) else ""
                if not key:
                    problems.append(Problem(name, where, None, None,
                                            f"value in column {get_column_letter(c)}, which has no header"))
                    continue
                if key in LINE_COLUMNS:
                    value = Items(v.strip() for v in str(value).splitlines() if v.strip())
                elif key in LIST_COLUMNS and isinstance(value, str):
                    value = Items(v for v in _LIST_SPLIT.split(value) if v)
                elif key in LIST_COLUMNS:
                    value = Items([value])
                entry[key] = value
                entry.key_where[key] = f"{where}, column {get_column_letter(c)}"
            if entry:
                entries.append(entry)
    book.close()
    tree = _nest_sheets(name, rows, problems)
    if problems:
        raise problems.error()
    return tree


def _declared_rows(sheet) -> int:
    """The rows a sheet's <dimension> declares, 0 when it declares none (then the row cap applies
    as the rows are read); never a scan of the sheet, which `max_row` would make."""
    from openpyxl.utils.cell import range_boundaries
    try:
        return range_boundaries(sheet.calculate_dimension())[3] or 0
    except (ValueError, TypeError):
        return 0


def _check_zip(name: str, data: bytes) -> None:
    """Refuse, from the zip directory alone, a spreadsheet that would unpack to far more than it
    weighs: a few hundred kilobytes can hold millions of rows or one string of gigabytes; then
    count each sheet's rows in its stream, before openpyxl parses anything."""
    import zipfile
    import zlib

    def refuse(part: str, message: str) -> BadInput:
        return BadInput([Problem(name, part, None, None, message)])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = z.infolist()
            total = sum(m.file_size for m in members)
            if problem := limits.size_problem(total, limits.MAX_UNPACKED_BYTES):
                raise refuse("the file", f"unpacked, {problem}")
            for m in members:
                if m.file_size > limits.RATIO_FLOOR and m.file_size > limits.MAX_RATIO * max(m.compress_size, 1):
                    raise refuse(m.filename, f"unpacks {m.file_size / max(m.compress_size, 1):,.0f} times its packed "
                                             f"size; at most {limits.MAX_RATIO} (a spreadsheet built to exhaust memory?)")
            for m in members:
                if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml") \
                        and _count_rows(z, m) > limits.MAX_ROWS + 1:
                    raise refuse(m.filename, f"holds more than {limits.MAX_ROWS:,} rows")
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError) as e:
        raise refuse("the file", f"not a readable XLSX workbook: {limits.short(str(e), 120)}") from None


_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")


def _count_rows(z, member) -> int:
    """Rows of a worksheet part, counted in its unpacked stream a megabyte at a time, stopping past
    the cap: a sheet that declares no size would make openpyxl parse all of it just to open it."""
    count, tail = 0, b""
    with z.open(member) as stream:
        while chunk := stream.read(1 << 20):
            block = tail + chunk
            keep = max(len(block) - 64, 0)  # a tag that starts here may end in the next chunk
            count += sum(1 for m in _ROW.finditer(block) if m.start() < keep)
            tail = block[keep:]
            if count > limits.MAX_ROWS + 1:
                break
    return count + len(_ROW.findall(tail))


def _nest_sheets(name: str, rows: dict[str, list[Entry]], problems: list[Problem]) -> dict:
    """Put the flat sheets' rows back into the nested shape of the workbook tree."""
    tree = Entry(where=None)
    tree["departments"] = Items(rows.get("departments", []))
    by_dept = {d.get("id"): d for d in tree["departments"]}
    for sheet in _DEPT_SHEETS:
        for row in rows.get(sheet, []):
            dept = by_dept.get(row.pop("department", None))
            if dept is None:
                problems.append(Problem(name, f"{sheet} {row.get('id', '?')}", row.where, "department",
                                        "names no department of sheet 'departments'"))
                continue
            dept.setdefault(sheet, Items()).append(row)
    tree["people"] = Items(rows.get("people", []))
    tree["processes"] = Items(rows.get("processes", []))
    by_proc = {p.get("id"): p for p in tree["processes"]}
    for row in rows.get("steps", []):
        proc = by_proc.get(row.pop("process", None))
        version = row.pop("version", "after")
        if proc is None:
            problems.append(Problem(name, f"step {row.get('id', '?')}", row.where, "process",
                                    "names no process of sheet 'processes'"))
            continue
        if version not in ("before", "after"):
            problems.append(Problem(name, f"step {row.get('id', '?')}", row.where, "version",
                                    f"must be 'before' or 'after', not '{version}'"))
            continue
        proc.setdefault(version, Entry({"steps": Items()}, where=row.where))["steps"].append(row)
    for row in rows.get("versions", []):  # a version's terms, beside its steps
        proc = by_proc.get(row.pop("process", None))
        version = row.pop("version", "after")
        if proc is None or version not in ("before", "after"):
            problems.append(Problem(name, f"version {version}", row.where, "process" if proc is None else "version",
                                    "names no process of sheet 'processes'" if proc is None
                                    else f"must be 'before' or 'after', not '{version}'"))
            continue
        entry = proc.setdefault(version, Entry({"steps": Items()}, where=row.where))
        entry.update(row)
        entry.key_where.update(row.key_where)
    tree["absences"] = Items(rows.get("absences", []))
    tree["calendar"] = Items(rows.get("calendar", []))
    for sheet in ("powers", "matters"):
        if rows.get(sheet):
            tree[sheet] = Items(rows[sheet])
    return tree


def _item_text(item) -> str:
    """A list item as a cell shows it; a branch {to, name, condition} as `to=name[condition]`."""
    if isinstance(item, dict):
        return Branch(**item).text()
    if isinstance(item, list):  # a stage of a matter: processes run together
        return stage_text(tuple(item))
    return str(item)


def append_text_row(ws, values: list) -> None:
    """Append a row in which text stays text: openpyxl would store a name such as
    `=HYPERLINK("http://…")` as a live formula, which a spreadsheet runs when it is opened. Only
    such a value is made a cell of its own here; looking the row up after appending it (`ws[n]`)
    rescans the sheet, which made a city's export take minutes."""
    ws.append([_as_text(ws, v) if isinstance(v, str) and v.startswith("=") else v for v in values])


def _as_text(ws, value: str):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet
    cell = WriteOnlyCell(ws, value=value) if isinstance(ws, WriteOnlyWorksheet) else Cell(ws, value=value)
    cell.data_type = "s"
    return cell


def _styled(ws, value: str, font):
    from openpyxl.cell import WriteOnlyCell
    cell = WriteOnlyCell(ws, value=value)
    cell.font = font
    return cell


def _dump_xlsx(tree: dict, progress: Callable[[str, int, int], None] = lambda sheet, n, total: None) -> bytes:
    from openpyxl import Workbook as XlsxBook
    from openpyxl.styles import Font

    flat: dict[str, list[dict]] = {s: [] for s in SHEETS}
    for dept in tree.get("departments", []):
        flat["departments"].append(dept)
        for sheet in _DEPT_SHEETS:
            flat[sheet].extend({"department": dept["id"], **row} for row in dept.get(sheet, []))
    flat["people"] = tree.get("people", [])
    for proc in tree.get("processes", []):
        flat["processes"].append(proc)
        for version in ("before", "after"):
            if version in proc:
                terms = {k: v for k, v in proc[version].items() if k != "steps"}
                if terms:
                    flat["versions"].append({"process": proc["id"], "version": version, **terms})
                flat["steps"].extend({"process": proc["id"], "version": version, **s}
                                     for s in proc[version]["steps"])
    flat["absences"] = tree.get("absences", [])
    flat["calendar"] = tree.get("calendar", [])
    flat["powers"] = tree.get("powers", [])
    flat["matters"] = tree.get("matters", [])

    book = XlsxBook(write_only=True)  # rows streamed out, not kept as cells: a city's export in seconds
    bold = Font(bold=True)
    for n, (sheet, columns) in enumerate(SHEETS.items(), 1):
        progress(sheet, n, len(SHEETS))
        ws = book.create_sheet(sheet)
        ws.freeze_panes = "A2"
        ws.append([_styled(ws, c, bold) for c in columns])
        for row in flat[sheet]:
            append_text_row(ws, [("\n" if c in LINE_COLUMNS else ", ").join(_item_text(x) for x in v)
                                 if isinstance(v, list) else (v.isoformat() if isinstance(v, dt.date) else v)
                                 for c, v in ((c, row.get(c)) for c in columns)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


#: Per format, its reader (file name, bytes, locate → tree) and writer (tree → bytes). A new
#: format is a suffix in FORMATS and a function in each table.
READERS: dict[str, Callable[[str, bytes, bool], Any]] = {
    "yaml": lambda name, data, locate: _load_yaml(name, _text(name, data)),
    "json": lambda name, data, locate: _load_json(name, _text(name, data), locate),
    "xlsx": lambda name, data, locate: _load_xlsx(name, data),
}
WRITERS: dict[str, Callable[[dict], bytes]] = {
    "yaml": lambda tree: yaml.dump(tree, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                                   default_flow_style=None, width=120).encode("utf-8"),
    "json": lambda tree: (json.dumps(tree, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8"),
    "xlsx": lambda tree: _dump_xlsx(tree),
}
